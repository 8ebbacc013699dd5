import { describe, expect, it } from "vitest";
import { allPolicies } from "../policy/policies";
import { type Feature } from "../infra/features/manifest";
import { apiUrlOnGatedHost } from "../policy/policies/api-url-on-gated-host";
import { flagsRequireDetection } from "../policy/policies/flags-require-detection";
import { serviceTokenExpiry } from "../policy/policies/service-token-expiry";
import { urlsAreHttps } from "../policy/policies/urls-are-https";
import { analyze, type Analysis } from "../tools/offline/analyze";
import {
  baseline,
  capture,
  dropVar,
  node,
  secret,
  setVar,
  T,
  UNKNOWN,
  withoutNode,
  type Node,
} from "./support/graph-fixture";
import { investigate } from "./support/investigate";

const NOW = Date.parse("2026-11-29T00:00:00Z");

async function run(nodes: Node[]): Promise<Analysis> {
  return analyze(capture(nodes), allPolicies({ expiry: { now: () => NOW } }));
}

async function messages(nodes: Node[], policy: string): Promise<string[]> {
  const result = await run(nodes);
  return result.violations.filter((v) => v.policy === policy).map((v) => v.message);
}

/** A gate URL var that no Access application of the stack covers: the gate protects nothing. */
const UNCOVERED = expect.stringContaining(
  "is a URL of gate tickets, but no Cloudflare Access application of this stack covers its /api",
) as string;

describe("the compliant baseline", () => {
  it("passes every policy", async () => {
    const result = await run(baseline());
    expect(result.violations).toEqual([]);
    expect(result.passed).toEqual([
      "flags-require-prerequisites",
      "flags-applied-after-prerequisites",
      "flags-applied-after-access-gate",
      "flags-require-detection",
      "gated-api-requires-service-token",
      "service-auth-returns-401",
      "secrets-stay-secret",
      "urls-are-https",
      "api-url-on-gated-host",
    ]);
    expect(result.notApplicable).toEqual([
      {
        policy: "service-token-expiry",
        reason: "no service token with a known expiry (not created yet)",
      },
    ]);
  });
});

describe("flags-require-prerequisites", () => {
  it("fails when a flag is on and FREESCOUT_API_URL is absent", async () => {
    const g = baseline();
    dropVar(node(g, "prerequisites"), "FREESCOUT_API_URL");
    expect(await messages(g, "flags-require-prerequisites")).toEqual([
      "Heroku app raxx-console-prod turns on FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET (feature investigate) but:\n" +
        "  - FREESCOUT_API_URL is not set on the app; provide it from stack config console-wiring:freescoutApiUrl (pulumi config set freescoutApiUrl <value>)",
    ]);
  });

  it("fails when FREESCOUT_OPERATIONS_MAILBOX_ID is empty", async () => {
    const g = baseline();
    setVar(node(g, "prerequisites"), "FREESCOUT_OPERATIONS_MAILBOX_ID", secret(""));
    const [message] = await messages(g, "flags-require-prerequisites");
    expect(message).toContain(
      "  - FREESCOUT_OPERATIONS_MAILBOX_ID is empty; provide it from Vault KV v2 secret freescout under console-wiring:vaultMount, field FREESCOUT_OPERATIONS_MAILBOX_ID",
    );
  });

  it("fails for every missing var of the incident at once", async () => {
    const g = baseline();
    const prereqs = node(g, "prerequisites");
    for (const k of [
      "FREESCOUT_API_URL",
      "FREESCOUT_API_KEY",
      "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
      "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
      "FREESCOUT_INSTANCE_URL",
    ]) {
      dropVar(prereqs, k);
    }
    const [message] = await messages(g, "flags-require-prerequisites");
    for (const k of [
      "FREESCOUT_API_URL",
      "FREESCOUT_API_KEY",
      "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
      "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
      "FREESCOUT_INSTANCE_URL",
    ]) {
      expect(message).toMatch(new RegExp(`^ {2}- ${k} is not set on the app`, "m"));
    }
  });

  it("passes while prerequisite values are unknown (first preview)", async () => {
    const g = baseline();
    setVar(node(g, "prerequisites"), "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET", UNKNOWN);
    expect(await messages(g, "flags-require-prerequisites")).toEqual([]);
  });

  it("counts a flag whose value is unknown as on", async () => {
    const g = baseline();
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS", UNKNOWN);
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET", "0");
    dropVar(node(g, "prerequisites"), "FREESCOUT_API_KEY");
    const [message] = await messages(g, "flags-require-prerequisites");
    expect(message).toMatch(
      /^Heroku app raxx-console-prod turns on FLAG_CONSOLE_INVESTIGATE_FROM_STATUS \(feature investigate\)/,
    );
  });

  it("passes when the flags are off", async () => {
    const g = baseline();
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS", "0");
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET", "false");
    dropVar(node(g, "prerequisites"), "FREESCOUT_API_KEY");
    expect(await messages(g, "flags-require-prerequisites")).toEqual([]);
  });

  it("does not count prerequisites set on another app", async () => {
    const g = baseline();
    const other = node(g, "prerequisites");
    other.inputs = { ...other.inputs, app: "raxx-console-staging" };
    const result = await messages(g, "flags-require-prerequisites");
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(/^Heroku app raxx-console-prod turns on/);
  });
});

