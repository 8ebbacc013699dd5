/**
 * Rotating and renewing the tickets service token under the real Pulumi engine (issue 17,
 * defect 2): `pulumi` 3.248 built from Go modules, the real Heroku dynamic provider against the
 * local Heroku fake, and the stand-in `cloudflare` and `vault` plugins, which follow the real
 * provider's rule (client_secret_version defaults to 1; only a higher version rotates).
 *
 * What Access admits is read from the Cloudflare stand-in's store: the application's policies,
 * the tokens they include, each token's current secret, and its previous one until
 * previousClientSecretExpiresAt. The Heroku fake's hook looks at it at the moment each PATCH
 * arrives, before the app's config changes. `npx vitest run --config vitest.e2e.config.mts
 * test/e2e/rotation.e2e.test.ts`.
 *
 * The flags stay off and Sentry is not configured: these scenarios are about the app's
 * credentials (the prerequisites' PATCH), and so they do not depend on the detection alert. The
 * flags' order after the Access gate is pinned in test/program.test.ts and by the policy
 * flags-applied-after-access-gate.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unrelatedVars, type RecordedCall } from "../support/fake-heroku";
import { type CliRun, e2eSuite, stackConfig, text, withTicketsGate, Workspace } from "./harness";

const FS_KEY = "e2e-freescout-key-sentinel-rotation-3c7a";
const ID_VAR = "CF_ACCESS_SVC_TICKETS_CLIENT_ID";
const SECRET_VAR = "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET";
const TOKEN_TYPE = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";
const POLICY_TYPE = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";
const APPLICATION_TYPE = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
const HOUR = 3_600_000;

const baseConfig = (app: string): Record<string, unknown> => ({
  ...stackConfig(app),
});

type Store = ReturnType<Workspace["standin"]>;
type Stored = Store["objects"][string];
interface Credentials {
  readonly clientId: string;
  readonly clientSecret: string;
}
type LogEntry = { op: string; type?: string; id?: string; at?: number; rotated?: boolean };

const suite = e2eSuite();
const heroku = suite.heroku;
const timings: { scenario: string; command: string; ms: number; code: number }[] = [];

function timed(scenario: string, run: CliRun): CliRun {
  timings.push({ scenario, command: run.args.slice(0, 3).join(" "), ms: run.ms, code: run.code });
  return run;
}

/** RFC 3339 UTC without fractions, as the stack config takes it. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const byType = (store: Store, type: string) =>
  Object.entries(store.objects).filter(([, o]) => o.type === type);

/** The service tokens the Access policies of the stand-in's applications include, by id. */
function includedTokens(store: Store): Map<string, Stored> {
  const tokens = new Map<string, Stored>();
  for (const [, app] of byType(store, APPLICATION_TYPE)) {
    for (const ref of (app.inputs["policies"] ?? []) as { id?: string }[]) {
      const policy = ref.id === undefined ? undefined : store.objects[ref.id];
      if (policy?.type !== POLICY_TYPE) continue;
      if (String(policy.inputs["decision"]).toLowerCase() !== "non_identity") continue;
      for (const include of (policy.inputs["includes"] ?? []) as {
        serviceToken?: { tokenId?: string };
      }[]) {
        const id = include.serviceToken?.tokenId;
        const token = id === undefined ? undefined : store.objects[id];
        if (id !== undefined && token?.type === TOKEN_TYPE) tokens.set(id, token);
      }
    }
  }
  return tokens;
}

/**
 * Whether Access admits these credentials at `at`: a token a non_identity policy of the
 * application includes, presenting its current secret, or its previous one before
 * previousClientSecretExpiresAt (Cloudflare's grace window after a rotation).
 */
