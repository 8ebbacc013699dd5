/**
 * The project compiled to CommonJS in a temporary folder, as the engine's language host loads it:
 * the serialization suites serialize the provider from this output, not from vitest's transform.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

export const PROJECT_ROOT = resolve(__dirname, "..", "..");

/** Compiles tsconfig.build.json into a new temporary folder and returns it (the caller removes it). */
export async function compileToTemp(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), "console-wiring-cjs-"));
  await promisify(execFile)(process.execPath, [
    join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"),
    "-p",
    join(PROJECT_ROOT, "tsconfig.build.json"),
    "--outDir",
    outDir,
  ]);
  return outDir;
}
