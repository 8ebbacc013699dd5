/**
 * Two gates on one stack under the real `pulumi` 3.248 CLI (issue 24, item 7): prod selecting
 * Investigate (gate tickets) and the fixture feature `metrics` (gate metrics, its own files,
 * test/fixtures/features/metrics.json and gates/metrics.json, copied in as data: no code). The
 * deploy runs deploy.yml's own `pulumi up` (policy pack over the whole plan); then the smoke check
 * runs every gate's probes against local Access stand-ins; then one gate's token is rotated and
 * the other gate's token, Vault secret and vars are shown untouched.
 *
 * `CONSOLE_WIRING_CLI_CACHE=/work/cli-cache npx vitest run --config vitest.e2e.config.mts test/e2e/two-gates.e2e.test.ts`
 */
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { unrelatedVars } from "../support/fake-heroku";
import { FakeTickets } from "../support/fake-tickets";
import {
  deployScript,
  e2eSuite,
  REPO,
  SENTRY_CONFIG,
  stackConfig,
  text,
  Workspace,
} from "./harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt } = require("../../tools/build.cjs") as {
  ensureBuilt: (root: string) => boolean;
};

const APP = "raxx-console-two-gates";
const FS_KEY = "e2e-freescout-key-sentinel-two-gates-5d1e";
const TOKEN_TYPE = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";
const APPLICATION_TYPE = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
const HOUR = 3_600_000;
const FIXTURES = join(REPO, "test", "fixtures", "features");
const TICKETS = {
  token: "console-investigate-tickets",
  vault: "MooseQuest/cloudflare",
  idVar: "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
  secretVar: "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
};
const METRICS = {
  token: "console-prod-metrics",
  vault: "MooseQuest/metrics",
  idVar: "CF_ACCESS_SVC_METRICS_CLIENT_ID",
  secretVar: "CF_ACCESS_SVC_METRICS_CLIENT_SECRET",
};
const FLAGS = [
  "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS",
  "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET",
  "FLAG_CONSOLE_METRICS",
];

const config = (metricsGate: Record<string, unknown> = {}): Record<string, unknown> => {
  const base = stackConfig(APP);
  return {
    ...base,
    ...SENTRY_CONFIG,
    features: { investigate: true, metrics: true },
    gates: {
      ...(base["gates"] as Record<string, unknown>),
      metrics: { host: "metrics.raxx.app", vaultPath: "metrics", ...metricsGate },
    },
    metricsApiUrl: "https://metrics.raxx.app",
    flags: Object.fromEntries(FLAGS.map((f) => [f, true])),
  };
};

const suite = e2eSuite();
const heroku = suite.heroku;

