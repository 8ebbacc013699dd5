import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../infra/features/catalog";
import { type Feature, gatesOf } from "../../infra/features/manifest";
import {
  accessApplications,
  anyGateUrlVar,
  applicationsCovering,
  flagsOfGate,
  gateUrlsOf,
} from "../lib/gates";
import {
  ACCESS_POLICY,
  ancestors,
  byApp,
  flagIsOn,
  herokuVars,
  HEROKU_CONFIG_VARS,
} from "../lib/resources";

/**
 * For every gate of the selected features: the resource that turns on a flag of a feature of
 * that gate depends (directly or transitively) on the Access application covering the gate's URL
 * var on the same app and on each policy attached to it, so the engine switches the flags on only
 * once Access admits the gate's token, and off before the gate changes. A feature's flags wait for
 * its own gate only: another gate's objects are not asked for.
 */
export function flagsAppliedAfterAccessGate(
  features: readonly Feature[] = catalog(),
): StackValidationPolicy {
  const gates = gatesOf(features);
  return {
    name: "flags-applied-after-access-gate",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      "When a gate's URL var on a Heroku app is behind a Cloudflare Access application of this stack, the config-vars resource that turns on a flag of a feature of that gate " +
      "must depend on that application and on the Access policies attached to it (dependsOn, or transitively), " +
      "so the flags are switched on only after Access admits the gate's token: otherwise the feature can be on while every call is refused.",
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const accessApps = accessApplications(args.resources);
      const views = args.resources.filter((r) => r.type === HEROKU_CONFIG_VARS).map(herokuVars);
      if (accessApps.length === 0 && !anyGateUrlVar(gates, views)) {
        args.notApplicable("no Access gate in this stack: no Access application, no gate URL var");
        return;
      }
      const byUrn = new Map<string, PolicyResource>(args.resources.map((r) => [r.urn, r]));
      for (const [app, resources] of byApp(args.resources)) {
        for (const { gate, urlVar, url: baseUrl } of gateUrlsOf(gates, resources)) {
          const covering = applicationsCovering(accessApps, gate, baseUrl);
          const flags = flagsOfGate(gate, features);
          for (const view of resources) {
            const on = flags.filter((f) => view.keys.includes(f) && flagIsOn(view.value(f)));
            if (on.length === 0) continue;
            const holder = byUrn.get(view.resource.urn)!;
            const upstream = ancestors(holder);
            for (const access of covering) {
              const policies =
                access.propertyDependencies["policies"]?.filter((p) => p.type === ACCESS_POLICY) ??
                [];
              const missing = [access, ...policies]
                .filter((r) => !upstream.has(r))
                .map((r) => r.name);
              if (missing.length === 0) continue;
              reportViolation(
                `${holder.name} turns on ${on.join(", ")} on Heroku app ${app} but does not depend on ${missing.join(", ")}, ` +
                  `the Access gate ${gate.id} in front of ${urlVar} (${baseUrl}): the flags could be on before Access admits the app's service token, and every call would be refused. ` +
                  `Add { dependsOn: [${missing.join(", ")}] } to ${holder.name} (see infra/program.ts).`,
                holder.urn,
              );
            }
          }
        }
      }
    },
  };
}