describe("flags-applied-after-prerequisites", () => {
  it("fails when the flags resource does not depend on the prerequisites", async () => {
    const g = baseline();
    node(g, "flags").dependsOn = [];
    expect(await messages(g, "flags-applied-after-prerequisites")).toEqual([
      "flags sets FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET on Heroku app raxx-console-prod but does not depend on prerequisites, " +
        "which sets FREESCOUT_API_URL, FREESCOUT_INSTANCE_URL, FREESCOUT_API_KEY, FREESCOUT_OPERATIONS_MAILBOX_ID, CF_ACCESS_SVC_TICKETS_CLIENT_ID, CF_ACCESS_SVC_TICKETS_CLIENT_SECRET, CONSOLE_FEATURE_PREREQUISITES. " +
        "Add { dependsOn: [prerequisites] } to flags so the flags are applied after their prerequisites.",
    ]);
  });

  it("passes when the dependency is transitive", async () => {
    const g = baseline();
    g.push({
      name: "middle",
      type: T.vault,
      inputs: { dataJson: secret("{}") },
      dependsOn: ["prerequisites"],
      additionalSecretOutputs: ["data", "dataJson"],
    });
    node(g, "flags").dependsOn = ["middle"];
    expect(await messages(g, "flags-applied-after-prerequisites")).toEqual([]);
  });

  it("passes when one resource sets flags and prerequisites in one PATCH", async () => {
    const g = baseline().filter((n) => n.name !== "flags");
    setVar(node(g, "prerequisites"), "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS", "1");
    expect(await messages(g, "flags-applied-after-prerequisites")).toEqual([]);
  });
});

describe("gated-api-requires-service-token", () => {
  it("fails when the API path is gated and the service-token vars are absent", async () => {
    const g = baseline();
    dropVar(node(g, "prerequisites"), "CF_ACCESS_SVC_TICKETS_CLIENT_ID");
    dropVar(node(g, "prerequisites"), "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET");
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([
      "Heroku app raxx-console-prod: FREESCOUT_API_URL (https://tickets.raxx.app) is behind Cloudflare Access application application (gate tickets), " +
        "but CF_ACCESS_SVC_TICKETS_CLIENT_ID and CF_ACCESS_SVC_TICKETS_CLIENT_SECRET are not set: every API call would be refused (401/403). " +
        "Wire gate tickets's service token client id/secret to the app (see infra/program.ts).",
    ]);
  });

  it("fails when the vars come from a token the application's policy does not include", async () => {
    const g = baseline();
    g.unshift({
      name: "other-token",
      type: T.token,
      inputs: { name: "other" },
      additionalSecretOutputs: ["clientSecret"],
    });
    node(g, "policy").propertyDeps = { includes: ["other-token"] };
    const result = await messages(g, "gated-api-requires-service-token");
    expect(result).toHaveLength(2);
    expect(result[0]).toBe(
      "Heroku app raxx-console-prod: CF_ACCESS_SVC_TICKETS_CLIENT_ID does not come from a service token that Access application application admits " +
        "(admitted: other-token; CF_ACCESS_SVC_TICKETS_CLIENT_ID comes from: token). " +
        "Include gate tickets's service token (tickets-service-token) in a non_identity policy attached to the application, referencing the token resource's id.",
    );
  });

  it("fails when the policy that includes the token is not non_identity", async () => {
    const g = baseline();
    node(g, "policy").inputs = { ...node(g, "policy").inputs, decision: "allow" };
    const result = await messages(g, "gated-api-requires-service-token");
    expect(result[0]).toContain(
      "(admitted: none; CF_ACCESS_SVC_TICKETS_CLIENT_ID comes from: token)",
    );
  });

  it("reports a gate URL that the Access application does not cover (it gates another path)", async () => {
    const g = baseline();
    const app = node(g, "application");
    app.inputs = {
      ...app.inputs,
      domain: "tickets.raxx.app/admin",
      destinations: [{ type: "public", uri: "tickets.raxx.app/admin" }],
    };
    dropVar(node(g, "prerequisites"), "CF_ACCESS_SVC_TICKETS_CLIENT_ID");
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([UNCOVERED]);
  });

  it("applies when the Access application gates the whole host", async () => {
    const g = baseline();
    const app = node(g, "application");
    app.inputs = {
      ...app.inputs,
      domain: "tickets.raxx.app",
      destinations: [{ type: "public", uri: "tickets.raxx.app" }],
    };
    dropVar(node(g, "prerequisites"), "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET");
    expect(await messages(g, "gated-api-requires-service-token")).toHaveLength(1);
  });
});

