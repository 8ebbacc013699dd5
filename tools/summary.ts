/**
 * Text the tools print to a CI log or append to $GITHUB_STEP_SUMMARY may hold server messages
 * (Heroku's, FreeScout's) and names from the program. In a log, a line starting with `::` is a
 * workflow command, and so is `##[` anywhere in a line; in a summary, backticks can close a fence
 * and Markdown can inject links or mentions. Everything goes through here: control characters and ANSI codes removed, workflow
 * commands neutralized, summaries fenced safely and capped (GitHub rejects summaries over 1 MiB).
 */
import { appendFileSync } from "node:fs";
import { codeBlock, stripControl } from "./comment/markdown";

/** What one tool adds to a job summary at most. */
export const SUMMARY_LIMIT_BYTES = 256 * 1024;

/**
 * No workflow command survives: `::cmd::` at a line's start (after blanks), and the legacy
 * `##[cmd]` anywhere in a line, where the runner still finds it (it searches the line for
 * `##[`, not only its start). A word joiner after the first character breaks each.
 */
export function neutralizeCommands(text: string): string {
  return text
    .replace(/^(\s*)::/gm, (_m, space: string) => `${space}:\u2060:`)
    .replace(/##\[/g, "#\u2060#[");
}

/** Safe for a CI log: no control characters, no ANSI codes, no workflow commands. */
export function logSafe(text: string): string {
  return neutralizeCommands(stripControl(text));
}

/** A summary section: a heading of ours, the text in a fence it cannot close, capped. */
export function summarySection(title: string, text: string): string {
  let body = logSafe(text);
  if (Buffer.byteLength(body) > SUMMARY_LIMIT_BYTES) {
    const note = "\n… cut: the full text is in the job's log.";
    body =
      Buffer.from(body)
        .subarray(0, SUMMARY_LIMIT_BYTES - note.length)
        .toString("utf8")
        .replace(/\uFFFD$/, "") + note;
  }
  return `\n### ${title}\n\n${codeBlock(body)}\n`;
}

/** Appends a section to $GITHUB_STEP_SUMMARY when it is set (in GitHub Actions). */
export function appendSummary(
  title: string,
  text: string,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const file = env["GITHUB_STEP_SUMMARY"];
  if (file) appendFileSync(file, summarySection(title, text));
}
