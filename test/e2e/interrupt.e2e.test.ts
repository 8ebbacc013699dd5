/**
 * The kill matrix (issue 18): the deploy killed with SIGKILL at each point of the graph, under
 * the real `pulumi` 3.248 CLI, then the documented recovery, then the deploy's exact command
 * (read from .github/workflows/deploy.yml) again.
 *
 * At each point the request is held where it is answered (the Heroku fake holds the PATCH; the
 * Cloudflare and Vault stand-ins block after storing the call's effect, see standins/store.ts),
 * the CLI and every process it started are killed (the CLI starts its plugins in process groups
 * of their own, which survive a kill of its group, so each group is killed), and only then is the
 * request released: the service did the work, the engine never heard. Then:
 *   - no managed var is lost and no foreign var was ever touched;
 *   - at no moment was a flag on at the Heroku fake while a var it needs was missing (the fake
 *     records every config the app passes through);
 *   - at most one service token is live, and Vault's client secret is the live token's current one;
 *   - the stack converges (a refreshed preview shows no changes).
 * afterAll prints the matrix. `npx vitest run --config vitest.e2e.config.mts test/e2e/interrupt.e2e.test.ts`
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { catalog } from "../../infra/features/catalog";
import { isOn } from "../../infra/heroku/prerequisites";
import { FakeCloudflareApi } from "../support/fake-cloudflare-api";
import { unrelatedVars, type RecordedCall } from "../support/fake-heroku";
import {
  type CliRun,
  deployScript,
  e2eSuite,
  REPO,
  SENTRY_CONFIG,
  stackConfig,
  text,
  withTicketsGate,
  Workspace,
} from "./harness";

const FS_KEY = "e2e-freescout-key-sentinel-interrupt-51b0";
const CF_API_TOKEN = "e2e-cloudflare-api-token-sentinel-9e3d";
const FLAGS = catalog()[0]!.flags;
/** Every var a flag needs: the manifest's, as the flags resource checks them. */
const REQUIRED = catalog()[0]!
  .requires.map((v) => v.name)
  .sort();
const ID_VAR = "CF_ACCESS_SVC_TICKETS_CLIENT_ID";
const SECRET_VAR = "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET";
const TOKEN_TYPE = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";
const HOUR = 3_600_000;
/** The fixture feature the revert scenario adds (test/fixtures/features/audit-export.json). */
const AUDIT_FLAG = "FLAG_CONSOLE_AUDIT_EXPORT";
const AUDIT_REQUIRED = [
  "AUDIT_EXPORT_BUCKET",
  "AUDIT_EXPORT_TOKEN",
  "CONSOLE_FEATURE_PREREQUISITES",
];
const AUDIT_TOKEN = "e2e-audit-export-token-sentinel-77c1";

const baseConfig = (app: string): Record<string, unknown> => ({
  ...stackConfig(app),
  ...SENTRY_CONFIG,
  flags: Object.fromEntries(FLAGS.map((f) => [f, true])),
});

/**
 * The recovery the deploy runs before `pulumi up` (docs/runbook.md, "When a deploy was interrupted"), with
 * `npm run -s recover --` spelled as the tool it runs (the workspace copies no tools/).
 */
const RECOVERY = [
  'pulumi login "$PULUMI_BACKEND_URL"',
  'pulumi stack export --stack prod --file "$RUNNER_TEMP/prod-state.json"',
  'npm run -s recover -- --stack prod --state "$RUNNER_TEMP/prod-state.json" --deploy-started-at "$DEPLOY_STARTED_AT" --apply',
].join("\n");

const suite = e2eSuite();
const heroku = suite.heroku;
const matrix: { point: string; recovery: string; outcome: string }[] = [];

