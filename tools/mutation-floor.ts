/**
 * `node tools/run.cjs mutation-floor [--report f] [--floor n]`, run by `npm run test:mutation`
 * after StrykerJS: the mutation score of each mutated file, from Stryker's JSON report, and exit 1
 * when any file is under the floor (90 by default). Stryker's own `thresholds.break` judges the
 * score over all files together; this judges each file. Mutants marked equivalent in the code
 * (`// Stryker disable ...: equivalent`, listed in stryker-equivalents.md) are "Ignored" and count
 * in neither direction. Exit codes: 0, 1 (a file under the floor), 2 (bad usage or no report).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { calculateMutationTestMetrics } from "mutation-testing-metrics";

/** Stryker's JSON report (the mutation-testing-report-schema). */
type MutationTestResult = Parameters<typeof calculateMutationTestMetrics>[0];

export const USAGE =
  "usage: node tools/run.cjs mutation-floor [--report reports/mutation/mutation.json] [--floor 90]";

export interface FileScore {
  readonly file: string;
  /** Killed (and timed out) over all mutants that ran or had no test; NaN without mutants. */
  readonly score: number;
  readonly killed: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly ignored: number;
}

export function fileScores(report: MutationTestResult): FileScore[] {
  const { systemUnderTestMetrics } = calculateMutationTestMetrics(report);
  const out: FileScore[] = [];
  const walk = (node: typeof systemUnderTestMetrics, path: string) => {
    if (node.file) {
      const m = node.metrics;
      out.push({
        file: path,
        score: m.mutationScore,
        killed: m.killed + m.timeout,
        survived: m.survived,
        noCoverage: m.noCoverage,
        ignored: m.ignored,
      });
    }
    for (const child of node.childResults) walk(child, path ? `${path}/${child.name}` : child.name);
  };
  walk(systemUnderTestMetrics, "");
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

export function render(scores: readonly FileScore[], floor: number): string {
  const lines = scores.map((s) => {
    const mark = s.score < floor ? "UNDER" : "ok";
    return `${mark.padEnd(5)} ${s.score.toFixed(2).padStart(6)}%  ${s.file}  (killed ${s.killed}, survived ${s.survived}, no test ${s.noCoverage}, ignored ${s.ignored})`;
  });
  return [`Mutation score per file (floor ${floor}%):`, ...lines].join("\n");
}

export function main(argv: readonly string[]): Promise<number> {
  let report = "reports/mutation/mutation.json";
  let floor = 90;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { report: { type: "string" }, floor: { type: "string" } },
      strict: true,
      allowPositionals: false,
    });
    report = values.report ?? report;
    if (values.floor !== undefined) {
      floor = /^\d{1,3}(\.\d+)?$/.test(values.floor) ? Number(values.floor) : Number.NaN;
      if (!(floor >= 0 && floor <= 100)) throw new Error("--floor must be a percentage, 0 to 100");
    }
  } catch (err) {
    process.stderr.write(`console-wiring mutation-floor: ${(err as Error).message}\n${USAGE}\n`);
    return Promise.resolve(2);
  }
  let parsed: MutationTestResult;
  try {
    parsed = JSON.parse(readFileSync(report, "utf8")) as MutationTestResult;
  } catch {
    process.stderr.write(
      `console-wiring mutation-floor: no readable Stryker JSON report at ${report} (npm run test:mutation writes it)\n`,
    );
    return Promise.resolve(2);
  }
  const scores = fileScores(parsed).filter((s) => !Number.isNaN(s.score));
  process.stdout.write(`${render(scores, floor)}\n`);
  return Promise.resolve(scores.some((s) => s.score < floor) ? 1 : 0);
}
