// `npm run recover`: what an interrupted deploy left (state's pending operations, the stack's
// lock), the safe action for each, and what --apply does, in that order. The real CLI runs it in
// test/e2e/interrupt.e2e.test.ts; here each decision, with fakes for pulumi and Cloudflare.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main, runRecover, type RecoverDeps } from "../tools/recover";
import { cloudflareFromEnv, type ServiceToken } from "../tools/recover/cloudflare";
import { judgeLocks, lockDirOf, readLocks } from "../tools/recover/locks";
import { judge, TOKEN_TYPE, type PlanContext } from "../tools/recover/plan";
import { nameOfUrn, parseExport, type PendingOperation } from "../tools/recover/state";
import { FakeCloudflareApi } from "./support/fake-cloudflare-api";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const SECRET_MARK = "4dabf18193072939515e22adb298388d";
const SENTINEL = "recover-sentinel-value-7f3e";
const urn = (type: string, name: string, parent = "console-wiring:cloudflare:TicketsAccess") =>
  `urn:pulumi:prod::console-wiring::${parent}$${type}::${name}`;
const HEROKU = "pulumi-nodejs:dynamic/heroku:ConfigVars";
const VAULT = "vault:kv/secretV2:SecretV2";

const tokenCreate: PendingOperation = {
  kind: "creating",
  urn: urn(TOKEN_TYPE, "tickets-service-token"),
  type: TOKEN_TYPE,
  name: "tickets-service-token",
  inputs: { accountId: ACCOUNT, name: "console-investigate-tickets", duration: "8760h" },
};
/** A config-vars resource as state records it, holding these keys on raxx-console-prod. */
const recordedVars = (name: string, keys: unknown) => ({
  urn: urn(HEROKU, name, "console-wiring:heroku:ConsoleConfig"),
  type: HEROKU,
  id: `raxx-console-prod/${name}`,
  inputs: { app: "raxx-console-prod", keys },
  outputs: { app: "raxx-console-prod", keys },
});
const varsCreate: PendingOperation = {
  kind: "creating",
  urn: urn(HEROKU, "console-prerequisites", "console-wiring:heroku:ConsoleConfig"),
  type: HEROKU,
  name: "console-prerequisites",
  inputs: {
    app: "raxx-console-prod",
    keys: ["FREESCOUT_API_KEY", "FREESCOUT_API_URL"],
    vars: { [SECRET_MARK]: "1b47061264138c4ac30d75fd1eb44270", ciphertext: SENTINEL },
  },
};

/** expect.stringContaining, typed for the objects it sits in. */
const contains = (text: string): string => expect.stringContaining(text) as string;

const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
  resources: [],
  findTokens: () => Promise.resolve([]),
  currentTokenResources: ["tickets-service-token"],
  catalogFlags: ["FLAG_CONSOLE_INVESTIGATE"],
  tokenWindow: { from: new Date("2026-12-01T09:00:00Z"), to: new Date("2026-12-01T11:00:00Z") },
  ...over,
});
const orphan = (id: string): ServiceToken => ({
  id,
  name: "console-investigate-tickets",
  createdAt: "2026-12-01T10:00:00Z",
});

describe("parseExport", () => {
  it("reads pending operations and recorded resources", () => {
    const view = parseExport(
      JSON.stringify({
        version: 3,
        deployment: {
          resources: [
            { urn: "u1", type: "t", id: "id-1", inputs: { a: 1 }, outputs: { b: 2 } },
            { urn: "u2" },
          ],
          pending_operations: [
            {
              type: "creating",
              resource: { urn: tokenCreate.urn, type: TOKEN_TYPE, inputs: { name: "n" } },
            },
          ],
        },
      }),
    );
    expect(view.resources).toEqual([
      { urn: "u1", type: "t", id: "id-1", inputs: { a: 1 }, outputs: { b: 2 } },
      { urn: "u2", type: "", id: undefined, inputs: {}, outputs: {} },
    ]);
    expect(view.pending).toEqual([
      {
        kind: "creating",
        urn: tokenCreate.urn,
        type: TOKEN_TYPE,
        name: "tickets-service-token",
        inputs: { name: "n" },
      },
    ]);
  });

  it("takes an empty stack", () => {
    expect(parseExport('{"version":3,"deployment":{}}')).toEqual({ pending: [], resources: [] });
  });

  it("refuses what is not an export, naming the input and never its content", () => {
    expect(() => parseExport(`{"x": "${SENTINEL}"}`, "state.json")).toThrow(
      'state.json is not `pulumi stack export` output (no "deployment")',
    );
    expect(() => parseExport("nope", "state.json")).toThrow("state.json is not valid JSON");
    expect(() => parseExport('{"deployment":{"resources":{}}}', "s")).toThrow(
      "s: deployment.resources is not a list",
    );
    expect(() =>
      parseExport(
        `{"deployment":{"pending_operations":[{"type":"exploding","resource":{"urn":"${SENTINEL}"}}]}}`,
        "s",
      ),
    ).toThrow("s: pending operation 1 has no resource URN or an unknown type (not shown)");
    expect(() =>
      parseExport('{"deployment":{"pending_operations":[{"type":"creating","resource":{}}]}}', "s"),
    ).toThrow("pending operation 1");
  });

  it("names a resource by its URN's last part", () => {
    expect(nameOfUrn(urn(TOKEN_TYPE, "tickets-service-token-g2"))).toBe("tickets-service-token-g2");
    expect(nameOfUrn("not-a-urn")).toBe("not-a-urn");
  });
});

