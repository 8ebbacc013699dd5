import type { PolicyResource } from "@pulumi/policy";
import { Secret } from "@pulumi/policy";
import * as proxy from "@pulumi/policy/proxy";
import { describe, expect, it } from "vitest";
import { issueAlertArgs } from "../infra/sentry/detection-alerts";
import {
  ACCESS_POLICY,
  ancestors,
  byApp,
  flagIsOn,
  HEROKU_CONFIG_VARS,
  herokuVars,
  read,
  SENTRY_ISSUE_ALERT,
  SERVICE_TOKEN,
  sourcesOf,
  VAULT_SECRET,
} from "../policy/lib/resources";
import { implementsRule } from "../policy/policies/flags-require-detection";
import {
  admittedTokens,
  covers,
  gatedPrefixes,
} from "../policy/policies/gated-api-requires-service-token";
import { wrapPlainSecrets } from "../policy/policies/secrets-stay-secret";
import { UNKNOWN } from "./support/graph-fixture";
import { investigate } from "./support/investigate";

// The policies' building blocks, each decision tried on its own: what the engine's preview
// values look like (unknown, secret, absent) and how a graph is read.

// Internal to @pulumi/policy (pinned): how the runtime hands props to a policy, throwing on a
// value unknown in preview.
const { UnknownValueError, unknownCheckingProxy } = proxy as unknown as {
  UnknownValueError: new (sentinel: string, path: string[]) => Error;
  unknownCheckingProxy: <T extends object>(props: T) => T;
};

let next = 0;
function resource(
  type: string,
  props: Record<string, unknown>,
  deps: {
    dependencies?: PolicyResource[];
    propertyDependencies?: Record<string, PolicyResource[]>;
  } = {},
): PolicyResource {
  next += 1;
  return {
    type,
    name: `r${next}`,
    urn: `urn:pulumi:test::p::${type}::r${next}`,
    props: unknownCheckingProxy(props),
    dependencies: deps.dependencies ?? [],
    propertyDependencies: deps.propertyDependencies ?? {},
  } as unknown as PolicyResource;
}

describe("read", () => {
  it("gives a known value, and a preview-unknown one as not known", () => {
    expect(read(() => 7)).toEqual({ known: true, value: 7 });
    expect(
      read(() => {
        throw new UnknownValueError(UNKNOWN, ["vars"]);
      }),
    ).toEqual({ known: false });
  });

  it("lets any other error through: a policy bug must not read as 'unknown'", () => {
    expect(() =>
      read(() => {
        throw new TypeError("not an unknown");
      }),
    ).toThrow("not an unknown");
  });
});

describe("herokuVars", () => {
  const view = (props: Record<string, unknown>) => herokuVars({ urn: "u", name: "n", props });

  it("takes the declared keys, even while the values are unknown", () => {
    expect(view({ app: "a", keys: ["B", "A"], vars: UNKNOWN }).keys).toEqual(["B", "A"]);
  });

  it("falls back to the names of vars when keys are not declared (older state)", () => {
    expect(view({ app: "a", vars: { A: "1", B: "2" } }).keys).toEqual(["A", "B"]);
    expect(view({ app: "a", keys: "not a list", vars: { A: "1" } }).keys).toEqual(["A"]);
    expect(view({ app: "a" }).keys).toEqual([]);
  });

  it("reads a value as a string, and anything else as absent", () => {
    const v = view({ app: "a", keys: ["S", "N"], vars: { S: "x", N: 5 } });
    expect(v.value("S")).toEqual({ known: true, value: "x" });
    expect(v.value("N")).toEqual({ known: true, value: undefined });
    expect(v.value("MISSING")).toEqual({ known: true, value: undefined });
    expect(view({ app: "a", keys: ["S"] }).value("S")).toEqual({ known: true, value: undefined });
  });
});

describe("flagIsOn", () => {
  it("counts an unknown flag as on, an absent one as off", () => {
    expect(flagIsOn({ known: false })).toBe(true);
    expect(flagIsOn({ known: true, value: undefined })).toBe(false);
  });

  it("reads the off spellings whatever their case and spaces", () => {
    for (const off of ["", "0", "false", " Off ", "NO"]) {
      expect(flagIsOn({ known: true, value: off }), off).toBe(false);
    }
    for (const on of ["1", "true", "on", "yes"]) {
      expect(flagIsOn({ known: true, value: on }), on).toBe(true);
    }
  });
});

