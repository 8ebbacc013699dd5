/**
 * Benchmark (a script that prints figures, not a test): wall time of the offline check against
 * the floor of loading @pulumi/pulumi, on the prod stack and on synthetic stacks of 10, 100 and
 * 500 Heroku apps, plus in-process policy evaluation time per stack size (growth should be linear).
 *
 *   npm run bench:check [-- --runs 5]
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { allPolicies } from "../policy/policies";
import { syntheticProgram } from "../tools/bench/synthetic-program";
import { analyze } from "../tools/offline/analyze";
import { runProgram } from "../tools/offline/run-program";
import { loadStackFiles } from "../tools/stack-files";

const root = join(__dirname, "..");
const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Math.max(1, Number(values.runs));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function wall(cmd: string, args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: root, stdio: "ignore" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 && !(args.includes("--broken") && r.status === 1)) {
      throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
    }
    times.push(ms);
  }
  return median(times);
}

async function main(): Promise<void> {
  // Make sure bin/ is fresh so the first timed run does not include a build.
  spawnSync(process.execPath, ["tools/run.cjs", "check"], { cwd: root, stdio: "ignore" });

  const floor = wall(process.execPath, ["-e", 'require("@pulumi/pulumi")']);
  const rows: [string, number][] = [
    ["floor: node -e 'require(\"@pulumi/pulumi\")'", floor],
    ["npm run check (prod)", wall("npm", ["run", "-s", "check"])],
    ["node tools/run.cjs check (prod, no npm)", wall(process.execPath, ["tools/run.cjs", "check"])],
  ];
  for (const apps of [10, 100, 500]) {
    rows.push([
      `synthetic check, ${apps} apps`,
      wall(process.execPath, ["tools/run.cjs", "synthetic-check", "--apps", String(apps)]),
    ]);
  }
  console.log(`median of ${runs} runs, ${new Date().toISOString()}, node ${process.version}`);
  for (const [name, ms] of rows) {
    console.log(
      `${name.padEnd(48)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${(ms / floor).toFixed(2)}x floor`,
    );
  }

  console.log("\nin-process phases per stack size (warm process):");
  const config = loadStackFiles("prod", root).config;
  for (const apps of [10, 100, 500]) {
    const t0 = process.hrtime.bigint();
    const run = await runProgram({
      config,
      vault: "assume-present",
      unknownComputed: true,
      program: syntheticProgram(apps),
    });
    const t1 = process.hrtime.bigint();
    await analyze(run.resources, allPolicies());
    const t2 = process.hrtime.bigint();
    const programMs = Number(t1 - t0) / 1e6;
    const policyMs = Number(t2 - t1) / 1e6;
    console.log(
      `${String(apps).padStart(4)} apps, ${String(run.resources.length).padStart(5)} resources: program ${programMs.toFixed(0).padStart(5)} ms, ` +
        `policies ${policyMs.toFixed(0).padStart(4)} ms (${((policyMs * 1000) / run.resources.length).toFixed(0)} µs/resource)`,
    );
  }
}

void main();