describe("judge: pending creates", () => {
  it("a config-vars create is safe to clear (idempotent)", async () => {
    expect(await judge(varsCreate, ctx())).toMatchObject({
      kind: "clear",
      why: contains("idempotent"),
    });
  });

  it("a Vault secret create and a provider's are safe to clear", async () => {
    for (const type of [VAULT, "pulumi:providers:cloudflare"])
      expect((await judge({ ...varsCreate, type }, ctx())).kind).toBe("clear");
  });

  it("a token create that never reached Cloudflare is safe to clear", async () => {
    const findTokens = vi.fn(() => Promise.resolve([orphan("recorded")]));
    const v = await judge(
      tokenCreate,
      ctx({
        findTokens,
        resources: [{ urn: "x", type: TOKEN_TYPE, id: "recorded", inputs: {}, outputs: {} }],
      }),
    );
    expect(findTokens).toHaveBeenCalledWith(ACCOUNT, "console-investigate-tickets");
    expect(v).toEqual({
      kind: "clear",
      why: 'no token named "console-investigate-tickets" exists besides the ones state records: the create never reached Cloudflare',
    });
  });

  it("one unrecorded token of that name is the orphan: delete it, then clear", async () => {
    const v = await judge(tokenCreate, ctx({ findTokens: () => Promise.resolve([orphan("t-1")]) }));
    expect(v).toMatchObject({ kind: "delete-orphan", accountId: ACCOUNT, token: orphan("t-1") });
    expect(v.why).toContain(
      "token t-1 named \"console-investigate-tickets\" (created 2026-12-01T10:00:00Z, between 2026-12-01T09:00:00.000Z (the interrupted deploy's lock) and 2026-12-01T11:00:00.000Z (this deploy's start)) exists but no resource records it",
    );
    expect(v.note).toBeUndefined();
  });

  it("two unrecorded tokens of that name: a person decides which", async () => {
    const v = await judge(
      tokenCreate,
      ctx({ findTokens: () => Promise.resolve([orphan("t-1"), orphan("t-2")]) }),
    );
    expect(v.kind).toBe("person");
    expect(v.why).toContain(
      '2 tokens named "console-investigate-tickets" that no resource records were created between',
    );
  });

  // Issue 25, finding 2: a token with the name made before the interrupted deploy took its lock
  // (by hand before adoption, or by another stack using the default name) is not its orphan.
  it("a token created outside the interrupted deploy's window is reported, never the orphan", async () => {
    const old: ServiceToken = { ...orphan("t-2025"), createdAt: "2025-03-04T08:00:00Z" };
    const after: ServiceToken = { ...orphan("t-late"), createdAt: "2026-12-01T11:30:00Z" };
    const alone = await judge(tokenCreate, ctx({ findTokens: () => Promise.resolve([old]) }));
    expect(alone).toMatchObject({
      kind: "clear",
      why: contains('no unrecorded token named "console-investigate-tickets" was created between'),
      note: contains(
        "not deleted, created outside the interrupted deploy's window (between 2026-12-01T09:00:00.000Z (the interrupted deploy's lock) and 2026-12-01T11:00:00.000Z (this deploy's start)): t-2025, created 2025-03-04T08:00:00Z; a person decides",
      ),
    });
    const beside = await judge(
      tokenCreate,
      ctx({ findTokens: () => Promise.resolve([old, orphan("t-1"), after]) }),
    );
    expect(beside).toMatchObject({ kind: "delete-orphan", token: orphan("t-1") });
    expect(beside.note).toContain("t-2025, created 2025-03-04T08:00:00Z; t-late, created");
    const undated = await judge(
      tokenCreate,
      ctx({ findTokens: () => Promise.resolve([{ ...orphan("t-x"), createdAt: undefined }]) }),
    );
    expect(undated).toMatchObject({ kind: "clear", note: contains("t-x, created ?") });
  });

  it("without a window (no lock left, or none checked), an unrecorded token goes to a person", async () => {
    const v = await judge(
      tokenCreate,
      ctx({
        findTokens: () => Promise.resolve([orphan("t-1")]),
        tokenWindow: { why: "no lock is left, so when the interrupted deploy started is unknown" },
      }),
    );
    expect(v).toMatchObject({
      kind: "person",
      why: contains(
        "no window to tell the interrupted create's from someone else's: no lock is left",
      ),
    });
    const none = await judge(tokenCreate, ctx({ tokenWindow: { why: "not checked" } }));
    expect(none.kind).toBe("clear");
  });

  it("a failed search or a name not in plain text: a person looks", async () => {
    const failed = await judge(
      tokenCreate,
      ctx({ findTokens: () => Promise.reject(new Error("HTTP 403")) }),
    );
    expect(failed).toMatchObject({
      kind: "person",
      why: contains("the orphan search failed: HTTP 403"),
    });
    const secretName = await judge(
      { ...tokenCreate, inputs: { accountId: ACCOUNT, name: { [SECRET_MARK]: "x" } } },
      ctx(),
    );
    expect(secretName).toMatchObject({
      kind: "person",
      why: contains("not in plain text"),
    });
  });

  it("any other create (an Access policy, a Sentry alert): a person adopts or deletes the object", async () => {
    const v = await judge(
      { ...tokenCreate, type: "sentry:index/sentryIssueAlert:SentryIssueAlert" },
      ctx(),
    );
    expect(v).toMatchObject({
      kind: "person",
      todo: contains(`--import-pending-creates '${tokenCreate.urn}' <id>`),
    });
  });
});

