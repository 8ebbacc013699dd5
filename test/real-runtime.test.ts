import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadStackFiles } from "../tools/stack-files";
import { FakeEngine } from "./support/fake-engine";

// The program under Pulumi's real Node.js language host (what `pulumi preview` runs: Pulumi.yaml's
// `main`, program.cjs, which runs the compiled program in bin/; the exported async function, config from PULUMI_CONFIG, the dynamic
// provider serialized from the code as loaded), against a stand-in engine on 127.0.0.1.
const root = resolve(__dirname, "..");
const SENTINEL_TOKEN = "fake-heroku-key-sentinel-real-runtime-token";
const VAULT = {
  "MooseQuest/freescout": {
    FREESCOUT_API_KEY: "sentinel-real-runtime-key",
    FREESCOUT_OPERATIONS_MAILBOX_ID: "3",
  },
  "MooseQuest/cloudflare": {
    CF_ACCESS_SVC_TICKETS_CLIENT_ID: "a.access",
    CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "sentinel-old-secret",
  },
};

let engine: FakeEngine | undefined;
afterEach(() => engine?.stop());

async function preview(
  vault: Record<string, Record<string, string>>,
): Promise<{ code: number | null; stderr: string; engine: FakeEngine }> {
  engine = new FakeEngine("console-wiring", "prod", vault);
  const address = await engine.start();
  const child = spawn(
    process.execPath,
    [
      join(root, "node_modules/@pulumi/pulumi/cmd/run"),
      `--monitor=${address}`,
      `--engine=${address}`,
      "--project=console-wiring",
      "--stack=prod",
      `--pwd=${root}`,
      "--dry-run",
      // As the language host starts it: Pulumi.yaml's `main` is a file in the project root, so
      // the program runs from the root; `typescript: false` leaves ts-node out.
      join(root, "program.cjs"),
    ],
    {
      cwd: root,
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        PULUMI_CONFIG: JSON.stringify(loadStackFiles("prod", root).config),
        PULUMI_CONFIG_SECRET_KEYS: "[]",
        HEROKU_API_KEY: SENTINEL_TOKEN,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((done) => child.on("exit", done));
  return { code, stderr, engine };
}

describe("the program under Pulumi's real language host", () => {
  it("previews the prod stack: the graph, the order, and a serialized provider with no credential", async () => {
    const run = await preview(VAULT);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // Registration order is the engine's business (it is asynchronous); the set is the graph.
    const names = run.engine.registrations.map((r) => `${r.type} ${r.name}`).sort();
    expect(names).toEqual(
      [
        "pulumi:pulumi:Stack console-wiring-prod",
        "console-wiring:cloudflare:AccessGate tickets",
        "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken tickets-service-token",
        "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy tickets-policy",
        "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication tickets-application",
        "console-wiring:vault:VaultWiring vault",
        "vault:kv/secretV2:SecretV2 vault-cloudflare",
        "console-wiring:heroku:ConsoleConfig console",
        "console-wiring:sentry:DetectionAlerts detection",
        "sentry:index/sentryIssueAlert:SentryIssueAlert detection-freescout-not-configured",
        "pulumi-nodejs:dynamic/heroku:ConfigVars console-prerequisites",
        "pulumi-nodejs:dynamic/heroku:ConfigVars console-tickets-prerequisites",
        "pulumi-nodejs:dynamic/heroku:ConfigVars console-investigate-flags",
      ].sort(),
    );
    const flags = run.engine.registrations.find((r) => r.name === "console-investigate-flags")!;
    const prerequisites = run.engine.registrations.find((r) => r.name === "console-prerequisites")!;
    expect(flags.dependencies).toContain(prerequisites.urn);

    const providerText = prerequisites.object["__provider"];
    expect(typeof providerText).toBe("string");
    const serialized = providerText as string;
    expect(serialized).not.toContain(SENTINEL_TOKEN);
    expect(serialized).not.toContain("sentinel-real-runtime-key");
    const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
    const requireFromString = fromPulumi("require-from-string") as (code: string) => {
      handler(): Record<string, unknown>;
    };
    const provider = requireFromString(serialized).handler();
    expect(Object.keys(provider).sort()).toEqual([
      "check",
      "create",
      "delete",
      "diff",
      "read",
      "update",
    ]);
    expect(run.engine.invokes).toEqual([
      "vault:kv/getSecretV2:getSecretV2",
      "vault:kv/getSecretV2:getSecretV2",
    ]);
  }, 120_000);

  // Slow (~25 s): after a program error the host exits only once its log queue drains, which
  // against this stand-in takes ~20 s (seen with a config error too, so it is not the program's).
  it("fails the preview at the gate, registering nothing but the stack", async () => {
    const { ["MooseQuest/freescout"]: _gone, ...vault } = VAULT;
    const run = await preview(vault);
    expect(run.code).toBe(32); // the host's "error already reported to the user" exit code
    expect(run.engine.registrations.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
    const errors = run.engine.logs.filter((l) => l.severity === 3).map((l) => l.message);
    expect(errors.join("\n")).toContain(
      'console-wiring: feature "investigate" is requested on for Heroku app raxx-console-prod',
    );
    expect(errors.join("\n")).toContain(
      "FREESCOUT_API_KEY (sent as X-FreeScout-API-Key): Vault secret MooseQuest/freescout does not exist.",
    );
  }, 120_000);
});