function admits(store: Store, creds: Credentials, at: number): boolean {
  for (const token of includedTokens(store).values()) {
    if (token.computed["clientId"] !== creds.clientId) continue;
    if (token.computed["clientSecret"] === creds.clientSecret) return true;
    const end = token.inputs["previousClientSecretExpiresAt"];
    const until = typeof end === "string" ? Date.parse(end) : Number.NaN;
    if (token.computed["previousClientSecret"] === creds.clientSecret && at < until) return true;
  }
  return false;
}

const credentialsOf = (vars: Readonly<Record<string, string | undefined>> | undefined) => ({
  clientId: vars?.[ID_VAR] ?? "",
  clientSecret: vars?.[SECRET_VAR] ?? "",
});

/** What Access admits at each PATCH of `app`: the app's credentials before it and after it. */
interface PatchSeen {
  readonly at: number;
  readonly before: Credentials;
  readonly after: Credentials;
  readonly beforeAdmitted: boolean;
  readonly afterAdmitted: boolean;
}

function watchPatches(ws: () => Workspace, app: string): PatchSeen[] {
  const seen: PatchSeen[] = [];
  heroku.onRequest = (call: RecordedCall) => {
    if (call.method !== "PATCH" || !call.path.startsWith(`/apps/${app}/`)) return;
    const current = heroku.apps.get(app) ?? {};
    const next = { ...current, ...(call.body as Record<string, string | undefined>) };
    const store = ws().standin("cloudflare");
    const before = credentialsOf(current);
    const after = credentialsOf(next);
    seen.push({
      at: call.at,
      before,
      after,
      beforeAdmitted: admits(store, before, call.at),
      afterAdmitted: admits(store, after, call.at),
    });
  };
  return seen;
}

const patchesOf = (app: string) =>
  heroku.calls.filter((c) => c.method === "PATCH" && c.path.startsWith(`/apps/${app}/`));

afterAll(() => {
  heroku.onRequest = undefined;
  process.stdout.write(
    "e2e rotation timings (ms):\n" +
      timings
        .map(
          (t) =>
            `  ${t.scenario.padEnd(9)} ${t.command.padEnd(28)} ${String(t.ms).padStart(7)}  exit ${t.code}`,
        )
        .join("\n") +
      "\n",
  );
});

