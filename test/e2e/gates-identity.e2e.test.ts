/**
 * Prod keeps every resource identity across the change to per-gate config (issue 24, item 1):
 * a stack deployed by the previous main's program (commit eaec50d, one gate, TicketsAccess,
 * console-prerequisites + console-flags) with prod's stack file of that commit, then previewed by
 * this program with prod's stack file of now, on the same state, under the real CLI. The preview
 * may update and create (the gate's token vars move to console-tickets-prerequisites, never
 * deleted on the way), but plans no replace and no delete: the AccessGate alias keeps `tickets`
 * and its children, the first feature's flags take over console-flags by alias, and the Vault
 * secret keeps its name. Then the up: the app's vars are the same before and after, and the
 * Heroku releases it cost are counted.
 *
 * `CONSOLE_WIRING_CLI_CACHE=/work/cli-cache npx vitest run --config vitest.e2e.config.mts test/e2e/gates-identity.e2e.test.ts`
 */
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { unrelatedVars } from "../support/fake-heroku";
import { e2eSuite, REPO, stackConfig, text, Workspace } from "./harness";

/** The previous main: the last commit before per-gate config. */
const PREVIOUS_MAIN = "eaec50d";
const APP = "raxx-console-prod";
const STACK = "e2e-gates-identity";
const FS_KEY = "e2e-freescout-key-sentinel-gates-identity-7b3c";
const PROGRAM_FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "infra"];
/** Engine step ops that would lose an identity. */
const LOSING = [
  "delete",
  "replace",
  "create-replacement",
  "delete-replaced",
  "import-replacement",
  "discard",
  "remove-pending-replace",
];

const suite = e2eSuite();
const heroku = suite.heroku;

/** Replaces the workspace's program with `commit`'s (or, with no commit, this checkout's). */
function useProgram(ws: Workspace, commit?: string): void {
  for (const f of PROGRAM_FILES) rmSync(join(ws.project, f), { recursive: true, force: true });
  if (commit) {
    const tar = execFileSync("git", ["-C", REPO, "archive", commit, ...PROGRAM_FILES]);
    execFileSync("tar", ["-x", "-C", ws.project], { input: tar });
  } else {
    for (const f of PROGRAM_FILES) cpSync(join(REPO, f), join(ws.project, f), { recursive: true });
  }
}

/** Writes prod's stack file (of `commit`, or of this checkout) as the workspace stack's. */
function useProdStackFile(ws: Workspace, commit?: string): void {
  const file = join(ws.project, `Pulumi.${STACK}.yaml`);
  const salt = /^encryptionsalt: .*$/m.exec(readFileSync(file, "utf8"))?.[0] ?? "";
  const prod = commit
    ? execFileSync("git", ["-C", REPO, "show", `${commit}:Pulumi.prod.yaml`], { encoding: "utf8" })
    : readFileSync(join(REPO, "Pulumi.prod.yaml"), "utf8");
  writeFileSync(file, `${salt}\n${prod}`);
}

interface Step {
  readonly op: string;
  readonly urn: string;
}

describe.sequential("prod's resource identities across the per-gate change", () => {
  let ws: Workspace;
  let deployed: string[] = [];

  beforeAll(async () => {
    heroku.apps.set(APP, unrelatedVars());
    ws = await suite.workspace({ stack: STACK, config: stackConfig(APP) });
    await ws.vault.seed({
      "MooseQuest/freescout": { FREESCOUT_API_KEY: FS_KEY, FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
      // Prod adopts the existing secret (adoptVaultCloudflareSecret: true then).
      "MooseQuest/cloudflare": {
        CF_ACCESS_SVC_TICKETS_CLIENT_ID: "",
        CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "",
      },
    });
    useProgram(ws, PREVIOUS_MAIN);
    useProdStackFile(ws, PREVIOUS_MAIN);
    // The previous main's own pack is not what this test checks: the identities are.
    const up = await ws.exec("pulumi", ["up", "--yes", "--non-interactive"]);
    expect(up.code, text(up)).toBe(0);
    const state = await ws.exec("pulumi", ["stack", "export", "--non-interactive"]);
    deployed = (
      JSON.parse(state.stdout) as { deployment: { resources?: { urn: string }[] } }
    ).deployment.resources!.map((r) => r.urn);
    expect(
      deployed.some((u) => u.endsWith("console-wiring:cloudflare:TicketsAccess::tickets")),
    ).toBe(true);
    expect(deployed.some((u) => u.endsWith("::console-flags"))).toBe(true);
  }, 900_000);

  it("previews this program on that state with no replace and no delete", async () => {
    useProgram(ws);
    useProdStackFile(ws);
    const preview = await ws.exec("pulumi", ["preview", "--json", "--non-interactive"]);
    expect(preview.code, text(preview)).toBe(0);
    const steps = (JSON.parse(preview.stdout) as { steps: Step[] }).steps;
    const losing = steps.filter((s) => LOSING.includes(s.op));
    expect(losing, JSON.stringify(losing, null, 2)).toEqual([]);
    // Only the new resource is created: every other step keeps a URN the state has (or an alias).
    expect(steps.filter((s) => s.op === "create").map((s) => s.urn.split("::").pop())).toEqual([
      "console-tickets-prerequisites",
    ]);
    // `preview --json` lists a step only for what changes: a resource it leaves out is "same".
    const opOf = (name: string) => steps.find((s) => s.urn.endsWith(`::${name}`))?.op ?? "same";
    // The objects prod cannot lose keep their state: same, or an update in place.
    for (const name of [
      "tickets",
      "tickets-service-token",
      "tickets-policy",
      "tickets-application",
      "vault-cloudflare",
      "console-prerequisites",
      "console-investigate-flags",
    ])
      expect(["same", "update"], `${name}: ${opOf(name)}`).toContain(opOf(name));
    expect(opOf("console-tickets-prerequisites")).toBe("create");
  }, 600_000);

  it("applies it keeping the app's vars, and counts the releases", async () => {
    const before = { ...heroku.apps.get(APP) };
    const patchesBefore = heroku.history.filter((h) => h.app === APP && h.by === "patch").length;
    const up = await ws.exec("pulumi", ["up", "--yes", "--non-interactive"]);
    expect(up.code, text(up)).toBe(0);
    expect(heroku.apps.get(APP)).toEqual(before);
    const releases =
      heroku.history.filter((h) => h.app === APP && h.by === "patch").length - patchesBefore;
    // The token vars' move: their new owner finds the same values on the app (no PATCH needed),
    // and the shared resource's update drops them from its state without deleting them.
    console.log(`gates-identity: releases of the first deploy after the change: ${releases}`);
    expect(releases).toBeLessThanOrEqual(1);
    const again = await ws.exec("pulumi", ["preview", "--expect-no-changes", "--non-interactive"]);
    expect(again.code, text(again)).toBe(0);
    for (const run of ws.runs) expect(text(run)).not.toContain(FS_KEY);
  }, 600_000);
});
