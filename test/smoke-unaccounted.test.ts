// Issue 25, finding 1: a flag of a catalog feature the stack does not select, on at the app.
// Neither the deploy nor "flags as the stack wants" sees it (both look only at what the stack
// selects and state records), so the smoke check fails on it and the drift report lists it.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defaultFeaturesDir, loadFeatureCatalog } from "../infra/features/catalog";
import { main as driftMain } from "../tools/drift-report";
import { runSmoke } from "../tools/smoke";
import {
  UNACCOUNTED_LINK,
  unaccountedFlags,
  unaccountedFlagsReport,
} from "../tools/smoke/unaccounted-flags";
import { FakeHeroku } from "./support/fake-heroku";
import { investigate } from "./support/investigate";

const HEROKU_TOKEN = "fake-heroku-key-unaccounted-test-0000";
const APP = "raxx-console-prod";
const FLAG_X = "FLAG_CONSOLE_AUDIT_EXPORT";
const SENTINEL = "sentinel-audit-export-token-value";
/** The project's catalog plus the audit-export fixture feature, which prod does not select. */
const extended = loadFeatureCatalog([
  defaultFeaturesDir(),
  join(__dirname, "fixtures", "features"),
]);

/** A project dir with prod's stack file as stack `flags-off`: Investigate selected, no flag on. */
function stackDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "smoke-unaccounted-"));
  copyFileSync(join(__dirname, "..", "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  const prod = readFileSync(join(__dirname, "..", "Pulumi.prod.yaml"), "utf8");
  writeFileSync(
    join(dir, "Pulumi.flags-off.yaml"),
    prod.replace(/ {2}console-wiring:flags:\n(?: {4}.*\n)+/, ""),
  );
  return dir;
}

describe("unaccountedFlags", () => {
  it("fails on a flag of an unselected feature that is on at the app, naming it and the fix", () => {
    const link = unaccountedFlags(
      APP,
      { [FLAG_X]: "1", AUDIT_EXPORT_TOKEN: SENTINEL },
      {},
      [investigate()],
      extended,
    );
    expect(link).toEqual({
      link: UNACCOUNTED_LINK,
      status: "fail",
      detail:
        `on at the app, but the stack does not declare it on: ${FLAG_X} (feature audit-export, not selected). ` +
        "No deploy will switch it off (the stack reads and writes only the keys its state records), and the vars it needs may be gone. " +
        `Fix: switch it off now, heroku config:unset ${FLAG_X} --app ${APP}; ` +
        "if an interrupted deploy wrote it, npm run recover names the operation (docs/runbook.md, When a deploy was interrupted); to keep it on, select its feature in the stack file and deploy.",
    });
  });

  it("passes when such flags are off or absent; says nothing when the stack selects the whole catalog", () => {
    const cases: Record<string, string>[] = [{}, { [FLAG_X]: "0" }, { [FLAG_X]: "false" }];
    // Every fixture feature's flags: prod selects none of them.
    const unselected = extended.filter((f) => f.id !== "investigate").flatMap((f) => f.flags);
    expect(unselected).toContain(FLAG_X);
    for (const vars of cases) {
      expect(unaccountedFlags(APP, vars, {}, [investigate()], extended)).toMatchObject({
        status: "pass",
        detail: `none of the ${unselected.length} flags of features the stack does not select is on at the app`,
      });
    }
    expect(unaccountedFlags(APP, { [FLAG_X]: "1" }, {}, extended, extended)).toBeUndefined();
  });
});

describe("the smoke check and the drift report", () => {
  let heroku: FakeHeroku;
  const saved = { ...process.env };

  beforeEach(async () => {
    heroku = new FakeHeroku(HEROKU_TOKEN);
    process.env["HEROKU_API_URL"] = await heroku.start();
    process.env["HEROKU_API_KEY"] = HEROKU_TOKEN;
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "1";
    heroku.apps.set(APP, { DATABASE_URL: "postgres://db", [FLAG_X]: "1" });
  });

  afterEach(async () => {
    await heroku.stop();
    process.env = { ...saved };
  });

  it("smoke fails on it (and on nothing else here), never printing a value", async () => {
    heroku.apps.set(APP, { DATABASE_URL: "postgres://db", [FLAG_X]: "1", X: SENTINEL });
    const result = await runSmoke({
      stack: "flags-off",
      cwd: stackDir(),
      createTicket: false,
      tokenExpiresAt: "2027-06-19T00:00:00Z",
      now: () => Date.parse("2026-11-29T00:00:00Z"),
      features: extended,
    });
    expect(result.links.find((l) => l.link === UNACCOUNTED_LINK)).toMatchObject({
      status: "fail",
      detail: expect.stringContaining(`heroku config:unset ${FLAG_X} --app ${APP}`) as string,
    });
    expect(result.links.filter((l) => l.status === "fail").map((l) => l.link)).toEqual([
      UNACCOUNTED_LINK,
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.output).not.toContain(SENTINEL);
    heroku.apps.set(APP, { DATABASE_URL: "postgres://db" });
    const clean = await runSmoke({
      stack: "flags-off",
      cwd: stackDir(),
      createTicket: false,
      tokenExpiresAt: "2027-06-19T00:00:00Z",
      now: () => Date.parse("2026-11-29T00:00:00Z"),
      features: extended,
    });
    expect(clean.exitCode).toBe(0);
  });

  it("the drift report's --stack check lists it as drift", async () => {
    const cwd = stackDir();
    expect(await unaccountedFlagsReport("flags-off", { cwd, features: extended })).toEqual({
      exitCode: 1,
      text: expect.stringMatching(
        new RegExp(`^flags at the app \\(${APP}\\): DRIFT: on at the app, .*${FLAG_X}`),
      ) as string,
    });
    heroku.apps.set(APP, {});
    expect(await unaccountedFlagsReport("flags-off", { cwd, features: extended })).toMatchObject({
      exitCode: 0,
    });
  });

  it("drift-report --stack reads the app: an unreadable app is not a clean report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drift-unaccounted-"));
    const preview = join(dir, "clean.json");
    writeFileSync(preview, JSON.stringify({ steps: [{ op: "same" }] }));
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    delete process.env["HEROKU_API_KEY"];
    try {
      expect(await driftMain([preview])).toBe(0);
      expect(await driftMain([preview, "--stack", "prod"])).toBe(1);
      expect(String(out.mock.calls.at(-1)?.[0])).toContain(
        "flags at the app: not checked: reading raxx-console-prod's config vars failed",
      );
    } finally {
      out.mockRestore();
    }
  });
});