describe("service-auth-returns-401", () => {
  it("fails when a service-only application redirects to the login page", async () => {
    const g = baseline();
    const app = node(g, "application");
    app.inputs = { ...app.inputs, serviceAuth401Redirect: false };
    expect(await messages(g, "service-auth-returns-401")).toEqual([
      "Access application application admits only service tokens (non_identity) but serviceAuth401Redirect is false: set serviceAuth401Redirect: true so a refused service call gets a 401, not a login page.",
    ]);
  });

  it("passes an application that also admits people", async () => {
    const g = baseline();
    g.unshift({ name: "people", type: T.policy, inputs: { decision: "allow" } });
    const app = node(g, "application");
    app.inputs = { ...app.inputs, serviceAuth401Redirect: false };
    app.propertyDeps = { policies: ["policy", "people"] };
    expect(await messages(g, "service-auth-returns-401")).toEqual([]);
  });
});

describe("secrets-stay-secret", () => {
  it("wraps FREESCOUT_API_KEY sent in plain text, and reports it as a remediation, not a violation", async () => {
    const g = baseline();
    setVar(node(g, "prerequisites"), "FREESCOUT_API_KEY", "plain-key");
    const result = await run(g);
    expect(result.violations.filter((v) => v.policy === "secrets-stay-secret")).toEqual([
      {
        policy: "secrets-stay-secret",
        level: "remediate",
        resource: "prerequisites",
        message:
          "prerequisites sends vars.FREESCOUT_API_KEY in plain text; the pack's remediation wraps it as a secret before anything is stored (only when the pack runs): fix the program, pass the value through pulumi.secret().",
      },
    ]);
  });

  it("fails when the vars would be stored in plain text in state", async () => {
    const g = baseline();
    node(g, "prerequisites").additionalSecretOutputs = [];
    expect(await messages(g, "secrets-stay-secret")).toEqual([
      'prerequisites would store vars in plain text in state: add ["vars"] to its additionalSecretOutputs.',
    ]);
  });

  it("wraps a Vault secret's plain data (a remediation)", async () => {
    const g = baseline();
    node(g, "vault-cloudflare").inputs = {
      mount: "MooseQuest",
      name: "cloudflare",
      dataJson: '{"a":"b"}',
    };
    expect(await messages(g, "secrets-stay-secret")).toEqual([
      "vault-cloudflare sends dataJson in plain text; the pack's remediation wraps it as a secret before anything is stored (only when the pack runs): fix the program, pass the value through pulumi.secret().",
    ]);
  });

  it("does not count a value unknown during preview as plain", async () => {
    const g = baseline();
    setVar(node(g, "prerequisites"), "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET", UNKNOWN);
    expect(await messages(g, "secrets-stay-secret")).toEqual([]);
  });

  it("leaves a flags resource with no credential alone", async () => {
    const g = baseline();
    node(g, "flags").additionalSecretOutputs = [];
    expect(await messages(g, "secrets-stay-secret")).toEqual([]);
  });
});

describe("urls-are-https", () => {
  it("fails when FREESCOUT_INSTANCE_URL is http://", async () => {
    const g = baseline();
    setVar(node(g, "prerequisites"), "FREESCOUT_INSTANCE_URL", "http://tickets.raxx.app");
    expect(await messages(g, "urls-are-https")).toEqual([
      "FREESCOUT_INSTANCE_URL on prerequisites must use https:// (it uses http://).",
    ]);
  });
});

describe("flags-require-detection", () => {
  it("fails when a flag is on and no alert implements the feature's rule", async () => {
    const g = baseline().filter((n) => n.name !== "alert");
    node(g, "flags").dependsOn = ["prerequisites"];
    expect(await messages(g, "flags-require-detection")).toEqual([
      'flags turns on FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET on Heroku app raxx-console-prod, but no Sentry issue alert implements detection rule freescout-not-configured (freescout_client logs "freescout_not_configured" more than 2 times in 15 minutes, email the ops team). Set sentryOrganization, sentryProject and sentryOpsTeamId in stack config: the program creates it.',
    ]);
  });

  it("fails when the alert is not applied before the flags", async () => {
    const g = baseline();
    node(g, "flags").dependsOn = ["prerequisites"];
    expect(await messages(g, "flags-require-detection")).toEqual([
      "flags turns on FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET on Heroku app raxx-console-prod without depending on alert, the alert for freescout-not-configured: the flag could be on before its alert exists. Add it to flags's dependsOn.",
    ]);
  });

  it("does not count an alert on another logger", async () => {
    const g = baseline();
    const alert = node(g, "alert");
    alert.inputs = {
      ...alert.inputs,
      filters: [
        {
          id: "sentry.rules.filters.tagged_event.TaggedEventFilter",
          key: "logger",
          match: "eq",
          value: "other",
        },
        {
          id: "sentry.rules.filters.event_attribute.EventAttributeFilter",
          attribute: "message",
          match: "co",
          value: "freescout_not_configured",
        },
      ],
    };
    expect(await messages(g, "flags-require-detection")).toHaveLength(1);
  });

  it("does not count an alert with a looser threshold", async () => {
    const g = baseline();
    const alert = node(g, "alert");
    alert.inputs = {
      ...alert.inputs,
      conditions: [
        {
          id: "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
          comparisonType: "count",
          value: "100",
          interval: "15m",
        },
      ],
    };
    expect(await messages(g, "flags-require-detection")).toHaveLength(1);
  });

  it("does not count an alert over a longer window", async () => {
    const g = baseline();
    const alert = node(g, "alert");
    alert.inputs = {
      ...alert.inputs,
      conditions: [
        {
          id: "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
          comparisonType: "count",
          value: "2",
          interval: "1h",
        },
      ],
    };
    expect(await messages(g, "flags-require-detection")).toHaveLength(1);
  });

  it("passes while the alert's values are unknown (first preview)", async () => {
    const g = baseline();
    node(g, "alert").inputs = { ...node(g, "alert").inputs, filters: UNKNOWN, conditions: UNKNOWN };
    expect(await messages(g, "flags-require-detection")).toEqual([]);
  });

  // On a stack that exists the policy reads the alert's outputs, where one field of an entry can
  // be unknown in a preview; a throw would downgrade the policy to advisory.
  it("stays mandatory and decides when one field of a condition is unknown", async () => {
    const g = baseline();
    const alert = node(g, "alert");
    const conditions = alert.inputs["conditions"] as Record<string, unknown>[];
    alert.inputs = { ...alert.inputs, conditions: [{ ...conditions[0], value: UNKNOWN }] };
    const result = await run(g);
    expect(result.violations.filter((v) => v.policy === "flags-require-detection")).toEqual([]);
    expect(result.passed).toContain("flags-require-detection");
    alert.inputs = { ...alert.inputs, conditions: [{ ...conditions[0], value: UNKNOWN, id: "x" }] };
    expect(await messages(g, "flags-require-detection")).toHaveLength(1);
  });

  it("passes when the flags are off", async () => {
    const g = baseline().filter((n) => n.name !== "alert");
    node(g, "flags").dependsOn = ["prerequisites"];
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS", "0");
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET", "0");
    expect(await messages(g, "flags-require-detection")).toEqual([]);
  });
});

