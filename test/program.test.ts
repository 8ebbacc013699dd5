import { describe, expect, it } from "vitest";
import { loadStackFiles } from "../tools/stack-files";
import { prerequisiteMap, type DetectionRule } from "../infra/features/manifest";
import { byName, runStack, type Captured, type VaultFixture } from "./support/harness";
import { investigate } from "./support/investigate";
import { withStackConfig } from "./support/stack-config";

const CONFIG_VARS = "pulumi-nodejs:dynamic/heroku:ConfigVars";
const prodConfig = () => loadStackFiles("prod").config;

const VAULT: VaultFixture = {
  "MooseQuest/freescout": {
    FREESCOUT_API_KEY: "sentinel-freescout-api-key",
    FREESCOUT_OPERATIONS_MAILBOX_ID: "sentinel-mailbox-7",
  },
  "MooseQuest/cloudflare": {
    CF_ACCESS_SVC_TICKETS_CLIENT_ID: "old.access",
    CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "sentinel-old-secret",
    CF_ACCESS_SVC_OTHER_CLIENT_ID: "someone-elses.access",
  },
};

const withConfig = (overrides: Record<string, string | undefined>) =>
  withStackConfig(prodConfig(), overrides);

const withoutField = (path: string, field: string): VaultFixture => {
  const copy = structuredClone(VAULT);
  delete copy[path]?.[field];
  return copy;
};

function dependsOn(resource: Captured, target: Captured): boolean {
  return resource.dependencies.includes(target.urn);
}

