import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../infra/features/catalog";
import { type Feature, gatesOf } from "../../infra/features/manifest";
import { credentialUrl } from "../../infra/credential-url";
import { accessApplications, admittedTokens, anyGateUrlVar, gatedPrefixes } from "../lib/gates";
import { byApp, herokuVars, HEROKU_CONFIG_VARS, SERVICE_TOKEN, sourcesOf } from "../lib/resources";

export interface ApiUrlOnGatedHostOptions {
  /** Hosts allowed besides the ones an Access application of the stack gates. */
  readonly allowedHosts?: readonly string[];
}

/**
 * The app sends a gate's service-token secret (and the API's own key) to the gate's URL vars. Each
 * URL var of a gate must point at a host gated by an Access application that admits the token
 * whose secret the app holds for that gate (or a host allowed in the policy's config): a URL of
 * one gate pointing at another gate's host sends its secret where it is not admitted. The same
 * URL rule as the stack config and the smoke check (infra/credential-url.ts).
 */
export function apiUrlOnGatedHost(
  options: ApiUrlOnGatedHostOptions = {},
  features: readonly Feature[] = catalog(),
): StackValidationPolicy {
  const gates = gatesOf(features);
  return {
    name: "api-url-on-gated-host",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      "Each URL var of a gate must point at a host that an Access application of this stack gates for that gate's token (or one in the policy config's allowedHosts): " +
      "the API key and the gate's service-token secret are sent there.",
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    configSchema: {
      properties: { allowedHosts: { type: "array", items: { type: "string" } } },
    },
    validateStack: (args, reportViolation) => {
      const configured = (args.getConfig<{ allowedHosts?: string[] }>().allowedHosts ?? []).concat(
        options.allowedHosts ?? [],
      );
      const apps = accessApplications(args.resources);
      const views = args.resources.filter((r) => r.type === HEROKU_CONFIG_VARS).map(herokuVars);
      if (apps.length === 0 && !anyGateUrlVar(gates, views)) {
        args.notApplicable("no Access gate in this stack: no Access application, no gate URL var");
        return;
      }
      const byUrn = new Map(args.resources.map((r) => [r.urn, r]));
      for (const [, resources] of byApp(args.resources)) {
        for (const gate of gates) {
          // The tokens whose secret this app holds for the gate: the applications admitting one
          // of them are the gate's; none known (not wired yet) leaves every application a candidate.
          const secretHolder = resources.find((r) => r.keys.includes(gate.clientSecretVar));
          const feeding = secretHolder
            ? [...sourcesOf(byUrn.get(secretHolder.resource.urn)!, "vars")].filter(
                (r) => r.type === SERVICE_TOKEN,
              )
            : [];
          const own: PolicyResource[] =
            feeding.length === 0
              ? apps
              : apps.filter((a) => feeding.some((t) => admittedTokens(a).has(t)));
          const hosts = own.flatMap((a) => gatedPrefixes(a).map((p) => p.host));
          // None of the gate's applications has a known host: gated-api-requires-service-token
          // reports a URL no application covers.
          if (hosts.length === 0) continue;
          const wildcard = hosts.filter((h) => h.startsWith("*."));
          const allowed = [
            ...new Set([...hosts.filter((h) => !h.startsWith("*.")), ...configured]),
          ];
          for (const urlVar of gate.urlVars) {
            for (const view of resources.filter((r) => r.keys.includes(urlVar))) {
              // A URL not known yet has no value, checked as "": refused below like a URL that is
              // not even https, which is urls-are-https's to report.
              const url = (view.value(urlVar) as { readonly value?: string }).value;
              // Stryker disable next-line StringLiteral: equivalent, any text that is not an https URL is refused alike
              const raw = url ?? "";
              const parsed = credentialUrl(raw);
              if (!parsed.ok) continue;
              if (wildcard.some((w) => parsed.url.hostname.endsWith(w.slice(1)))) continue;
              const checked = credentialUrl(raw, allowed);
              if (!checked.ok)
                reportViolation(
                  `${urlVar} on ${view.resource.name} ${checked.problem} (gate ${gate.id}: set it to a URL on console-wiring:gates.${gate.id}.host).`,
                  view.resource.urn,
                );
            }
          }
        }
      }
    },
  };
}
