import { expect } from "vitest";

/** Lines outside fenced blocks, code spans removed: where GitHub interprets Markdown. */
export function markdownLines(text: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of text.split("\n")) {
    const m = /^(`{3,})/.exec(line);
    if (fence === undefined && m) fence = m[1];
    else if (fence !== undefined && line === fence) fence = undefined;
    else if (fence === undefined) out.push(line.replace(/(?<!\\)(`+)(?:(?!\1).)*?\1/g, "<code/>"));
  }
  expect(fence).toBeUndefined();
  return out;
}
