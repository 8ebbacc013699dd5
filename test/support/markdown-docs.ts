import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The project's root: README.md and docs/ live here. */
export const ROOT = join(__dirname, "..", "..");

/** README.md and every docs/*.md, as paths relative to the root. */
export function docFiles(root: string = ROOT): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((n) => n.endsWith(".md"))
    .sort()
    .map((n) => `docs/${n}`);
  return ["README.md", ...docs];
}

export const readDoc = (path: string, root: string = ROOT): string =>
  readFileSync(join(root, path), "utf8");

/** Lines outside fenced code blocks, each with its 1-based line number. */
export function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split("\n").forEach((line, i) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === undefined && m) fence = m[1];
    else if (fence !== undefined && line.trim() === fence) fence = undefined;
    else if (fence === undefined) out.push({ line: i + 1, text: line });
  });
  return out;
}

/** Inline code spans removed: a link written inside backticks is not a link. */
const withoutCode = (line: string) => line.replace(/(`+)(?:(?!\1).)*?\1/g, "");

/** Every inline link `[text](target)` outside code, with where it is. */
export function linksOf(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  for (const { line, text: l } of proseLines(text)) {
    for (const m of withoutCode(l).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      out.push({ line, target: m[1]! });
    }
  }
  return out;
}

/**
 * GitHub's heading anchor: the heading's text (links reduced to their text, code marks and other
 * punctuation dropped, `-` and `_` kept), lowercased, each space a `-`; a repeated slug gets
 * `-1`, `-2`, ... in order.
 */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text: l } of proseLines(text)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    if (!m) continue;
    const base = m[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/**
 * The fenced block right after a marker line `<!-- <marker> -->` (blank lines between allowed):
 * its info string and its body.
 */
export function blocksAfter(
  text: string,
  marker: RegExp,
): { args: string; info: string; body: string }[] {
  const lines = text.split("\n");
  const out: { args: string; info: string; body: string }[] = [];
  lines.forEach((l, i) => {
    const m = marker.exec(l);
    if (!m) return;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === "") j++;
    const open = /^(`{3,})(\S*)\s*$/.exec(lines[j] ?? "");
    if (!open) throw new Error(`no fenced block after "${l}" (line ${i + 1})`);
    const end = lines.indexOf(open[1]!, j + 1);
    if (end < 0) throw new Error(`unclosed block after "${l}" (line ${i + 1})`);
    out.push({ args: m[1] ?? "", info: open[2]!, body: lines.slice(j + 1, end).join("\n") });
  });
  return out;
}

/** The rows of the first table after a heading line, as arrays of trimmed cells. */
export function tableAfter(text: string, heading: string): string[][] {
  const lines = text.split("\n");
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  let i = start + 1;
  while (i < lines.length && !lines[i]!.startsWith("|")) i++;
  const rows: string[][] = [];
  for (; i < lines.length && lines[i]!.startsWith("|"); i++) {
    rows.push(
      lines[i]!.split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  // Header and separator rows are not data.
  return rows.slice(2);
}
