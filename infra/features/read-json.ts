/**
 * Reads one data file as strict JSON: UTF-8 without a byte order mark, within a size limit, and
 * with no key twice in one object. `JSON.parse` alone accepts a duplicate key (the last wins,
 * silently) and `readFileSync(…, "utf8")` turns bad bytes into U+FFFD, so a file could say one
 * thing to a reviewer and another to the program. Each problem names the file and the fix.
 */
import { readFileSync } from "node:fs";

/** A feature file is a page of data; anything near this size is a mistake or an attack. */
export const MAX_FILE_BYTES = 64 * 1024;

export type ReadResult =
  { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly problem: string };

/** Byte offset of the first byte that is not part of valid UTF-8. */
function firstBadByte(bytes: Buffer): number {
  const round = Buffer.from(bytes.toString("utf8"), "utf8");
  let i = 0;
  while (i < bytes.length && i < round.length && bytes[i] === round[i]) i++;
  return i;
}

/** Parses text that is known to be valid JSON and lists the pointers of keys repeated in one object. */
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  const escape = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (pointer: string): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        const key = str();
        const at = `${pointer}/${escape(key)}`;
        if (seen.has(key)) found.push(at);
        seen.add(key);
        ws();
        i++; // colon
        value(at);
        ws();
        if (text[i++] === "}") return;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (let n = 0; ; n++) {
        value(`${pointer}/${n}`);
        ws();
        if (text[i++] === "]") return;
      }
    }
    if (c === '"') return void str();
    // A number, true, false or null: up to the next delimiter.
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  value("");
  return found;
}

/** Reads `path`, naming it `file` in every problem. */
export function readJsonData(path: string, file: string): ReadResult {
  const bytes = readFileSync(path);
  if (bytes.length > MAX_FILE_BYTES)
    return {
      ok: false,
      problem: `${file}: is ${bytes.length} bytes, over the limit of ${MAX_FILE_BYTES} bytes (64 KiB) for a feature file: shorten it to at most ${MAX_FILE_BYTES} bytes.`,
    };
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return {
      ok: false,
      problem: `${file}: starts with a byte order mark (EF BB BF): remove the byte order mark (save the file as UTF-8 without BOM).`,
    };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return {
      ok: false,
      problem: `${file}: is not valid UTF-8 (first bad byte at offset ${firstBadByte(bytes)}): save it as UTF-8.`,
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      problem: `${file}: is not JSON (${(err as Error).message}): fix the syntax.`,
    };
  }
  const dupes = duplicateKeys(text);
  if (dupes.length > 0)
    return {
      ok: false,
      problem: `${file}: ${dupes.join(", ")} ${dupes.length === 1 ? "is a key" : "are keys"} given twice in one object (JSON keeps only the last, silently): remove the extra one.`,
    };
  return { ok: true, data };
}