describe("the prod stack under mocks (preview)", () => {
  it("registers the graph: components and their children", async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT });
    expect(run.error).toBeUndefined();
    const summary = run.resources.map((r) => `${r.type} ${r.name}`).sort();
    expect(summary).toEqual(
      [
        "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication tickets-application",
        "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy tickets-policy",
        "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken tickets-service-token",
        "console-wiring:cloudflare:AccessGate tickets",
        "console-wiring:heroku:ConsoleConfig console",
        "console-wiring:sentry:DetectionAlerts detection",
        "sentry:index/sentryIssueAlert:SentryIssueAlert detection-freescout-not-configured",
        "console-wiring:vault:VaultWiring vault",
        `${CONFIG_VARS} console-investigate-flags`,
        `${CONFIG_VARS} console-prerequisites`,
        `${CONFIG_VARS} console-tickets-prerequisites`,
        "vault:kv/secretV2:SecretV2 vault-cloudflare",
      ].sort(),
    );
    const parentOf = (name: string) =>
      run.resources.find((r) => r.urn === byName(run.resources, name).parent)?.name;
    expect(parentOf("tickets-service-token")).toBe("tickets");
    expect(parentOf("tickets-policy")).toBe("tickets");
    expect(parentOf("tickets-application")).toBe("tickets");
    expect(parentOf("vault-cloudflare")).toBe("vault");
    expect(parentOf("console-prerequisites")).toBe("console");
    expect(parentOf("console-tickets-prerequisites")).toBe("console");
    expect(parentOf("console-investigate-flags")).toBe("console");
  });

  it("sends a rotation as clientSecretVersion with previousClientSecretExpiresAt", async () => {
    const run = await runStack({
      config: {
        ...prodConfig(),
        ...withConfig({
          serviceTokenSecretVersion: "2",
          serviceTokenPreviousSecretExpiresAt: "2026-12-01T12:00:00Z",
        }),
      },
      vault: VAULT,
    });
    expect(byName(run.resources, "tickets-service-token").inputs).toMatchObject({
      clientSecretVersion: 2,
      previousClientSecretExpiresAt: "2026-12-01T12:00:00Z",
    });
  });

  it("gives the Access resources the inputs the incident needs", async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT });
    const token = byName(run.resources, "tickets-service-token");
    const policy = byName(run.resources, "tickets-policy");
    const app = byName(run.resources, "tickets-application");
    expect(token.inputs).toMatchObject({
      accountId: "0123456789abcdef0123456789abcdef",
      name: "console-investigate-tickets",
      duration: "8760h",
    });
    // Never rotated: Cloudflare's provider takes clientSecretVersion only together with
    // previousClientSecretExpiresAt, so neither is sent.
    expect(token.inputs).not.toHaveProperty("clientSecretVersion");
    expect(token.inputs).not.toHaveProperty("previousClientSecretExpiresAt");
    expect(policy.inputs).toMatchObject({
      accountId: "0123456789abcdef0123456789abcdef",
      decision: "non_identity",
      includes: [{ serviceToken: { tokenId: "tickets-service-token-id" } }],
    });
    expect(app.inputs).toMatchObject({
      accountId: "0123456789abcdef0123456789abcdef",
      type: "self_hosted",
      domain: "tickets.raxx.app/api",
      destinations: [{ type: "public", uri: "tickets.raxx.app/api" }],
      policies: [{ id: "tickets-policy-id", precedence: 1 }],
      serviceAuth401Redirect: true,
    });
    expect(app.inputs).not.toHaveProperty("zoneId");
  });

  it("runs the edges service token → policy → application and token → Vault → prerequisites → flags", async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT });
    const token = byName(run.resources, "tickets-service-token");
    const policy = byName(run.resources, "tickets-policy");
    const app = byName(run.resources, "tickets-application");
    const secret = byName(run.resources, "vault-cloudflare");
    const shared = byName(run.resources, "console-prerequisites");
    const prerequisites = byName(run.resources, "console-tickets-prerequisites");
    const flags = byName(run.resources, "console-investigate-flags");

    expect(policy.propertyDependencies["includes"]).toEqual([token.urn]);
    expect(app.propertyDependencies["policies"]).toEqual([policy.urn]);
    expect(secret.propertyDependencies["dataJson"]).toEqual([token.urn]);
    expect(dependsOn(prerequisites, secret)).toBe(true);
    expect(prerequisites.propertyDependencies["vars"]).toContain(secret.urn);
    expect(dependsOn(flags, prerequisites)).toBe(true);
    expect(dependsOn(flags, shared)).toBe(true);
    expect(dependsOn(prerequisites, flags)).toBe(false);
    // The gate-free vars wait for nothing: their values are read before anything is registered.
    expect(shared.dependencies).toEqual([]);
  });

  it('writes the prerequisites with credentials as secrets and flags as "1"', async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT, preview: false });
    const prerequisites = byName(run.resources, "console-prerequisites");
    const token = byName(run.resources, "console-tickets-prerequisites");
    const flags = byName(run.resources, "console-investigate-flags");
    expect(token.inputs["vars"]).toEqual({
      CF_ACCESS_SVC_TICKETS_CLIENT_ID: "tickets-service-token.access",
      CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "mock-client-secret-of-tickets-service-token",
    });
    expect(token.secretInputs.sort()).toEqual([
      "vars.CF_ACCESS_SVC_TICKETS_CLIENT_ID",
      "vars.CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
    ]);
    expect(prerequisites.inputs["app"]).toBe("raxx-console-prod");
    expect(prerequisites.inputs["keys"]).toEqual([
      "CONSOLE_FEATURE_PREREQUISITES",
      "FREESCOUT_API_KEY",
      "FREESCOUT_API_URL",
      "FREESCOUT_INSTANCE_URL",
      "FREESCOUT_OPERATIONS_MAILBOX_ID",
    ]);
    expect(prerequisites.inputs["vars"]).toEqual({
      CONSOLE_FEATURE_PREREQUISITES: JSON.stringify(prerequisiteMap([investigate()])),
      FREESCOUT_API_KEY: "sentinel-freescout-api-key",
      FREESCOUT_API_URL: "https://tickets.raxx.app",
      FREESCOUT_INSTANCE_URL: "https://tickets.raxx.app",
      FREESCOUT_OPERATIONS_MAILBOX_ID: "sentinel-mailbox-7",
    });
    expect(prerequisites.secretInputs.sort()).toEqual([
      "vars.FREESCOUT_API_KEY",
      "vars.FREESCOUT_OPERATIONS_MAILBOX_ID",
    ]);
    expect(prerequisites.additionalSecretOutputs).toEqual(["vars"]);
    expect(flags.inputs["vars"]).toEqual({
      FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: "1",
      FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: "1",
    });
    expect(flags.additionalSecretOutputs).toEqual(["vars"]);
  });

  it("keeps the service token secret and Vault data secret", async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT, preview: false });
    // The Cloudflare SDK marks the client secret itself; the program must not lose that.
    expect(byName(run.resources, "tickets-service-token").additionalSecretOutputs).toEqual([
      "clientSecret",
    ]);
    const secret = byName(run.resources, "vault-cloudflare");
    expect(secret.secretInputs).toEqual(["dataJson"]);
    expect(secret.additionalSecretOutputs).toEqual(expect.arrayContaining(["data", "dataJson"]));
    expect(secret.inputs).toMatchObject({ mount: "MooseQuest", name: "cloudflare" });
  });

  it("adopts the Vault secret keeping fields it does not own, and overwrites its own", async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT, preview: false });
    const secret = byName(run.resources, "vault-cloudflare");
    expect(JSON.parse(String(secret.inputs["dataJson"]))).toEqual({
      CF_ACCESS_SVC_TICKETS_CLIENT_ID: "tickets-service-token.access",
      CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "mock-client-secret-of-tickets-service-token",
      CF_ACCESS_SVC_OTHER_CLIENT_ID: "someone-elses.access",
    });
    expect(secret.importId).toBe("MooseQuest/data/cloudflare");
    expect(secret.retainOnDelete).toBe(true);
  });

  it("adopts Access objects by ID from stack config with the provider's import formats", async () => {
    const run = await runStack({
      config: withConfig({
        adoptAccessApplicationId: "ca6fd315-0000-4000-8000-000000000001",
        adoptAccessPolicyId: "ca6fd315-0000-4000-8000-000000000002",
        adoptServiceTokenId: "ca6fd315-0000-4000-8000-000000000003",
      }),
      vault: VAULT,
    });
    const account = "0123456789abcdef0123456789abcdef";
    expect(byName(run.resources, "tickets-application").importId).toBe(
      `accounts/${account}/ca6fd315-0000-4000-8000-000000000001`,
    );
    expect(byName(run.resources, "tickets-policy").importId).toBe(
      `${account}/ca6fd315-0000-4000-8000-000000000002`,
    );
    expect(byName(run.resources, "tickets-service-token").importId).toBe(
      `accounts/${account}/ca6fd315-0000-4000-8000-000000000003`,
    );
    for (const name of ["tickets-application", "tickets-policy", "tickets-service-token"]) {
      expect(byName(run.resources, name).retainOnDelete).toBe(true);
    }
  });

  it("does not import again what the stack's last outputs show adopted, and keeps retain and ignoreChanges", async () => {
    const ids = {
      adoptAccessApplicationId: "ca6fd315-0000-4000-8000-000000000001",
      adoptAccessPolicyId: "ca6fd315-0000-4000-8000-000000000002",
      adoptServiceTokenId: "ca6fd315-0000-4000-8000-000000000003",
    };
    const run = await runStack({
      config: withConfig(ids),
      vault: VAULT,
      // The last deployment adopted the application and the policy; the token is still to adopt.
      stackOutputs: {
        accessApplicationId: ids.adoptAccessApplicationId,
        accessPolicyId: ids.adoptAccessPolicyId,
        serviceTokenId: "a-token-the-stack-created",
      },
    });
    expect(run.error).toBeUndefined();
    for (const name of ["tickets-application", "tickets-policy"]) {
      expect(byName(run.resources, name).importId).toBe("");
      expect(byName(run.resources, name).retainOnDelete).toBe(true);
    }
    expect(byName(run.resources, "tickets-application").ignoreChanges).toEqual([
      "name",
      "appLauncherVisible",
    ]);
    expect(byName(run.resources, "tickets-service-token").importId).toBe(
      `accounts/0123456789abcdef0123456789abcdef/${ids.adoptServiceTokenId}`,
    );
  });

  it("does not import the adopted token again while a renewal keeps it as the previous generation", async () => {
    const tokenId = "ca6fd315-0000-4000-8000-000000000003";
    const run = await runStack({
      config: withConfig({ adoptServiceTokenId: tokenId, serviceTokenGeneration: "2" }),
      vault: VAULT,
      stackOutputs: { serviceTokenId: "generation-2-token", previousServiceTokenId: tokenId },
    });
    expect(run.error).toBeUndefined();
    expect(byName(run.resources, "tickets-service-token").importId).toBe("");
    expect(byName(run.resources, "tickets-service-token").retainOnDelete).toBe(true);
  });

  it("creates instead of importing when no ID is configured", async () => {
    const vault = withoutField("MooseQuest/cloudflare", "CF_ACCESS_SVC_OTHER_CLIENT_ID");
    const run = await runStack({
      config: withConfig({ adoptVaultCloudflareSecret: "false" }),
      vault,
    });
    expect(run.error).toBeUndefined();
    expect(run.resources.filter((r) => r.custom)).toHaveLength(8);
    for (const r of run.resources) {
      expect(r.importId, r.name).toBe("");
      expect(r.retainOnDelete, r.name).toBe(false);
    }
    expect(run.invokes.map((i) => i.args["name"])).toEqual(["freescout", "cloudflare"]);
  });

  it("exports the token's expiry and the keys per role, never a value", async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT, preview: false });
    expect(run.outputs).toMatchObject({
      herokuApp: "raxx-console-prod",
      gates: {
        tickets: {
          host: "tickets.raxx.app",
          apiPath: "/api",
          gatedUri: "tickets.raxx.app/api",
          serviceTokenExpiresAt: "2027-11-29T00:00:00Z",
          serviceTokenExpiryWarningDays: 30,
          serviceTokenGeneration: 1,
          serviceTokenName: "console-investigate-tickets",
          vaultSecret: "MooseQuest/cloudflare",
          urlVars: ["FREESCOUT_API_URL"],
          clientIdVar: "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
          clientSecretVar: "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
        },
      },
      flagsOn: ["FLAG_CONSOLE_INVESTIGATE_FROM_STATUS", "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET"],
    });
    expect(JSON.stringify(run.outputs)).not.toMatch(/sentinel|mock-client-secret/);
  });
});

