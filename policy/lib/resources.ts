/**
 * What the policies know about resource types and how they read resources safely: during a
 * preview, values that are not known yet throw when touched (and a throw downgrades the whole
 * policy to advisory), so every read of a value that may be unknown goes through `read`.
 */
import type { PolicyResource } from "@pulumi/policy";
import * as proxy from "@pulumi/policy/proxy";

// Internal to @pulumi/policy (stripped from its typings; the version is pinned): the error a
// preview-unknown value throws when read.
const { UnknownValueError } = proxy as unknown as {
  UnknownValueError: new (...args: unknown[]) => Error;
};

export const HEROKU_CONFIG_VARS = "pulumi-nodejs:dynamic/heroku:ConfigVars";
export const ACCESS_APPLICATION =
  "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
export const ACCESS_POLICY = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";
export const SERVICE_TOKEN =
  "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";
export const VAULT_SECRET = "vault:kv/secretV2:SecretV2";
export const SENTRY_ISSUE_ALERT = "sentry:index/sentryIssueAlert:SentryIssueAlert";

export type Known<T> = { readonly known: true; readonly value: T } | { readonly known: false };

/** Runs a read; an unknown (preview) value yields `{ known: false }` instead of throwing. */
export function read<T>(fn: () => T): Known<T> {
  try {
    return { known: true, value: fn() };
  } catch (err) {
    if (err instanceof UnknownValueError) return { known: false };
    throw err;
  }
}

/** A Heroku config-vars resource as the policies see it. */
export interface HerokuVars {
  readonly resource: {
    readonly urn: string;
    readonly name: string;
    readonly props: Record<string, unknown>;
  };
  readonly app: Known<string>;
  /** Declared keys (plain; known even when values are not). */
  readonly keys: readonly string[];
  value(key: string): Known<string | undefined>;
}

export function herokuVars(resource: HerokuVars["resource"]): HerokuVars {
  const props = resource.props;
  const app = read(() => props["app"] as string);
  const declared = read(() => props["keys"] as string[] | undefined);
  let keys: string[] = [];
  if (declared.known && Array.isArray(declared.value)) keys = [...declared.value];
  else {
    const vars = read(() => props["vars"] as Record<string, unknown> | undefined);
    if (vars.known && vars.value) keys = Object.keys(vars.value);
  }
  return {
    resource,
    app,
    keys,
    value: (key) =>
      read(() => {
        const vars = props["vars"] as Record<string, unknown> | undefined;
        const v = vars?.[key];
        return typeof v === "string" ? v : undefined;
      }),
  };
}

const OFF = new Set(["", "0", "false", "off", "no"]);

/** A flag counts as on unless its known value is an off spelling; unknown counts as on. */
export function flagIsOn(value: Known<string | undefined>): boolean {
  if (!value.known) return true;
  return value.value !== undefined && !OFF.has(value.value.trim().toLowerCase());
}

/** Heroku config-vars resources grouped by app (resources whose app is unknown are skipped). */
export function byApp<R extends HerokuVars["resource"]>(
  resources: readonly (R & { type: string })[],
): Map<string, HerokuVars[]> {
  const apps = new Map<string, HerokuVars[]>();
  for (const r of resources) {
    if (r.type !== HEROKU_CONFIG_VARS) continue;
    const view = herokuVars(r);
    if (!view.app.known) continue;
    const list = apps.get(view.app.value);
    if (list) list.push(view);
    else apps.set(view.app.value, [view]);
  }
  return apps;
}

/** Every resource `start` depends on, directly or through others (dependencies and property dependencies). */
export function ancestors(start: PolicyResource): Set<PolicyResource> {
  const seen = new Set<PolicyResource>();
  const queue: PolicyResource[] = [start];
  while (queue.length > 0) {
    const r = queue.pop()!;
    const next = [...r.dependencies, ...Object.values(r.propertyDependencies).flat()];
    for (const d of next) {
      // Each resource once: a graph with a cycle (none from the engine, but a policy must not hang on one) ends.
      if (!seen.has(d)) {
        seen.add(d);
        queue.push(d);
      }
    }
  }
  return seen;
}

/**
 * Resources a property of `resource` was computed from, and what those were computed from in
 * turn: property dependencies only. A dependsOn orders two resources but carries no value, so a
 * secret written after the Access policy (which includes every token of a renewal) still comes
 * from one token only.
 */
export function sourcesOf(resource: PolicyResource, property: string): Set<PolicyResource> {
  const out = new Set<PolicyResource>();
  const queue = [...(resource.propertyDependencies[property] ?? [])];
  // Pulumi's graph is acyclic, so the walk ends; a resource reached twice is kept once.
  while (queue.length > 0) {
    const r = queue.pop()!;
    out.add(r);
    queue.push(...Object.values(r.propertyDependencies).flat());
  }
  return out;
}
