/**
 * Benchmark (prints figures; not a test): how soon the Heroku provider stops once the engine
 * tells its process to stop. The provider runs as the engine runs it: compiled, serialized and
 * reloaded the way the dynamic-provider host does (test/support/serialized-provider-call.cjs),
 * in a process of its own, against the local fake on 127.0.0.1. Its backoff is set to 10 minutes,
 * so a call that ignored the signal would show as a 10-minute figure.
 *
 * Per case, over --runs runs: signal → the call's error is out (the provider has answered),
 * signal → the process has ended, and how many requests reached the fake after the signal.
 *
 *   npm run bench:heroku-cancel [-- --runs 20]
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compileToTemp, PROJECT_ROOT } from "../test/support/compiled-build";
import { FakeHeroku, unrelatedVars } from "../test/support/fake-heroku";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20" } } });
const runs = Math.max(1, Number(values.runs));
const APP = "raxx-console-prod";
const TOKEN = "bench-token-not-a-real-key";
const CALL = join(PROJECT_ROOT, "test", "support", "serialized-provider-call.cjs");

interface Sample {
  readonly answeredMs: number;
  readonly exitedMs: number;
  readonly after: number;
  readonly cancelled: boolean;
}

async function once(
  outDir: string,
  signal: "SIGINT" | "SIGTERM",
  when: "backoff" | "in flight",
): Promise<Sample> {
  const fake = new FakeHeroku(TOKEN);
  fake.apps.set(APP, unrelatedVars());
  const hold = when === "in flight" ? fake.hold((c) => c.method === "PATCH") : undefined;
  if (when === "backoff")
    fake.inject({ kind: "status", status: 503, id: "unavailable", message: "down" });
  const base = await fake.start();
  const vars = { FREESCOUT_API_URL: "https://tickets.raxx.app" };
  const child = spawn(process.execPath, [CALL, outDir, PROJECT_ROOT], {
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HEROKU_API_KEY: TOKEN,
      HEROKU_API_URL: base,
      HEROKU_API_RETRY_BASE_MS: "600000",
      HEROKU_API_RETRY_MAX_MS: "600000",
      HEROKU_API_DEADLINE_MS: "3600000",
      TEST_OP: JSON.stringify({
        op: "create",
        args: [{ app: APP, vars, keys: Object.keys(vars), providerVersion: "3" }],
      }),
    },
    stdio: ["ignore", "pipe", "ignore"],
  });
  let answeredAt = 0;
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    answeredAt ||= performance.now();
    out += d.toString();
  });
  const exited = new Promise<number>((done) => child.on("exit", () => done(performance.now())));
  if (hold) await hold.arrived;
  else {
    while (fake.calls.length < 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100)); // the 503 is answered; the client is waiting
  }
  const before = fake.calls.length;
  const sentAt = performance.now();
  child.kill(signal);
  const exitedAt = await exited;
  hold?.release("drop");
  await new Promise((r) => setTimeout(r, 50));
  const after = fake.calls.length - before;
  await fake.stop();
  return {
    answeredMs: (answeredAt || exitedAt) - sentAt,
    exitedMs: exitedAt - sentAt,
    after,
    cancelled: out.includes(`cancelled by ${signal}`),
  };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  const outDir = await compileToTemp();
  try {
    process.stdout.write(
      `Heroku provider (serialized, own process), ${runs} runs per case; backoff set to 600 s\n` +
        "case                          answered: median   p95      max      | exited: median   p95      max      | requests after | errors say cancelled\n",
    );
    for (const [signal, when] of [
      ["SIGTERM", "backoff"],
      ["SIGINT", "backoff"],
      ["SIGTERM", "in flight"],
      ["SIGINT", "in flight"],
    ] as const) {
      const samples: Sample[] = [];
      for (let i = 0; i < runs; i++) samples.push(await once(outDir, signal, when));
      const a = samples.map((s) => s.answeredMs);
      const e = samples.map((s) => s.exitedMs);
      process.stdout.write(
        `${`${signal} ${when === "backoff" ? "during the backoff" : ", PATCH in flight"}`.replace(" ,", ",").padEnd(30)}${fmt(pct(a, 0.5)).padStart(17)} ${fmt(pct(a, 0.95)).padStart(8)} ${fmt(Math.max(...a)).padStart(8)} |` +
          `${fmt(pct(e, 0.5)).padStart(15)} ${fmt(pct(e, 0.95)).padStart(8)} ${fmt(Math.max(...e)).padStart(8)} |` +
          `${String(samples.reduce((n, s) => n + s.after, 0)).padStart(15)} |` +
          `${`${samples.filter((s) => s.cancelled).length}/${runs}`.padStart(21)}\n`,
      );
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

void main();