describe("api-url-on-gated-host", () => {
  it("fails when FREESCOUT_API_URL points at a host no Access application of the stack gates", async () => {
    const g = baseline();
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "https://evil.example");
    expect(await messages(g, "api-url-on-gated-host")).toEqual([
      "FREESCOUT_API_URL on prerequisites must point at tickets.raxx.app (it points at evil.example): another host would receive the FreeScout API key and the service-token secret (gate tickets: set it to a URL on console-wiring:gates.tickets.host).",
    ]);
  });

  it("passes a host given in the policy's allowedHosts", async () => {
    const g = baseline();
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "https://tickets-eu.raxx.app");
    const result = await analyze(capture(g), [
      apiUrlOnGatedHost({ allowedHosts: ["tickets-eu.raxx.app"] }),
    ]);
    expect(result.violations).toEqual([]);
  });

  it("leaves a non-https URL to urls-are-https (one violation, not two)", async () => {
    const g = baseline();
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "http://evil.example");
    expect(await messages(g, "api-url-on-gated-host")).toEqual([]);
    expect(await messages(g, "urls-are-https")).toHaveLength(1);
  });

  it("refuses hostile characters through urls-are-https", async () => {
    const g = baseline();
    setVar(
      node(g, "prerequisites"),
      "FREESCOUT_API_URL",
      "https://evil.example\\@tickets.raxx.app",
    );
    expect(await messages(g, "urls-are-https")).toEqual([
      "FREESCOUT_API_URL on prerequisites contains whitespace, a control character or a backslash.",
    ]);
  });
});

describe("service-token-expiry (advisory)", () => {
  const withExpiry = (iso: string) => {
    const g = baseline();
    node(g, "token").inputs = { ...node(g, "token").inputs, expiresAt: iso };
    return g;
  };

  it("warns when the token expires within 30 days", async () => {
    const result = await run(withExpiry("2026-12-19T00:00:00Z"));
    expect(result.violations).toEqual([
      {
        policy: "service-token-expiry",
        level: "advisory",
        resource: "token",
        message:
          "Service token token expires in 20 day(s) (2026-12-19T00:00:00Z), within the 30-day warning window. " +
          "Renew it with a new token: pulumi config set --path 'gates.<gate>.serviceTokenGeneration' <current+1> && pulumi up (Access admits the old and the new token while Vault and Heroku move to the new one), " +
          "then, once the smoke check passes, pulumi config set --path 'gates.<gate>.serviceTokenRetiredGeneration' <current> && pulumi up. " +
          "Set --path 'gates.<gate>.serviceTokenDuration' forever in the first step for a token that never expires. A rotation (gates.<gate>.serviceTokenSecretVersion) does not extend the expiry.",
      },
    ]);
  });

  it("says how long ago an expired token expired", async () => {
    const [message] = await messages(withExpiry("2026-11-19T00:00:00Z"), "service-token-expiry");
    expect(message).toMatch(/^Service token token expired 10 day\(s\) ago/);
  });

  it("passes a token with months left", async () => {
    expect(await messages(withExpiry("2027-06-01T00:00:00Z"), "service-token-expiry")).toEqual([]);
  });
});