describe("byApp", () => {
  it("groups config-vars resources by app, skipping other types and unknown apps", () => {
    const a1 = { ...resource(HEROKU_CONFIG_VARS, { app: "a", keys: ["X"] }) };
    const a2 = { ...resource(HEROKU_CONFIG_VARS, { app: "a", keys: ["Y"] }) };
    const b = { ...resource(HEROKU_CONFIG_VARS, { app: "b", keys: ["Z"] }) };
    const other = { ...resource(VAULT_SECRET, { app: "a", keys: ["W"] }) };
    const later = { ...resource(HEROKU_CONFIG_VARS, { app: UNKNOWN, keys: ["V"] }) };
    const apps = byApp([a1, a2, b, other, later]);
    expect([...apps.keys()]).toEqual(["a", "b"]);
    expect(apps.get("a")?.map((v) => v.keys)).toEqual([["X"], ["Y"]]);
  });
});

describe("ancestors and sourcesOf", () => {
  it("follows dependencies and property dependencies transitively, each resource once", () => {
    const root = resource("t", {});
    const left = resource("t", {}, { dependencies: [root] });
    const right = resource("t", {}, { propertyDependencies: { x: [root] } });
    const top = resource("t", {}, { dependencies: [left], propertyDependencies: { y: [right] } });
    expect([...ancestors(top)].map((r) => r.name).sort()).toEqual(
      [left, right, root].map((r) => r.name).sort(),
    );
  });

  it("ends on a graph with a cycle, each resource once (the engine sends none; a policy must not hang)", () => {
    const a = resource("t", {});
    const b = resource("t", {}, { dependencies: [a] });
    a.dependencies.push(b);
    expect([...ancestors(b)]).toEqual([a, b]);
  });

  it("gives the resources one property was computed from, and nothing for another", () => {
    const token = resource(SERVICE_TOKEN, {});
    const vault = resource(VAULT_SECRET, {}, { propertyDependencies: { dataJson: [token] } });
    const other = resource("t", {});
    const vars = resource(
      HEROKU_CONFIG_VARS,
      {},
      { dependencies: [other], propertyDependencies: { vars: [vault] } },
    );
    expect([...sourcesOf(vars, "vars")]).toEqual([vault, token]);
    expect([...sourcesOf(vars, "app")]).toEqual([]);
  });

  it("follows what values were computed from, not what a resource was ordered after", () => {
    const old = resource(SERVICE_TOKEN, {});
    const renewed = resource(SERVICE_TOKEN, {});
    const policy = resource(
      ACCESS_POLICY,
      {},
      { propertyDependencies: { includes: [old, renewed] } },
    );
    const vault = resource(
      VAULT_SECRET,
      {},
      { dependencies: [policy], propertyDependencies: { dataJson: [renewed] } },
    );
    const vars = resource(
      HEROKU_CONFIG_VARS,
      {},
      { dependencies: [policy], propertyDependencies: { vars: [vault] } },
    );
    expect([...sourcesOf(vars, "vars")]).toEqual([vault, renewed]);
  });
});

describe("gatedPrefixes", () => {
  const app = (props: Record<string, unknown>) => gatedPrefixes(resource("app", props));

  it("reads public destinations and the domain, host lowercased, path ending in /", () => {
    expect(
      app({
        destinations: [
          { type: "public", uri: "Tickets.raxx.app/api//" },
          { uri: "tickets.raxx.app" },
          { type: "private", uri: "10.0.0.1/api" },
          { type: "public" },
        ],
        domain: "help.raxx.app/desk",
      }),
    ).toEqual([
      { host: "tickets.raxx.app", path: "/api/" },
      { host: "tickets.raxx.app", path: "/" },
      { host: "help.raxx.app", path: "/desk/" },
    ]);
  });

  it("skips what is unknown in preview or absent", () => {
    expect(app({ destinations: UNKNOWN, domain: UNKNOWN })).toEqual([]);
    expect(app({})).toEqual([]);
    expect(app({ domain: 42 })).toEqual([]);
  });
});

