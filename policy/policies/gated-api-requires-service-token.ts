import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../infra/features/catalog";
import { allRequiredVars, type Feature } from "../../infra/features/manifest";
import {
  ACCESS_APPLICATION,
  ACCESS_POLICY,
  byApp,
  read,
  SERVICE_TOKEN,
  sourcesOf,
} from "../lib/resources";

/** The var holding the FreeScout base URL; FreeScout's API module serves under `<base>/api/`. */
export const API_URL_VAR = "FREESCOUT_API_URL";
export const API_PREFIX = "/api/";

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

/** Whether requests to `<baseUrl>/api/...` go through an Access application gating `prefix`. */
export function covers(prefix: { host: string; path: string }, baseUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return false;
  }
  const called = `${url.pathname.replace(/\/+$/, "")}${API_PREFIX}`;
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

export function gatedApiRequiresServiceToken(
  features: readonly Feature[] = catalog(),
): StackValidationPolicy {
  const tokenVars = allRequiredVars(features)
    .filter((v) => v.source.kind === "service-token")
    .map((v) => v.name);
  return {
    name: "gated-api-requires-service-token",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      `When ${API_URL_VAR} on a Heroku app points at a host and path that a Cloudflare Access application in this stack gates, the app must also get ` +
      `${tokenVars.join(" and ")}, computed from a service token that a non_identity policy attached to that application includes. ` +
      "Decided from the graph: the policy's include and the application's policies must reference the resources (not pasted IDs), and the vars must flow from the token.",
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const accessApps = args.resources.filter((r) => r.type === ACCESS_APPLICATION);
      if (accessApps.length === 0) {
        // Nothing gates any URL: N/A, not a pass that checked nothing.
        args.notApplicable("no Cloudflare Access application in this stack");
        return;
      }
      const byUrn = new Map(args.resources.map((r) => [r.urn, r]));
      for (const [app, resources] of byApp(args.resources)) {
        const urlHolder = resources.find((r) => r.keys.includes(API_URL_VAR));
        if (!urlHolder) continue;
        const url = urlHolder.value(API_URL_VAR);
        if (!url.known || !url.value) continue;
        const baseUrl = url.value;
        const gates = accessApps.filter((a) => gatedPrefixes(a).some((p) => covers(p, baseUrl)));
        if (gates.length === 0) continue;

        const missing = tokenVars.filter((v) => !resources.some((r) => r.keys.includes(v)));
        if (missing.length > 0) {
          reportViolation(
            `Heroku app ${app}: ${API_URL_VAR} (${baseUrl}) is behind Cloudflare Access application ${gates.map((g) => g.name).join(", ")}, ` +
              `but ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not set: every API call would be refused (401/403). ` +
              "Wire the service token's client id/secret to the app (see infra/program.ts).",
            urlHolder.resource.urn,
          );
          continue;
        }
        for (const v of tokenVars) {
          const holder = byUrn.get(resources.find((r) => r.keys.includes(v))!.resource.urn)!;
          const feeding = [...sourcesOf(holder, "vars")].filter((r) => r.type === SERVICE_TOKEN);
          for (const gate of gates) {
            const admitted = admittedTokens(gate);
            if (!feeding.some((t) => admitted.has(t))) {
              reportViolation(
                `Heroku app ${app}: ${v} does not come from a service token that Access application ${gate.name} admits ` +
                  `(admitted: ${[...admitted].map((t) => t.name).join(", ") || "none"}; ${v} comes from: ${feeding.map((t) => t.name).join(", ") || "no service token in this stack"}). ` +
                  "Include the app's service token in a non_identity policy attached to the application, referencing the token resource's id.",
                holder.urn,
              );
            }
          }
        }
      }
    },
  };
}
