import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultFeaturesDir, loadFeatureCatalog } from "../infra/features/catalog";
import { prerequisiteMap, PREREQUISITES_VAR, type Feature } from "../infra/features/manifest";
import { runCheck } from "../tools/check";
import { checklist, renderText } from "../tools/manifest";
import { configVarsPresent, flagsMatchStack } from "../tools/smoke/links";
import { gateExpiryLinks, runGateProbes } from "../tools/smoke/gates";
import { runFeatureProbes } from "../tools/smoke/probes";
import { FakeTickets } from "./support/fake-tickets";

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

/** The host a fixture's gate gets on the fixture stack (console-wiring:gates.<id>.host). */
const gateHost = (feature: Feature) => `${feature.gate?.id ?? "none"}.fixture.raxx.app`;
/** The Vault path its gate's token is written to (console-wiring:gates.<id>.vaultPath). */
const gateVaultPath = (feature: Feature) => `fixture-${feature.gate?.id ?? "none"}`;

/**
 * A project dir holding the real Pulumi.yaml and a stack file that selects only `feature`; a
 * gated fixture gets its gate's entry in console-wiring:gates (host and Vault path), and the
 * gate's URL vars point at that host.
 */
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
  const gate = feature.gate;
  if (gate)
    lines.push(
      "  console-wiring:cloudflareAccountId: 0123456789abcdef0123456789abcdef",
      "  console-wiring:gates:",
      `    ${gate.id}:`,
      `      host: ${gateHost(feature)}`,
      `      vaultPath: ${gateVaultPath(feature)}`,
    );
  for (const v of feature.requires) {
    if (v.source.kind !== "config") continue;
    const url = gate?.urlVars.includes(v.name)
      ? `https://${gateHost(feature)}`
      : "https://fixture.raxx.app";
    const value = v.source.format === "https-url" ? url : "fixture-value";
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
  const gated = feature.gate !== undefined;

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
      policies: { violations: unknown[]; passed: string[] };
      apps: {
        app: string;
        holders: { name: string; keys: { key: string; secret: boolean; computed: boolean }[] }[];
      }[];
      graph: { components: { children: { name: string; type: string }[] }[] };
    };
    expect(doc.policies.violations).toEqual([]);
    const resources = doc.graph.components.flatMap((c) => c.children);
    const alerts = resources.filter((r) => r.type === "sentry:SentryIssueAlert");
    expect(alerts.map((r) => r.name).sort()).toEqual(
      (feature.detection ?? []).map((r) => `detection-${r.id}`).sort(),
    );
    // Nothing of any other feature: no Access objects, no Vault secret unless it is gated, and
    // then only its own gate's, named for it.
    const accessAndVault = resources.filter((r) => /cloudflare|vault/i.test(r.type));
    if (!gated) expect(accessAndVault).toEqual([]);
    else {
      const g = feature.gate.id;
      expect(accessAndVault.map((r) => r.name).sort()).toEqual(
        [
          `${g}-application`,
          `${g}-policy`,
          `${g}-service-token`,
          `vault-${gateVaultPath(feature).replace(/\//g, "-")}`,
        ].sort(),
      );
      // Its gate's policies ran and passed: checked, not N/A.
      for (const p of [
        "gated-api-requires-service-token",
        "flags-applied-after-access-gate",
        "api-url-on-gated-host",
        "service-auth-returns-401",
      ])
        expect(doc.policies.passed, p).toContain(p);
    }
    // Its vars and its flags, and nothing else, whichever resources hold them.
    const keys = doc.apps[0]!.holders.flatMap((h) => h.keys);
    expect(keys.map((k) => k.key).sort()).toEqual(
      [...feature.requires.map((v) => v.name), ...feature.flags].sort(),
    );
    // A value computed at apply (the token's credentials, in this first preview) is unknown, and
    // an unknown value carries no secret mark the plan can read: secrets-stay-secret holds those.
    for (const k of keys.filter((x) => !feature.flags.includes(x.key) && !x.computed))
      expect(k.secret, k.key).toBe(feature.requires.find((v) => v.name === k.key)!.secret);
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

  it("is listed by the manifest with its vars and, when gated, its own gate", () => {
    const [entry] = checklist([feature]);
    expect(entry!.prerequisites.map((p) => p.name)).toEqual(feature.requires.map((v) => v.name));
    if (!gated) expect(entry!.gate).toBeUndefined();
    else {
      expect(entry!.gate).toMatchObject({
        id: feature.gate.id,
        urlVars: feature.gate.urlVars,
        clientIdVar: feature.gate.clientIdVar,
        clientSecretVar: feature.gate.clientSecretVar,
      });
      expect(renderText([entry!])).toContain(`console-wiring:gates.${feature.gate.id}.host`);
    }
  });

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

  // A gated fixture: its gate's probes run against a local Access stand-in (401 without the
  // token, admitted with it), from the gate file's vars, and its token's expiry is checked.
  it.runIf(gated)("is probed through its own gate by the smoke check", async () => {
    const gate = feature.gate!;
    const creds = { clientId: "fixture-id.access", clientSecret: "fixture-secret" };
    const access = new FakeTickets({ gate: "401", ...creds, apiKey: "k", mailboxes: [1] });
    const base = await access.start();
    try {
      const vars = {
        [gate.urlVars[0]!]: base,
        [gate.clientIdVar]: creds.clientId,
        [gate.clientSecretVar]: creds.clientSecret,
      };
      const ctx = { vars, settings: undefined, http: { timeoutMs: 5000 }, allowLoopback: true };
      const links = await runGateProbes(gate, extended, ctx);
      expect(links.map((l) => [l.link, l.status])).toEqual([
        [`${gate.id} gate refuses without token`, "pass"],
        [`${gate.id} gate admits with token`, "pass"],
      ]);
      const wrong = await runGateProbes(gate, extended, {
        ...ctx,
        vars: { ...vars, [gate.clientSecretVar]: "not-the-secret" },
      });
      expect(wrong[1]!.status).toBe("fail");
      // The probes its own file declares, if any, pass the same gate.
      const own = await runFeatureProbes(feature, { ...ctx, createTicket: false });
      for (const l of own.filter((x) => x.link.startsWith("gate "))) expect(l.status).toBe("pass");
    } finally {
      await access.stop();
    }
    const now = Date.parse("2026-12-01T00:00:00Z");
    const [expiry] = gateExpiryLinks(
      [gate],
      { [gate.id]: { serviceTokenExpiresAt: "2026-12-11T00:00:00Z" } },
      {},
      { now },
    );
    expect(expiry!.status).toBe("fail");
    expect(expiry!.detail).toContain(`gates.${gate.id}.serviceTokenGeneration`);
  });
});
