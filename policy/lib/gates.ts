/**
 * How the gate policies read a gate (infra/features/data/gates/<id>.json) in the graph: which
 * Access applications cover a URL var of the gate, which service tokens those applications
 * admit, and which gate a token resource belongs to. Every gate of the selected features gets the
 * same checks, so a second gated feature is checked exactly like Investigate.
 */
import type { PolicyResource } from "@pulumi/policy";
import { type Feature, type Gate, featuresOfGate, gatesOf } from "../../infra/features/manifest";
import {
  ACCESS_APPLICATION,
  ACCESS_POLICY,
  type HerokuVars,
  read,
  SERVICE_TOKEN,
} from "./resources";

/** The API path a gate guards when it names none (FreeScout serves its API under `/api/`). */
export const DEFAULT_API_PATH = "/api";

/** `host/path/` prefixes an Access application gates, from its destinations and domain. */
export function gatedPrefixes(app: PolicyResource): { host: string; path: string }[] {
  const uris: string[] = [];
  const destinations = read(
    () => app.props["destinations"] as { type?: string; uri?: string }[] | undefined,
  );
  if (destinations.known) {
    for (const d of destinations.value ?? []) {
      if ((d.type ?? "public") === "public" && typeof d.uri === "string") uris.push(d.uri);
    }
  }
  const domain = read(() => app.props["domain"] as string | undefined);
  if (domain.known && typeof domain.value === "string") uris.push(domain.value);
  return uris.map((uri) => {
    const slash = uri.indexOf("/");
    const host = (slash < 0 ? uri : uri.slice(0, slash)).toLowerCase();
    const path = slash < 0 ? "/" : `${uri.slice(slash).replace(/\/+$/, "")}/`;
    return { host, path };
  });
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/**
 * Whether requests to `<baseUrl><apiPath>/...` go through an Access application gating `prefix`
 * (the gate's apiPath, `/api` for FreeScout).
 */
export function covers(
  prefix: { host: string; path: string },
  baseUrl: string,
  apiPath: string = DEFAULT_API_PATH,
): boolean {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return false;
  }
  const called = `${url.pathname.replace(/\/+$/, "")}${apiPath.replace(/\/+$/, "")}/`;
  return (
    hostMatches(prefix.host, url.hostname.toLowerCase()) &&
    (called.startsWith(prefix.path) || prefix.path.startsWith(called))
  );
}

/** Service tokens admitted by the non_identity policies attached to an Access application. */
export function admittedTokens(app: PolicyResource): Set<PolicyResource> {
  const tokens = new Set<PolicyResource>();
  for (const policy of app.propertyDependencies["policies"] ?? []) {
    if (policy.type !== ACCESS_POLICY) continue;
    const decision = read(() => policy.props["decision"] as string | undefined);
    if (!decision.known || decision.value !== "non_identity") continue;
    for (const token of policy.propertyDependencies["includes"] ?? []) {
      if (token.type === SERVICE_TOKEN) tokens.add(token);
    }
  }
  return tokens;
}

/** The Access applications of the stack. */
export function accessApplications(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter((r) => r.type === ACCESS_APPLICATION);
}

/** The Access applications covering `<baseUrl><gate.apiPath>`. */
export function applicationsCovering(
  apps: readonly PolicyResource[],
  gate: Gate,
  baseUrl: string,
): PolicyResource[] {
  return apps.filter((a) => gatedPrefixes(a).some((p) => covers(p, baseUrl, gate.apiPath)));
}

/** One URL var of a gate as set, with a known value, on one Heroku app. */
export interface GateUrl {
  readonly gate: Gate;
  readonly urlVar: string;
  readonly url: string;
  readonly holder: HerokuVars;
}

/** The gate URL vars set (known, non-empty) among one app's config-vars resources. */
export function gateUrlsOf(gates: readonly Gate[], resources: readonly HerokuVars[]): GateUrl[] {
  const out: GateUrl[] = [];
  for (const gate of gates)
    for (const urlVar of gate.urlVars) {
      const holder = resources.find((r) => r.keys.includes(urlVar));
      const value = holder?.value(urlVar);
      if (holder && value?.known && value.value)
        out.push({ gate, urlVar, url: value.value, holder });
    }
  return out;
}

/** Whether any resource of the graph sets one of the gates' URL vars (known or not). */
export function anyGateUrlVar(gates: readonly Gate[], views: readonly HerokuVars[]): boolean {
  return views.some((v) => gates.some((g) => g.urlVars.some((u) => v.keys.includes(u))));
}

/** The flags of the gate's features, for the messages and the ordering check. */
export function flagsOfGate(gate: Gate, features: readonly Feature[]): string[] {
  return featuresOfGate(gate, features).flatMap((f) => f.flags);
}

const TOKEN_NAME = /^(.+)-service-token(?:-g\d+)?$/;

/**
 * The gate a service-token resource belongs to, from its name (`<gate>-service-token`, or
 * `<gate>-service-token-g<n>` for a renewal's generation n>1: the names the program gives).
 */
export function gateOfToken(name: string, gates: readonly Gate[]): Gate | undefined {
  const m = TOKEN_NAME.exec(name);
  return m ? gates.find((g) => g.id === m[1]) : undefined;
}

export { gatesOf };
