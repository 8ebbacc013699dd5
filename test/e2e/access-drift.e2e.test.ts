/**
 * An owned Access field dropped at Cloudflare (issue 17, item 6): someone turns the application's
 * 401 switch off in the dashboard. Under the real engine (3.248 built from Go modules) with the
 * stand-in `cloudflare` plugin, whose Read normalizes the API's answer as the provider does
 * (test/e2e/standins/rules/cloudflare-api.ts readState: the API's false for an Optional boolean
 * the state holds as true is read as false) and whose plan plans the configured value back:
 *
 * - a refreshed `preview --diff` shows the change on `serviceAuth401Redirect` and fails
 *   `--expect-no-changes` (what drift.yml runs);
 * - the deploy's `up --refresh` restores it with one update of the application, nothing created,
 *   replaced or deleted; the next refreshed preview has nothing to do.
 *
 * `npx vitest run --config vitest.e2e.config.mts test/e2e/access-drift.e2e.test.ts`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { unrelatedVars } from "../support/fake-heroku";
import { e2eSuite, stackConfig, text, Workspace } from "./harness";

const APP = "raxx-console-access-drift";
const APPLICATION_TYPE = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
const FS_KEY = "e2e-freescout-key-sentinel-access-drift-5d1e";

const config = stackConfig(APP);

const suite = e2eSuite();
const heroku = suite.heroku;

describe.sequential("an owned Access field dropped at Cloudflare", () => {
  let ws: Workspace;
  let appId = "";

  const application = () => ws.standin("cloudflare").objects[appId]!;
  const appLog = () =>
    (ws.standinLog("cloudflare") as { op: string; id?: string; diffs?: object }[]).filter(
      (e) => e.id === appId,
    );

  beforeAll(async () => {
    heroku.apps.set(APP, unrelatedVars());
    ws = await suite.workspace({ stack: "e2e-access-drift", config });
    await ws.vault.seed({
      "MooseQuest/freescout": { FREESCOUT_API_KEY: FS_KEY, FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
    });
    const up = await ws.pulumi(["up", "--yes"]);
    expect(up.code, text(up)).toBe(0);
    const apps = Object.entries(ws.standin("cloudflare").objects).filter(
      ([, o]) => o.type === APPLICATION_TYPE,
    );
    expect(apps).toHaveLength(1);
    appId = apps[0]![0];
    expect(application().inputs["serviceAuth401Redirect"]).toBe(true);
  }, 600_000);

  it("the refreshed preview shows the dropped serviceAuth401Redirect and fails --expect-no-changes", async () => {
    const store = ws.standin("cloudflare");
    store.objects[appId]!.inputs["serviceAuth401Redirect"] = false;
    ws.writeStandin("cloudflare", store);

    const preview = await ws.pulumi(["preview", "--refresh", "--diff", "--expect-no-changes"]);
    expect(preview.code).not.toBe(0);
    expect(text(preview)).toMatch(/~\s+serviceAuth401Redirect\s*:\s*false\s*=>\s*true/);
    expect(
      appLog()
        .filter((e) => "diffs" in e)
        .at(-1),
    ).toMatchObject({
      diffs: { serviceAuth401Redirect: "update" },
    });
    // A preview changes nothing at Cloudflare.
    expect(application().inputs["serviceAuth401Redirect"]).toBe(false);
  }, 300_000);

  it("the deploy's up --refresh restores it with one update, and then there is nothing to do", async () => {
    const before = ws.standinLog("cloudflare").length;
    const up = await ws.pulumi(["up", "--yes", "--refresh"]);
    expect(up.code, text(up)).toBe(0);
    expect(application().inputs["serviceAuth401Redirect"]).toBe(true);
    const writes = ws
      .standinLog("cloudflare")
      .slice(before)
      .filter((e) => ["create", "update", "delete"].includes(e.op));
    expect(writes.map((e) => [e.op, e.id])).toEqual([["update", appId]]);

    const again = await ws.pulumi(["preview", "--refresh", "--expect-no-changes"]);
    expect(again.code, text(again)).toBe(0);
    for (const run of ws.runs) expect(text(run)).not.toContain(FS_KEY);
  }, 300_000);
});