async function provisioned(stack: string, app: string): Promise<Workspace> {
  heroku.apps.set(app, unrelatedVars());
  const ws = await suite.workspace({ stack, config: baseConfig(app) });
  await ws.vault.seed({
    "MooseQuest/freescout": { FREESCOUT_API_KEY: FS_KEY, FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
  });
  return ws;
}

const tokenOf = (ws: Workspace, id: string) => ws.standin("cloudflare").objects[id]!;
const onlyTokenId = (ws: Workspace) => {
  const tokens = byType(ws.standin("cloudflare"), TOKEN_TYPE);
  expect(tokens).toHaveLength(1);
  return tokens[0]![0];
};
const storedCredentials = (token: Stored): Credentials => ({
  clientId: String(token.computed["clientId"]),
  clientSecret: String(token.computed["clientSecret"]),
});

describe.sequential("a first rotation: Cloudflare, then Vault, then the app", () => {
  const APP = "raxx-console-rotate";
  let ws: Workspace;
  let tokenId = "";
  let first: Credentials;

  beforeAll(async () => {
    ws = await provisioned("e2e-rotate", APP);
  }, 120_000);

  it("deploys generation 1 with its first secret everywhere", async () => {
    const up = timed("rotate", await ws.pulumi(["up", "--yes"]));
    expect(up.code, text(up)).toBe(0);
    tokenId = onlyTokenId(ws);
    first = storedCredentials(tokenOf(ws, tokenId));
    expect(first.clientSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(credentialsOf(heroku.apps.get(APP))).toEqual(first);
    expect(credentialsOf((await ws.vault.secrets())["MooseQuest/cloudflare"])).toEqual(first);
    expect(admits(ws.standin("cloudflare"), first, Date.now())).toBe(true);
  });

  it("refuses version 1 (the provider's own: it would rotate nothing) before anything runs", async () => {
    ws.writeConfig(
      withTicketsGate(baseConfig(APP), {
        serviceTokenSecretVersion: 1,
        serviceTokenPreviousSecretExpiresAt: rfc3339(Date.now() + 2 * HOUR),
      }),
    );
    const logged = ws.standinLog("cloudflare").length;
    const preview = timed("rotate", await ws.pulumi(["preview"]));
    expect(preview.code).not.toBe(0);
    expect(text(preview)).toContain(
      "console-wiring:gates.tickets.serviceTokenSecretVersion is 1, which rotates nothing: Cloudflare's provider starts every token at client secret version 1 and rotates only when the version differs from its state.",
    );
    expect(ws.standinLog("cloudflare").slice(logged)).toEqual([]);
  });

  it("rotates with version 2: the new secret reaches Cloudflare, Vault and the app in that order, the old one admitted until its time", async () => {
    // Whole seconds: the stack config takes RFC 3339 without fractions.
    const graceEnd = Math.floor((Date.now() + 2 * HOUR) / 1000) * 1000;
    ws.writeConfig(
      withTicketsGate(baseConfig(APP), {
        serviceTokenSecretVersion: 2,
        serviceTokenPreviousSecretExpiresAt: rfc3339(graceEnd),
      }),
    );
    const cfBefore = ws.standinLog("cloudflare").length;
    const vaultBefore = ws.standinLog("vault").length;
    const patchesBefore = patchesOf(APP).length;
    const seen = watchPatches(() => ws, APP);
    const up = timed("rotate", await ws.pulumi(["up", "--yes"]));
    heroku.onRequest = undefined;
    expect(up.code, text(up)).toBe(0);

    // Cloudflare: one rotation of the same token, which keeps its client id.
    const token = tokenOf(ws, tokenId);
    const second = storedCredentials(token);
    expect(second.clientId).toBe(first.clientId);
    expect(second.clientSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(second.clientSecret).not.toBe(first.clientSecret);
    expect(token.inputs).toMatchObject({
      clientSecretVersion: 2,
      previousClientSecretExpiresAt: rfc3339(graceEnd),
    });
    const cfLog = ws.standinLog("cloudflare").slice(cfBefore) as LogEntry[];
    const rotations = cfLog.filter((e) => e.op === "update" && e.id === tokenId);
    expect(rotations).toEqual([expect.objectContaining({ rotated: true })]);
    expect(cfLog.filter((e) => e.op === "create" || e.op === "delete")).toEqual([]);

    // Vault, then the app, each after the one before it.
    const vaultWrites = (ws.standinLog("vault").slice(vaultBefore) as LogEntry[]).filter(
      (e) => e.op === "update" || e.op === "create",
    );
    expect(vaultWrites).toHaveLength(1);
    expect(credentialsOf((await ws.vault.secrets())["MooseQuest/cloudflare"])).toEqual(second);
    const patches = patchesOf(APP).slice(patchesBefore);
    expect(patches.map((p) => p.body)).toEqual([{ [SECRET_VAR]: second.clientSecret }]);
    expect(credentialsOf(heroku.apps.get(APP))).toEqual(second);
    const rotatedAt = rotations[0]!.at!;
    const vaultAt = vaultWrites[0]!.at!;
    expect(rotatedAt).toBeLessThan(vaultAt);
    expect(vaultAt).toBeLessThan(patches[0]!.at);

    // While the app switched, Access admitted what it held before and what it got.
    expect(seen).toEqual([
      expect.objectContaining({
        before: first,
        after: second,
        beforeAdmitted: true,
        afterAdmitted: true,
      }),
    ]);
    // The old secret keeps working until previousClientSecretExpiresAt, and not after.
    const store = ws.standin("cloudflare");
    expect(admits(store, first, Date.now())).toBe(true);
    expect(admits(store, first, graceEnd - 1)).toBe(true);
    expect(admits(store, first, graceEnd)).toBe(false);
    expect(admits(store, second, graceEnd + 365 * 24 * HOUR)).toBe(true);

    for (const secret of [first.clientSecret, second.clientSecret]) {
      expect(ws.stateText()).not.toContain(secret);
      for (const run of ws.runs) expect(text(run)).not.toContain(secret);
    }
  });

  it("plans nothing more with the same config: the version equals the state's, nothing rotates again", async () => {
    const cfBefore = ws.standinLog("cloudflare").length;
    const preview = timed("rotate", await ws.pulumi(["preview", "--expect-no-changes"]));
    expect(preview.code, text(preview)).toBe(0);
    const cfLog = ws.standinLog("cloudflare").slice(cfBefore) as LogEntry[];
    expect(cfLog.filter((e) => e.op === "update" || e.op === "create")).toEqual([]);
  });
});

describe.sequential("renewal: a new token generation, admitted before the app gets it", () => {
  const APP = "raxx-console-renew";
  let ws: Workspace;
  let oldId = "";
  let old: Credentials;
  let newId = "";
  let renewed: Credentials;

  beforeAll(async () => {
    ws = await provisioned("e2e-renew", APP);
  }, 120_000);

  it("deploys generation 1", async () => {
    const up = timed("renew", await ws.pulumi(["up", "--yes"]));
    expect(up.code, text(up)).toBe(0);
    oldId = onlyTokenId(ws);
  });

  it("rotates generation 1 once (its version is then 2 in state, its rotation inputs both set)", async () => {
    ws.writeConfig(
      withTicketsGate(baseConfig(APP), {
        serviceTokenSecretVersion: 2,
        serviceTokenPreviousSecretExpiresAt: rfc3339(Date.now() + HOUR),
      }),
    );
    const rotate = timed("renew", await ws.pulumi(["up", "--yes"]));
    expect(rotate.code, text(rotate)).toBe(0);
    old = storedCredentials(tokenOf(ws, oldId));
    expect(credentialsOf(heroku.apps.get(APP))).toEqual(old);
  });

  it("step 1, serviceTokenGeneration 2: the new token is admitted next to the old one before Vault and the app move to it", async () => {
    // The rotation keys go (the config refuses them while a renewal keeps generation 1); the old
    // token must not change for it: its version stays 2 in state, and it is not re-planned to 1.
    ws.writeConfig(withTicketsGate(baseConfig(APP), { serviceTokenGeneration: 2 }));
    const cfBefore = ws.standinLog("cloudflare").length;
    const vaultBefore = ws.standinLog("vault").length;
    const patchesBefore = patchesOf(APP).length;
    const seen = watchPatches(() => ws, APP);
    const up = timed("renew", await ws.pulumi(["up", "--yes"]));
    heroku.onRequest = undefined;
    expect(up.code, text(up)).toBe(0);

    const tokens = byType(ws.standin("cloudflare"), TOKEN_TYPE);
    expect(tokens).toHaveLength(2);
    expect(tokens.map(([id]) => id)).toContain(oldId);
    newId = tokens.find(([id]) => id !== oldId)![0];
    renewed = storedCredentials(tokenOf(ws, newId));
    expect(tokenOf(ws, newId).inputs["name"]).toBe("console-investigate-tickets-g2");
    expect(renewed.clientId).not.toBe(old.clientId);
    expect([...includedTokens(ws.standin("cloudflare")).keys()].sort()).toEqual(
      [oldId, newId].sort(),
    );

    const cfLog = ws.standinLog("cloudflare").slice(cfBefore) as LogEntry[];
    // The old token is left exactly as it is: no update, no rotation, same secret.
    expect(cfLog.filter((e) => e.id === oldId && e.op !== "read" && e.op !== "diff")).toEqual([]);
    expect(storedCredentials(tokenOf(ws, oldId))).toEqual(old);
    const created = cfLog.find((e) => e.op === "create" && e.type === TOKEN_TYPE)!;
    const policyUpdated = cfLog.find((e) => e.op === "update" && e.type === POLICY_TYPE)!;
    const vaultWrite = (ws.standinLog("vault").slice(vaultBefore) as LogEntry[]).find(
      (e) => e.op === "update",
    )!;
    const patches = patchesOf(APP).slice(patchesBefore);
    expect(patches.map((p) => p.body)).toEqual([
      { [ID_VAR]: renewed.clientId, [SECRET_VAR]: renewed.clientSecret },
    ]);
    expect(created.at!).toBeLessThan(policyUpdated.at!);
    expect(policyUpdated.at!).toBeLessThan(vaultWrite.at!);
    expect(vaultWrite.at!).toBeLessThan(patches[0]!.at);

    // At the PATCH, Access admitted both what the app held and what it was given.
    expect(seen).toEqual([
      {
        at: patches[0]!.at,
        before: old,
        after: renewed,
        beforeAdmitted: true,
        afterAdmitted: true,
      },
    ]);
    expect(credentialsOf((await ws.vault.secrets())["MooseQuest/cloudflare"])).toEqual(renewed);
    expect(credentialsOf(heroku.apps.get(APP))).toEqual(renewed);
    const gates = JSON.parse((await ws.pulumi(["stack", "output", "gates", "--json"])).stdout) as {
      tickets?: Record<string, unknown>;
    };
    expect(gates.tickets).toMatchObject({
      serviceTokenGeneration: 2,
      serviceTokenId: newId,
      previousServiceTokenId: oldId,
      serviceTokenExpiresAt: tokenOf(ws, newId).computed["expiresAt"],
    });
  });

  it("step 2, serviceTokenRetiredGeneration 1: the old token leaves the policy, then is deleted; one token is live", async () => {
    ws.writeConfig(
      withTicketsGate(baseConfig(APP), {
        serviceTokenGeneration: 2,
        serviceTokenRetiredGeneration: 1,
      }),
    );
    const cfBefore = ws.standinLog("cloudflare").length;
    const patchesBefore = patchesOf(APP).length;
    const seen = watchPatches(() => ws, APP);
    const up = timed("renew", await ws.pulumi(["up", "--yes"]));
    heroku.onRequest = undefined;
    expect(up.code, text(up)).toBe(0);

    expect(onlyTokenId(ws)).toBe(newId);
    expect([...includedTokens(ws.standin("cloudflare")).keys()]).toEqual([newId]);
    const cfLog = ws.standinLog("cloudflare").slice(cfBefore) as LogEntry[];
    const policyUpdated = cfLog.find((e) => e.op === "update" && e.type === POLICY_TYPE)!;
    const deleted = cfLog.find((e) => e.op === "delete" && e.id === oldId)!;
    expect(policyUpdated.at!).toBeLessThan(deleted.at!);
    expect(cfLog.filter((e) => e.op === "delete")).toEqual([deleted]);
    // The app already had the new token: nothing to PATCH, nothing refused.
    expect(patchesOf(APP).slice(patchesBefore)).toEqual([]);
    expect(seen).toEqual([]);

    const store = ws.standin("cloudflare");
    expect(storedCredentials(tokenOf(ws, newId))).toEqual(renewed);
    expect(credentialsOf((await ws.vault.secrets())["MooseQuest/cloudflare"])).toEqual(renewed);
    expect(credentialsOf(heroku.apps.get(APP))).toEqual(renewed);
    expect(admits(store, renewed, Date.now())).toBe(true);
    expect(admits(store, old, Date.now())).toBe(false);
    for (const secret of [old.clientSecret, renewed.clientSecret])
      expect(ws.stateText()).not.toContain(secret);

    const again = timed("renew", await ws.pulumi(["preview", "--expect-no-changes"]));
    expect(again.code, text(again)).toBe(0);
  });
});