describe("flags that are off", () => {
  it('keeps the flags resource with no keys and writes no "1"', async () => {
    const run = await runStack({
      config: withConfig({ flags: '{"FLAG_CONSOLE_INVESTIGATE_FROM_STATUS":false}' }),
      vault: VAULT,
    });
    expect(run.error).toBeUndefined();
    const heroku = run.resources.filter((r) => r.type === CONFIG_VARS);
    expect(heroku.map((r) => r.name)).toEqual([
      "console-prerequisites",
      "console-tickets-prerequisites",
      "console-investigate-flags",
    ]);
    expect(heroku[2]?.inputs["vars"]).toEqual({});
    expect(Object.keys(heroku[0]?.inputs["vars"] as object)).not.toContain(
      "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS",
    );
  });

  it("writes the prerequisites that resolve and warns about the rest", async () => {
    const run = await runStack({
      config: withConfig({ flags: undefined }),
      vault: withoutField("MooseQuest/freescout", "FREESCOUT_API_KEY"),
    });
    expect(run.error).toBeUndefined();
    const vars = byName(run.resources, "console-prerequisites").inputs["vars"] as Record<
      string,
      string
    >;
    expect(Object.keys(vars)).not.toContain("FREESCOUT_API_KEY");
    expect(run.warnings).toEqual([
      "FREESCOUT_API_KEY is not written to raxx-console-prod: field FREESCOUT_API_KEY is absent from Vault secret MooseQuest/freescout. Features needing it stay off. Provide it: vault kv patch -mount=MooseQuest freescout FREESCOUT_API_KEY=<value>",
    ]);
  });
});

