/**
 * The stack under the real Pulumi engine: `pulumi` 3.248 built from Pulumi's Go modules, the
 * Node.js language host, the real Heroku dynamic provider (serialized into state and reloaded by
 * the engine's dynamic-provider host) against a local Heroku fake, and stand-in `cloudflare` and
 * `vault` plugins. Scenarios run in order on one stack, as a user's deployments would; adoption
 * and the policy pack run on stacks of their own. `npm run test:e2e`; docs/testing.md, "End-to-end".
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { parse } from "yaml";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prerequisiteMap } from "../../infra/features/manifest";
import { unrelatedVars } from "../support/fake-heroku";
import { FakeTickets } from "../support/fake-tickets";
import {
  type CliRun,
  e2eSuite,
  HEROKU_KEY,
  REPO,
  SENTRY_CONFIG,
  stackConfig,
  text,
  withTicketsGate,
  Workspace,
} from "./harness";

const APP = "raxx-console-e2e";
const FS_KEY = "e2e-freescout-key-sentinel-8d1e";
const FLAG_STATUS = "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS";
const FLAG_LINKED = "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET";
const PREREQUISITES = [
  "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
  "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
  "CONSOLE_FEATURE_PREREQUISITES",
  "FREESCOUT_API_KEY",
  "FREESCOUT_API_URL",
  "FREESCOUT_INSTANCE_URL",
  "FREESCOUT_OPERATIONS_MAILBOX_ID",
];
const TOKEN_TYPE = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";

const baseConfig = (): Record<string, unknown> => ({
  ...stackConfig(APP),
  ...SENTRY_CONFIG,
  flags: { [FLAG_STATUS]: true, [FLAG_LINKED]: true },
});

const suite = e2eSuite();
const heroku = suite.heroku;
const timings: { scenario: string; command: string; ms: number; code: number }[] = [];

function timed(scenario: string, run: CliRun): CliRun {
  timings.push({ scenario, command: run.args.slice(0, 3).join(" "), ms: run.ms, code: run.code });
  return run;
}

const patches = () => heroku.calls.filter((c) => c.method === "PATCH");
const app = () => heroku.apps.get(APP) ?? {};

afterAll(() => {
  process.stdout.write(
    "e2e timings (ms):\n" +
      timings
        .map(
          (t) =>
            `  ${t.scenario.padEnd(4)} ${t.command.padEnd(28)} ${String(t.ms).padStart(7)}  exit ${t.code}`,
        )
        .join("\n") +
      "\n",
  );
});

describe.sequential("one stack through its life under the real engine", () => {
  let ws: Workspace;
  let clientSecret = "";

  beforeAll(async () => {
    heroku.apps.set(APP, unrelatedVars());
    ws = await suite.workspace({ stack: "e2e", config: baseConfig() });
  }, 120_000);

  it("a. flags on with a Vault field missing: preview fails naming the var, nothing is registered", async () => {
    await ws.vault.seed({ "MooseQuest/freescout": { FREESCOUT_OPERATIONS_MAILBOX_ID: "3" } });
    const run = timed("a", await ws.pulumi(["preview"]));
    expect(run.code).not.toBe(0);
    expect(text(run)).toContain("FREESCOUT_API_KEY");
    expect(text(run)).toContain(
      "field FREESCOUT_API_KEY is absent from Vault secret MooseQuest/freescout",
    );
    expect(text(run)).toContain("Nothing was applied and no flag was set");
    // The secret that does not exist yet (<mount>/cloudflare) is read as missing, not as an error.
    expect(text(run)).not.toContain("could not be read");
    expect(heroku.calls).toEqual([]);
    expect(ws.standinLog("cloudflare").filter((e) => e.op !== "import" && e.op !== "read")).toEqual(
      [],
    );
    // A preview never registers anything, so the proof is an up, with the preview skipped so
    // that whatever the program registered would really be applied: it fails the same way, and
    // neither the engine's event log nor the state it leaves holds a resource but the stack (no
    // provider, no component, no object: the gate throws before the program registers any).
    const events = join(ws.root, "a-up-events.jsonl");
    const up = timed(
      "a",
      // --event-log is registered only with PULUMI_DEBUG_COMMANDS (3.248 operations/up.go).
      await ws.pulumi(["up", "--yes", "--skip-preview", "--event-log", events], {
        PULUMI_DEBUG_COMMANDS: "true",
      }),
    );
    expect(up.code).not.toBe(0);
    // The engine's own record of the steps it took: none but the stack's.
    const stepped = readFileSync(events, "utf8")
      .split("\n")
      .filter(Boolean)
      .flatMap((line) => {
        const e = JSON.parse(line) as { resourcePreEvent?: { metadata: { type: string } } };
        return e.resourcePreEvent ? [e.resourcePreEvent.metadata.type] : [];
      });
    // Only the Vault provider, which the gate's reads need (it creates nothing).
    const reading = ["pulumi:pulumi:Stack", "pulumi:providers:vault"];
    expect(stepped).toContain("pulumi:providers:vault");
    expect(stepped.filter((t) => !reading.includes(t))).toEqual([]);
    expect(text(up)).toContain("field FREESCOUT_API_KEY is absent from Vault secret");
    expect(heroku.calls).toEqual([]);
    expect(ws.standinLog("cloudflare").filter((e) => e.op === "create")).toEqual([]);
    expect(ws.standinLog("vault").filter((e) => e.op === "create")).toEqual([]);
    const exported = await ws.pulumi(["stack", "export"]);
    const deployment = (
      JSON.parse(exported.stdout) as { deployment?: { resources?: { type: string }[] } }
    ).deployment;
    expect(
      (deployment?.resources ?? []).map((r) => r.type).filter((t) => !reading.includes(t)),
    ).toEqual([]);
  });

  it("a. flags on without the Sentry settings: preview fails naming the keys, nothing is created", async () => {
    const { sentryOrganization: _o, sentryOpsTeamId: _t, ...config } = baseConfig();
    ws.writeConfig(config);
    try {
      const run = timed("a", await ws.pulumi(["preview"]));
      expect(run.code).not.toBe(0);
      expect(text(run)).toContain(
        "Sentry alert freescout-not-configured (notices in production when the console logs freescout_not_configured",
      );
      expect(text(run)).toContain(
        "stack config console-wiring:sentryOrganization, console-wiring:sentryOpsTeamId are not set",
      );
      expect(ws.standinLog("sentry")).toEqual([]);
      expect(heroku.calls).toEqual([]);
    } finally {
      ws.writeConfig(baseConfig());
    }
  });

  it("b. everything provisioned: up sets the prerequisites before the flags and leaves 50 foreign vars alone", async () => {
    await ws.vault.seed({
      "MooseQuest/freescout": { FREESCOUT_API_KEY: FS_KEY, FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
    });
    const run = timed("b", await ws.pulumi(["up", "--yes"]));
    expect(run.code, text(run)).toBe(0);

    // The prerequisites in two PATCHes (the shared ones; the tickets gate's token vars, after its
    // Vault secret and admission), in either order, and then the flags, alone and last.
    const sent = patches().map((c) => Object.keys(c.body as object).sort());
    expect(sent).toHaveLength(3);
    expect(sent.slice(0, 2).sort()).toEqual(
      [
        PREREQUISITES.filter((k) => !k.startsWith("CF_ACCESS_")),
        PREREQUISITES.filter((k) => k.startsWith("CF_ACCESS_")),
      ].sort(),
    );
    expect(sent[2]).toEqual([FLAG_STATUS, FLAG_LINKED].sort());
    const { [FLAG_STATUS]: s, [FLAG_LINKED]: l, ...rest } = app();
    expect([s, l]).toEqual(["1", "1"]);
    for (const [k, v] of Object.entries(unrelatedVars())) expect(rest[k]).toBe(v);
    expect(Object.keys(rest).sort()).toEqual(
      [...Object.keys(unrelatedVars()), ...PREREQUISITES].sort(),
    );

    const token = Object.values(ws.standin("cloudflare").objects).find(
      (o) => o.type === TOKEN_TYPE,
    );
    clientSecret = String(token?.computed["clientSecret"]);
    expect(clientSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(app()["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"]).toBe(clientSecret);
    expect(app()["CF_ACCESS_SVC_TICKETS_CLIENT_ID"]).toBe(token?.computed["clientId"]);
    expect(app()["FREESCOUT_API_KEY"]).toBe(FS_KEY);
    expect((await ws.vault.secrets())["MooseQuest/cloudflare"]).toEqual({
      CF_ACCESS_SVC_TICKETS_CLIENT_ID: token?.computed["clientId"],
      CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: clientSecret,
    });

    // The alert exists before any flag is written, and the app holds the manifest's prerequisite map.
    const alerts = Object.entries(ws.standin("sentry").objects);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.[1].inputs).toMatchObject({
      organization: "raxx",
      project: "console",
      name: `${APP}: freescout-not-configured`,
    });
    const alertCreated = ws.standinLog("sentry").find((e) => e.op === "create")?.at ?? Infinity;
    const flagsPatched = patches().find((c) => Object.hasOwn(c.body as object, FLAG_STATUS))!.at;
    expect(alertCreated).toBeLessThan(flagsPatched);
    expect(JSON.parse(app()["CONSOLE_FEATURE_PREREQUISITES"]!)).toEqual(prerequisiteMap());

    const outputs = JSON.parse((await ws.pulumi(["stack", "output", "--json"])).stdout) as Record<
      string,
      unknown
    >;
    expect(outputs).toMatchObject({
      herokuApp: APP,
      flagsOn: [FLAG_STATUS, FLAG_LINKED].sort(),
      prerequisiteKeys: PREREQUISITES,
      adoptedKeys: [],
      gates: {
        tickets: {
          gatedUri: "tickets.raxx.app/api",
          vaultSecret: "MooseQuest/cloudflare",
          serviceTokenExpiryWarningDays: 30,
          serviceTokenName: "console-investigate-tickets",
          serviceTokenExpiresAt: token?.computed["expiresAt"],
        },
      },
    });
    // The old top-level outputs are gone (the `gates` output replaces them).
    for (const old of ["gatedUri", "vaultCloudflareSecret", "serviceTokenExpiresAt"])
      expect(outputs).not.toHaveProperty(old);
  });

  it("c. neither the exported stack nor the state files hold a secret value", async () => {
    const exported = await ws.pulumi(["stack", "export"]);
    expect(exported.code).toBe(0);
    for (const sentinel of [FS_KEY, clientSecret, HEROKU_KEY]) {
      expect(exported.stdout).not.toContain(sentinel);
      expect(ws.stateText()).not.toContain(sentinel);
      for (const run of ws.runs) expect(text(run)).not.toContain(sentinel);
    }
    // The secrets are there, encrypted.
    expect(exported.stdout).toContain("4dabf18193072939515e22adb298388d");
  });

  it("d. a second up changes nothing and sends no PATCH", async () => {
    const before = patches().length;
    const up = timed("d", await ws.pulumi(["up", "--yes"]));
    expect(up.code, text(up)).toBe(0);
    expect(patches().length).toBe(before);
    const preview = timed("d", await ws.pulumi(["preview", "--expect-no-changes"]));
    expect(preview.code, text(preview)).toBe(0);
  });

  it("e. a managed var changed by hand: the refreshed preview fails, drift-report names the key, up restores it with one PATCH", async () => {
    heroku.apps.set(APP, { ...app(), FREESCOUT_INSTANCE_URL: "https://changed-by-hand.example" });
    const preview = timed(
      "e",
      await ws.pulumi(["preview", "--refresh", "--expect-no-changes", "--json"]),
    );
    expect(preview.code).not.toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), "e2e-drift-")), "preview.json");
    writeFileSync(file, preview.stdout);
    const drift = await ws.exec(process.execPath, [
      join(REPO, "tools", "run.cjs"),
      "drift-report",
      file,
    ]);
    expect(drift.code, text(drift)).toBe(1);
    expect(drift.stdout).toContain("FREESCOUT_INSTANCE_URL");
    expect(drift.stdout).not.toContain("changed-by-hand");

    const before = patches().length;
    const up = timed("e", await ws.pulumi(["up", "--yes", "--refresh"]));
    expect(up.code, text(up)).toBe(0);
    expect(patches().length - before).toBe(1);
    expect(patches().at(-1)?.body).toEqual({ FREESCOUT_INSTANCE_URL: "https://tickets.raxx.app" });
    expect(app()["FREESCOUT_INSTANCE_URL"]).toBe("https://tickets.raxx.app");
  });

  it("f. Heroku faults during up: a 429 with Retry-After is waited out; a persistent 503 fails naming app and status", async () => {
    ws.writeConfig({ ...baseConfig(), freescoutInstanceUrl: "https://tickets.raxx.app/v2" });
    heroku.inject({
      kind: "status",
      status: 429,
      id: "rate_limit",
      message: "Your account reached the API rate limit",
      retryAfter: 1,
    });
    const servedBefore = heroku.served.length;
    const ok = timed("f", await ws.pulumi(["up", "--yes"]));
    expect(ok.code, text(ok)).toBe(0);
    expect(app()["FREESCOUT_INSTANCE_URL"]).toBe("https://tickets.raxx.app/v2");
    // The 429 was served, and the same request came again no sooner than Retry-After (1 s).
    const limited = heroku.served.slice(servedBefore);
    expect(limited.map((s) => [s.status, s.headers["Retry-After"]])).toEqual([[429, "1"]]);
    const [refused] = limited;
    const retry = heroku.calls.find(
      (c) =>
        c.at >= refused!.at &&
        c !== refused!.call &&
        c.method === refused!.call.method &&
        c.path === refused!.call.path,
    );
    expect(retry, "the refused request was sent again").toBeDefined();
    expect(retry!.at - refused!.at).toBeGreaterThanOrEqual(1_000);

    ws.writeConfig({ ...baseConfig(), freescoutInstanceUrl: "https://tickets.raxx.app/v3" });
    heroku.inject(
      ...Array.from(
        { length: 10 },
        () =>
          ({
            kind: "status",
            status: 503,
            id: "unavailable",
            message: "Service unavailable.",
          }) as const,
      ),
    );
    const failed = timed("f", await ws.pulumi(["up", "--yes"], { HEROKU_API_MAX_ATTEMPTS: "3" }));
    heroku.clearFaults();
    expect(failed.code).not.toBe(0);
    expect(text(failed)).toMatch(
      /app raxx-console-e2e failed: HTTP 503 unavailable: Service unavailable\. \(gave up after 3 attempts/,
    );
    expect(["https://tickets.raxx.app/v2", "https://tickets.raxx.app/v3"]).toContain(
      app()["FREESCOUT_INSTANCE_URL"],
    );

    ws.writeConfig(baseConfig());
    const back = timed("f", await ws.pulumi(["up", "--yes"]));
    expect(back.code, text(back)).toBe(0);
    expect(app()["FREESCOUT_INSTANCE_URL"]).toBe("https://tickets.raxx.app");
  });

  it("k. the smoke check passes through a local Access + FreeScout stand-in", async () => {
    const token = Object.values(ws.standin("cloudflare").objects).find(
      (o) => o.type === TOKEN_TYPE,
    )!;
    const tickets = new FakeTickets({
      gate: "401",
      clientId: String(token.computed["clientId"]),
      clientSecret,
      apiKey: FS_KEY,
      mailboxes: [3],
    });
    const ticketsUrl = await tickets.start();
    // The app would call https://tickets.raxx.app; here it is pointed at the local stand-in.
    heroku.apps.set(APP, { ...app(), FREESCOUT_API_URL: ticketsUrl });
    try {
      // As the deploy passes it: the `gates` output, whose tickets entry holds the token's expiry.
      const gates = (await ws.pulumi(["stack", "output", "gates", "--json"])).stdout;
      expect(
        (JSON.parse(gates) as Record<string, { serviceTokenExpiresAt?: string }>)["tickets"]
          ?.serviceTokenExpiresAt,
      ).toBe(token.computed["expiresAt"]);
      const smoke = await ws.exec(process.execPath, [
        join(REPO, "tools", "run.cjs"),
        "smoke",
        "--stack",
        "e2e",
        "--gates",
        gates,
        // The stand-in listens on 127.0.0.1: the smoke check's explicit test setting.
        "--allow-loopback",
      ]);
      expect(smoke.code, text(smoke)).toBe(0);
      expect(smoke.stdout).toContain("Result: PASS");
      for (const sentinel of [FS_KEY, clientSecret, HEROKU_KEY])
        expect(text(smoke)).not.toContain(sentinel);
      expect(tickets.calls.some((c) => c.hadAccessHeaders && c.hadApiKey)).toBe(true);
    } finally {
      await tickets.stop();
      heroku.apps.set(APP, { ...app(), FREESCOUT_API_URL: "https://tickets.raxx.app" });
    }
  });

  it("i. a flag turned off: its var is deleted from the app, the prerequisites stay", async () => {
    ws.writeConfig({ ...baseConfig(), flags: { [FLAG_STATUS]: true, [FLAG_LINKED]: false } });
    const up = timed("i", await ws.pulumi(["up", "--yes"]));
    expect(up.code, text(up)).toBe(0);
    expect(patches().at(-1)?.body).toEqual({ [FLAG_LINKED]: null });
    expect(app()[FLAG_LINKED]).toBeUndefined();
    expect(app()[FLAG_STATUS]).toBe("1");
    for (const k of PREREQUISITES) expect(app()[k]).toBeDefined();
  });

  it("j. destroy: managed vars gone, foreign vars kept, created objects deleted", async () => {
    const run = timed("j", await ws.pulumi(["destroy", "--yes"]));
    expect(run.code, text(run)).toBe(0);
    expect(app()).toEqual(unrelatedVars());
    expect(ws.standin("cloudflare").objects).toEqual({});
    expect(ws.standin("sentry").objects).toEqual({});
    expect((await ws.vault.secrets())["MooseQuest/cloudflare"]).toBeUndefined();
    expect((await ws.vault.secrets())["MooseQuest/freescout"]).toBeDefined();
  });
});

describe.sequential("h. adopting what already exists", () => {
  const ADOPT_APP = "raxx-console-adopt";
  const ids = {
    application: "11111111-1111-4111-8111-111111111111",
    policy: "22222222-2222-4222-8222-222222222222",
    token: "33333333-3333-4333-8333-333333333333",
  };
  const ADOPTED_SECRET = "e2e-adopted-client-secret-sentinel-77";
  const APPLICATION_TYPE = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
  const POLICY_TYPE = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";
  let ws: Workspace;

  /** The stand-in's last planned diff for an object (its log's `diff` entries). */
  const lastDiff = (id: string) =>
    (
      ws.standinLog("cloudflare").filter((e) => e.op === "diff" && e.id === id) as {
        diffs?: Record<string, string>;
        replaces?: string[];
      }[]
    ).at(-1);

  beforeAll(async () => {
    heroku.apps.set(ADOPT_APP, unrelatedVars());
    ws = await suite.workspace({
      stack: "e2e-adopt",
      config: withTicketsGate(
        { ...baseConfig(), herokuApp: ADOPT_APP },
        {
          adoptAccessApplicationId: ids.application,
          adoptAccessPolicyId: ids.policy,
          adoptServiceTokenId: ids.token,
          adoptVaultSecret: true,
        },
      ),
    });
    // The objects as Cloudflare holds them after someone made them in the dashboard: only the
    // fields that were filled in. What the API returns for them (its defaults: session 24h,
    // cookie attributes, launcher visible, destinations from the domain, the reusable policy
    // expanded) is the stand-in's apiView (standins/rules/cloudflare-api.ts); an import then
    // normalizes that as the provider's ImportState does. Nothing here is shaped like the program.
    ws.writeStandin("cloudflare", {
      secrets: {},
      objects: {
        [ids.token]: {
          type: TOKEN_TYPE,
          inputs: { name: "console-investigate-tickets" },
          computed: {
            clientId: "adopted-client.access",
            clientSecret: ADOPTED_SECRET,
            expiresAt: "2027-06-01T00:00:00Z",
          },
        },
        [ids.policy]: {
          type: POLICY_TYPE,
          inputs: {
            name: "Tickets API service clients (prod)",
            decision: "non_identity",
            includes: [{ serviceToken: { tokenId: ids.token } }],
          },
          computed: {},
        },
        [ids.application]: {
          type: APPLICATION_TYPE,
          inputs: {
            type: "self_hosted",
            name: "Tickets API (prod)",
            domain: "tickets.raxx.app/api",
            policies: [{ id: ids.policy, precedence: 1 }],
          },
          computed: { aud: "adopted-aud" },
        },
      },
    });
    await ws.vault.seed({
      "MooseQuest/freescout": { FREESCOUT_API_KEY: FS_KEY, FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
      "MooseQuest/cloudflare": {
        CF_ACCESS_SVC_TICKETS_CLIENT_ID: "adopted-client.access",
        CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: ADOPTED_SECRET,
        LEGACY_NOTE: "kept by adoption",
      },
    });
  }, 120_000);

  it("preview --diff imports the four objects and shows what the real provider would change after the import", async () => {
    const run = timed("h", await ws.pulumi(["preview", "--diff"]));
    expect(run.code, text(run)).toBe(0);
    for (const name of [
      "tickets-service-token",
      "tickets-policy",
      "tickets-application",
      "vault-cloudflare",
    ]) {
      expect(text(run)).toMatch(
        new RegExp(`\\(import\\)\\n\\s+\\[id=[^\\]]+\\]\\n\\s+\\[urn=[^\\]]*::${name}\\]`),
      );
    }
    expect(ws.standinLog("cloudflare").filter((e) => e.op === "import")).toHaveLength(3);
    // The application: the stack owns the 401 switch, which the dashboard app lacks; the API's
    // `false` for Optional booleans the program leaves out are planned to null. Names and
    // launcher visibility are not owned (ignoreChanges), session and cookie defaults match.
    expect(lastDiff(ids.application)).toEqual({
      op: "diff",
      type: APPLICATION_TYPE,
      id: ids.application,
      diffs: {
        serviceAuth401Redirect: "add",
        autoRedirectToIdentity: "delete",
        enableBindingCookie: "delete",
        optionsPreflightBypass: "delete",
        pathCookieAttribute: "delete",
      },
      replaces: [],
    });
    expect(lastDiff(ids.policy)).toEqual({
      op: "diff",
      type: POLICY_TYPE,
      id: ids.policy,
      diffs: {
        approvalRequired: "delete",
        isolationRequired: "delete",
        purposeJustificationRequired: "delete",
      },
      replaces: [],
    });
    // An imported token has no client_secret_version (no_refresh): the default 1 is a change.
    expect(lastDiff(ids.token)).toEqual({
      op: "diff",
      type: TOKEN_TYPE,
      id: ids.token,
      diffs: { clientSecretVersion: "add" },
      replaces: [],
    });
    for (const property of ["serviceAuth401Redirect", "enableBindingCookie", "clientSecretVersion"])
      expect(text(run)).toContain(property);
    // Nothing is created, replaced or deleted in Cloudflare (and, above, nothing is renamed).
    expect(text(run)).not.toMatch(/^\s*[+-]{1,2}\s+cloudflare:index\//m);
  });

  it("up adopts them: no duplicate, names kept, the 401 switch on, the client secret in Vault kept and on the app", async () => {
    const run = timed("h", await ws.pulumi(["up", "--yes"]));
    expect(run.code, text(run)).toBe(0);
    const log = ws.standinLog("cloudflare") as { op: string; id?: string; rotated?: boolean }[];
    expect(log.filter((e) => e.op === "create")).toEqual([]);
    // The token is updated to version 1, which Cloudflare already holds: nothing rotates.
    expect(log.filter((e) => e.op === "update" && e.id === ids.token)).toEqual([
      expect.objectContaining({ rotated: false }),
    ]);
    const objects = ws.standin("cloudflare").objects;
    expect(Object.keys(objects).sort()).toEqual(Object.values(ids).sort());
    expect(objects[ids.application]?.inputs).toMatchObject({
      name: "Tickets API (prod)",
      serviceAuth401Redirect: true,
    });
    expect(objects[ids.application]?.inputs["appLauncherVisible"]).not.toBe(false);
    expect(objects[ids.policy]?.inputs["name"]).toBe("Tickets API service clients (prod)");
    expect(objects[ids.token]?.computed["clientSecret"]).toBe(ADOPTED_SECRET);
    expect((await ws.vault.secrets())["MooseQuest/cloudflare"]).toEqual({
      CF_ACCESS_SVC_TICKETS_CLIENT_ID: "adopted-client.access",
      CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: ADOPTED_SECRET,
      LEGACY_NOTE: "kept by adoption",
    });
    expect(heroku.apps.get(ADOPT_APP)?.["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"]).toBe(
      ADOPTED_SECRET,
    );
    expect(ws.stateText()).not.toContain(ADOPTED_SECRET);
  });

  it("after the adoption, the adopt IDs left in config import nothing again: nothing to do, the secret kept", async () => {
    const before = ws.standinLog("cloudflare").length;
    const preview = timed(
      "h",
      await ws.pulumi(["preview", "--refresh", "--diff", "--expect-no-changes"]),
    );
    expect(preview.code, text(preview)).toBe(0);
    const up = timed("h", await ws.pulumi(["up", "--yes", "--refresh"]));
    expect(up.code, text(up)).toBe(0);
    const ops = ws
      .standinLog("cloudflare")
      .slice(before)
      .map((e) => e.op);
    expect(ops.filter((op) => op !== "read" && op !== "diff")).toEqual([]);
    expect(
      (await ws.vault.secrets())["MooseQuest/cloudflare"]?.["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"],
    ).toBe(ADOPTED_SECRET);
    expect(heroku.apps.get(ADOPT_APP)?.["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"]).toBe(
      ADOPTED_SECRET,
    );
  });

  it("j. destroy retains the adopted objects and the adopted Vault secret", async () => {
    const run = timed("h", await ws.pulumi(["destroy", "--yes"]));
    expect(run.code, text(run)).toBe(0);
    expect(Object.keys(ws.standin("cloudflare").objects).sort()).toEqual(Object.values(ids).sort());
    expect(
      (await ws.vault.secrets())["MooseQuest/cloudflare"]?.["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"],
    ).toBe(ADOPTED_SECRET);
    expect(heroku.apps.get(ADOPT_APP)).toEqual(unrelatedVars());
  });
});

