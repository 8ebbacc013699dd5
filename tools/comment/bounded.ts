/**
 * Bounds for the PR comment's sections: each section gets a share of the comment's limit and
 * says how much it left out, so one flooded section (thousands of resources, a huge message)
 * never pushes the others, or the marker, out of the comment.
 */
import { codeBlock } from "./markdown";

/**
 * Blocks (each one or more lines) while they fit in `budget` characters, then `more(n)` for the
 * n left out. Room for that last line is kept.
 */
export function bounded(
  blocks: readonly (string | readonly string[])[],
  budget: number,
  more: (n: number) => string,
): string[] {
  const out: string[] = [];
  let size = 0;
  const reserve = more(blocks.length).length + 1;
  for (const [i, block] of blocks.entries()) {
    const lines = typeof block === "string" ? [block] : block;
    const length = lines.reduce((n, l) => n + l.length + 1, 0);
    const last = i === blocks.length - 1;
    if (size + length + (last ? 0 : reserve) > budget) {
      out.push(more(blocks.length - i));
      return out;
    }
    out.push(...lines);
    size += length;
  }
  return out;
}

/** Items joined with ", " while they fit in `budget` characters, then "… and N more <what>". */
export function joinedWithin(items: readonly string[], budget: number, what: string): string {
  const out: string[] = [];
  let size = 0;
  for (const [i, item] of items.entries()) {
    if (size + item.length + 2 > budget - 40) {
      out.push(`… and ${items.length - i} more ${what}`);
      break;
    }
    out.push(item);
    size += item.length + 2;
  }
  return out.join(", ");
}

/** The first `limit` items rendered, then how many more. Shared with the text plan. */
export function capped<T>(
  items: readonly T[],
  limit: number,
  render: (t: T) => string,
  what: string,
): string[] {
  const lines = items.slice(0, limit).map(render);
  if (items.length > limit) lines.push(`… and ${items.length - limit} more ${what}`);
  return lines;
}

/**
 * A fenced block of `text` no longer than `budget` characters: the text is cut (and says so)
 * until the block, fences included, fits; a run of backticks in the text lengthens the fence.
 */
export function fencedWithin(text: string, budget: number, info = "text"): string {
  let body = text;
  for (;;) {
    const block = codeBlock(body, info);
    if (block.length <= budget) return block;
    const cut = "\n… cut to fit the comment";
    const keep = Math.max(0, body.length - (block.length - budget) - cut.length - 8);
    body = `${body.slice(0, keep).replace(/[\uD800-\uDBFF]$/, "")}${cut}`;
    if (keep === 0) return codeBlock(cut.trim(), info);
  }
}