afterAll(() => {
  const w = [
    Math.max(5, ...matrix.map((m) => m.point.length)),
    Math.max(13, ...matrix.map((m) => m.recovery.length)),
  ];
  process.stdout.write(
    "\nkill matrix (SIGKILL to the CLI and every process it started, request held, then released):\n" +
      `  ${"point".padEnd(w[0]!)} ${"recovery used".padEnd(w[1]!)} outcome\n` +
      matrix
        .map((m) => `  ${m.point.padEnd(w[0]!)} ${m.recovery.padEnd(w[1]!)} ${m.outcome}`)
        .join("\n") +
      "\n",
  );
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits, up to 60 s, until `cond` holds; the assertions after it say what did not. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await sleep(100);
}

/** This test process's own group, never killed. */
function ownGroup(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

/** SIGKILL to the run's group and to the group of every process the workspace started. */
async function killEverything(ws: Workspace, run: { pid: number; done: Promise<CliRun> }) {
  const self = ownGroup();
  const groups = new Set([run.pid, ...ws.processes().map((p) => p.pgid)]);
  groups.delete(self);
  for (const g of groups) {
    try {
      process.kill(-g, "SIGKILL");
    } catch {
      // already gone
    }
  }
  const result = await run.done;
  for (let i = 0; i < 100 && ws.processes().length > 0; i++) {
    for (const p of ws.processes()) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await sleep(50);
  }
  expect(ws.processes()).toEqual([]);
  return result;
}

/** Resolves when `held` does; fails with the run's output if the run ends first. */
async function whenHeld(held: Promise<unknown>, run: { done: Promise<CliRun> }): Promise<void> {
  const first = await Promise.race([held.then(() => undefined), run.done.then((r) => r)]);
  if (first !== undefined) throw new Error(`the run ended before the hold:\n${text(first)}`);
}

/** Asks a stand-in to block after storing the call that matches, until killed. */
function holdStandin(ws: Workspace, spec: Record<string, unknown>): Promise<void> {
  writeFileSync(join(ws.standinDir, "hold.json"), JSON.stringify(spec));
  return (async () => {
    while (!existsSync(join(ws.standinDir, "held.json"))) await sleep(50);
  })();
}

function clearStandinHold(ws: Workspace): void {
  for (const f of ["hold.json", "held.json", "release"])
    rmSync(join(ws.standinDir, f), { force: true });
}

const patchOf =
  (app: string, has: (body: Record<string, unknown>) => boolean) => (c: RecordedCall) =>
    c.method === "PATCH" &&
    c.path === `/apps/${app}/config-vars` &&
    has((c.body ?? {}) as Record<string, unknown>);

async function workspace(
  app: string,
  files?: Record<string, string>,
): Promise<{ ws: Workspace; api: FakeCloudflareApi; apiUrl: string }> {
  heroku.apps.set(app, unrelatedVars());
  const ws = await suite.workspace({
    stack: "prod",
    config: baseConfig(app),
    ...(files === undefined ? {} : { files }),
  });
  await ws.vault.seed({
    "MooseQuest/freescout": { FREESCOUT_API_KEY: FS_KEY, FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
  });
  const api = new FakeCloudflareApi(ws.standinDir, CF_API_TOKEN);
  return { ws, api, apiUrl: await api.start() };
}

const deploy = (ws: Workspace) => ws.exec("bash", ["-euo", "pipefail", "-c", deployScript()]);

/** The documented recovery; its output and what it applied, for the matrix. */
async function recover(ws: Workspace, apiUrl: string): Promise<{ run: CliRun; applied: string }> {
  const tmp = join(ws.root, "runner-temp");
  mkdirSync(tmp, { recursive: true });
  const script = RECOVERY.replace(
    "npm run -s recover --",
    `${process.execPath} ${join(REPO, "tools", "run.cjs")} recover`,
  );
  const run = await ws.exec("bash", ["-euo", "pipefail", "-c", script], {
    RUNNER_TEMP: tmp,
    DEPLOY_STARTED_AT: new Date().toISOString(),
    CLOUDFLARE_API_URL: apiUrl,
    CLOUDFLARE_API_TOKEN: CF_API_TOKEN,
  });
  const applied: string[] = [];
  if (run.stdout.includes("pulumi cancel: the stale lock is gone"))
    applied.push("pulumi cancel (stale lock)");
  if (run.stdout.includes("deleted the orphan service token")) applied.push("orphan token deleted");
  const off = /switched off ([A-Z0-9_, ]+) on /.exec(run.stdout)?.[1];
  if (off) applied.push(`unrecorded flags switched off (${off.split(", ").length})`);
  const cleared = /(\d+) pending create\(s\) cleared/.exec(run.stdout)?.[1];
  if (cleared) applied.push(`refresh --clear-pending-creates (${cleared})`);
  if (run.stdout.includes("needs a person")) applied.push("stopped: a person must act");
  return { run, applied: applied.join("; ") || "nothing to apply" };
}

const tokens = (ws: Workspace) =>
  Object.entries(ws.standin("cloudflare").objects).filter(([, o]) => o.type === TOKEN_TYPE);

/** The four checks of the matrix, plus convergence; returns the outcome for the matrix. */
async function converged(ws: Workspace, app: string): Promise<string> {
  // At most one token live; Vault and the app hold its current credentials.
  const live = tokens(ws);
  expect(live.length).toBeLessThanOrEqual(1);
  expect(live).toHaveLength(1);
  const token = live[0]![1];
  const vault = (await ws.vault.secrets())["MooseQuest/cloudflare"];
  expect(vault?.[SECRET_VAR]).toBe(token.computed["clientSecret"]);
  expect(vault?.[ID_VAR]).toBe(token.computed["clientId"]);

  // No managed var lost, no foreign var touched, the flags on.
  const now = heroku.apps.get(app) ?? {};
  const foreign = unrelatedVars();
  expect(Object.keys(now).sort()).toEqual([...Object.keys(foreign), ...REQUIRED, ...FLAGS].sort());
  for (const [k, v] of Object.entries(foreign)) expect(now[k], k).toBe(v);
  for (const k of REQUIRED) expect(now[k]?.trim(), k).toBeTruthy();
  for (const f of FLAGS) expect(now[f]).toBe("1");
  expect(now[SECRET_VAR]).toBe(token.computed["clientSecret"]);
  expect(now["FREESCOUT_API_KEY"]).toBe(FS_KEY);

  // Every config the app passed through: foreign vars as they were, no flag on without its vars.
  const states = heroku.statesOf(app);
  for (const [i, state] of states.entries()) {
    for (const [k, v] of Object.entries(foreign)) expect(state.vars[k], `state ${i}: ${k}`).toBe(v);
    for (const flag of FLAGS) {
      if (!isOn(state.vars[flag])) continue;
      const missing = REQUIRED.filter((v) => !(state.vars[v] ?? "").trim());
      expect(missing, `state ${i} (${state.by}): ${flag} on`).toEqual([]);
    }
  }

  // Converged: no pending operation left, and the refreshed preview has nothing to do.
  const exported = JSON.parse((await ws.pulumi(["stack", "export"])).stdout) as {
    deployment: { pending_operations?: unknown[] };
  };
  expect(exported.deployment.pending_operations ?? []).toEqual([]);
  const preview = await ws.pulumi(["preview", "--refresh", "--expect-no-changes"]);
  expect(preview.code, text(preview)).toBe(0);
  for (const secret of [FS_KEY, String(token.computed["clientSecret"]), CF_API_TOKEN])
    for (const run of ws.runs) expect(text(run)).not.toContain(secret);
  return `converged: ${REQUIRED.length} prerequisites + ${FLAGS.length} flags, 50 foreign vars kept; 1 token live, Vault = its secret; ${states.length} app states, none with a flag on without its vars`;
}

describe.sequential("the deploy killed at each point of the graph", () => {
  it("during the token create: the orphan token is found by name and deleted, the pending create cleared", async () => {
    const app = "raxx-console-kill-token";
    const { ws, api, apiUrl } = await workspace(app);
    try {
      const held = holdStandin(ws, { provider: "cloudflare", op: "create", type: TOKEN_TYPE });
      const run = ws.startDetached("bash", ["-euo", "pipefail", "-c", deployScript()]);
      await whenHeld(held, run);
      await killEverything(ws, run);
      clearStandinHold(ws);
      const [orphanId] = tokens(ws).map(([id]) => id);
      expect(tokens(ws)).toHaveLength(1);

      // Without the recovery the deploy cannot even start: the lock outlived the kill.
      const blocked = await deploy(ws);
      expect(blocked.code).not.toBe(0);
      expect(text(blocked)).toContain("the stack is currently locked by 1 lock(s)");

      const { run: rec, applied } = await recover(ws, apiUrl);
      expect(rec.code, text(rec)).toBe(0);
      expect(rec.stdout).toMatch(
        new RegExp(
          `creating tickets-service-token \\(Access service token "console-investigate-tickets"\\)\\n\\s+safe → delete the orphan, then clear: token ${orphanId}`,
        ),
      );
      expect(ws.standin("cloudflare").objects[orphanId!]).toBeUndefined();
      const up = await deploy(ws);
      expect(up.code, text(up)).toBe(0);
      expect(tokens(ws).map(([id]) => id)).not.toContain(orphanId);
      matrix.push({
        point: "during the token create",
        recovery: applied,
        outcome: await converged(ws, app),
      });
    } finally {
      await api.stop();
    }
  }, 900_000);

  it("after the Vault write: the pending secret create is cleared and written again", async () => {
    const app = "raxx-console-kill-vault";
    const { ws, api, apiUrl } = await workspace(app);
    try {
      const held = holdStandin(ws, { provider: "vault", op: "create" });
      const run = ws.startDetached("bash", ["-euo", "pipefail", "-c", deployScript()]);
      await whenHeld(held, run);
      await killEverything(ws, run);
      clearStandinHold(ws);
      expect((await ws.vault.secrets())["MooseQuest/cloudflare"]?.[SECRET_VAR]).toMatch(
        /^[0-9a-f]{64}$/,
      );
      // The gate's prerequisites wait for its Vault secret: no PATCH has carried its vars. (The
      // shared prerequisites depend on no gate and may have landed already.)
      expect(
        heroku
          .statesOf(app)
          .filter((s) => s.by === "patch" && (ID_VAR in s.vars || SECRET_VAR in s.vars)),
      ).toEqual([]);

      const { run: rec, applied } = await recover(ws, apiUrl);
      expect(rec.code, text(rec)).toBe(0);
      expect(rec.stdout).toMatch(
        /creating vault-cloudflare \(Vault secret MooseQuest\/cloudflare\)\n\s+safe → clear/,
      );
      const up = await deploy(ws);
      expect(up.code, text(up)).toBe(0);
      matrix.push({
        point: "after the Vault write",
        recovery: applied,
        outcome: await converged(ws, app),
      });
    } finally {
      await api.stop();
    }
  }, 900_000);

  // The gate's prerequisites PATCH (its token's id and secret, after the Vault write): the last
  // write before the flags.
  it("during the gate's prerequisites PATCH: applied, never recorded; the pending create is cleared and the next create takes the vars over", async () => {
    const app = "raxx-console-kill-prereq";
    const { ws, api, apiUrl } = await workspace(app);
    try {
      const hold = heroku.hold(patchOf(app, (b) => typeof b[SECRET_VAR] === "string"));
      const run = ws.startDetached("bash", ["-euo", "pipefail", "-c", deployScript()]);
      await whenHeld(hold.arrived, run);
      // The shared prerequisites have no dependency on the gate, so nothing orders them before
      // this PATCH: the kill waits until the app holds them (their answer may still be lost).
      await until(() =>
        REQUIRED.every((k) => k === ID_VAR || k === SECRET_VAR || heroku.apps.get(app)?.[k]),
      );
      await killEverything(ws, run);
      hold.release("apply");
      await sleep(100);
      for (const k of REQUIRED) expect(heroku.apps.get(app)?.[k], k).toBeTruthy();
      for (const f of FLAGS) expect(heroku.apps.get(app)?.[f], f).toBeUndefined();

      const { run: rec, applied } = await recover(ws, apiUrl);
      expect(rec.code, text(rec)).toBe(0);
      expect(rec.stdout).toMatch(
        /creating console-tickets-prerequisites \(Heroku config vars CF_ACCESS_SVC_TICKETS_CLIENT_ID, CF_ACCESS_SVC_TICKETS_CLIENT_SECRET on raxx-console-kill-prereq\)\n\s+safe → clear/,
      );
      const patches = heroku.calls.filter(
        (c) => c.method === "PATCH" && c.path.includes(app),
      ).length;
      const up = await deploy(ws);
      expect(up.code, text(up)).toBe(0);
      // The re-created prerequisites found the app as wanted: the one PATCH after is the flags'.
      const after = heroku.calls
        .filter((c) => c.method === "PATCH" && c.path.includes(app))
        .slice(patches);
      expect(after.map((c) => Object.keys(c.body as object).sort())).toEqual([[...FLAGS].sort()]);
      matrix.push({
        point: "during the gate's prereq. PATCH",
        recovery: applied,
        outcome: await converged(ws, app),
      });
    } finally {
      await api.stop();
    }
  }, 900_000);

  it("during the flags PATCH: applied, never recorded; recover switches the unrecorded flags off, clears the create, and the next create switches them on", async () => {
    const app = "raxx-console-kill-flags";
    const { ws, api, apiUrl } = await workspace(app);
    try {
      const hold = heroku.hold(patchOf(app, (b) => FLAGS.some((f) => f in b)));
      const run = ws.startDetached("bash", ["-euo", "pipefail", "-c", deployScript()]);
      await whenHeld(hold.arrived, run);
      await killEverything(ws, run);
      hold.release("apply");
      await sleep(100);
      for (const f of FLAGS) expect(heroku.apps.get(app)?.[f]).toBe("1");

      const { run: rec, applied } = await recover(ws, apiUrl);
      expect(rec.code, text(rec)).toBe(0);
      expect(rec.stdout).toMatch(
        /creating console-investigate-flags \(Heroku config vars FLAG_[A-Z_, ]+ on raxx-console-kill-flags\)\n\s+safe → switch FLAG_[A-Z_, ]+ off at the app, then clear/,
      );
      // No resource records the flags the lost PATCH wrote: off at the app before the clear.
      for (const f of FLAGS) expect(heroku.apps.get(app)?.[f]).toBeUndefined();
      const patches = heroku.count("PATCH");
      const up = await deploy(ws);
      expect(up.code, text(up)).toBe(0);
      expect(heroku.count("PATCH")).toBe(patches + 1);
      matrix.push({
        point: "during the flags PATCH",
        recovery: applied,
        outcome: await converged(ws, app),
      });
    } finally {
      await api.stop();
    }
  }, 900_000);

  // Issue 25, finding 1: deploy N adds a feature and is killed during its flags PATCH (applied,
  // answer lost), deploy N+1 reverts the feature. Before the fix, recover called the pending
  // update safe ("up --refresh reads the live object"), but the provider's read reads only the
  // keys state records: the flag stayed on while N+1 removed the vars it needs.
  // Since gates as data each feature has its own flags resource, so the added feature's flags are
  // a pending create of console-audit-export-flags: cleared, and the reverted program never
  // creates it again, so nothing but recover would ever switch the flag off.
  it("during the flags PATCH of a deploy that adds a feature, then reverted: recover switches the unrecorded flag off; it never stands on without its vars", async () => {
    const app = "raxx-console-kill-revert";
    const featureFile = "infra/features/data/audit-export.json";
    const { ws, api, apiUrl } = await workspace(app, {
      [featureFile]: readFileSync(join(REPO, "test/fixtures/features/audit-export.json"), "utf8"),
    });
    await ws.vault.seed({
      "MooseQuest/freescout": { FREESCOUT_API_KEY: FS_KEY, FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
      "MooseQuest/audit": { AUDIT_EXPORT_TOKEN: AUDIT_TOKEN },
    });
    try {
      const first = await deploy(ws);
      expect(first.code, text(first)).toBe(0);

      // Deploy N: the feature added. Its prerequisites land and are recorded; the flags PATCH
      // lands, its answer is lost.
      ws.writeConfig({
        ...baseConfig(app),
        features: { investigate: true, "audit-export": true },
        auditExportBucket: "raxx-audit-archive",
        flags: Object.fromEntries([...FLAGS, AUDIT_FLAG].map((f) => [f, true])),
      });
      const hold = heroku.hold(patchOf(app, (b) => AUDIT_FLAG in b));
      const run = ws.startDetached("bash", ["-euo", "pipefail", "-c", deployScript()]);
      await whenHeld(hold.arrived, run);
      await killEverything(ws, run);
      hold.release("apply");
      await sleep(100);
      expect(heroku.apps.get(app)?.[AUDIT_FLAG]).toBe("1");
      for (const v of AUDIT_REQUIRED) expect(heroku.apps.get(app)?.[v], v).toBeTruthy();

      // Deploy N+1 reverts it: the stack file and the feature file as before N.
      ws.writeConfig(baseConfig(app));
      rmSync(join(ws.project, featureFile));
      const statesBefore = heroku.statesOf(app).length;

      const { run: rec, applied } = await recover(ws, apiUrl);
      expect(rec.code, text(rec)).toBe(0);
      expect(rec.stdout).toMatch(
        new RegExp(
          `creating console-audit-export-flags \\(Heroku config vars ${AUDIT_FLAG} on ${app}\\)\\n\\s+safe → switch ${AUDIT_FLAG} off at the app, then clear`,
        ),
      );
      expect(rec.stdout).toContain(`switched off ${AUDIT_FLAG} on ${app} (removed: one PATCH)`);
      expect(heroku.apps.get(app)?.[AUDIT_FLAG]).toBeUndefined();
      const up = await deploy(ws);
      expect(up.code, text(up)).toBe(0);

      // The flag ends off, and the feature's vars are gone with it.
      const now = heroku.apps.get(app) ?? {};
      expect(isOn(now[AUDIT_FLAG])).toBe(false);
      for (const v of AUDIT_REQUIRED.filter((n) => !REQUIRED.includes(n)))
        expect(now[v], v).toBeUndefined();
      // No config the app passed through shows the flag on without its vars; and from the
      // recovery on, it is never on at all.
      const states = heroku.statesOf(app);
      for (const [i, state] of states.entries()) {
        if (!isOn(state.vars[AUDIT_FLAG])) continue;
        expect(i, `state ${i} (${state.by}): ${AUDIT_FLAG} on after the recovery`).toBeLessThan(
          statesBefore,
        );
        const missing = AUDIT_REQUIRED.filter((v) => !(state.vars[v] ?? "").trim());
        expect(missing, `state ${i} (${state.by}): ${AUDIT_FLAG} on`).toEqual([]);
      }
      matrix.push({
        point: "flags PATCH of an added feature, reverted",
        recovery: applied,
        outcome: `${AUDIT_FLAG} off; ${await converged(ws, app)}`,
      });
    } finally {
      await api.stop();
    }
  }, 900_000);

  it("during a rotation: recover stops the deploy and says renew; the renewal and the retirement converge", async () => {
    const app = "raxx-console-kill-rotate";
    const { ws, api, apiUrl } = await workspace(app);
    try {
      const first = await deploy(ws);
      expect(first.code, text(first)).toBe(0);
      const [entry] = tokens(ws);
      const tokenId = entry![0];
      const oldSecret = String(entry![1].computed["clientSecret"]);

      // The rotation the config keys of infra/config.ts express: version 2 with a grace window.
      const rotation = withTicketsGate(baseConfig(app), {
        serviceTokenSecretVersion: 2,
        serviceTokenPreviousSecretExpiresAt: new Date(Date.now() + 2 * HOUR)
          .toISOString()
          .replace(/\.\d{3}Z$/, "Z"),
      });
      ws.writeConfig(rotation);
      const held = holdStandin(ws, {
        provider: "cloudflare",
        op: "update",
        type: TOKEN_TYPE,
        rotated: true,
      });
      const run = ws.startDetached("bash", ["-euo", "pipefail", "-c", deployScript()]);
      await whenHeld(held, run);
      await killEverything(ws, run);
      clearStandinHold(ws);

      // The hazard: Cloudflare holds a new secret nobody has; Vault and the app the old one,
      // admitted only until the grace window ends.
      const rotated = ws.standin("cloudflare").objects[tokenId]!;
      expect(rotated.computed["clientSecret"]).not.toBe(oldSecret);
      expect(rotated.computed["previousClientSecret"]).toBe(oldSecret);
      expect((await ws.vault.secrets())["MooseQuest/cloudflare"]?.[SECRET_VAR]).toBe(oldSecret);

      const stopped = await recover(ws, apiUrl);
      expect(stopped.run.code).toBe(1);
      expect(stopped.run.stdout).toContain("updating tickets-service-token");
      expect(stopped.run.stdout).toContain("needs a person: an interrupted rotation");
      expect(stopped.run.stdout).toContain(
        "pulumi config set --path 'gates.tickets.serviceTokenGeneration' <current + 1>",
      );

      // What it says to do: renew (a new generation, the rotation keys removed), then retire.
      ws.writeConfig(withTicketsGate(baseConfig(app), { serviceTokenGeneration: 2 }));
      const again = await recover(ws, apiUrl);
      expect(again.run.code, text(again.run)).toBe(0);
      expect(again.run.stdout).toContain(
        "superseded: the stack config now renews gate tickets's token",
      );
      const renew = await deploy(ws);
      expect(renew.code, text(renew)).toBe(0);
      ws.writeConfig(
        withTicketsGate(baseConfig(app), {
          serviceTokenGeneration: 2,
          serviceTokenRetiredGeneration: 1,
        }),
      );
      const retire = await deploy(ws);
      expect(retire.code, text(retire)).toBe(0);
      expect(tokens(ws).map(([id]) => id)).not.toContain(tokenId);
      matrix.push({
        point: "during a rotation",
        recovery: `${stopped.applied}; renewal (generation 2), then retirement of 1`,
        outcome: await converged(ws, app),
      });
    } finally {
      await api.stop();
    }
  }, 900_000);

  it("during a destroy (prerequisites' delete applied, not recorded): a plain up is refused by the flags resource; the deploy restores everything", async () => {
    const app = "raxx-console-kill-destroy";
    const { ws, api, apiUrl } = await workspace(app);
    try {
      const first = await deploy(ws);
      expect(first.code, text(first)).toBe(0);
      // Both prerequisites' deletes (the shared one and the gate's) run at once after the flags':
      // each is held, so both are applied and neither is recorded, whatever their order.
      const holds = [
        heroku.hold(patchOf(app, (b) => b["FREESCOUT_API_URL"] === null)),
        heroku.hold(patchOf(app, (b) => b[SECRET_VAR] === null)),
      ];
      const run = ws.startDetached("pulumi", [
        "destroy",
        "--yes",
        "--stack",
        "prod",
        "--non-interactive",
      ]);
      await whenHeld(Promise.all(holds.map((h) => h.arrived)), run);
      await killEverything(ws, run);
      for (const h of holds) h.release("apply");
      await sleep(100);
      expect(heroku.apps.get(app)).toEqual(unrelatedVars());

      const { run: rec, applied } = await recover(ws, apiUrl);
      expect(rec.code, text(rec)).toBe(0);
      expect(rec.stdout).toMatch(
        /deleting console-prerequisites \(Heroku config vars [A-Z_, ]+ on raxx-console-kill-destroy\)\n\s+nothing to do/,
      );

      // The incident path: a plain up (no refresh) believes state, which still lists the
      // prerequisites. The flags resource reads the app before its PATCH and refuses.
      const patches = heroku.count("PATCH");
      const plain = await ws.pulumi(["up", "--yes", "--stack", "prod"]);
      expect(plain.code).not.toBe(0);
      expect(text(plain)).toContain(
        `Heroku app ${app}: refusing to switch on ${[...FLAGS].sort().join(", ")}`,
      );
      // It wrote nothing that carries a flag, and no flag is on.
      const written = heroku.calls.filter((c) => c.method === "PATCH").slice(patches);
      for (const c of written)
        expect(Object.keys(c.body as object).filter((k) => FLAGS.includes(k))).toEqual([]);
      for (const f of FLAGS) expect(heroku.apps.get(app)?.[f], f).toBeUndefined();

      const up = await deploy(ws);
      expect(up.code, text(up)).toBe(0);
      matrix.push({
        point: "during a destroy",
        recovery: `${applied}; (a plain up: refused, no flag written)`,
        outcome: await converged(ws, app),
      });
    } finally {
      await api.stop();
    }
  }, 900_000);
});
