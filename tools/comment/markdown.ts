/**
 * Escaping for Markdown that GitHub renders from text we do not control (config keys, policy
 * messages, server errors, the program's own output): nothing in it may become a heading, a
 * link, an image, HTML, an @-mention or a fence that closes ours.
 */

/** ANSI escape sequences and control characters other than tab and line break. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]/g;
const CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function stripControl(text: string): string {
  return text.replace(ANSI, "").replace(CONTROL, "");
}

/**
 * Inline text: one line; the characters that make emphasis, code, links, images, tables and HTML
 * escaped (`(` and `!` are harmless once `[` is; `|` too, so it is safe in a table cell); a
 * leading block marker escaped; references, bare URLs and @-mentions made inert (`noReferences`).
 */
export function inline(text: string): string {
  return noReferences(
    stripControl(text)
      .replace(/[\r\n\t]+/g, " ")
      .replace(/[\\`*_{}[\]|~<>&]/g, (c) =>
        c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : `\\${c}`,
      )
      .replace(/^(\s*)([#+\-=!]|\d+[.)])/, "$1\\$2"),
  );
}

/** U+2060 WORD JOINER: invisible, and it splits the patterns GitHub turns into links. */
const JOIN = "\u2060";

/**
 * Text GitHub would turn into a link or a notification, made inert: issue and pull request
 * references (`#12`, `GH-12`, `owner/repo#12`), bare URLs (`https://…`, `www.…`) and
 * @-mentions (and so e-mail addresses) get a word joiner that breaks the autolink. Reads the same.
 */
export function noReferences(text: string): string {
  return text
    .replace(/#(?=\d)/g, `#${JOIN}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1${JOIN}-`)
    .replace(/\b([a-z][a-z0-9+.-]*):\/\//gi, `$1:${JOIN}//`)
    .replace(/\b(www)\./gi, `$1${JOIN}.`)
    .replace(/@/g, "@\u200b");
}

/** A code span inside a table cell: GitHub splits cells on `|` even inside code, unless escaped. */
export function cellCode(text: string): string {
  return code(text).replace(/\|/g, "\\|");
}

function longestRun(text: string, char: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/** An inline code span that no backtick in `text` can close. */
export function code(text: string): string {
  const clean = stripControl(text).replace(/[\r\n\t]+/g, " ");
  const fence = "`".repeat(longestRun(clean, "`") + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") || clean === "" ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** A fenced block that no line of `text` can close; Markdown is not interpreted inside. */
export function codeBlock(text: string, info = "text"): string {
  const clean = stripControl(text).replace(/\r\n?/g, "\n");
  const fence = "`".repeat(Math.max(3, longestRun(clean, "`") + 1));
  return `${fence}${info}\n${clean}\n${fence}`;
}
