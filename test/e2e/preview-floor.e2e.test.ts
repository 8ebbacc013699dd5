/**
 * What a preview costs, side by side in one run under the real `pulumi` 3.248 CLI (issue 26,
 * item 3). A benchmark, not a test of speed: it asserts only that each preview succeeds, and
 * prints one line, which .ci/run shows:
 *   (a) the floor: the same project, CLI, language host and plugins, with none of our code
 *       (infra/index.ts replaced by FLOOR_PROGRAM, built into the workspace's bin/ like the real
 *       one) and no pack: a program that only starts the plugins prod's preview starts (one
 *       provider per package, one no-op dynamic resource for the pulumi-nodejs plugin): what the
 *       engine, the Node.js language host and the plugins cost before our code runs;
 *   (b) prod's preview, without the policy pack;
 *   (c) prod's preview with the pack, as the workflows run it (`--policy-pack policy`).
 * (a) and (b) call the CLI directly: `Workspace.pulumi` adds the pack to every preview.
 * Each is run ROUNDS times, interleaved so load on the machine falls on all three alike; the
 * medians are printed and written to .cache/e2e/preview.txt.
 *
 * `CONSOLE_WIRING_CLI_CACHE=/work/cli-cache npx vitest run --config vitest.e2e.config.mts test/e2e/preview-floor.e2e.test.ts`
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unrelatedVars } from "../support/fake-heroku";
import { type CliRun, e2eSuite, REPO, SENTRY_CONFIG, stackConfig, text } from "./harness";

const APP = "raxx-console-preview";
const ROUNDS = 3;
const FLAGS = ["FLAG_CONSOLE_INVESTIGATE_FROM_STATUS", "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET"];

const suite = e2eSuite();
const heroku = suite.heroku;

const FLOOR_PROGRAM = `// The engine's floor: none of our code, only the plugins prod's preview starts.
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import * as sentry from "@pulumiverse/sentry";

const noop: pulumi.dynamic.ResourceProvider = { create: async () => ({ id: "floor" }) };
class Floor extends pulumi.dynamic.Resource {
  constructor(name: string) {
    super(noop, name, {}, {});
  }
}
new cloudflare.Provider("floor");
new vault.Provider("floor");
new sentry.Provider("floor");
new Floor("floor");
`;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

describe("preview: the engine's floor, the program, the pack", () => {
  it("prints floor, program and program with pack (medians of interleaved runs)", async () => {
    heroku.apps.set(APP, unrelatedVars());
    const config = {
      ...stackConfig(APP),
      ...SENTRY_CONFIG,
      flags: Object.fromEntries(FLAGS.map((f) => [f, true])),
    };
    const vault = {
      objects: {},
      secrets: {
        "MooseQuest/freescout": { FREESCOUT_API_KEY: "k", FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
      },
    };
    const floor = await suite.workspace({
      stack: "floor",
      config,
      files: { "infra/index.ts": FLOOR_PROGRAM },
    });
    const prod = await suite.workspace({ stack: "prod", config });
    for (const ws of [floor, prod]) await ws.vault.seed(vault.secrets);

    const runs: Record<"floor" | "program" | "pack", number[]> = {
      floor: [],
      program: [],
      pack: [],
    };
    const ok = (run: CliRun) => {
      expect(run.code, text(run)).toBe(0);
      return run.ms;
    };
    const noPack = ["preview", "--non-interactive"];
    for (let i = 0; i < ROUNDS; i++) {
      runs.floor.push(ok(await floor.exec("pulumi", noPack)));
      runs.program.push(ok(await prod.exec("pulumi", noPack)));
      runs.pack.push(
        ok(await prod.pulumi(["preview", "--non-interactive", "--policy-pack", "policy"])),
      );
    }
    const [a, b, c] = [median(runs.floor), median(runs.program), median(runs.pack)];
    const s = (ms: number) => (ms / 1000).toFixed(1);
    const line = `preview: floor ${s(a)} s, program ${s(b)} s, with pack ${s(c)} s (${(c / a).toFixed(1)}×)`;
    const detail = Object.entries(runs)
      .map(([k, v]) => `  ${k}: ${v.map(s).join(", ")} s`)
      .join("\n");
    process.stdout.write(`\n${line}\n${detail}\n`);
    mkdirSync(join(REPO, ".cache", "e2e"), { recursive: true });
    writeFileSync(join(REPO, ".cache", "e2e", "preview.txt"), `${line}\n${detail}\n`);
  }, 900_000);
});
