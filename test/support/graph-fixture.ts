/**
 * A compliant baseline graph, in the form the offline runner captures (wire-form inputs, edges,
 * options), for policy tests: each test changes one thing and runs the pack through
 * @pulumi/policy's runtime (tools/offline/analyze.ts).
 */
import type { Captured } from "../../tools/offline/run-program";
import { SECRET_SIG, SIG_KEY, UNKNOWN, walkSecrets } from "../../tools/offline/run-program";
import { investigate } from "./investigate";
import { prerequisiteMap } from "../../infra/features/manifest";
import { issueAlertArgs } from "../../infra/sentry/detection-alerts";

export const T = {
  token: "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken",
  policy: "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy",
  app: "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
  vault: "vault:kv/secretV2:SecretV2",
  heroku: "pulumi-nodejs:dynamic/heroku:ConfigVars",
  alert: "sentry:index/sentryIssueAlert:SentryIssueAlert",
} as const;

export const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
export { UNKNOWN };

const urn = (type: string, name: string) => `urn:pulumi:test::console-wiring::${type}::${name}`;

export interface Node {
  name: string;
  type: string;
  inputs: Record<string, unknown>;
  dependsOn?: string[];
  propertyDeps?: Record<string, string[]>;
  additionalSecretOutputs?: string[];
}

export function capture(nodes: readonly Node[]): Captured[] {
  const urnOf = new Map(nodes.map((n) => [n.name, urn(n.type, n.name)]));
  const resolve = (names: readonly string[]) =>
    names.map((n) => {
      const u = urnOf.get(n);
      if (!u) throw new Error(`fixture: no node ${n}`);
      return u;
    });
  return nodes.map((n) => {
    const propertyDependencies = Object.fromEntries(
      Object.entries(n.propertyDeps ?? {}).map(([k, v]) => [k, resolve(v)]),
    );
    const deps = new Set([
      ...resolve(n.dependsOn ?? []),
      ...Object.values(propertyDependencies).flat(),
    ]);
    const secretInputs: string[] = [];
    const inputs = walkSecrets(n.inputs, "", secretInputs) as Record<string, unknown>;
    return {
      urn: urnOf.get(n.name)!,
      type: n.type,
      name: n.name,
      custom: true,
      parent: "",
      dependencies: [...deps],
      propertyDependencies,
      additionalSecretOutputs: n.additionalSecretOutputs ?? [],
      importId: "",
      retainOnDelete: false,
      ignoreChanges: [],
      wireInputs: n.inputs,
      inputs,
      secretInputs,
    };
  });
}

const herokuInputs = (app: string, vars: Record<string, unknown>) => ({
  app,
  vars,
  keys: Object.keys(vars).sort(),
  providerVersion: "1",
});

/**
 * The compliant stack for one app: token → policy → application; token → Vault → prerequisites →
 * flags; Vault, the prerequisites and the flags applied after the Access policy and application.
 */
export function baseline(app = "raxx-console-prod", suffix = ""): Node[] {
  const s = (n: string) => `${n}${suffix}`;
  return [
    {
      name: s("token"),
      type: T.token,
      inputs: {
        accountId: "0123456789abcdef0123456789abcdef",
        name: "t",
        duration: "8760h",
        expiresAt: UNKNOWN,
      },
      additionalSecretOutputs: ["clientSecret"],
    },
    {
      name: s("policy"),
      type: T.policy,
      inputs: { decision: "non_identity", includes: [{ serviceToken: { tokenId: UNKNOWN } }] },
      propertyDeps: { includes: [s("token")] },
    },
    {
      name: s("application"),
      type: T.app,
      inputs: {
        type: "self_hosted",
        domain: "tickets.raxx.app/api",
        destinations: [{ type: "public", uri: "tickets.raxx.app/api" }],
        policies: [{ id: UNKNOWN, precedence: 1 }],
        serviceAuth401Redirect: true,
      },
      propertyDeps: { policies: [s("policy")] },
    },
    {
      name: s("vault-cloudflare"),
      type: T.vault,
      inputs: { mount: "MooseQuest", name: "cloudflare", dataJson: secret('{"a":"b"}') },
      propertyDeps: { dataJson: [s("token")] },
      dependsOn: [s("policy"), s("application")],
      additionalSecretOutputs: ["data", "dataJson"],
    },
    {
      name: s("prerequisites"),
      type: T.heroku,
      inputs: herokuInputs(app, {
        FREESCOUT_API_URL: "https://tickets.raxx.app",
        FREESCOUT_INSTANCE_URL: "https://tickets.raxx.app",
        FREESCOUT_API_KEY: secret("k"),
        FREESCOUT_OPERATIONS_MAILBOX_ID: secret("7"),
        CF_ACCESS_SVC_TICKETS_CLIENT_ID: secret("id.access"),
        CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: secret("s"),
        CONSOLE_FEATURE_PREREQUISITES: JSON.stringify(prerequisiteMap()),
      }),
      propertyDeps: { vars: [s("vault-cloudflare")] },
      dependsOn: [s("vault-cloudflare"), s("policy"), s("application")],
      additionalSecretOutputs: ["vars"],
    },
    {
      name: s("alert"),
      type: T.alert,
      inputs: issueAlertArgs(investigate().detection![0]!, {
        organization: "raxx",
        project: "console",
        opsTeamId: "42",
        rules: [],
        namePrefix: app,
      }) as unknown as Record<string, unknown>,
    },
    {
      name: s("flags"),
      type: T.heroku,
      inputs: herokuInputs(app, {
        FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: "1",
        FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: "1",
      }),
      dependsOn: [s("prerequisites"), s("alert"), s("application"), s("policy")],
      additionalSecretOutputs: ["vars"],
    },
  ];
}

/** One node of a graph by name, for a test to change. */
export function node(nodes: Node[], name: string): Node {
  const n = nodes.find((x) => x.name === name);
  if (!n) throw new Error(`fixture: no node ${name}`);
  return n;
}

/** The graph without one node, and without every edge to it. */
export function withoutNode(nodes: readonly Node[], name: string): Node[] {
  return nodes
    .filter((n) => n.name !== name)
    .map((n) => ({
      ...n,
      dependsOn: n.dependsOn?.filter((d) => d !== name),
      propertyDeps: Object.fromEntries(
        Object.entries(n.propertyDeps ?? {}).map(([k, v]) => [k, v.filter((d) => d !== name)]),
      ),
    }));
}

/** Removes a var from a Heroku node (keys follow). */
export function dropVar(n: Node, key: string): void {
  const vars = { ...(n.inputs["vars"] as Record<string, unknown>) };
  delete vars[key];
  n.inputs = herokuInputs(n.inputs["app"] as string, vars);
}

export function setVar(n: Node, key: string, value: unknown): void {
  const vars = { ...(n.inputs["vars"] as Record<string, unknown>), [key]: value };
  n.inputs = herokuInputs(n.inputs["app"] as string, vars);
}