describe("covers", () => {
  const prefix = (host: string, path: string) => ({ host, path });

  it("matches the called path <base>/api/ against the gated path, either way round", () => {
    expect(covers(prefix("tickets.raxx.app", "/api/"), "https://tickets.raxx.app")).toBe(true);
    expect(covers(prefix("tickets.raxx.app", "/api/"), "https://tickets.raxx.app///")).toBe(true);
    expect(covers(prefix("tickets.raxx.app", "/"), "https://tickets.raxx.app/help")).toBe(true);
    expect(covers(prefix("tickets.raxx.app", "/api/v1/"), "https://tickets.raxx.app")).toBe(true);
    expect(covers(prefix("tickets.raxx.app", "/admin/"), "https://tickets.raxx.app")).toBe(false);
    expect(covers(prefix("tickets.raxx.app", "/x/api/"), "https://tickets.raxx.app/y/x")).toBe(
      false,
    );
  });

  it("matches hosts exactly, or by wildcard on subdomains", () => {
    expect(covers(prefix("tickets.raxx.app", "/"), "https://TICKETS.raxx.app")).toBe(true);
    expect(covers(prefix("tickets.raxx.app", "/"), "https://other.raxx.app")).toBe(false);
    expect(covers(prefix("*.raxx.app", "/"), "https://tickets.raxx.app")).toBe(true);
    expect(covers(prefix("*.raxx.app", "/"), "https://raxx.app")).toBe(false);
    expect(covers(prefix("*.raxx.app", "/"), "https://tickets.raxx.app.evil.example")).toBe(false);
  });

  it("covers nothing for a URL it cannot parse", () => {
    expect(covers(prefix("tickets.raxx.app", "/"), "tickets.raxx.app")).toBe(false);
  });
});

describe("admittedTokens", () => {
  it("admits the service tokens included by the application's non_identity policies only", () => {
    const token = resource(SERVICE_TOKEN, {});
    const other = resource(SERVICE_TOKEN, {});
    const notToken = resource(VAULT_SECRET, {});
    const service = resource(
      ACCESS_POLICY,
      { decision: "non_identity" },
      { propertyDependencies: { includes: [token, notToken] } },
    );
    const people = resource(
      ACCESS_POLICY,
      { decision: "allow" },
      { propertyDependencies: { includes: [other] } },
    );
    const later = resource(
      ACCESS_POLICY,
      { decision: UNKNOWN },
      { propertyDependencies: { includes: [other] } },
    );
    const lookAlike = resource(
      "some:other:Policy",
      { decision: "non_identity" },
      { propertyDependencies: { includes: [other] } },
    );
    const noIncludes = resource(ACCESS_POLICY, { decision: "non_identity" });
    const app = resource(
      "app",
      {},
      { propertyDependencies: { policies: [service, people, later, lookAlike, noIncludes] } },
    );
    expect([...admittedTokens(app)]).toEqual([token]);
    expect([...admittedTokens(resource("app", {}))]).toEqual([]);
  });
});

