import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultFeaturesDir, loadFeatureCatalog } from "../infra/features/catalog";
import { prerequisiteMap, PREREQUISITES_VAR, type Feature } from "../infra/features/manifest";
import { runCheck } from "../tools/check";
import { configVarsPresent, flagsMatchStack } from "../tools/smoke/links";

// Data-driven: every feature file in test/fixtures/features/ joins the project's catalog and is
// run through the gate, the program, the policies, the prerequisite map and the smoke links,
// from what its file declares. A fixture added there is tested without editing this file.
const FIXTURES = join(__dirname, "fixtures", "features");
const REPO = join(__dirname, "..");
const fixtureIds = readdirSync(FIXTURES)
  .filter((n) => n.endsWith(".json"))
  .map((n) => n.replace(/\.json$/, ""));
const extended = loadFeatureCatalog([defaultFeaturesDir(), FIXTURES]);
const project = loadFeatureCatalog();
const featureOf = (id: string) => extended.find((f) => f.id === id)!;

const MOUNT = "FixtureMount";

/** A project dir holding the real Pulumi.yaml and a stack file that selects only `feature`. */
function stackFor(feature: Feature): string {
  const dir = mkdtempSync(join(tmpdir(), `feature-${feature.id}-`));
  copyFileSync(join(REPO, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  const lines = [
    "config:",
    "  console-wiring:features:",
    `    ${feature.id}: true`,
    "  console-wiring:herokuApp: raxx-console-fixture",
    `  console-wiring:vaultMount: ${MOUNT}`,
    "  console-wiring:sentryOrganization: raxx",
    "  console-wiring:sentryProject: console-fixture",
    '  console-wiring:sentryOpsTeamId: "7"',
  ];
  for (const v of feature.requires) {
    if (v.source.kind !== "config") continue;
    const value = v.source.format === "https-url" ? "https://fixture.raxx.app" : "fixture-value";
    lines.push(`  console-wiring:${v.source.key}: ${value}`);
  }
  lines.push("  console-wiring:flags:", ...feature.flags.map((f) => `    ${f}: true`));
  writeFileSync(join(dir, "Pulumi.fixture.yaml"), `${lines.join("\n")}\n`);
  return dir;
}

/** Every Vault field the feature reads, present. */
function vaultOf(feature: Feature): Record<string, Record<string, string>> {
  const vault: Record<string, Record<string, string>> = {};
  for (const v of feature.requires) {
    if (v.source.kind !== "vault") continue;
    (vault[`${MOUNT}/${v.source.path}`] ??= {})[v.source.field] = `fixture-${v.name}`;
  }
  return vault;
}

describe("the fixtures join the project's catalog", () => {
  it("finds at least one fixture, and keeps the project's features as they are", () => {
    expect(fixtureIds.length).toBeGreaterThan(0);
    for (const f of project) expect(extended.find((e) => e.id === f.id)).toEqual(f);
  });

  it("leaves prod's plan unchanged: prod does not select the fixtures", async () => {
    const before = await runCheck({ stack: "prod", format: "json", cwd: REPO, features: project });
    const after = await runCheck({ stack: "prod", format: "json", cwd: REPO, features: extended });
    expect(before.exitCode).toBe(0);
    expect(after).toEqual(before);
  });
});

describe.each(fixtureIds)("fixture feature %s, on a stack that selects only it", (id) => {
  const feature = featureOf(id);
  const gated = feature.requires.some((v) => v.source.kind === "service-token");

  it("plans its own resources and keys, and passes every policy", async () => {
    const cwd = stackFor(feature);
    const run = await runCheck({
      stack: "fixture",
      format: "json",
      cwd,
      features: extended,
      vault: vaultOf(feature),
    });
    expect(run.exitCode, run.output).toBe(0);
    const doc = JSON.parse(run.output) as {
      policies: { violations: unknown[] };
      apps: {
        app: string;
        holders: { name: string; keys: { key: string; secret: boolean }[] }[];
      }[];
      graph: { components: { children: { name: string; type: string }[] }[] };
    };
    expect(doc.policies.violations).toEqual([]);
    const resources = doc.graph.components.flatMap((c) => c.children);
    const alerts = resources.filter((r) => r.type === "sentry:SentryIssueAlert");
    expect(alerts.map((r) => r.name).sort()).toEqual(
      (feature.detection ?? []).map((r) => `detection-${r.id}`).sort(),
    );
    // Nothing of any other feature: no Access objects, no Vault secret unless it is gated.
    const types = resources.map((r) => r.type);
    if (!gated) expect(types.filter((t) => /cloudflare|vault/i.test(t))).toEqual([]);
    const holders = doc.apps[0]!.holders;
    const keysOf = (name: string) => holders.find((h) => h.name === name)?.keys ?? [];
    expect(
      keysOf("console-prerequisites")
        .map((k) => k.key)
        .sort(),
    ).toEqual(feature.requires.map((v) => v.name).sort());
    for (const k of keysOf("console-prerequisites"))
      expect(k.secret, k.key).toBe(feature.requires.find((v) => v.name === k.key)!.secret);
    expect(
      keysOf("console-flags")
        .map((k) => k.key)
        .sort(),
    ).toEqual([...feature.flags].sort());
  });

  // A fixture with no Vault prerequisite shows this case as skipped, not as passed.
  const fromVault = feature.requires.find((v) => v.source.kind === "vault");
  it.runIf(fromVault !== undefined)(
    "fails the gate, naming the var and its source, when a Vault field is missing",
    async () => {
      if (fromVault?.source.kind !== "vault") throw new Error("runIf: a Vault prerequisite");
      const vault = vaultOf(feature);
      delete vault[`${MOUNT}/${fromVault.source.path}`]![fromVault.source.field];
      const run = await runCheck({
        stack: "fixture",
        format: "text",
        cwd: stackFor(feature),
        features: extended,
        vault,
      });
      expect(run.exitCode).toBe(1);
      expect(run.output).toContain(fromVault.name);
      expect(run.output).toContain(fromVault.source.path);
      expect(run.output).not.toContain(`fixture-${fromVault.name}`);
    },
  );

  it("gets its own entry in the prerequisite map, with its startup-check logger and message", () => {
    const map = prerequisiteMap(extended);
    for (const flag of feature.flags) {
      expect(map[flag]).toEqual({
        requires: feature.requires
          .map((v) => v.name)
          .filter((n) => n !== PREREQUISITES_VAR)
          .sort(),
        ...feature.startupCheck,
      });
    }
    expect(feature.requires.map((v) => v.name)).toContain(PREREQUISITES_VAR);
  });

  it("is checked by the smoke check's generic links", () => {
    const all = Object.fromEntries(feature.requires.map((v) => [v.name, "set"]));
    const on = Object.fromEntries(feature.flags.map((f) => [f, "1"]));
    const wanted = Object.fromEntries(feature.flags.map((f) => [f, true]));
    expect(configVarsPresent({ ...all, ...on }, extended).status).toBe("pass");
    expect(flagsMatchStack({ ...all, ...on }, wanted, extended).status).toBe("pass");
    const missing = feature.requires[0]!.name;
    const { [missing]: _dropped, ...rest } = all;
    const broken = configVarsPresent({ ...rest, ...on }, extended);
    expect(broken.status).toBe("fail");
    expect(broken.detail).toContain(missing);
    expect(flagsMatchStack({ ...all }, wanted, extended).status).toBe("fail");
  });
});