describe.sequential("g. the policy pack enforced by the engine", () => {
  const INCIDENT_APP = "raxx-console-prod";
  /** The incident's program (flags, none of the prerequisites) in place of infra/index.ts. */
  const incidentFiles = {
    "infra/index.ts":
      'import program from "../test/fixtures/incidents/flags-without-vars";\nexport = program;\n',
    ...Object.fromEntries(
      ["common.ts", "flags-without-vars.ts"].map((f) => [
        `test/fixtures/incidents/${f}`,
        readFileSync(join(REPO, "test/fixtures/incidents", f), "utf8"),
      ]),
    ),
  };
  const flagPatches = (since: number) =>
    heroku.calls
      .slice(since)
      .filter(
        (c) =>
          c.method === "PATCH" &&
          c.path.includes(INCIDENT_APP) &&
          Object.keys(c.body as object).some((k) => k.startsWith("FLAG_")),
      );
  /** deploy.yml's own `pulumi up` step, as the deploy runs it. */
  const deployScript = () => {
    const wf = parse(readFileSync(join(REPO, ".github/workflows/deploy.yml"), "utf8")) as {
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    const step = wf.jobs["up"]?.steps.find((s) => /^pulumi up /m.test(s.run ?? ""));
    if (!step?.run) throw new Error("deploy.yml has no `pulumi up` step");
    return step.run;
  };

  it("runs the pack through the language host", () => {
    expect(suite.cli.runsPolicyPacks, suite.cli.languageHost).toBe(true);
  });

  it("blocks the incident's program (flags, no prerequisites) in a preview, naming the policy", async () => {
    heroku.apps.set(INCIDENT_APP, unrelatedVars());
    const ws = await suite.workspace({
      stack: "e2e-incident",
      config: baseConfig(),
      files: incidentFiles,
    });
    const run = timed("g", await ws.pulumi(["preview", "--policy-pack", "policy"]));
    expect(run.code).not.toBe(0);
    expect(text(run)).toMatch(/\[mandatory\] {2}flags-require-prerequisites {2}\(/);
  });

  // Why the deploy does not use pulumi/actions' `command: up`: that is `pulumi up --yes
  // --skip-preview`, and the engine runs stack policies only after the steps. Shown here so the
  // next test's "nothing reached Heroku" is known to be able to fail.
  it("an up that skips the preview sets the flags in the app before the stack policy fails", async () => {
    heroku.apps.set(INCIDENT_APP, unrelatedVars());
    const since = heroku.calls.length;
    const ws = await suite.workspace({
      stack: "prod",
      config: baseConfig(),
      files: incidentFiles,
    });
    const run = timed(
      "g",
      await ws.pulumi(["up", "--yes", "--skip-preview", "--policy-pack", "policy"]),
    );
    expect(run.code).not.toBe(0);
    expect(text(run)).toContain("flags-require-prerequisites");
    expect(flagPatches(since)).toHaveLength(1);
    expect(heroku.apps.get(INCIDENT_APP)?.[FLAG_STATUS]).toBe("1");
  });

  it("deploy.yml's exact command applies nothing the pack refuses: no flag var ever reaches Heroku", async () => {
    heroku.apps.set(INCIDENT_APP, unrelatedVars());
    const since = heroku.calls.length;
    const ws = await suite.workspace({
      stack: "prod",
      config: baseConfig(),
      files: incidentFiles,
    });
    const run = timed("g", await ws.exec("bash", ["-euo", "pipefail", "-c", deployScript()]));
    expect(run.code).not.toBe(0);
    expect(text(run)).toMatch(/\[mandatory\] {2}flags-require-prerequisites {2}\(/);
    expect(flagPatches(since)).toEqual([]);
    expect(heroku.calls.slice(since).filter((c) => c.method === "PATCH")).toEqual([]);
    expect(heroku.apps.get(INCIDENT_APP)).toEqual(unrelatedVars());
    expect(ws.standinLog("cloudflare").filter((e) => e.op === "create")).toEqual([]);
  });
});