describe("every policy but the expiry warning blocks", () => {
  it("reports each violation as mandatory, so a preview with it fails", async () => {
    const g = baseline();
    node(g, "flags").dependsOn = [];
    dropVar(node(g, "prerequisites"), "FREESCOUT_API_KEY");
    setVar(node(g, "prerequisites"), "FREESCOUT_INSTANCE_URL", "http://tickets.raxx.app");
    const result = await run(g);
    expect(result.violations.map((v) => [v.policy, v.level])).toEqual([
      ["urls-are-https", "mandatory"],
      ["flags-require-prerequisites", "mandatory"],
      ["flags-applied-after-prerequisites", "mandatory"],
      ["flags-applied-after-access-gate", "mandatory"],
      ["flags-require-detection", "mandatory"],
    ]);
  });

  it("declares every policy mandatory but the expiry warning (advisory) and secrets-stay-secret (remediate: it also validates)", () => {
    const levels = Object.fromEntries(allPolicies().map((p) => [p.name, p.enforcementLevel]));
    expect(levels).toEqual({
      "flags-require-prerequisites": "mandatory",
      "flags-applied-after-prerequisites": "mandatory",
      "flags-applied-after-access-gate": "mandatory",
      "flags-require-detection": "mandatory",
      "gated-api-requires-service-token": "mandatory",
      "service-auth-returns-401": "mandatory",
      "secrets-stay-secret": "remediate",
      "urls-are-https": "mandatory",
      "api-url-on-gated-host": "mandatory",
      "service-token-expiry": "advisory",
    });
  });
});

describe("what the engine shows of each policy", () => {
  it("gives every policy a description a person can act on", () => {
    for (const p of allPolicies()) expect(p.description.length, p.name).toBeGreaterThan(80);
  });
});

describe("which resources count as an app's config vars", () => {
  it("skips a config-vars resource whose app is not known yet (first preview)", async () => {
    const g = baseline();
    dropVar(node(g, "prerequisites"), "FREESCOUT_API_KEY");
    for (const n of [node(g, "prerequisites"), node(g, "flags")]) {
      n.inputs = { ...n.inputs, app: UNKNOWN };
    }
    expect(await messages(g, "flags-require-prerequisites")).toEqual([]);
  });

  it("counts only Heroku config-vars resources, whatever other resources hold", async () => {
    const g = baseline();
    dropVar(node(g, "prerequisites"), "FREESCOUT_API_KEY");
    // A Vault secret with the same input shape is not a Heroku app's config.
    g.push({
      name: "look-alike",
      type: T.vault,
      inputs: {
        app: "raxx-console-prod",
        vars: { FREESCOUT_API_KEY: secret("k") },
        keys: ["FREESCOUT_API_KEY"],
      },
      additionalSecretOutputs: ["vars"],
    });
    const [message] = await messages(g, "flags-require-prerequisites");
    expect(message).toContain("  - FREESCOUT_API_KEY is not set on the app");
  });
});

describe("flags-applied-after-prerequisites: only flags that are on", () => {
  it("passes a flag resource whose flags are all off, though it does not depend on the prerequisites", async () => {
    const g = baseline();
    node(g, "flags").dependsOn = [];
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS", "0");
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET", "off");
    expect(await messages(g, "flags-applied-after-prerequisites")).toEqual([]);
  });

  it("names only the flags that are on", async () => {
    const g = baseline();
    node(g, "flags").dependsOn = [];
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS", "false");
    const [message] = await messages(g, "flags-applied-after-prerequisites");
    expect(message).toMatch(
      /^flags sets FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET on Heroku app raxx-console-prod but does not depend on prerequisites,/,
    );
  });

  it("names each unordered holder once, with the vars it sets", async () => {
    const g = baseline();
    node(g, "flags").dependsOn = ["prerequisites"];
    // A second holder of one prerequisite, which the flags do not depend on.
    dropVar(node(g, "prerequisites"), "FREESCOUT_OPERATIONS_MAILBOX_ID");
    g.push({
      name: "mailbox",
      type: T.heroku,
      inputs: {
        app: "raxx-console-prod",
        vars: { FREESCOUT_OPERATIONS_MAILBOX_ID: secret("7") },
        keys: ["FREESCOUT_OPERATIONS_MAILBOX_ID"],
        providerVersion: "1",
      },
      additionalSecretOutputs: ["vars"],
    });
    expect(await messages(g, "flags-applied-after-prerequisites")).toEqual([
      "flags sets FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET on Heroku app raxx-console-prod but does not depend on mailbox, which sets FREESCOUT_OPERATIONS_MAILBOX_ID. " +
        "Add { dependsOn: [mailbox] } to flags so the flags are applied after their prerequisites.",
    ]);
  });
});