describe("the gate", () => {
  const gateHeader = (n: number) =>
    `console-wiring: feature "investigate" is requested on for Heroku app raxx-console-prod (FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET), but ${n} prerequisite${n === 1 ? " is" : "s are"} missing. Nothing was applied and no flag was set.`;
  const gateFooter =
    "  Or keep the feature off: pulumi config set --path 'flags.FLAG_CONSOLE_INVESTIGATE_FROM_STATUS' false; pulumi config set --path 'flags.FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET' false";

  it.each([
    [
      "FREESCOUT_API_KEY",
      withoutField("MooseQuest/freescout", "FREESCOUT_API_KEY"),
      {},
      "  - FREESCOUT_API_KEY (sent as X-FreeScout-API-Key): field FREESCOUT_API_KEY is absent from Vault secret MooseQuest/freescout. Provide it: vault kv patch -mount=MooseQuest freescout FREESCOUT_API_KEY=<value>",
    ],
    [
      "FREESCOUT_OPERATIONS_MAILBOX_ID",
      withoutField("MooseQuest/freescout", "FREESCOUT_OPERATIONS_MAILBOX_ID"),
      {},
      "  - FREESCOUT_OPERATIONS_MAILBOX_ID (mailbox the Investigate conversations are created in): field FREESCOUT_OPERATIONS_MAILBOX_ID is absent from Vault secret MooseQuest/freescout. Provide it: vault kv patch -mount=MooseQuest freescout FREESCOUT_OPERATIONS_MAILBOX_ID=<value>",
    ],
    [
      "FREESCOUT_API_URL",
      VAULT,
      { freescoutApiUrl: undefined },
      "  - FREESCOUT_API_URL (base URL of the FreeScout API the console calls): stack config console-wiring:freescoutApiUrl is not set. Provide it: pulumi config set freescoutApiUrl https://<host>",
    ],
    [
      "FREESCOUT_INSTANCE_URL",
      VAULT,
      { freescoutInstanceUrl: "" },
      "  - FREESCOUT_INSTANCE_URL (FreeScout web URL used in ticket links): stack config console-wiring:freescoutInstanceUrl is not set. Provide it: pulumi config set freescoutInstanceUrl https://<host>",
    ],
  ])("fails at preview naming %s and registers nothing", async (_name, vault, overrides, line) => {
    const run = await runStack({ config: withConfig(overrides), vault });
    expect(run.error?.message).toBe([gateHeader(1), line, gateFooter].join("\n"));
    expect(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });

  it("names an empty Vault field as missing", async () => {
    const vault = structuredClone(VAULT);
    vault["MooseQuest/freescout"]!["FREESCOUT_API_KEY"] = " ";
    const run = await runStack({ config: prodConfig(), vault });
    expect(run.error?.message).toContain(
      "  - FREESCOUT_API_KEY (sent as X-FreeScout-API-Key): field FREESCOUT_API_KEY is empty in Vault secret MooseQuest/freescout.",
    );
  });

  it("names every missing prerequisite in one error when the Vault secret does not exist", async () => {
    const { ["MooseQuest/freescout"]: _gone, ...vault } = VAULT;
    const run = await runStack({
      config: withConfig({ freescoutApiUrl: undefined, freescoutInstanceUrl: undefined }),
      vault,
    });
    const message = run.error?.message ?? "";
    expect(message.split("\n")[0]).toBe(gateHeader(4));
    for (const name of [
      "FREESCOUT_API_URL",
      "FREESCOUT_INSTANCE_URL",
      "FREESCOUT_API_KEY",
      "FREESCOUT_OPERATIONS_MAILBOX_ID",
    ]) {
      expect(message).toMatch(new RegExp(`^ {2}- ${name} \\(`, "m"));
    }
    expect(message).toContain(
      "  - FREESCOUT_API_KEY (sent as X-FreeScout-API-Key): Vault secret MooseQuest/freescout does not exist. Provide it: vault kv put -mount=MooseQuest freescout FREESCOUT_API_KEY=<value>",
    );
    expect(run.resources.filter((r) => r.type === CONFIG_VARS)).toEqual([]);
  });

  it("never puts a secret value in its error", async () => {
    const run = await runStack({
      config: withConfig({ freescoutApiUrl: undefined }),
      vault: VAULT,
    });
    expect(run.error?.message).toBeTruthy();
    expect(run.error?.message).not.toMatch(/sentinel/);
  });
});

describe("bad config under the program", () => {
  it("stops with one error listing every problem, before any resource", async () => {
    const run = await runStack({
      config: withConfig({ herokuApp: "Raxx_Console", freescoutApiUrl: "http://tickets.raxx.app" }),
      vault: VAULT,
    });
    expect(run.error?.message).toBe(
      [
        "console-wiring: the stack config has 2 problems; nothing was applied.",
        "  - console-wiring:herokuApp is not a Heroku app name (3-30 characters: lowercase letters, digits and dashes, starting with a letter, not ending with a dash). Example: pulumi config set herokuApp raxx-console-prod",
        "  - console-wiring:freescoutApiUrl (FREESCOUT_API_URL on the app, feature investigate) must use https:// (it uses http://). Example: pulumi config set freescoutApiUrl https://tickets.raxx.app",
      ].join("\n"),
    );
    expect(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    expect(run.invokes).toEqual([]);
  });
});

describe("Vault secrets this stack reads or writes", () => {
  it("stops, whatever the flags, when a Vault secret exists but cannot be read", async () => {
    const vault = { ...VAULT, "MooseQuest/freescout": { __error: "permission denied" } };
    const run = await runStack({ config: withConfig({ flags: undefined }), vault });
    expect(run.error?.message).toBe(
      "Vault secret MooseQuest/freescout could not be read (permission denied). Check VAULT_ADDR/VAULT_TOKEN and the token's policy; nothing was applied.",
    );
    expect(run.resources.filter((r) => r.custom)).toEqual([]);
  });

  it("refuses to overwrite a secret someone else uses unless adoption is asked for", async () => {
    const run = await runStack({
      config: withConfig({ adoptVaultCloudflareSecret: "false" }),
      vault: VAULT,
    });
    expect(run.error?.message).toBe(
      "Vault secret MooseQuest/cloudflare already exists and holds fields this stack does not write (CF_ACCESS_SVC_OTHER_CLIENT_ID). " +
        "To take it over keeping those fields: pulumi config set --path 'gates.tickets.adoptVaultSecret' true. Or point console-wiring:gates.tickets.vaultPath at a path of its own. Nothing was applied.",
    );
    expect(run.resources.filter((r) => r.custom)).toEqual([]);
  });

  it("creates the secret when it does not exist yet", async () => {
    const { ["MooseQuest/cloudflare"]: _none, ...vault } = VAULT;
    const run = await runStack({
      config: withConfig({ adoptVaultCloudflareSecret: "false" }),
      vault,
      preview: false,
    });
    expect(run.error).toBeUndefined();
    const secret = byName(run.resources, "vault-cloudflare");
    expect(secret.importId).toBe("");
    expect(Object.keys(JSON.parse(String(secret.inputs["dataJson"])) as object).sort()).toEqual([
      "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
      "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
    ]);
  });

  it("cannot adopt a secret that does not exist", async () => {
    const { ["MooseQuest/cloudflare"]: _none, ...vault } = VAULT;
    const run = await runStack({ config: prodConfig(), vault });
    expect(run.error?.message).toBe(
      "console-wiring:gates.tickets.adoptVaultSecret is true but Vault secret MooseQuest/cloudflare does not exist. Set it to false to create the secret: pulumi config set --path 'gates.tickets.adoptVaultSecret' false",
    );
  });
});

describe("detection as code", () => {
  it("refuses a detection rule Sentry cannot create, before registering anything", async () => {
    // The program reads the one manifest: this file's copy of it is edited for one run.
    const rule = investigate().detection![0] as {
      -readonly [K in keyof DetectionRule]: DetectionRule[K];
    };
    const saved = rule.windowMinutes;
    rule.windowMinutes = 10;
    try {
      const run = await runStack({ config: prodConfig(), vault: VAULT });
      expect(run.error?.message).toBe(
        "console-wiring: a feature file declares a detection rule Sentry cannot create as an issue alert. Nothing was applied. Fix the rule in its file:\n" +
          "  - detection rule freescout-not-configured of feature investigate (infra/features/data/investigate.json): windowMinutes 10 is not an interval Sentry accepts for an issue alert (1m, 5m, 15m, 1h, 1d, 1w, 30d): use 15, the shortest accepted window longer than 10 minutes: with the same threshold it fires in every case the 10-minute rule does (a metric alert counts an exact window).",
      );
      expect(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    } finally {
      rule.windowMinutes = saved;
    }
  });

  it("creates the incident's alert and applies the flags after it", async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT });
    expect(run.error).toBeUndefined();
    const alert = byName(run.resources, "detection-freescout-not-configured");
    expect(alert.inputs).toEqual({
      organization: "raxx",
      project: "console",
      name: "raxx-console-prod: freescout-not-configured",
      actionMatch: "all",
      filterMatch: "all",
      frequency: 10,
      conditions: [
        {
          id: "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
          comparisonType: "count",
          value: "2",
          interval: "15m",
        },
      ],
      filters: [
        {
          id: "sentry.rules.filters.tagged_event.TaggedEventFilter",
          key: "logger",
          match: "eq",
          value: "freescout_client",
        },
        {
          id: "sentry.rules.filters.event_attribute.EventAttributeFilter",
          attribute: "message",
          match: "co",
          value: "freescout_not_configured",
        },
      ],
      actions: [
        {
          id: "sentry.mail.actions.NotifyEmailAction",
          targetType: "Team",
          targetIdentifier: "0000000",
        },
      ],
    });
    expect(byName(run.resources, "console-investigate-flags").dependencies).toContain(alert.urn);
  });

  it("writes the manifest's prerequisite map with the prerequisites, before the flags", async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT, preview: false });
    const vars = byName(run.resources, "console-prerequisites").inputs["vars"] as Record<
      string,
      string
    >;
    // The map is the selected features' data (test/investigate-feature.test.ts pins its content).
    expect(JSON.parse(vars["CONSOLE_FEATURE_PREREQUISITES"]!)).toEqual(
      prerequisiteMap([investigate()]),
    );
    expect(byName(run.resources, "console-prerequisites").secretInputs).not.toContain(
      "vars.CONSOLE_FEATURE_PREREQUISITES",
    );
  });

  it("creates no alert without Sentry settings while the flags are off", async () => {
    const config = { ...prodConfig() };
    delete config["console-wiring:sentryOrganization"];
    config["console-wiring:flags"] = "{}";
    const run = await runStack({ config, vault: VAULT });
    expect(run.error).toBeUndefined();
    expect(run.resources.filter((r) => r.type.startsWith("sentry:"))).toEqual([]);
  });
});

