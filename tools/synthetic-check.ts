/**
 * `node tools/run.cjs synthetic-check --apps N [--broken] [--format text|markdown]`: the offline
 * check on a synthetic stack of N apps (tools/bench/synthetic-program.ts), for benchmarks.
 * Prints the plan's length and the exit code, not the plan.
 */
import { parseArgs } from "node:util";
import { syntheticProgram } from "./bench/synthetic-program";
import { runCheck } from "./check";

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      apps: { type: "string", default: "10" },
      broken: { type: "boolean", default: false },
      format: { type: "string", default: "text" },
    },
  });
  const apps = Number(values.apps);
  if (!Number.isInteger(apps) || apps < 1) {
    process.stderr.write("--apps must be a whole number of at least 1\n");
    return 2;
  }
  const result = await runCheck({
    stack: "prod",
    format: values.format === "markdown" ? "markdown" : "text",
    vault: "assume-present",
    program: syntheticProgram(apps, values.broken),
  });
  process.stdout.write(`apps=${apps} exit=${result.exitCode} chars=${result.output.length}\n`);
  return 0;
}
