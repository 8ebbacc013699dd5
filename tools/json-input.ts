/**
 * Reading JSON the tools are handed (fixtures, preview output, artifacts): errors say where the
 * text is not JSON, never what it holds (a token file once printed its first characters).
 */
import { readFileSync } from "node:fs";

/** Parses JSON text; a syntax error names the position only. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new Error(`${what} is not valid JSON${at === undefined ? "" : ` (at position ${at})`}`);
  }
}

/** Reads and parses a JSON file; a missing file or bad JSON is one line naming the file. */
export function readJsonFile(file: string, what = file): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new Error(`${what} cannot be read${code ? ` (${code})` : ""}`);
  }
  return parseJsonText(text, what);
}