describe("the Access gate comes before the app's credentials and flags", () => {
  // Issue 17, defect 3: the flags depended on the prerequisites and the alerts only, so the
  // engine could switch them on before Access admitted the app's token.
  it("makes the flags depend on the Access application, its policy and the app's token", async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT });
    const flags = byName(run.resources, "console-investigate-flags");
    for (const name of ["tickets-application", "tickets-policy", "tickets-service-token"]) {
      expect(dependsOn(flags, byName(run.resources, name)), name).toBe(true);
    }
  });

  it("writes Vault and the app's credentials only after the policy and application (Cloudflare → Vault → Heroku)", async () => {
    const run = await runStack({ config: prodConfig(), vault: VAULT });
    const secret = byName(run.resources, "vault-cloudflare");
    const prerequisites = byName(run.resources, "console-tickets-prerequisites");
    for (const name of ["tickets-policy", "tickets-application", "tickets-service-token"]) {
      const gate = byName(run.resources, name);
      expect(dependsOn(secret, gate), `vault-cloudflare after ${name}`).toBe(true);
      expect(dependsOn(prerequisites, gate), `console-tickets-prerequisites after ${name}`).toBe(
        true,
      );
    }
    expect(dependsOn(prerequisites, secret)).toBe(true);
    // An order only: the secret's value still comes from the token alone.
    expect(secret.propertyDependencies["dataJson"]).toEqual([
      byName(run.resources, "tickets-service-token").urn,
    ]);
  });
});