describe.sequential("a stack with two gates", () => {
  let ws: Workspace;
  const app = () => heroku.apps.get(APP) ?? {};
  const tokenNamed = (name: string) => {
    const found = Object.entries(ws.standin("cloudflare").objects).filter(
      ([, o]) => o.type === TOKEN_TYPE && o.inputs["name"] === name,
    );
    expect(found, `one token named ${name}`).toHaveLength(1);
    return { id: found[0]![0], ...found[0]![1] };
  };
  const deploy = () => ws.exec("bash", ["-euo", "pipefail", "-c", deployScript()]);

  /** The smoke check as the deploy runs it, each gate's URL pointed at a local stand-in. */
  async function smoke(): Promise<{ tickets: FakeTickets; metrics: FakeTickets; out: string }> {
    const creds = (t: typeof TICKETS) => {
      const token = tokenNamed(t.token);
      return {
        clientId: String(token.computed["clientId"]),
        clientSecret: String(token.computed["clientSecret"]),
      };
    };
    const tickets = new FakeTickets({
      gate: "401",
      ...creds(TICKETS),
      apiKey: FS_KEY,
      mailboxes: [3],
    });
    const metrics = new FakeTickets({ gate: "401", ...creds(METRICS), apiKey: "", mailboxes: [] });
    const live = { ...app() };
    heroku.apps.set(APP, {
      ...live,
      FREESCOUT_API_URL: await tickets.start(),
      METRICS_API_URL: await metrics.start(),
    });
    try {
      const gates = (await ws.pulumi(["stack", "output", "gates", "--json"])).stdout;
      expect(Object.keys(JSON.parse(gates) as object).sort()).toEqual(["metrics", "tickets"]);
      // The compiled tools, beside this workspace's feature data (the fixture feature is only
      // there), as `npm run smoke` runs them from the checkout.
      const run = await ws.exec(process.execPath, [
        "-e",
        "require('./bin/tools/smoke.js').main(process.argv.slice(1)).then((c) => process.exit(c))",
        "--",
        "--stack",
        "prod",
        "--gates",
        gates,
        "--allow-loopback",
      ]);
      expect(run.code, text(run)).toBe(0);
      return { tickets, metrics, out: run.stdout };
    } finally {
      await tickets.stop();
      await metrics.stop();
      heroku.apps.set(APP, live);
    }
  }

  beforeAll(async () => {
    heroku.apps.set(APP, unrelatedVars());
    ws = await suite.workspace({
      stack: "prod",
      config: config(),
      files: {
        "infra/features/data/metrics.json": readFileSync(join(FIXTURES, "metrics.json"), "utf8"),
        "infra/features/data/gates/metrics.json": readFileSync(
          join(FIXTURES, "gates", "metrics.json"),
          "utf8",
        ),
      },
    });
    await ws.vault.seed({
      "MooseQuest/freescout": { FREESCOUT_API_KEY: FS_KEY, FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
    });
    expect(ensureBuilt(REPO)).toBe(true);
    cpSync(join(REPO, "bin"), join(ws.project, "bin"), { recursive: true });
  }, 600_000);

  it("deploys one Access application, token and Vault secret per gate, each gate's vars its own", async () => {
    const up = await deploy();
    expect(up.code, text(up)).toBe(0);
    const apps = Object.values(ws.standin("cloudflare").objects).filter(
      (o) => o.type === APPLICATION_TYPE,
    );
    expect(apps.map((a) => a.inputs["domain"]).sort()).toEqual([
      "metrics.raxx.app/api",
      "tickets.raxx.app/api",
    ]);
    for (const gate of [TICKETS, METRICS]) {
      const token = tokenNamed(gate.token);
      const vault = (await ws.vault.secrets())[gate.vault];
      expect(vault?.[gate.secretVar], gate.vault).toBe(token.computed["clientSecret"]);
      expect(vault?.[gate.idVar], gate.vault).toBe(token.computed["clientId"]);
      expect(app()[gate.secretVar], gate.secretVar).toBe(token.computed["clientSecret"]);
      expect(app()[gate.idVar], gate.idVar).toBe(token.computed["clientId"]);
    }
    expect(tokenNamed(TICKETS.token).computed["clientSecret"]).not.toBe(
      tokenNamed(METRICS.token).computed["clientSecret"],
    );
    for (const f of FLAGS) expect(app()[f], f).toBe("1");
    for (const [k, v] of Object.entries(unrelatedVars())) expect(app()[k], k).toBe(v);
  }, 600_000);

  it("passes the smoke check: each gate refuses without its token and admits with it", async () => {
    const { tickets, metrics, out } = await smoke();
    expect(out).toContain("Result: PASS");
    for (const fake of [tickets, metrics]) {
      expect(fake.calls.some((c) => !c.hadAccessHeaders)).toBe(true);
      expect(fake.calls.some((c) => c.hadAccessHeaders)).toBe(true);
    }
    for (const run of ws.runs) {
      expect(text(run)).not.toContain(FS_KEY);
      for (const gate of [TICKETS, METRICS])
        expect(text(run)).not.toContain(String(tokenNamed(gate.token).computed["clientSecret"]));
    }
  }, 600_000);

  it("rotating the metrics token leaves the tickets token, Vault secret and vars untouched", async () => {
    const ticketsBefore = tokenNamed(TICKETS.token);
    const metricsBefore = tokenNamed(METRICS.token);
    const ticketsVault = { ...(await ws.vault.secrets())[TICKETS.vault] };
    const ticketsVars = { id: app()[TICKETS.idVar], secret: app()[TICKETS.secretVar] };
    const patches = heroku.calls.filter((c) => c.method === "PATCH").length;

    ws.writeConfig(
      config({
        serviceTokenSecretVersion: 2,
        serviceTokenPreviousSecretExpiresAt: new Date(Date.now() + 2 * HOUR)
          .toISOString()
          .replace(/\.\d{3}Z$/, "Z"),
      }),
    );
    const up = await deploy();
    expect(up.code, text(up)).toBe(0);

    const metricsAfter = tokenNamed(METRICS.token);
    expect(metricsAfter.id).toBe(metricsBefore.id);
    expect(metricsAfter.computed["clientSecret"]).not.toBe(metricsBefore.computed["clientSecret"]);
    expect((await ws.vault.secrets())[METRICS.vault]?.[METRICS.secretVar]).toBe(
      metricsAfter.computed["clientSecret"],
    );
    expect(app()[METRICS.secretVar]).toBe(metricsAfter.computed["clientSecret"]);

    expect(tokenNamed(TICKETS.token)).toEqual(ticketsBefore);
    expect((await ws.vault.secrets())[TICKETS.vault]).toEqual(ticketsVault);
    expect({ id: app()[TICKETS.idVar], secret: app()[TICKETS.secretVar] }).toEqual(ticketsVars);
    const written = heroku.calls.filter((c) => c.method === "PATCH").slice(patches);
    expect(written.length).toBeGreaterThan(0);
    for (const c of written)
      expect(
        Object.keys(c.body as object).filter((k) => k.startsWith("CF_ACCESS_SVC_TICKETS_")),
      ).toEqual([]);
    for (const f of FLAGS) expect(app()[f], f).toBe("1");

    // The new secret passes the metrics gate, and the stack has nothing left to do.
    const { out } = await smoke();
    expect(out).toContain("Result: PASS");
    const again = await ws.pulumi(["preview", "--refresh", "--expect-no-changes"]);
    expect(again.code, text(again)).toBe(0);
  }, 900_000);
});
