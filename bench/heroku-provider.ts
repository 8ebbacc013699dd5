/**
 * Benchmark (prints figures; not a test): the Heroku config-vars provider against the local fake
 * of the Platform API on 127.0.0.1, with 200 managed vars on an app that also holds 50 vars of
 * other owners. Per operation: HTTP calls and wall time (median of --runs). Then a fault sweep
 * and the bad-input sweep, counted.
 *
 *   npm run bench:heroku [-- --runs 20]
 */
import { parseArgs } from "node:util";
import {
  configVarsProvider as provider,
  PROVIDER_VERSION,
  type ConfigVarsInputs,
  type ConfigVarsOutputs,
} from "../infra/heroku/provider";
import { validateInputs } from "../infra/heroku/validate";
import { FakeHeroku, unrelatedVars, type Fault } from "../test/support/fake-heroku";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20" } } });
const runs = Math.max(1, Number(values.runs));
const APP = "raxx-console-prod";
const TOKEN = "bench-token-not-a-real-key";

const inputs = (vars: Record<string, string>): ConfigVarsInputs => ({
  app: APP,
  vars,
  keys: Object.keys(vars).sort(),
  providerVersion: PROVIDER_VERSION,
});

function managed(n: number, tag: string): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`MANAGED_${String(i).padStart(3, "0")}`, `${tag}-${i}`]),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(
  fake: FakeHeroku,
  fn: () => Promise<T>,
): Promise<{ ms: number; calls: string; result: T }> {
  fake.calls.length = 0;
  const start = process.hrtime.bigint();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const counts = new Map<string, number>();
  for (const c of fake.calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
  const calls = [...counts].map(([m, n]) => `${n} ${m}`).join(" + ") || "0 calls";
  return { ms, calls, result };
}

async function main(): Promise<void> {
  const fake = new FakeHeroku(TOKEN);
  process.env["HEROKU_API_URL"] = await fake.start();
  process.env["HEROKU_API_KEY"] = TOKEN;
  process.env["HEROKU_API_RETRY_BASE_MS"] = "5";
  process.env["HEROKU_API_TIMEOUT_MS"] = "300";

  const rows = new Map<string, { ms: number[]; calls: string }>();
  const record = (op: string, r: { ms: number; calls: string }) => {
    const row = rows.get(op) ?? { ms: [], calls: r.calls };
    row.ms.push(r.ms);
    rows.set(op, row);
  };
  let untouchedMin = Infinity;
  for (let i = 0; i < runs; i++) {
    fake.apps.set(APP, unrelatedVars());
    const v1 = managed(200, "v1");
    const c = await timed(fake, () => provider.create(inputs(v1)));
    record("create (200 vars)", c);
    const outs = c.result.outs as ConfigVarsOutputs;
    const v2 = { ...managed(190, "v1"), ...Object.fromEntries(Object.entries(managed(50, "v2"))) };
    for (let k = 0; k < 10; k++) v2[`ADDED_${k}`] = `added-${k}`;
    const u = await timed(fake, () => provider.update!(c.result.id, outs, inputs(v2)));
    record("update (50 changed, 10 added, 10 removed)", u);
    const after = u.result.outs as ConfigVarsOutputs;
    record(
      "diff with no change",
      await timed(fake, () => provider.diff!(c.result.id, after, inputs(v2))),
    );
    record("refresh (read)", await timed(fake, () => provider.read!(c.result.id, after)));
    record("delete", await timed(fake, () => provider.delete!(c.result.id, after)));
    const others = unrelatedVars();
    const now = fake.apps.get(APP)!;
    untouchedMin = Math.min(
      untouchedMin,
      Object.keys(others).filter((k) => now[k] === others[k]).length,
    );
  }
  console.log(
    `Heroku config-vars provider vs local fake, 200 managed vars, median of ${runs} runs, node ${process.version}`,
  );
  for (const [op, r] of rows) {
    console.log(
      `  ${op.padEnd(44)} ${r.calls.padEnd(16)} ${median(r.ms).toFixed(1).padStart(7)} ms`,
    );
  }
  console.log(`  unrelated vars untouched after every run: ${untouchedMin} of 50`);

  const faults: [string, Fault][] = [
    [
      "429 rate_limit",
      { kind: "status", status: 429, id: "rate_limit", message: "slow down", retryAfter: 0.01 },
    ],
    ["500", { kind: "status", status: 500, id: "internal_server_error", message: "oops" }],
    ["502", { kind: "status", status: 502, id: "bad_gateway", message: "bad gateway" }],
    ["503", { kind: "status", status: 503, id: "unavailable", message: "unavailable" }],
    ["connection reset", { kind: "reset" }],
    ["applied, then connection reset", { kind: "apply-then-reset" }],
    ["slower than the timeout", { kind: "slow", ms: 1000 }],
  ];
  let survived = 0;
  for (const [name, fault] of faults) {
    fake.apps.set(APP, unrelatedVars());
    const created = await provider.create(inputs(managed(20, "f1")));
    fake.inject(fault);
    const next = managed(20, "f2");
    let ok = true;
    try {
      await provider.update!(created.id, created.outs as ConfigVarsOutputs, inputs(next));
    } catch {
      ok = false;
    }
    const app = fake.apps.get(APP)!;
    const consistent = Object.entries(next).every(([k, v]) => app[k] === v);
    if (ok && consistent) survived += 1;
    else console.log(`  fault not survived: ${name}`);
  }
  console.log(`  faults survived (retried to the new set): ${survived} of ${faults.length}`);

  const bad: Record<string, unknown>[] = [
    { app: APP, vars: { "BAD-KEY": "x" } },
    { app: APP, vars: { EMPTY: "" } },
    { app: APP, vars: { NUMBER: 7 } },
    { app: APP, vars: { BIG: "x".repeat(40_000) } },
    { app: "Bad_App", vars: { A: "b" } },
    { app: APP, vars: { NEWLINE: "a\nb" } },
  ];
  fake.calls.length = 0;
  const rejected = bad.filter((b) => validateInputs(b).length > 0).length;
  console.log(
    `  bad inputs rejected before any HTTP call: ${rejected} of ${bad.length} (${fake.calls.length} HTTP calls)`,
  );
  await fake.stop();
}

void main();