describe("gated-api-requires-service-token: what the Access application gates", () => {
  const gateOnly = (g: Node[], inputs: Record<string, unknown>) => {
    const app = node(g, "application");
    const { domain: _d, destinations: _ds, ...rest } = app.inputs;
    app.inputs = { ...rest, ...inputs };
  };
  const withoutClientId = () => {
    const g = baseline();
    dropVar(node(g, "prerequisites"), "CF_ACCESS_SVC_TICKETS_CLIENT_ID");
    return g;
  };

  it("reports the API URL on a host the application does not gate, not the missing var", async () => {
    const g = withoutClientId();
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "https://helpdesk.raxx.app");
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([UNCOVERED]);
  });

  it("reads the gated host and path from domain alone", async () => {
    const g = withoutClientId();
    gateOnly(g, { domain: "tickets.raxx.app/api" });
    expect(await messages(g, "gated-api-requires-service-token")).toHaveLength(1);
  });

  it("reads them from public destinations alone, and ignores private ones", async () => {
    const g = withoutClientId();
    gateOnly(g, { destinations: [{ uri: "TICKETS.raxx.app/api/" }] });
    expect(await messages(g, "gated-api-requires-service-token")).toHaveLength(1);
    gateOnly(g, { destinations: [{ type: "private", uri: "tickets.raxx.app/api" }] });
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([UNCOVERED]);
  });

  it("matches a wildcard host on subdomains only", async () => {
    const g = withoutClientId();
    gateOnly(g, { domain: "*.raxx.app/api" });
    expect(await messages(g, "gated-api-requires-service-token")).toHaveLength(1);
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "https://raxx.app.example");
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([UNCOVERED]);
  });

  it("applies when the API base URL has a path under which /api/ is gated", async () => {
    const g = withoutClientId();
    gateOnly(g, { domain: "tickets.raxx.app/help/api" });
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "https://tickets.raxx.app/help/");
    expect(await messages(g, "gated-api-requires-service-token")).toHaveLength(1);
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "https://tickets.raxx.app/other");
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([UNCOVERED]);
  });

  it("names the one missing var in the singular", async () => {
    const [message] = await messages(withoutClientId(), "gated-api-requires-service-token");
    expect(message).toBe(
      "Heroku app raxx-console-prod: FREESCOUT_API_URL (https://tickets.raxx.app) is behind Cloudflare Access application application (gate tickets), " +
        "but CF_ACCESS_SVC_TICKETS_CLIENT_ID is not set: every API call would be refused (401/403). " +
        "Wire gate tickets's service token client id/secret to the app (see infra/program.ts).",
    );
  });

  it("reports a gate URL on a stack without an Access application: nothing protects it", async () => {
    const g = withoutNode(withoutClientId(), "application");
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([UNCOVERED]);
  });

  it("is not applicable to a stack without an Access application and without a gate URL var", async () => {
    const g = withoutNode(withoutClientId(), "application");
    dropVar(node(g, "prerequisites"), "FREESCOUT_API_URL");
    const result = await run(g);
    expect(result.violations.filter((v) => v.policy.includes("gate"))).toEqual([]);
    expect(result.notApplicable.map((n) => n.policy)).toEqual(
      expect.arrayContaining([
        "gated-api-requires-service-token",
        "flags-applied-after-access-gate",
        "api-url-on-gated-host",
        "service-auth-returns-401",
      ]),
    );
  });
});

describe("service-auth-returns-401: which policies count", () => {
  const redirecting = (g: Node[]) => {
    const app = node(g, "application");
    app.inputs = { ...app.inputs, serviceAuth401Redirect: false };
    return app;
  };

  it("reads inline policies with a decision, and skips entries without one", async () => {
    const g = baseline();
    const app = redirecting(g);
    app.propertyDeps = {};
    app.inputs = { ...app.inputs, policies: [{ decision: "non_identity" }, { precedence: 2 }] };
    expect(await messages(g, "service-auth-returns-401")).toHaveLength(1);
    app.inputs = { ...app.inputs, policies: [{ decision: "non_identity" }, { decision: "allow" }] };
    expect(await messages(g, "service-auth-returns-401")).toEqual([]);
  });

  // On a stack that exists, the policy reads the application's outputs, where an inline entry's
  // decision can be unknown in a preview; a throw there would downgrade the whole policy to advisory.
  it("stays mandatory and decides when an inline policy's decision is unknown", async () => {
    const g = baseline();
    const app = redirecting(g);
    app.propertyDeps = {};
    app.inputs = { ...app.inputs, policies: [{ decision: "non_identity" }, { decision: UNKNOWN }] };
    const result = await run(g);
    expect(result.violations.filter((v) => v.policy === "service-auth-returns-401")).toEqual([]);
    expect(result.passed).toContain("service-auth-returns-401");
  });

  it("counts only Access policies among what the application's policies come from", async () => {
    const g = baseline();
    redirecting(g).propertyDeps = { policies: ["policy", "token"] };
    expect(await messages(g, "service-auth-returns-401")).toHaveLength(1);
  });

  it("does not apply to an application without any policy", async () => {
    const g = baseline();
    const app = redirecting(g);
    app.propertyDeps = {};
    app.inputs = { ...app.inputs, policies: [] };
    expect(await messages(g, "service-auth-returns-401")).toEqual([]);
  });

  it("says when serviceAuth401Redirect is not set at all", async () => {
    const g = baseline();
    const app = node(g, "application");
    const { serviceAuth401Redirect: _, ...rest } = app.inputs;
    app.inputs = rest;
    const [message] = await messages(g, "service-auth-returns-401");
    expect(message).toMatch(
      /but serviceAuth401Redirect is unset: set serviceAuth401Redirect: true/,
    );
  });

  it("looks at Access applications only", async () => {
    const g = baseline();
    g.push({
      name: "look-alike",
      type: T.vault,
      inputs: { policies: [{ decision: "non_identity" }], serviceAuth401Redirect: false },
      additionalSecretOutputs: ["data", "dataJson"],
    });
    expect(await messages(g, "service-auth-returns-401")).toEqual([]);
  });
});

