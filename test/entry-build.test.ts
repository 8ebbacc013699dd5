import { execFile, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The entry files the Pulumi CLI runs (Pulumi.yaml `main`: program.cjs; the pack's package.json
// `main`: policy/pack.cjs) run the compiled code in bin/. On a copy of the project (its own bin/):
// stale sources are rebuilt before anything runs, a type error runs nothing and names
// `npm run build`, and a build another process holds (bin/.build-lock) is waited for.
const root = resolve(__dirname, "..");
let copy: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Loads an entry as the language host does (require), in a fresh node process. */
function load(entry: string): Promise<Run> {
  const script = `const m = require(${JSON.stringify(join(copy, entry))}); console.log(typeof m);`;
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ["-e", script], { cwd: copy });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

const stamp = () => readFileSync(join(copy, "bin", ".build-stamp"), "utf8");
const lock = () => join(copy, "bin", ".build-lock");
const configFile = () => join(copy, "infra", "config.ts");
const original = () => readFileSync(join(root, "infra", "config.ts"), "utf8");

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), "console-wiring-entry-"));
  for (const p of ["infra", "policy", "tools", "program.cjs", "tsconfig.json"])
    cpSync(join(root, p), join(copy, p), { recursive: true });
  for (const f of ["tsconfig.build.json", "package.json", "Pulumi.yaml"])
    cpSync(join(root, f), join(copy, f));
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
  await promisify(execFile)(process.execPath, [join(copy, "tools", "build.cjs")], { cwd: copy });
}, 180_000);
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("program.cjs and policy/pack.cjs run bin/ only when it matches the sources", () => {
  it("runs the compiled program (bin/infra/index.js exports the program function)", async () => {
    const run = await load("program.cjs");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("function\n");
  }, 120_000);

  it("rebuilds after a source edit before running, taking over a lock whose process is gone", async () => {
    const before = stamp();
    writeFileSync(configFile(), `${original()}\nexport const entryBuildEdit = 1;\n`);
    // A build killed halfway leaves its lock: a pid that no longer runs.
    const gone = spawn(process.execPath, ["-e", ""]);
    await new Promise((done) => gone.on("close", done));
    writeFileSync(lock(), `${gone.pid}\n`);
    const run = await load("program.cjs");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(stamp()).not.toBe(before);
    expect(readFileSync(join(copy, "bin", "infra", "config.js"), "utf8")).toContain(
      "entryBuildEdit",
    );
    expect(existsSync(lock())).toBe(false);
  }, 180_000);

  it("waits while another live process holds the build lock, then builds", async () => {
    writeFileSync(configFile(), `${original()}\nexport const entryBuildEdit = 2;\n`);
    // This test process is alive: its pid in the lock stands for a build in progress.
    writeFileSync(lock(), `${process.pid}\n`);
    let finished = false;
    const pending = load("program.cjs").then((r) => ((finished = true), r));
    await new Promise((done) => setTimeout(done, 3000));
    expect(finished).toBe(false);
    // Not taken over, and no build started (a build deletes the stamp first).
    expect(readFileSync(lock(), "utf8")).toBe(`${process.pid}\n`);
    expect(existsSync(join(copy, "bin", ".build-stamp"))).toBe(true);
    expect(readFileSync(join(copy, "bin", "infra", "config.js"), "utf8")).not.toContain(
      "entryBuildEdit = 2",
    );
    rmSync(lock());
    const run = await pending;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(readFileSync(join(copy, "bin", "infra", "config.js"), "utf8")).toContain(
      "entryBuildEdit = 2",
    );
  }, 180_000);

  it("runs nothing after a type error, naming npm run build, in the program and the pack", async () => {
    writeFileSync(configFile(), `${original()}\nexport const broken: number = "not a number";\n`);
    for (const entry of ["program.cjs", "policy/pack.cjs"]) {
      const run = await load(entry);
      expect(run.code, entry).not.toBe(0);
      expect(run.stdout, entry).toBe("");
      expect(run.stderr, entry).toContain("error TS2322");
      expect(run.stderr, entry).toContain("then run npm run build");
      expect(existsSync(join(copy, "bin", ".build-stamp")), entry).toBe(false);
    }
    writeFileSync(configFile(), original());
  }, 300_000);
});