describe("wrapPlainSecrets (the remediation)", () => {
  const plainKey = "k-value";

  it("wraps exactly the plain credentials of a Heroku resource, keeping the rest", () => {
    const kept = new Secret("s");
    const out = wrapPlainSecrets(HEROKU_CONFIG_VARS, {
      app: "a",
      vars: {
        FREESCOUT_API_KEY: plainKey,
        CLIENT_SECRET: kept,
        URL: "https://x",
        LATER_TOKEN: UNKNOWN,
      },
    });
    const vars = out?.["vars"] as Record<string, unknown>;
    expect(out?.["app"]).toBe("a");
    expect(vars["FREESCOUT_API_KEY"]).toBeInstanceOf(Secret);
    expect((vars["FREESCOUT_API_KEY"] as Secret).value).toBe(plainKey);
    expect(vars["CLIENT_SECRET"]).toBe(kept);
    expect(vars["URL"]).toBe("https://x");
    expect(vars["LATER_TOKEN"]).toBe(UNKNOWN);
  });

  it("wraps a var its feature declares secret, whatever its name", () => {
    const feature = {
      id: "f",
      description: "",
      flags: ["FLAG_F"],
      requires: [
        {
          name: "F_MAILBOX_ID",
          secret: true,
          source: { kind: "vault" as const, path: "f", field: "ID" },
          purpose: "",
        },
      ],
    };
    const vars = { F_MAILBOX_ID: "7", URL: "https://x" };
    const out = wrapPlainSecrets(HEROKU_CONFIG_VARS, { vars }, [feature]);
    expect((out?.["vars"] as Record<string, unknown>)["F_MAILBOX_ID"]).toBeInstanceOf(Secret);
    expect(wrapPlainSecrets(HEROKU_CONFIG_VARS, { vars }, [])).toBeUndefined();
  });

  it("changes nothing when every credential already is a secret or not known yet", () => {
    const vars = { FREESCOUT_API_KEY: new Secret("k"), LATER_TOKEN: UNKNOWN, URL: "u" };
    expect(wrapPlainSecrets(HEROKU_CONFIG_VARS, { vars })).toBeUndefined();
    expect(wrapPlainSecrets(HEROKU_CONFIG_VARS, { vars: new Secret({}) })).toBeUndefined();
    expect(wrapPlainSecrets(HEROKU_CONFIG_VARS, { vars: null })).toBeUndefined();
    expect(wrapPlainSecrets(HEROKU_CONFIG_VARS, { vars: "x" })).toBeUndefined();
    expect(wrapPlainSecrets(HEROKU_CONFIG_VARS, {})).toBeUndefined();
  });

  it("wraps a Vault secret's plain data, and leaves a secret, unknown or absent one", () => {
    const out = wrapPlainSecrets(VAULT_SECRET, { mount: "m", dataJson: "{}" });
    expect(out?.["mount"]).toBe("m");
    expect(out?.["dataJson"]).toBeInstanceOf(Secret);
    for (const dataJson of [new Secret("{}"), UNKNOWN, undefined]) {
      expect(wrapPlainSecrets(VAULT_SECRET, { dataJson })).toBeUndefined();
    }
  });

  it("leaves other resource types alone, whatever their properties are called", () => {
    expect(
      wrapPlainSecrets(SERVICE_TOKEN, { dataJson: "{}", vars: { A_KEY: "k" } }),
    ).toBeUndefined();
  });
});

describe("implementsRule", () => {
  const [rule] = investigate().detection!;
  const args = issueAlertArgs(rule!, {
    organization: "o",
    project: "p",
    opsTeamId: "42",
    rules: [],
    namePrefix: "n",
  }) as unknown as Record<string, Record<string, unknown>[]>;
  const alert = (change: Record<string, unknown>) =>
    resource(SENTRY_ISSUE_ALERT, { ...args, ...change });
  const without = (list: string, attribute: string) =>
    args[list]!.filter(
      (e) => e["attribute"] !== attribute && e["key"] !== attribute && e["id"] !== attribute,
    );

  it("accepts the alert the program creates", () => {
    expect(implementsRule(alert({}), rule!)).toBe(true);
  });

  it("needs each part: the threshold, the logger filter, the message filter and the team email", () => {
    expect(implementsRule(alert({ conditions: [] }), rule!)).toBe(false);
    expect(implementsRule(alert({ filters: without("filters", "logger") }), rule!)).toBe(false);
    expect(implementsRule(alert({ filters: without("filters", "message") }), rule!)).toBe(false);
    const slack = [{ id: "sentry.integrations.slack.notify_action.SlackNotifyServiceAction" }];
    expect(implementsRule(alert({ actions: slack }), rule!)).toBe(false);
    expect(implementsRule(alert({ actions: undefined }), rule!)).toBe(false);
  });

  it("counts a part not known yet (preview) as matching", () => {
    expect(implementsRule(alert({ filters: UNKNOWN, conditions: UNKNOWN }), rule!)).toBe(true);
  });

  it("is never met for a rule whose window Sentry has no interval for, not even in preview", () => {
    const tenMinutes = { ...rule!, windowMinutes: 10 };
    expect(implementsRule(alert({ filters: UNKNOWN, conditions: UNKNOWN }), tenMinutes)).toBe(
      false,
    );
    const asTheOldProgramSent = [{ ...args["conditions"]![0], interval: "10m" }];
    expect(implementsRule(alert({ conditions: asTheOldProgramSent }), tenMinutes)).toBe(false);
  });
});
