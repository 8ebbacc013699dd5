/**
 * `node tools/run.cjs pr-comment --dir <artifact dir> --origin branch|fork [--base <dir>]`:
 * renders the PR comment from the artifacts a pull request's run left: one folder per stack
 * (`<dir>/<stack>/check.json`, and `preview.json` when the preview ran), or a single
 * `<dir>/check.json`. `--base` holds the default branch's plans (`<base>/<stack>/check.json`):
 * edges the pull request adds or removes are marked in the picture. The stack is the folder's
 * name, and a check.json whose `stack` differs is refused. Runs in the trusted comment
 * workflow: the artifacts are checked against their schema, and every string they hold is
 * escaped. An unusable artifact gives a section that says so and echoes nothing of it.
 * Exit codes: 0 a comment was printed, 2 bad usage.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  parseCheckDocument,
  parsePreviewDocument,
  type CheckDocument,
  type PreviewDocument,
} from "./comment/document";
import { COMMENT_LIMIT, COMMENT_MARKER, renderComment, renderUnreadable } from "./comment/render";
import type { Origin } from "./comment/render";
import { readJsonFile } from "./json-input";

export const USAGE =
  "usage: node tools/run.cjs pr-comment --dir <artifact dir> --origin branch|fork [--base <dir>]";

/** Stacks in one comment at most; each shares the limit. */
const MAX_STACKS = 8;
const STACK_DIR = /^[A-Za-z0-9_.-]{1,100}$/;

function readPreview(dir: string): PreviewDocument | undefined {
  const file = join(dir, "preview.json");
  if (!existsSync(file)) return undefined;
  try {
    return parsePreviewDocument(readJsonFile(file, "preview.json"));
  } catch (err) {
    return {
      schema: "console-wiring-preview/v1",
      outcome: "unknown",
      tail: [(err as Error).message],
    };
  }
}

/** The default branch's plan of a stack, or why there is none. */
function readBase(
  baseDir: string | undefined,
  stack: string,
): { base: CheckDocument } | { noBase: string } {
  if (baseDir === undefined) return { noBase: "no base plan was given to compare with" };
  const file = join(baseDir, stack, "check.json");
  if (!existsSync(file)) return { noBase: "the default branch has no plan of this stack" };
  try {
    return { base: parseCheckDocument(readJsonFile(file, "the base check.json")) };
  } catch (err) {
    return { noBase: `the default branch's plan is unreadable (${(err as Error).message})` };
  }
}

/**
 * Artifact folders: one per stack, named by it, or the folder itself when it holds a single
 * check.json (local use: no folder names its stack, so no base plan is compared).
 */
function stackDirs(dir: string): { readonly dir: string; readonly stack?: string }[] {
  if (existsSync(join(dir, "check.json"))) return [{ dir }];
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => STACK_DIR.test(d) && statSync(join(dir, d)).isDirectory())
    .sort()
    .map((d) => ({ dir: join(dir, d), stack: d }));
}

export function commentFromArtifacts(dir: string, origin: Origin, baseDir?: string): string {
  const dirs = stackDirs(dir);
  if (dirs.length === 0) return renderUnreadable("no check.json in the artifact");
  const shown = dirs.slice(0, MAX_STACKS);
  const limit = Math.floor((COMMENT_LIMIT - 300) / shown.length);
  const parts = shown.map((d, i) => {
    const marker = i === 0;
    let doc: CheckDocument;
    try {
      doc = parseCheckDocument(readJsonFile(join(d.dir, "check.json"), "check.json"));
    } catch (err) {
      return renderUnreadable((err as Error).message, marker);
    }
    // The base plan is found by stack, and the document is the pull request's own output: the
    // stack comes from the folder the workflow named (matrix.stack), and a document that claims
    // another stack is refused, so it cannot pick a base that hides its changes.
    if (d.stack !== undefined && doc.stack !== d.stack) {
      return renderUnreadable(
        `${d.stack}/check.json is refused: its stack field is not ${d.stack}, the stack its folder is named after`,
        marker,
      );
    }
    const preview = readPreview(d.dir);
    return renderComment(doc, {
      origin,
      limit,
      marker,
      ...(preview ? { preview } : {}),
      ...(d.stack === undefined && baseDir !== undefined
        ? { noBase: "a single check.json names no stack folder to compare with" }
        : readBase(baseDir, d.stack ?? "")),
    });
  });
  if (dirs.length > shown.length)
    parts.push(`_… and ${dirs.length - shown.length} more stacks: see the workflow run._`);
  const text = parts.join("\n\n---\n\n");
  return text.startsWith(COMMENT_MARKER) ? text : `${COMMENT_MARKER}\n${text}`;
}

export function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        dir: { type: "string" },
        origin: { type: "string" },
        base: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`console-wiring pr-comment: ${(err as Error).message}\n${USAGE}\n`);
    return Promise.resolve(2);
  }
  const { dir, origin, base } = values;
  if (!dir || (origin !== "branch" && origin !== "fork")) {
    process.stderr.write(
      `console-wiring pr-comment: --dir and --origin branch|fork are required\n${USAGE}\n`,
    );
    return Promise.resolve(2);
  }
  process.stdout.write(`${commentFromArtifacts(dir, origin, base)}\n`);
  return Promise.resolve(0);
}
