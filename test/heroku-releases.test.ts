/**
 * What a deploy costs in Heroku releases (each PATCH of an app's config is one release): the
 * program's config-vars resources for prod with Investigate, metrics (its own gate) and billing
 * (no gate), applied through the real provider against the fake Platform API, first as they are
 * created, then as a second deploy that changes two features. The engine calls update only for
 * a resource whose diff has changes, and so does this test. docs/design.md ("Releases per
 * deploy") and the README quote these counts.
 */
import { describe, expect, it } from "vitest";
import {
  configVarsProvider as provider,
  type ConfigVarsInputs,
  type ConfigVarsOutputs,
} from "../infra/heroku/provider";
import { runStack as runProgram } from "../infra/stack";
import { runStack, type Captured, type VaultFixture } from "./support/harness";
import { useFakeHeroku } from "./support/heroku-provider-setup";
import { threeFeatureConfig, threeFeatures } from "./support/second-gate";

const fake = useFakeHeroku();

const VAULT: VaultFixture = {
  "MooseQuest/freescout": { FREESCOUT_API_KEY: "k", FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
  "MooseQuest/cloudflare": {
    CF_ACCESS_SVC_TICKETS_CLIENT_ID: "old.access",
    CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "old-secret",
  },
};

const config = threeFeatureConfig;

/** The config-vars resources the program registers, in registration (dependency) order. */
async function herokuResources(cfg: Record<string, string>): Promise<Captured[]> {
  const run = await runStack({
    config: cfg,
    vault: VAULT,
    preview: false,
    program: async () => ({ ...(await runProgram(threeFeatures())) }),
  });
  if (run.error) throw run.error;
  return run.resources.filter((r) => r.type.endsWith("heroku:ConfigVars"));
}

const inputsOf = (r: Captured) => r.inputs as unknown as ConfigVarsInputs;
const patches = () =>
  fake().history.filter((h) => h.app === "raxx-console-prod" && h.by === "patch").length;

describe("Heroku releases per deploy", () => {
  it("one per changed resource: a deploy that changes two features makes three", async () => {
    fake().apps.set("raxx-console-prod", {});
    const first = await herokuResources(
      config({ FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: true }, "https://billing.raxx.app/v1"),
    );
    const state = new Map<string, { id: string; outs: ConfigVarsOutputs }>();
    for (const r of first) {
      const made = await provider.create(inputsOf(r));
      state.set(r.name, { id: made.id, outs: made.outs as ConfigVarsOutputs });
    }
    // The shared prerequisites, each gate's token vars and Investigate's flags: four releases;
    // a flags resource with no flag on writes nothing.
    const created = patches();
    expect(created).toBe(4);

    // The second deploy: billing's URL changes and its flag goes on, metrics' flag goes on.
    const second = await herokuResources(
      config(
        {
          FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: true,
          FLAG_CONSOLE_METRICS: true,
          FLAG_CONSOLE_BILLING: true,
        },
        "https://billing.raxx.app/v2",
      ),
    );
    // Every resource is told the keys the others own, so a flag going on updates the others'
    // state too; only a resource whose own keys change on the app PATCHes (a release).
    const patched: string[] = [];
    for (const r of second) {
      const old = state.get(r.name)!;
      const diff = await provider.diff!(old.id, old.outs, inputsOf(r));
      if (!diff.changes) continue;
      const before = patches();
      await provider.update!(old.id, old.outs, inputsOf(r));
      if (patches() > before) patched.push(r.name);
    }
    const releases = patches() - created;
    console.log(
      `releases: first deploy ${created}, second deploy ${releases} (${patched.join(", ")})`,
    );
    expect(patched.sort()).toEqual([
      "console-billing-flags",
      "console-metrics-flags",
      "console-prerequisites",
    ]);
    expect(releases).toBe(3);
  });
});
