/**
 * The project compiled to CommonJS in a temporary folder, as the engine's language host loads it:
 * the serialization suites serialize the provider from this output, not from vitest's transform.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll } from "vitest";

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

/** Compiles once for the calling file (beforeAll) and removes the output after it; the getter gives the folder. */
export function useCompiledBuild(): () => string {
  let outDir: string | undefined;
  beforeAll(async () => {
    outDir = await compileToTemp();
  }, 120_000);
  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });
  return () => {
    if (!outDir) throw new Error("useCompiledBuild: the build is made in beforeAll");
    return outDir;
  };
}