describe("renewal: a new token generation next to the old one", () => {
  const TOKEN_TYPE = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";
  const tokens = (run: { resources: readonly { type: string; name: string }[] }) =>
    run.resources.filter((r) => r.type === TOKEN_TYPE).map((r) => r.name);

  it("creates generation 2 as a new token, keeps generation 1 frozen, and admits both", async () => {
    const run = await runStack({
      config: withConfig({ serviceTokenGeneration: "2" }),
      vault: VAULT,
      preview: false,
    });
    expect(run.error).toBeUndefined();
    expect(tokens(run)).toEqual(["tickets-service-token", "tickets-service-token-g2"]);
    const old = byName(run.resources, "tickets-service-token");
    const renewed = byName(run.resources, "tickets-service-token-g2");
    expect(renewed.inputs).toMatchObject({
      name: "console-investigate-tickets-g2",
      duration: "8760h",
    });
    expect(renewed.ignoreChanges).toEqual([]);
    expect(old.inputs).toMatchObject({ name: "console-investigate-tickets" });
    expect(old.ignoreChanges).toEqual([
      "name",
      "duration",
      "clientSecretVersion",
      "previousClientSecretExpiresAt",
    ]);

    const policy = byName(run.resources, "tickets-policy");
    expect(policy.propertyDependencies["includes"]).toEqual([old.urn, renewed.urn]);
    expect(policy.inputs["includes"]).toEqual([
      { serviceToken: { tokenId: "tickets-service-token-id" } },
      { serviceToken: { tokenId: "tickets-service-token-g2-id" } },
    ]);

    // Vault and the app get the new generation's credentials, once the policy admits it.
    const secret = byName(run.resources, "vault-cloudflare");
    expect(secret.propertyDependencies["dataJson"]).toEqual([renewed.urn]);
    expect(JSON.parse(String(secret.inputs["dataJson"]))).toMatchObject({
      CF_ACCESS_SVC_TICKETS_CLIENT_ID: "tickets-service-token-g2.access",
      CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "mock-client-secret-of-tickets-service-token-g2",
    });
    expect(dependsOn(secret, policy)).toBe(true);
    const prerequisites = byName(run.resources, "console-tickets-prerequisites");
    expect(dependsOn(prerequisites, policy)).toBe(true);
    expect(dependsOn(prerequisites, renewed)).toBe(true);
    expect(dependsOn(byName(run.resources, "console-investigate-flags"), renewed)).toBe(true);
    expect(run.outputs?.["gates"]).toMatchObject({
      tickets: {
        serviceTokenGeneration: 2,
        serviceTokenId: "tickets-service-token-g2-id",
        previousServiceTokenId: "tickets-service-token-id",
      },
    });
  });

  it("drops the retired generation: one token, which the policy, Vault and the app use", async () => {
    const run = await runStack({
      config: withConfig({ serviceTokenGeneration: "2", serviceTokenRetiredGeneration: "1" }),
      vault: VAULT,
    });
    expect(tokens(run)).toEqual(["tickets-service-token-g2"]);
    const renewed = byName(run.resources, "tickets-service-token-g2");
    expect(byName(run.resources, "tickets-policy").propertyDependencies["includes"]).toEqual([
      renewed.urn,
    ]);
    const gates = run.outputs?.["gates"] as Record<string, Record<string, unknown>>;
    expect(gates["tickets"]).toMatchObject({ serviceTokenId: "tickets-service-token-g2-id" });
    expect(gates["tickets"]).not.toHaveProperty("previousServiceTokenId");
  });

  it("sends a rotation to the current generation only", async () => {
    const run = await runStack({
      config: withConfig({
        serviceTokenGeneration: "3",
        serviceTokenRetiredGeneration: "2",
        serviceTokenSecretVersion: "2",
        serviceTokenPreviousSecretExpiresAt: "2026-12-01T12:00:00Z",
      }),
      vault: VAULT,
    });
    expect(tokens(run)).toEqual(["tickets-service-token-g3"]);
    expect(byName(run.resources, "tickets-service-token-g3").inputs).toMatchObject({
      name: "console-investigate-tickets-g3",
      clientSecretVersion: 2,
      previousClientSecretExpiresAt: "2026-12-01T12:00:00Z",
    });
  });

  it("adopts by ID the generation-1 token only, frozen while it is the previous one", async () => {
    const run = await runStack({
      config: withConfig({
        adoptServiceTokenId: "ca6fd315-0000-4000-8000-000000000003",
        serviceTokenGeneration: "2",
      }),
      vault: VAULT,
    });
    const old = byName(run.resources, "tickets-service-token");
    expect(old.importId).toBe(
      "accounts/0123456789abcdef0123456789abcdef/ca6fd315-0000-4000-8000-000000000003",
    );
    expect(old.retainOnDelete).toBe(true);
    expect(old.ignoreChanges).toEqual([
      "name",
      "duration",
      "clientSecretVersion",
      "previousClientSecretExpiresAt",
    ]);
    const renewed = byName(run.resources, "tickets-service-token-g2");
    expect(renewed.importId).toBe("");
    expect(renewed.retainOnDelete).toBe(false);
  });
});
