import { describe, expect, it } from "vitest";
import type { WiringConfig } from "../infra/config";
import {
  detectionProblems,
  formatGateError,
  gateProblems,
  resolveAvailability,
  type GateProblem,
} from "../infra/features/gate";
import { catalog } from "../infra/features/catalog";
import { allRequiredVars, type Feature } from "../infra/features/manifest";

// A parsed stack config (the gate's input), written out: the gate is tested apart from parsing.
const config: WiringConfig = {
  features: catalog(),
  gated: true,
  herokuApp: "raxx-console-prod",
  cloudflareAccountId: "0123456789abcdef0123456789abcdef",
  vaultMount: "MooseQuest",
  gates: {
    tickets: {
      id: "tickets",
      host: "tickets.raxx.app",
      apiPath: "/api",
      vaultPath: "cloudflare",
      allowedHosts: ["tickets.raxx.app"],
      serviceToken: {
        name: "console-investigate-tickets",
        duration: "8760h",
        secretVersion: 0,
        generation: 1,
        expiryWarningDays: 30,
      },
      adopt: { vaultSecret: false },
    },
  },
  manifestValues: {
    freescoutApiUrl: "https://tickets.raxx.app",
    freescoutInstanceUrl: "https://tickets.raxx.app",
  },
  sentry: { organization: "raxx", project: "console", opsTeamId: "42" },
  flags: {
    FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: true,
    FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: true,
  },
};
const FULL = { FREESCOUT_API_KEY: "k", FREESCOUT_OPERATIONS_MAILBOX_ID: "7" };

describe("the feature manifest", () => {
  it("lists Investigate's flags and every var the incident found missing", () => {
    const investigate = catalog().find((f) => f.id === "investigate");
    expect(investigate?.flags).toEqual([
      "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS",
      "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET",
    ]);
    expect(investigate?.requires.map((v) => v.name).sort()).toEqual([
      "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
      "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
      "CONSOLE_FEATURE_PREREQUISITES",
      "FREESCOUT_API_KEY",
      "FREESCOUT_API_URL",
      "FREESCOUT_INSTANCE_URL",
      "FREESCOUT_OPERATIONS_MAILBOX_ID",
    ]);
  });

  it("marks every credential as secret", () => {
    for (const v of allRequiredVars()) {
      if (/_(KEY|SECRET|TOKEN|PASSWORD)$/.test(v.name)) expect(v.secret, v.name).toBe(true);
    }
  });
});