describe("service-token-expiry: the window", () => {
  const DAY = 24 * 60 * 60 * 1000;
  const at = (ms: number) => new Date(NOW + ms).toISOString();
  const withExpiry = (expiresAt: unknown) => {
    const g = baseline();
    node(g, "token").inputs = { ...node(g, "token").inputs, expiresAt };
    return g;
  };

  it("warns inside the window, not at its edge", async () => {
    expect(await messages(withExpiry(at(30 * DAY)), "service-token-expiry")).toEqual([]);
    expect(await messages(withExpiry(at(30 * DAY - 1)), "service-token-expiry")).toHaveLength(1);
  });

  it("says 'expires in 0 day(s)' on its last day", async () => {
    const [message] = await messages(withExpiry(at(DAY / 2)), "service-token-expiry");
    expect(message).toMatch(/^Service token token expires in 0 day\(s\) \(/);
  });

  it("takes the window from the policy's options when its config has none", async () => {
    const g = withExpiry(at(45 * DAY));
    const policy = serviceTokenExpiry({ days: 60, now: () => NOW });
    expect((await analyze(capture(g), [policy])).violations).toHaveLength(1);
    const defaults = serviceTokenExpiry({ now: () => NOW });
    expect((await analyze(capture(g), [defaults])).violations).toEqual([]);
  });

  it("declares its config: days, a whole number from 1, 30 by default", () => {
    expect(serviceTokenExpiry().configSchema).toEqual({
      properties: { days: { type: "integer", minimum: 1, default: 30 } },
    });
  });

  it("is not applicable when no token has a readable expiry, and runs when one has", async () => {
    for (const expiresAt of ["", "soon", UNKNOWN]) {
      const result = await run(withExpiry(expiresAt));
      expect(
        result.notApplicable.map((n) => n.policy),
        String(expiresAt),
      ).toEqual(["service-token-expiry"]);
    }
    const checked = await run(withExpiry(at(90 * DAY)));
    expect(checked.notApplicable).toEqual([]);
    expect(checked.passed).toContain("service-token-expiry");
  });

  it("looks at service tokens only", async () => {
    const g = withExpiry(UNKNOWN);
    g.push({ name: "look-alike", type: T.alert, inputs: { expiresAt: at(DAY) } });
    expect(await messages(g, "service-token-expiry")).toEqual([]);
  });
});

describe("flags-require-prerequisites: values", () => {
  it("counts a blank or non-string value as empty", async () => {
    const g = baseline();
    setVar(node(g, "prerequisites"), "FREESCOUT_INSTANCE_URL", "   ");
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", 5);
    const [message] = await messages(g, "flags-require-prerequisites");
    expect(message).toContain("  - FREESCOUT_API_URL is empty; provide it from stack config");
    expect(message).toContain("  - FREESCOUT_INSTANCE_URL is empty; provide it from stack config");
  });

  it("reports on the resource holding the first flag that is on", async () => {
    const g = baseline();
    dropVar(node(g, "prerequisites"), "FREESCOUT_API_KEY");
    const result = await run(g);
    const verdict = result.violations.find((v) => v.policy === "flags-require-prerequisites");
    expect(verdict?.resource).toBe("flags");
  });
});

describe("urls-are-https: which vars", () => {
  it("checks the https-url config vars only, on Heroku config vars only", async () => {
    const feature: Feature = {
      id: "f",
      description: "",
      flags: ["FLAG_F"],
      requires: [
        {
          name: "F_URL",
          secret: false,
          source: { kind: "config", key: "fUrl", format: "https-url" },
          purpose: "",
        },
        {
          name: "F_TEXT",
          secret: false,
          source: { kind: "config", key: "fText", format: "text" },
          purpose: "",
        },
        {
          name: "F_FIELD",
          secret: false,
          source: { kind: "vault", path: "freescout", field: "F_FIELD" },
          purpose: "",
        },
      ],
    };
    const vars = { F_URL: "http://x.example", F_TEXT: "plain", F_FIELD: "also plain" };
    const g: Node[] = [
      {
        name: "app-vars",
        type: T.heroku,
        inputs: { app: "a-app", vars, keys: Object.keys(vars), providerVersion: "1" },
      },
      { name: "look-alike", type: T.vault, inputs: { vars, keys: Object.keys(vars) } },
      {
        name: "not-yet",
        type: T.heroku,
        inputs: {
          app: "b-app",
          vars: { F_TEXT: "t" },
          keys: ["F_URL", "F_TEXT"],
          providerVersion: "1",
        },
      },
    ];
    const result = await analyze(capture(g), [urlsAreHttps([feature])]);
    expect(result.violations.map((v) => v.message)).toEqual([
      "F_URL on app-vars must use https:// (it uses http://).",
    ]);
  });
});

describe("flags-require-detection: which alerts count", () => {
  it("passes when the flags depend on one of two matching alerts", async () => {
    const g = baseline();
    g.push({ ...node(g, "alert"), name: "alert-copy" });
    expect(await messages(g, "flags-require-detection")).toEqual([]);
  });

  it("counts only Sentry issue alerts", async () => {
    const g = baseline();
    const alert = node(g, "alert");
    alert.type = T.vault;
    alert.additionalSecretOutputs = ["data", "dataJson"];
    const [message] = await messages(g, "flags-require-detection");
    expect(message).toMatch(/but no Sentry issue alert implements detection rule/);
  });

  it("asks nothing of a feature without detection rules", async () => {
    const quiet: Feature = { ...investigate(), detection: undefined };
    const g = baseline().filter((n) => n.name !== "alert");
    node(g, "flags").dependsOn = ["prerequisites"];
    const result = await analyze(capture(g), [flagsRequireDetection([quiet])]);
    expect(result.violations).toEqual([]);
  });
});

describe("secrets-stay-secret: state", () => {
  it("requires a Vault secret's data and the token's client secret to be stored encrypted", async () => {
    const g = baseline();
    node(g, "vault-cloudflare").additionalSecretOutputs = ["data"];
    node(g, "token").additionalSecretOutputs = [];
    expect(await messages(g, "secrets-stay-secret")).toEqual([
      'token would store clientSecret in plain text in state: add ["clientSecret"] to its additionalSecretOutputs.',
      'vault-cloudflare would store dataJson in plain text in state: add ["dataJson"] to its additionalSecretOutputs.',
    ]);
  });

  it("reads a Heroku resource's credential names from its vars when keys are not declared", async () => {
    const g = baseline();
    const prereq = node(g, "prerequisites");
    const { keys: _, ...rest } = prereq.inputs;
    prereq.inputs = rest;
    prereq.additionalSecretOutputs = [];
    expect(await messages(g, "secrets-stay-secret")).toEqual([]);
  });
});

describe("gated-api-requires-service-token: what it names", () => {
  it("says when no service token of the stack feeds the vars and none is admitted", async () => {
    const g = baseline();
    node(g, "policy").propertyDeps = {};
    node(g, "prerequisites").propertyDeps = {};
    node(g, "prerequisites").dependsOn = [];
    const [message] = await messages(g, "gated-api-requires-service-token");
    expect(message).toBe(
      "Heroku app raxx-console-prod: CF_ACCESS_SVC_TICKETS_CLIENT_ID does not come from a service token that Access application application admits " +
        "(admitted: none; CF_ACCESS_SVC_TICKETS_CLIENT_ID comes from: no service token in this stack). " +
        "Include gate tickets's service token (tickets-service-token) in a non_identity policy attached to the application, referencing the token resource's id.",
    );
  });

  it("passes when one of the tokens feeding the vars is admitted", async () => {
    const g = baseline();
    g.unshift({
      name: "other-token",
      type: T.token,
      inputs: {},
      additionalSecretOutputs: ["clientSecret"],
    });
    node(g, "vault-cloudflare").propertyDeps = { dataJson: ["other-token", "token"] };
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([]);
  });

  it("skips an app whose API URL is not known yet", async () => {
    const g = baseline();
    dropVar(node(g, "prerequisites"), "CF_ACCESS_SVC_TICKETS_CLIENT_ID");
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", UNKNOWN);
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([]);
  });
});

describe("api-url-on-gated-host: hosts", () => {
  it("accepts any subdomain of a wildcard-gated host", async () => {
    const g = baseline();
    const app = node(g, "application");
    app.inputs = {
      ...app.inputs,
      domain: "*.raxx.app/api",
      destinations: [{ uri: "*.raxx.app/api" }],
    };
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "https://eu.raxx.app");
    expect(await messages(g, "api-url-on-gated-host")).toEqual([]);
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "https://eu.raxx.app.example");
    expect(await messages(g, "api-url-on-gated-host")).toHaveLength(1);
  });

  it("does not apply without an Access application, or one whose hosts are unknown", async () => {
    const g = withoutNode(baseline(), "application");
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "https://evil.example");
    expect(await messages(g, "api-url-on-gated-host")).toEqual([]);
    const h = baseline();
    node(h, "application").inputs = {
      ...node(h, "application").inputs,
      domain: UNKNOWN,
      destinations: UNKNOWN,
    };
    setVar(node(h, "prerequisites"), "FREESCOUT_API_URL", "https://evil.example");
    expect(await messages(h, "api-url-on-gated-host")).toEqual([]);
  });

  it("declares allowedHosts in its config, and skips unknown or non-Heroku values", async () => {
    const g = baseline();
    expect(apiUrlOnGatedHost().configSchema).toEqual({
      properties: { allowedHosts: { type: "array", items: { type: "string" } } },
    });
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", UNKNOWN);
    g.push({
      name: "look-alike",
      type: T.vault,
      inputs: { vars: { FREESCOUT_API_URL: "https://evil.example" }, keys: ["FREESCOUT_API_URL"] },
    });
    expect(await messages(g, "api-url-on-gated-host")).toEqual([]);
  });
});