describe("judge: other pending operations", () => {
  const rotation: PendingOperation = {
    ...tokenCreate,
    kind: "updating",
    inputs: { ...tokenCreate.inputs, clientSecretVersion: 2 },
  };
  const recorded = (version?: number) => [
    {
      urn: rotation.urn,
      type: TOKEN_TYPE,
      id: "t-1",
      inputs: {},
      outputs: version === undefined ? {} : { clientSecretVersion: version },
    },
  ];

  it("an interrupted rotation needs a person: renew", async () => {
    const v = await judge(rotation, ctx({ resources: recorded(1) }));
    expect(v).toMatchObject({
      kind: "person",
      why: contains("an interrupted rotation"),
    });
    expect(v.kind === "person" && v.todo).toContain(
      "pulumi config set --path 'gates.tickets.serviceTokenGeneration' <current + 1>",
    );
    // A state without a version is at the provider's default, 1.
    expect((await judge(rotation, ctx({ resources: recorded() }))).kind).toBe("person");
    expect(
      (await judge(rotation, ctx({ resources: recorded(1), currentTokenResources: undefined })))
        .kind,
    ).toBe("person");
  });

  it("superseded once the stack config renews the token", async () => {
    const v = await judge(
      rotation,
      ctx({ resources: recorded(1), currentTokenResources: ["tickets-service-token-g2"] }),
    );
    expect(v).toMatchObject({ kind: "nothing", why: contains("superseded") });
  });

  it("judges each gate's token against its own gate: another gate's renewal does not supersede it", async () => {
    const renewedElsewhere = ctx({
      resources: recorded(1),
      currentTokenResources: ["tickets-service-token", "metrics-service-token-g2"],
    });
    expect((await judge(rotation, renewedElsewhere)).kind).toBe("person");
    const metricsRotation = {
      ...rotation,
      name: "metrics-service-token",
      urn: rotation.urn.replace(/tickets-service-token$/, "metrics-service-token"),
    };
    const v = await judge(metricsRotation, {
      ...renewedElsewhere,
      resources: renewedElsewhere.resources.map((r) => ({ ...r, urn: metricsRotation.urn })),
    });
    expect(v).toMatchObject({
      kind: "nothing",
      why: contains("renews gate metrics's token (current generation: metrics-service-token-g2)"),
    });
  });

  it("a token update that keeps the version, an update or a delete of anything else: nothing to do", async () => {
    expect((await judge(rotation, ctx({ resources: recorded(2) }))).kind).toBe("nothing");
    expect((await judge({ ...rotation, inputs: {} }, ctx())).kind).toBe("nothing");
    const resources = [recordedVars("console-prerequisites", varsCreate.inputs["keys"])];
    const del = await judge({ ...varsCreate, kind: "deleting" }, ctx({ resources }));
    expect(del).toEqual({
      kind: "nothing",
      why: "a delete whose outcome is unknown, every flag of it recorded by state: the engine drops it at its next write, and up --refresh reads the recorded keys before planning",
    });
    expect((await judge({ ...varsCreate, kind: "updating" }, ctx({ resources }))).why).toMatch(
      /^an update whose/,
    );
    expect((await judge({ ...varsCreate, kind: "reading" }, ctx({ resources }))).why).toMatch(
      /^an operation whose/,
    );
    expect((await judge({ ...tokenCreate, type: VAULT, kind: "updating" }, ctx())).why).toMatch(
      /^an update whose outcome is unknown: the engine drops it/,
    );
  });
});