describe("the gate", () => {
  it("passes when every prerequisite resolves", () => {
    const availability = resolveAvailability(allRequiredVars(), config, {
      freescout: { ok: true, data: FULL },
    });
    expect(gateProblems(catalog(), config.flags, availability)).toEqual([]);
  });

  it("ignores missing prerequisites of a feature whose flags are off", () => {
    const availability = resolveAvailability(allRequiredVars(), config, {
      freescout: { ok: true, data: {} },
    });
    expect(
      gateProblems(catalog(), { FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: false }, availability),
    ).toEqual([]);
  });

  it("refuses a flag whose Vault secret's latest version was soft-deleted, and says how to undelete it", () => {
    const availability = resolveAvailability(allRequiredVars(), config, {
      freescout: {
        ok: false,
        notFound: true,
        error: "deleted",
        deleted: { version: 3, deletionTime: "2026-12-07T10:00:00Z", destroyed: false },
      },
    });
    const problems = gateProblems(catalog(), config.flags, availability);
    const key = problems.find((p) => p.variable === "FREESCOUT_API_KEY");
    expect(key?.reason).toBe(
      "version 3 of Vault secret MooseQuest/freescout, its latest, was deleted at 2026-12-07T10:00:00Z",
    );
    expect(key?.fix).toContain("vault kv undelete -mount=MooseQuest -versions=3 freescout");
  });

  it("refuses a flag whose Vault secret's latest version was destroyed, and says to write a new one", () => {
    const availability = resolveAvailability(allRequiredVars(), config, {
      freescout: {
        ok: false,
        notFound: true,
        error: "destroyed",
        deleted: { version: 2, deletionTime: "", destroyed: true },
      },
    });
    const problems = gateProblems(catalog(), config.flags, availability);
    const key = problems.find((p) => p.variable === "FREESCOUT_API_KEY");
    expect(key?.reason).toBe(
      "version 2 of Vault secret MooseQuest/freescout, its latest, was destroyed",
    );
    expect(key?.fix).toMatch(
      /^write a new version: vault kv put -mount=MooseQuest freescout FREESCOUT_API_KEY=<value>/,
    );
    expect(key?.fix).not.toContain("undelete");
  });

  it("is a data change to add a feature: a second feature's missing var is reported under it", () => {
    const second: Feature = {
      id: "linked-mailbox",
      description: "test feature",
      flags: ["FLAG_SECOND"],
      requires: [
        {
          name: "SECOND_TOKEN",
          secret: true,
          source: { kind: "vault", path: "freescout", field: "SECOND_TOKEN" },
          purpose: "test",
        },
      ],
    };
    const features = [...catalog(), second];
    const availability = resolveAvailability(allRequiredVars(features), config, {
      freescout: { ok: true, data: FULL },
    });
    expect(gateProblems(features, { FLAG_SECOND: true }, availability)).toEqual([
      {
        feature: "linked-mailbox",
        flags: ["FLAG_SECOND"],
        variable: "SECOND_TOKEN",
        purpose: "test",
        reason: "field SECOND_TOKEN is absent from Vault secret MooseQuest/freescout",
        fix: "vault kv patch -mount=MooseQuest freescout SECOND_TOKEN=<value>",
      },
    ]);
  });

  it("reports only the flags that are on", () => {
    const availability = resolveAvailability(allRequiredVars(), config, {
      freescout: { ok: true, data: { FREESCOUT_API_KEY: "k" } },
    });
    const problems = gateProblems(
      catalog(),
      { FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: true },
      availability,
    );
    expect(problems.map((p) => [p.variable, p.flags])).toEqual([
      ["FREESCOUT_OPERATIONS_MAILBOX_ID", ["FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET"]],
    ]);
  });
});

function need(
  name: string,
  source: Feature["requires"][number]["source"],
): Feature["requires"][number] {
  return { name, secret: false, source, purpose: "test" };
}

describe("where each prerequisite comes from", () => {
  const apiUrl = need("X_URL", { kind: "config", key: "freescoutApiUrl", format: "https-url" });
  const text = need("X_TEXT", { kind: "config", key: "someText", format: "text" });
  const field = need("X_FIELD", { kind: "vault", path: "freescout", field: "X_FIELD" });

  it("treats a config value of only spaces as not set, and says how to set it in its format", () => {
    const blank = { ...config, manifestValues: { freescoutApiUrl: "   ", someText: " " } };
    const got = resolveAvailability([apiUrl, text], blank, {});
    expect(got.get("X_URL")).toEqual({
      present: false,
      reason: "stack config console-wiring:freescoutApiUrl is not set",
      fix: "pulumi config set freescoutApiUrl https://<host>",
    });
    expect(got.get("X_TEXT")).toEqual({
      present: false,
      reason: "stack config console-wiring:someText is not set",
      fix: "pulumi config set someText <value>",
    });
    const set = { ...config, manifestValues: { freescoutApiUrl: "https://h/api", someText: "t" } };
    expect([...resolveAvailability([apiUrl, text], set, {}).values()]).toEqual([
      { present: true },
      { present: true },
    ]);
  });

  it("says a Vault secret that was never read is missing, not present", () => {
    expect(resolveAvailability([field], config, {}).get("X_FIELD")).toEqual({
      present: false,
      reason: "Vault secret MooseQuest/freescout was not read",
      fix: "vault kv patch -mount=MooseQuest freescout X_FIELD=<value>",
    });
  });

  it("tells a secret that does not exist from one that could not be read", () => {
    const missing = resolveAvailability([field], config, {
      freescout: { ok: false, notFound: true, error: "no secret" },
    });
    expect(missing.get("X_FIELD")).toEqual({
      present: false,
      reason: "Vault secret MooseQuest/freescout does not exist",
      fix: "vault kv put -mount=MooseQuest freescout X_FIELD=<value>",
    });
    const denied = resolveAvailability([field], config, {
      freescout: { ok: false, notFound: false, error: "permission denied" },
    });
    expect(denied.get("X_FIELD")).toEqual({
      present: false,
      reason: "Vault secret MooseQuest/freescout could not be read (permission denied)",
      fix: "check VAULT_ADDR/VAULT_TOKEN and the secret's policy, then vault kv patch -mount=MooseQuest freescout X_FIELD=<value>",
    });
  });

  it("tells an absent field from an empty one", () => {
    const got = resolveAvailability([field], config, {
      freescout: { ok: true, data: { X_FIELD: " " } },
    });
    expect(got.get("X_FIELD")).toMatchObject({
      present: false,
      reason: "field X_FIELD is empty in Vault secret MooseQuest/freescout",
    });
  });

  it("counts what the stack writes itself (service token, manifest) as present", () => {
    const own = [
      need("A", { kind: "service-token", output: "clientId" }),
      need("B", { kind: "manifest" }),
    ];
    expect([...resolveAvailability(own, config, {}).values()]).toEqual([
      { present: true },
      { present: true },
    ]);
  });

  it("names a required var that no source resolves, with where to declare it", () => {
    const feature: Feature = {
      id: "f",
      description: "",
      flags: ["FLAG_F"],
      requires: [need("ORPHAN", { kind: "manifest" })],
    };
    expect(gateProblems([feature], { FLAG_F: true }, new Map())).toEqual([
      {
        feature: "f",
        flags: ["FLAG_F"],
        variable: "ORPHAN",
        purpose: "test",
        reason: "no source resolves it",
        fix: "declare its source in infra/features/data/f.json",
      },
    ]);
  });
});

