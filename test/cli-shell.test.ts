import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { USAGE } from "../tools/check";

// The tools as people run them, in child processes: kept apart from the in-process suites so that
// mutation runs (which cannot see into a child process) do not pay for them.
const root = resolve(__dirname, "..");

describe("the tools from the shell", () => {
  it("runs as npm run check from the shell: exit 0, and exit 2 with usage on a bad flag", async () => {
    const run = promisify(execFile);
    const ok = await run("npm", ["run", "-s", "check"], { cwd: root });
    expect(ok.stdout).toMatch(/^Result: PASS/m);
    const bad = await run("npm", ["run", "-s", "check", "--", "--format", "xml"], {
      cwd: root,
    }).catch((err: { code: number; stderr: string }) => err);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain(USAGE.split("\n")[0]);
  }, 60_000);

  it("names the known tools for an unknown one, without a stack trace", async () => {
    const failed = await promisify(execFile)(
      process.execPath,
      [join(root, "tools/run.cjs"), "nope"],
      {
        cwd: root,
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect("code" in failed && failed.code).toBe(2);
    expect("stderr" in failed && failed.stderr).toMatch(
      /^console-wiring: no tool "nope" \(known: .*check.*\)\n$/,
    );
  });
});