// Issue 25, finding 1: a flag an interrupted PATCH wrote that no resource records is never read
// again (the provider's read covers recorded keys only), so recover switches it off.
describe("judge: a config-vars operation's keys against state", () => {
  const FLAG = "FLAG_CONSOLE_INVESTIGATE";
  const flagsUpdate: PendingOperation = {
    kind: "updating",
    urn: urn(HEROKU, "console-flags", "console-wiring:heroku:ConsoleConfig"),
    type: HEROKU,
    name: "console-flags",
    inputs: {
      app: "raxx-console-prod",
      keys: [FLAG, "FLAG_X"],
      vars: { [FLAG]: "1", FLAG_X: "1" },
      requires: { [FLAG]: ["FREESCOUT_API_KEY"], FLAG_X: ["X_API_KEY"] },
    },
  };
  const state = [
    recordedVars("console-prerequisites", ["FREESCOUT_API_KEY", "X_API_KEY"]),
    recordedVars("console-flags", [FLAG]),
  ];

  it("an update that wrote a flag no resource records: switch it off, then the engine drops it", async () => {
    const v = await judge(flagsUpdate, ctx({ resources: state }));
    expect(v).toEqual({
      kind: "switch-off",
      app: "raxx-console-prod",
      flags: ["FLAG_X"],
      then: "nothing",
      why: "FLAG_X may be on at raxx-console-prod, written by the interrupted updating and recorded by no resource: a refresh reads only recorded keys, so nothing would ever switch them off, even once their vars are gone",
    });
  });

  it("a flag is a catalog flag or one the operation's requires names", async () => {
    const catalogOnly = await judge(
      { ...flagsUpdate, inputs: { ...flagsUpdate.inputs, requires: {} } },
      ctx({ resources: state, catalogFlags: ["FLAG_X"] }),
    );
    expect(catalogOnly).toMatchObject({ kind: "switch-off", flags: ["FLAG_X"] });
    const neither = await judge(
      { ...flagsUpdate, inputs: { ...flagsUpdate.inputs, requires: {} } },
      ctx({ resources: state }),
    );
    expect(neither).toMatchObject({
      kind: "nothing",
      note: "not recorded by state, left as they are on the app: FLAG_X (remove them by hand once nothing on the app uses them; the stack will not)",
    });
  });

  it("a create that wrote flags: switch them off, then clear", async () => {
    const v = await judge({ ...flagsUpdate, kind: "creating" }, ctx({ resources: [] }));
    expect(v).toMatchObject({ kind: "switch-off", flags: [FLAG, "FLAG_X"], then: "clear" });
  });

  it("keys recorded by any resource on the app are state's; other apps' do not count", async () => {
    const moved = await judge(
      flagsUpdate,
      ctx({ resources: [...state, recordedVars("console-other", ["FLAG_X"])] }),
    );
    expect(moved.kind).toBe("nothing");
    const elsewhere = await judge(
      flagsUpdate,
      ctx({
        resources: [
          ...state,
          {
            ...recordedVars("x", ["FLAG_X"]),
            inputs: { app: "other" },
            outputs: { app: "other", keys: ["FLAG_X"] },
          },
        ],
      }),
    );
    expect(elsewhere.kind).toBe("switch-off");
  });

  it("other unrecorded keys are reported, not touched", async () => {
    const prereq = await judge(
      {
        ...flagsUpdate,
        name: "console-prerequisites",
        inputs: { app: "raxx-console-prod", keys: ["FREESCOUT_API_KEY", "Y_API_KEY"] },
      },
      ctx({ resources: state }),
    );
    expect(prereq).toMatchObject({
      kind: "nothing",
      note: contains("left as they are on the app: Y_API_KEY"),
    });
  });

  it("an app or keys not in plain text, with a flag possibly on: a person looks", async () => {
    const secretApp = await judge(
      { ...flagsUpdate, inputs: { ...flagsUpdate.inputs, app: { [SECRET_MARK]: "x" } } },
      ctx({ resources: state }),
    );
    expect(secretApp).toMatchObject({
      kind: "person",
      why: contains("whose app is not in plain text"),
    });
    const secretKeys = await judge(
      { ...flagsUpdate, inputs: { ...flagsUpdate.inputs, keys: { [SECRET_MARK]: "x" } } },
      ctx({ resources: state }),
    );
    expect(secretKeys).toMatchObject({
      kind: "person",
      why: contains("whose keys are not in plain text"),
    });
  });
});