describe("the Sentry settings detection needs", () => {
  const investigateOn = { FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: true };

  it("names one missing key in the singular and every missing key together", () => {
    const one = detectionProblems(catalog(), investigateOn, { organization: "o", project: "p" });
    expect(one.map((p) => [p.variable, p.reason, p.fix])).toEqual([
      [
        "Sentry alert freescout-not-configured",
        "stack config console-wiring:sentryOpsTeamId is not set",
        "pulumi config set sentryOpsTeamId <ops-team-id> (and a Sentry auth token as SENTRY_TOKEN in the environment of pulumi up)",
      ],
    ]);
    const all = detectionProblems(catalog(), investigateOn, {});
    expect(all.map((p) => p.reason)).toEqual([
      "stack config console-wiring:sentryOrganization, console-wiring:sentryProject, console-wiring:sentryOpsTeamId are not set",
    ]);
  });

  it("asks nothing when the flags are off, the settings complete, or the feature has no rules", () => {
    expect(detectionProblems(catalog(), {}, {})).toEqual([]);
    const complete = { organization: "o", project: "p", opsTeamId: "1" };
    expect(detectionProblems(catalog(), investigateOn, complete)).toEqual([]);
    const quiet: Feature = { id: "q", description: "", flags: ["FLAG_Q"], requires: [] };
    expect(detectionProblems([quiet], { FLAG_Q: true }, {})).toEqual([]);
  });
});

describe("the gate's error message", () => {
  const problem = (feature: string, variable: string, flags: string[]): GateProblem => ({
    feature,
    flags,
    variable,
    purpose: `p-${variable}`,
    reason: `r-${variable}`,
    fix: `f-${variable}`,
  });

  it("groups problems by feature, counts them, and says how to keep each feature off", () => {
    const text = formatGateError("raxx-console", [
      problem("a", "V1", ["FLAG_A1", "FLAG_A2"]),
      problem("b", "V2", ["FLAG_B"]),
      problem("a", "V3", ["FLAG_A1", "FLAG_A2"]),
    ]);
    expect(text.split("\n")).toEqual([
      'console-wiring: feature "a" is requested on for Heroku app raxx-console (FLAG_A1, FLAG_A2), but 2 prerequisites are missing. Nothing was applied and no flag was set.',
      "  - V1 (p-V1): r-V1. Provide it: f-V1",
      "  - V3 (p-V3): r-V3. Provide it: f-V3",
      "  Or keep the feature off: pulumi config set --path 'flags.FLAG_A1' false; pulumi config set --path 'flags.FLAG_A2' false",
      'console-wiring: feature "b" is requested on for Heroku app raxx-console (FLAG_B), but 1 prerequisite is missing. Nothing was applied and no flag was set.',
      "  - V2 (p-V2): r-V2. Provide it: f-V2",
      "  Or keep the feature off: pulumi config set --path 'flags.FLAG_B' false",
    ]);
  });
});
