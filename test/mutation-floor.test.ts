import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileScores, main } from "../tools/mutation-floor";
import { captureOutput } from "./support/output";

const scratch = mkdtempSync(join(tmpdir(), "console-wiring-floor-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mutant = (id: number, status: string) => ({
  id: String(id),
  mutatorName: "BooleanLiteral",
  replacement: "false",
  status,
  location: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } },
});

function report(files: Record<string, string[]>): string {
  let id = 0;
  const p = join(scratch, `r${Object.keys(files).join("-").replace(/\W/g, "")}.json`);
  writeFileSync(
    p,
    JSON.stringify({
      schemaVersion: "2",
      thresholds: { high: 95, low: 90 },
      files: Object.fromEntries(
        Object.entries(files).map(([name, statuses]) => [
          name,
          { language: "typescript", source: "x", mutants: statuses.map((s) => mutant(id++, s)) },
        ]),
      ),
    }),
  );
  return p;
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { result: code, out, err } = await captureOutput(() => main(argv));
  return { code, out, err };
}

describe("mutation-floor", () => {
  const nine = Array<string>(9).fill("Killed");

  it("scores each file: killed and timed out over all but ignored ones", () => {
    const scores = fileScores(
      JSON.parse(
        JSON.stringify({
          schemaVersion: "2",
          thresholds: { high: 95, low: 90 },
          files: {
            "a/x.ts": {
              language: "typescript",
              source: "x",
              mutants: [
                mutant(1, "Killed"),
                mutant(2, "Timeout"),
                mutant(3, "Survived"),
                mutant(4, "NoCoverage"),
                mutant(5, "Ignored"),
              ],
            },
          },
        }),
      ) as Parameters<typeof fileScores>[0],
    );
    expect(scores).toEqual([
      { file: "x.ts", score: 50, killed: 2, survived: 1, noCoverage: 1, ignored: 1 },
    ]);
  });

  it("passes when every file is at the floor, naming each", async () => {
    const p = report({ "a.ts": [...nine, "Survived"], "b.ts": nine });
    const result = await run(["--report", p]);
    expect(result.code).toBe(0);
    expect(result.out).toContain(" 90.00%  a.ts  (killed 9, survived 1, no test 0, ignored 0)");
    expect(result.out).toContain("100.00%  b.ts");
  });

  it("fails when one file is under the floor, marking it", async () => {
    const p = report({ "a.ts": [...nine, "Survived", "NoCoverage"], "b.ts": nine });
    const result = await run(["--report", p]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^UNDER {2}81\.82% {2}a\.ts /m);
    expect((await run(["--report", p, "--floor", "80"])).code).toBe(0);
  });

  it("is bad usage (2) without a report or with a floor that is not a percentage", async () => {
    const missing = await run(["--report", join(scratch, "none.json")]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no readable Stryker JSON report at .*none\.json/);
    for (const floor of ["101", "x", "-1", "1e2"]) {
      expect((await run(["--floor", floor])).code, floor).toBe(2);
    }
  });
});