describe("locks", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "recover-locks-"));
  });
  const lock = (file: string, timestamp: string) =>
    writeFileSync(
      join(dir, file),
      JSON.stringify({ pid: 7, username: "runner", hostname: "gh-1", timestamp }),
    );

  it("finds a file backend's lock directory; none for other backends", () => {
    expect(lockDirOf("file:///var/state?no_tmp_dir=true", "console-wiring", "prod")).toBe(
      "/var/state/.pulumi/locks/organization/console-wiring/prod",
    );
    expect(lockDirOf("s3://bucket/x", "console-wiring", "prod")).toBeUndefined();
    expect(lockDirOf(undefined, "console-wiring", "prod")).toBeUndefined();
  });

  it("reads the lock files (not their .attrs), with who and when", () => {
    lock("a.json", "2026-12-01T10:00:00.123456789Z");
    writeFileSync(join(dir, "a.json.attrs"), "{}");
    writeFileSync(join(dir, "b.json"), "not json");
    expect(readLocks(dir)).toEqual([
      { file: "a.json", takenAt: new Date("2026-12-01T10:00:00.123Z"), by: "runner@gh-1 (pid 7)" },
      { file: "b.json", takenAt: undefined, by: "?@? (pid ?)" },
    ]);
    expect(readLocks(join(dir, "missing"))).toEqual([]);
  });

  it("is stale only when every lock was taken before this deploy started", () => {
    const old = { file: "a.json", takenAt: new Date("2026-12-01T10:00:00Z"), by: "x" };
    const start = new Date("2026-12-01T11:00:00Z");
    expect(judgeLocks([], start)).toEqual({ kind: "none" });
    expect(judgeLocks([old], start)).toEqual({ kind: "stale", locks: [old] });
    const now = { ...old, file: "b.json", takenAt: start };
    expect(judgeLocks([old, now], start)).toMatchObject({
      kind: "person",
      why: contains("taken after this deploy started (2026-12-01T11:00:00.000Z)"),
    });
    expect(judgeLocks([old], undefined)).toMatchObject({
      kind: "person",
      why: contains("pass --deploy-started-at"),
    });
    expect(judgeLocks([{ ...old, takenAt: undefined }], start)).toMatchObject({
      kind: "person",
      why: "a.json: no readable time, so its age is unknown",
    });
  });
});

