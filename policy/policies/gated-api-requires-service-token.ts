import type { StackValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../infra/features/catalog";
import { type Feature, gatesOf } from "../../infra/features/manifest";
import {
  accessApplications,
  admittedTokens,
  anyGateUrlVar,
  applicationsCovering,
  gateUrlsOf,
} from "../lib/gates";
import { byApp, herokuVars, HEROKU_CONFIG_VARS, SERVICE_TOKEN, sourcesOf } from "../lib/resources";

// The gate helpers moved to ../lib/gates (every gate policy reads them); kept here for importers.
export { admittedTokens, covers, gatedPrefixes } from "../lib/gates";

/**
 * For every gate the selected features use: each of its URL vars on a Heroku app points at an
 * Access application of this stack on the gate's host and apiPath, and the app gets the gate's
 * client id and secret vars, computed from a service token that a non_identity policy attached
 * to that application includes. Decided from the graph, per gate, so a second gated feature gets
 * the check Investigate gets and never passes with another gate's token.
 */
export function gatedApiRequiresServiceToken(
  features: readonly Feature[] = catalog(),
): StackValidationPolicy {
  const gates = gatesOf(features);
  const names = gates.map((g) => `${g.urlVars.join("/")} (gate ${g.id})`).join(", ") || "none";
  return {
    name: "gated-api-requires-service-token",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      `For each gate of the selected features (URL vars: ${names}), a URL var on a Heroku app must point at a host and path that a Cloudflare Access application in this stack gates, ` +
      "and the app must also get the gate's client id and secret vars, computed from a service token that a non_identity policy attached to that application includes. " +
      "Decided from the graph: the policy's include and the application's policies must reference the resources (not pasted IDs), and the vars must flow from the token.",
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const accessApps = accessApplications(args.resources);
      const views = args.resources.filter((r) => r.type === HEROKU_CONFIG_VARS).map(herokuVars);
      if (accessApps.length === 0 && !anyGateUrlVar(gates, views)) {
        args.notApplicable("no Access gate in this stack: no Access application, no gate URL var");
        return;
      }
      const byUrn = new Map(args.resources.map((r) => [r.urn, r]));
      for (const [app, resources] of byApp(args.resources)) {
        for (const { gate, urlVar, url: baseUrl, holder: urlHolder } of gateUrlsOf(
          gates,
          resources,
        )) {
          const covering = applicationsCovering(accessApps, gate, baseUrl);
          if (covering.length === 0) {
            reportViolation(
              `Heroku app ${app}: ${urlVar} (${baseUrl}) is a URL of gate ${gate.id}, but no Cloudflare Access application of this stack covers its ${gate.apiPath}: ` +
                `the gate's service token would protect nothing. Point ${urlVar} at console-wiring:gates.${gate.id}.host, the host the stack gates for ${gate.id} (see infra/features/data/gates/${gate.id}.json).`,
              urlHolder.resource.urn,
            );
            continue;
          }
          const tokenVars = [gate.clientIdVar, gate.clientSecretVar];
          const missing = tokenVars.filter((v) => !resources.some((r) => r.keys.includes(v)));
          if (missing.length > 0) {
            reportViolation(
              `Heroku app ${app}: ${urlVar} (${baseUrl}) is behind Cloudflare Access application ${covering.map((g) => g.name).join(", ")} (gate ${gate.id}), ` +
                `but ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not set: every API call would be refused (401/403). ` +
                `Wire gate ${gate.id}'s service token client id/secret to the app (see infra/program.ts).`,
              urlHolder.resource.urn,
            );
            continue;
          }
          for (const v of tokenVars) {
            const holder = byUrn.get(resources.find((r) => r.keys.includes(v))!.resource.urn)!;
            const feeding = [...sourcesOf(holder, "vars")].filter((r) => r.type === SERVICE_TOKEN);
            for (const access of covering) {
              const admitted = admittedTokens(access);
              if (!feeding.some((t) => admitted.has(t))) {
                reportViolation(
                  `Heroku app ${app}: ${v} does not come from a service token that Access application ${access.name} admits ` +
                    `(admitted: ${[...admitted].map((t) => t.name).join(", ") || "none"}; ${v} comes from: ${feeding.map((t) => t.name).join(", ") || "no service token in this stack"}). ` +
                    `Include gate ${gate.id}'s service token (${gate.id}-service-token) in a non_identity policy attached to the application, referencing the token resource's id.`,
                  holder.urn,
                );
              }
            }
          }
        }
      }
    },
  };
}
