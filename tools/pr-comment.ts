/**
 * `node tools/run.cjs pr-comment --dir <artifact dir> --origin branch|fork`: renders the PR
 * comment from the artifacts a pull request's run left (check.json, and preview.json when the
 * preview ran). Runs in the trusted comment workflow: the artifacts are checked against their
 * schema, and every string they hold is escaped. An unusable artifact gives a comment that says
 * so and echoes nothing of it. Exit codes: 0 a comment was printed, 2 bad usage.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseCheckDocument, parsePreviewDocument, type PreviewDocument } from "./comment/document";
import { renderComment, renderUnreadable, type Origin } from "./comment/render";
import { readJsonFile } from "./json-input";

export const USAGE =
  "usage: node tools/run.cjs pr-comment --dir <artifact dir> --origin branch|fork";

export function commentFromArtifacts(dir: string, origin: Origin): string {
  let preview: PreviewDocument | undefined;
  try {
    const previewFile = join(dir, "preview.json");
    if (existsSync(previewFile))
      preview = parsePreviewDocument(readJsonFile(previewFile, "preview.json"));
  } catch (err) {
    preview = {
      schema: "console-wiring-preview/v1",
      outcome: "unknown",
      tail: [(err as Error).message],
    };
  }
  try {
    const doc = parseCheckDocument(readJsonFile(join(dir, "check.json"), "check.json"));
    return renderComment(doc, { origin, ...(preview ? { preview } : {}) });
  } catch (err) {
    return renderUnreadable((err as Error).message);
  }
}

export function main(argv: readonly string[]): Promise<number> {
  let dir: string | undefined;
  let origin: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { dir: { type: "string" }, origin: { type: "string" } },
      strict: true,
      allowPositionals: false,
    });
    dir = values.dir;
    origin = values.origin;
  } catch (err) {
    process.stderr.write(`console-wiring pr-comment: ${(err as Error).message}\n${USAGE}\n`);
    return Promise.resolve(2);
  }
  if (!dir || (origin !== "branch" && origin !== "fork")) {
    process.stderr.write(
      `console-wiring pr-comment: --dir and --origin branch|fork are required\n${USAGE}\n`,
    );
    return Promise.resolve(2);
  }
  process.stdout.write(`${commentFromArtifacts(dir, origin)}\n`);
  return Promise.resolve(0);
}