describe("runRecover", () => {
  let lockDir: string;
  let calls: string[];
  let deps: RecoverDeps;
  let tokens: ServiceToken[];
  const removed: string[] = [];

  beforeEach(() => {
    lockDir = mkdtempSync(join(tmpdir(), "recover-run-"));
    calls = [];
    tokens = [orphan("t-9")];
    removed.length = 0;
    deps = {
      pulumi: (args) => {
        calls.push(args.join(" "));
        return 0;
      },
      cloudflare: () => ({
        list: () => Promise.resolve(tokens),
        remove: (_a, id) => {
          calls.push(`delete ${id}`);
          removed.push(id);
          return Promise.resolve();
        },
      }),
      currentTokenResources: () => Promise.resolve(["tickets-service-token"]),
    };
    writeFileSync(
      join(lockDir, "l.json"),
      JSON.stringify({ pid: 1, username: "u", hostname: "h", timestamp: "2026-12-01T10:00:00Z" }),
    );
  });

  const options = (pending: PendingOperation[], apply: boolean) => ({
    stack: "prod",
    state: { pending, resources: [] },
    lockDir,
    deployStartedAt: new Date("2026-12-01T11:00:00Z"),
    apply,
  });

  it("without --apply: reports, changes nothing, exits 1 when there is something to apply", async () => {
    const r = await runRecover(options([tokenCreate, varsCreate], false), deps);
    expect(r.exitCode).toBe(1);
    expect(calls).toEqual([]);
    expect(r.output).toContain(
      "lock: l.json by u@h (pid 1) at 2026-12-01T10:00:00.000Z: taken before this deploy started, by a deploy that has ended: stale → pulumi cancel",
    );
    expect(r.output).toContain(
      'pending operations (2):\n  creating tickets-service-token (Access service token "console-investigate-tickets")\n    safe → delete the orphan, then clear: token t-9',
    );
    expect(r.output).toContain(
      "  creating console-prerequisites (Heroku config vars FREESCOUT_API_KEY, FREESCOUT_API_URL on raxx-console-prod)\n    safe → clear (pulumi refresh --clear-pending-creates): idempotent",
    );
    expect(r.output).toMatch(/Result: safe actions to apply \(run with --apply\)$/);
    expect(r.output).not.toContain(SENTINEL);
  });

  it("--apply: cancels the stale lock, deletes the orphan, then clears the creates with one refresh", async () => {
    const r = await runRecover(options([tokenCreate, varsCreate], true), deps);
    expect(calls).toEqual([
      "cancel --yes --stack prod",
      "delete t-9",
      "refresh --yes --skip-preview --clear-pending-creates --suppress-outputs --stack prod",
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain(
      "  pulumi refresh --clear-pending-creates: 2 pending create(s) cleared, state read from the live systems",
    );
    expect(r.output).toMatch(/Result: nothing stands in the deploy's way$/);
  });

  it("leaves every create alone when one needs a person (clearing drops them all), and exits 1", async () => {
    tokens = [orphan("t-1"), orphan("t-2")];
    const r = await runRecover(options([tokenCreate, varsCreate], true), deps);
    expect(calls).toEqual(["cancel --yes --stack prod"]);
    expect(r.output).toContain("pending creates left as they are: one of them needs a person");
    expect(r.exitCode).toBe(1);
  });

  it("nothing pending and no lock: exits 0 with nothing to apply", async () => {
    const r = await runRecover({ ...options([], true), lockDir: join(lockDir, "none") }, deps);
    expect(r).toEqual({
      exitCode: 0,
      output:
        "console-wiring recover: stack prod\nlock: none\npending operations: none\napplying:\n  nothing to apply\nResult: nothing stands in the deploy's way",
    });
    expect(calls).toEqual([]);
  });

  it("a lock that is not stale is never cancelled, and a lock not checked is said so", async () => {
    const r = await runRecover(
      { ...options([], true), deployStartedAt: new Date("2026-12-01T09:00:00Z") },
      deps,
    );
    expect(calls).toEqual([]);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain(
      "not a deploy's, so something else is writing the stack now; not cleared",
    );
    const unchecked = await runRecover({ ...options([], false), lockDir: undefined }, deps);
    expect(unchecked.output).toContain("lock: not checked (pass --locks");
    expect(unchecked.exitCode).toBe(0);
  });

  // Issue 25, finding 3: another writer's lock, or none checked at all, and --apply still
  // deleted a token and cleared the creates.
  it("--apply performs nothing unless the lock is none or stale, and says so", async () => {
    const busy = await runRecover(
      {
        ...options([tokenCreate, varsCreate], true),
        deployStartedAt: new Date("2026-12-01T09:30:00Z"),
      },
      deps,
    );
    expect(calls).toEqual([]);
    expect(removed).toEqual([]);
    expect(busy.exitCode).toBe(1);
    expect(busy.output).toContain(
      "applying: nothing: --apply acts only when the lock was checked and is none or stale (not stale)",
    );
    const unchecked = await runRecover(
      { ...options([tokenCreate, varsCreate], true), lockDir: undefined },
      deps,
    );
    expect(calls).toEqual([]);
    expect(unchecked.exitCode).toBe(1);
    expect(unchecked.output).toContain(
      "applying: nothing: --apply acts only when the lock was checked and is none or stale (not checked: pass --locks <a copy of the stack's lock directory>)",
    );
    expect(unchecked.output).toMatch(/Result: a person must act/);
  });

  describe("switching off unrecorded flags", () => {
    const flagsUpdate: PendingOperation = {
      kind: "updating",
      urn: urn(HEROKU, "console-flags", "console-wiring:heroku:ConsoleConfig"),
      type: HEROKU,
      name: "console-flags",
      inputs: { app: "raxx-console-prod", keys: ["FLAG_X"], requires: { FLAG_X: ["X_API_KEY"] } },
    };
    let app: Record<string, string>;
    let herokuCalls: string[];
    const heroku = () => ({
      get: (name: string) => {
        herokuCalls.push(`GET ${name}`);
        return Promise.resolve({ ...app });
      },
      patch: (name: string, patch: Record<string, string | null>) => {
        herokuCalls.push(`PATCH ${name} ${JSON.stringify(patch)}`);
        for (const [k, v] of Object.entries(patch)) {
          if (v === null) delete app[k];
          else app[k] = v;
        }
        return Promise.resolve({ ...app });
      },
    });
    beforeEach(() => {
      app = { FLAG_X: "1", OTHER: SENTINEL };
      herokuCalls = [];
    });

    it("without --apply: says what it would switch off, touches nothing, exits 1", async () => {
      const r = await runRecover(options([flagsUpdate], false), { ...deps, heroku });
      expect(r.exitCode).toBe(1);
      expect(herokuCalls).toEqual([]);
      expect(r.output).toContain(
        "  updating console-flags (Heroku config vars FLAG_X on raxx-console-prod)\n    safe → switch FLAG_X off at the app (the engine drops the operation at its next write): FLAG_X may be on",
      );
    });

    it("--apply: removes the flag at the app (one PATCH to null) before any create is cleared", async () => {
      const r = await runRecover(options([flagsUpdate, varsCreate], true), {
        ...deps,
        heroku,
        pulumi: (args) => {
          calls.push(args.join(" "));
          herokuCalls.push(`pulumi ${args[0]}`);
          return 0;
        },
      });
      expect(herokuCalls).toEqual([
        "pulumi cancel",
        "GET raxx-console-prod",
        'PATCH raxx-console-prod {"FLAG_X":null}',
        "pulumi refresh",
      ]);
      expect(app).toEqual({ OTHER: SENTINEL });
      expect(r.output).toContain("  switched off FLAG_X on raxx-console-prod (removed: one PATCH)");
      expect(r.output).not.toContain(SENTINEL);
      expect(r.exitCode).toBe(0);
    });

    it("an unreadable catalog is said, and the operation's requires still names the flag", async () => {
      const r = await runRecover(options([flagsUpdate], true), {
        ...deps,
        heroku,
        catalogFlags: () => {
          throw new Error("console-wiring: the feature files have 1 problem\n  - x");
        },
      });
      expect(r.output).toContain(
        "catalog: unreadable (console-wiring: the feature files have 1 problem): flags are known only by each operation's requires",
      );
      expect(app).toEqual({ OTHER: SENTINEL });
    });

    it("already off: nothing sent; a PATCH whose answer still has it on fails", async () => {
      app = { FLAG_X: "0" };
      const off = await runRecover(options([flagsUpdate], true), { ...deps, heroku });
      expect(herokuCalls).toEqual(["GET raxx-console-prod"]);
      expect(off.output).toContain("FLAG_X already off on raxx-console-prod: nothing sent");
      expect(off.exitCode).toBe(0);
      const stuck = await runRecover(options([flagsUpdate], true), {
        ...deps,
        heroku: () => ({
          get: () => Promise.resolve({ FLAG_X: "1" }),
          patch: () => Promise.resolve({ FLAG_X: "1" }),
        }),
      });
      expect(stuck.exitCode).toBe(1);
      expect(stuck.output).toMatch(
        /switching off FLAG_X on raxx-console-prod failed: the app's config after the PATCH still has FLAG_X on$/,
      );
    });
  });

  it("stops at the first failed step, saying which", async () => {
    const cancelFails = await runRecover(options([varsCreate], true), {
      ...deps,
      pulumi: () => 255,
    });
    expect(cancelFails.exitCode).toBe(1);
    expect(cancelFails.output).toMatch(/pulumi cancel: failed \(exit 255\)$/);
    const refreshFails = await runRecover(
      { ...options([varsCreate], true), lockDir: join(lockDir, "none") },
      { ...deps, pulumi: () => 3 },
    );
    expect(refreshFails.output).toMatch(
      /pulumi refresh --clear-pending-creates: failed \(exit 3\)$/,
    );
    const deleteFails = await runRecover(options([tokenCreate], true), {
      ...deps,
      cloudflare: () => ({
        list: () => Promise.resolve(tokens),
        remove: () => Promise.reject(new Error("HTTP 403")),
      }),
    });
    expect(deleteFails.output).toMatch(/deleting service token t-9 failed: HTTP 403$/);
    expect(deleteFails.exitCode).toBe(1);
  });

  it("a pending delete needs nothing; an interrupted rotation stops the deploy", async () => {
    const del = await runRecover(
      { ...options([{ ...varsCreate, kind: "deleting" }], true), lockDir: join(lockDir, "none") },
      deps,
    );
    expect(del.exitCode).toBe(0);
    expect(calls).toEqual([]);
    const rot = await runRecover(
      {
        ...options(
          [{ ...tokenCreate, kind: "updating", inputs: { clientSecretVersion: 2 } }],
          true,
        ),
        lockDir: join(lockDir, "none"),
      },
      deps,
    );
    expect(rot.exitCode).toBe(1);
    expect(rot.output).toMatch(
      /Result: a person must act \(above\); the deploy must not go on until then$/,
    );
  });
});

describe("main", () => {
  let out: string;
  let err: string;
  beforeEach(() => {
    out = "";
    err = "";
    vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  it("refuses bad usage with exit 2 and the usage line", async () => {
    expect(await main([])).toBe(2);
    expect(err).toContain("--state is required\nusage: npm run recover");
    expect(await main(["--state", "x", "--stack", "a b"])).toBe(2);
    expect(await main(["--state", "x", "--deploy-started-at", "yesterday"])).toBe(2);
    expect(err).toContain("--deploy-started-at must be an RFC 3339 time");
    expect(await main(["--bogus"])).toBe(2);
    expect(await main(["--state", "/no/such/file.json"])).toBe(2);
    expect(err).toContain("/no/such/file.json cannot be read");
    expect(await main(["--help"])).toBe(0);
    expect(out).toContain("usage: npm run recover");
  });

  it("reads a state file and reports (nothing pending, lock not checked)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recover-main-"));
    const file = join(dir, "state.json");
    writeFileSync(file, JSON.stringify({ version: 3, deployment: { resources: [] } }));
    vi.stubEnv("PULUMI_BACKEND_URL", "");
    expect(await main(["--state", file, "--deploy-started-at", "2026-12-01T11:00:00Z"])).toBe(0);
    expect(out).toContain("console-wiring recover: stack prod\nlock: not checked");
    vi.unstubAllEnvs();
  });
});

describe("the Cloudflare calls", () => {
  let api: FakeCloudflareApi;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "recover-cf-"));
    mkdirSync(dir, { recursive: true });
    const token = (name: string) => ({
      type: TOKEN_TYPE,
      inputs: { accountId: ACCOUNT, name },
      computed: { clientSecret: SENTINEL },
    });
    writeFileSync(
      join(dir, "cloudflare.json"),
      JSON.stringify({
        objects: {
          a: token("console-investigate-tickets"),
          b: token("console-investigate-tickets-g2"),
        },
        secrets: {},
      }),
    );
    writeFileSync(
      join(dir, "cloudflare.log.jsonl"),
      JSON.stringify({ op: "create", id: "a", at: Date.parse("2026-12-01T10:00:00Z") }) + "\n",
    );
    api = new FakeCloudflareApi(dir, "cf-api-token-for-tests");
  });
  afterEach(() => api.stop());

  it("lists the tokens of exactly that name (no secret kept) and deletes one", async () => {
    const client = cloudflareFromEnv({
      CLOUDFLARE_API_TOKEN: "cf-api-token-for-tests",
      CLOUDFLARE_API_URL: await api.start(),
    });
    const found = await client.list(ACCOUNT, "console-investigate-tickets");
    expect(found).toEqual([
      { id: "a", name: "console-investigate-tickets", createdAt: "2026-12-01T10:00:00.000Z" },
    ]);
    expect(JSON.stringify(found)).not.toContain(SENTINEL);
    await client.remove(ACCOUNT, "a");
    expect(await client.list(ACCOUNT, "console-investigate-tickets")).toEqual([]);
    await expect(client.remove(ACCOUNT, "a")).rejects.toThrow(
      `Cloudflare API DELETE /accounts/${ACCOUNT}/access/service_tokens/a failed: HTTP 404: access.api.error.service_token_not_found`,
    );
  });

  it("says what failed on a refused token, and never shows the token", async () => {
    const client = cloudflareFromEnv({
      CLOUDFLARE_API_TOKEN: "wrong-token-value",
      CLOUDFLARE_API_URL: await api.start(),
    });
    await expect(client.list(ACCOUNT, "x")).rejects.toThrow(
      /failed: HTTP 403: Authentication error$/,
    );
  });

  it("needs CLOUDFLARE_API_TOKEN, and https except on loopback", () => {
    expect(() => cloudflareFromEnv({})).toThrow("CLOUDFLARE_API_TOKEN is not set");
    expect(() =>
      cloudflareFromEnv({ CLOUDFLARE_API_TOKEN: "t", CLOUDFLARE_API_URL: "http://example.com" }),
    ).toThrow("CLOUDFLARE_API_URL must use https://");
    expect(() => cloudflareFromEnv({ CLOUDFLARE_API_TOKEN: "t" })).not.toThrow();
  });

  it("names a connection failure", async () => {
    const client = cloudflareFromEnv({
      CLOUDFLARE_API_TOKEN: "t",
      CLOUDFLARE_API_URL: "http://127.0.0.1:9",
    });
    await expect(client.list(ACCOUNT, "x")).rejects.toThrow(
      /^Cloudflare API GET \/accounts\/.* failed: TypeError$/,
    );
  });
});
