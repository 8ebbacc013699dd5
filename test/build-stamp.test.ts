import { execFile } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// tools/run.cjs on a copy of the project (its own bin/), so the breakage below never touches the
// working tree: a type error must fail every run, and a content change must rebuild even when the
// file's mtime says it is older than the build (as after a `git checkout`).
const root = resolve(__dirname, "..");
let copy: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
async function run(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(copy, "tools", "run.cjs"), ...args],
      { cwd: copy },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const usageFile = () => join(copy, "tools", "check.ts");
const original = () => readFileSync(join(root, "tools", "check.ts"), "utf8");

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "console-wiring-stamp-"));
  for (const p of ["infra", "policy", "tools"])
    cpSync(join(root, p), join(copy, p), { recursive: true });
  for (const f of [
    "tsconfig.json",
    "tsconfig.build.json",
    "package.json",
    "Pulumi.yaml",
    "Pulumi.prod.yaml",
  ])
    cpSync(join(root, f), join(copy, f));
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("tools/run.cjs never runs stale compiled code", () => {
  it("builds on the first run, writes the stamp, and reuses the build while nothing changed", async () => {
    const first = await run("check", "--help");
    expect(first.code).toBe(0);
    const stamp = readFileSync(join(copy, "bin", ".build-stamp"), "utf8");
    expect(stamp).toMatch(/^[0-9a-f]{64}\n$/);
    const second = await run("check", "--help");
    expect(second.code).toBe(0);
    expect(readFileSync(join(copy, "bin", ".build-stamp"), "utf8")).toBe(stamp);
  }, 120_000);

  it("refuses to run after a type error, on two successive runs, naming npm run typecheck", async () => {
    writeFileSync(usageFile(), `${original()}\nexport const broken: number = "not a number";\n`);
    for (let i = 0; i < 2; i++) {
      const r = await run("check", "--help");
      expect(r.code, `run ${i + 1}`).toBe(2);
      expect(r.stdout, `run ${i + 1}`).toBe("");
      expect(r.stderr, `run ${i + 1}`).toContain("error TS2322");
      expect(r.stderr, `run ${i + 1}`).toContain(
        "console-wiring: the TypeScript build failed, so check did not run (no stale build runs either); fix the errors above (npm run typecheck).",
      );
    }
  }, 120_000);

  it("rebuilds a changed source whose mtime is older than the build (a git checkout)", async () => {
    writeFileSync(
      usageFile(),
      original().replace("usage: npm run check", "usage (changed): npm run check"),
    );
    utimesSync(usageFile(), new Date(2000, 0, 1), new Date(2000, 0, 1));
    const r = await run("check", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("usage (changed): npm run check");
  }, 120_000);

  it("rebuilds when a data file under infra/ changes, and a deleted tool's leftover .js never runs", async () => {
    const stamp = readFileSync(join(copy, "bin", ".build-stamp"), "utf8");
    writeFileSync(join(copy, "infra", "data.json"), "{}\n");
    expect((await run("check", "--help")).code).toBe(0);
    expect(readFileSync(join(copy, "bin", ".build-stamp"), "utf8")).not.toBe(stamp);
    rmSync(join(copy, "tools", "summary.ts"));
    const gone = await run("summary");
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/^console-wiring: no tool "summary" \(known: .*check.*\)\n$/);
  }, 120_000);
});
