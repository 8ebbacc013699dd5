import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../infra/features/catalog";
import { type Feature } from "../../infra/features/manifest";
import { ACCESS_APPLICATION, ACCESS_POLICY, ancestors, byApp, flagIsOn } from "../lib/resources";
import { API_URL_VAR, covers, gatedPrefixes } from "./gated-api-requires-service-token";

/**
 * A feature that needs the service-token vars calls the API through Cloudflare Access. The
 * resource that turns one of its flags on depends (directly or transitively) on the Access
 * application gating the app's FREESCOUT_API_URL and on each policy attached to it, so the engine
 * switches the flags on only once Access admits the app's token, and off before the gate changes.
 */
export function flagsAppliedAfterAccessGate(
  features: readonly Feature[] = catalog(),
): StackValidationPolicy {
  const gated = features.filter((f) => f.requires.some((v) => v.source.kind === "service-token"));
  return {
    name: "flags-applied-after-access-gate",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      `When ${API_URL_VAR} on a Heroku app is behind a Cloudflare Access application of this stack, the config-vars resource that turns on a flag of a feature using the service token ` +
      "must depend on that application and on the Access policies attached to it (dependsOn, or transitively), " +
      "so the flags are switched on only after Access admits the app's token: otherwise the feature can be on while every call is refused.",
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const accessApps = args.resources.filter((r) => r.type === ACCESS_APPLICATION);
      if (accessApps.length === 0) {
        args.notApplicable("no Cloudflare Access application in this stack");
        return;
      }
      const byUrn = new Map<string, PolicyResource>(args.resources.map((r) => [r.urn, r]));
      for (const [app, resources] of byApp(args.resources)) {
        const url = resources.find((r) => r.keys.includes(API_URL_VAR))?.value(API_URL_VAR);
        if (!url?.known || !url.value) continue;
        const baseUrl = url.value;
        const gates = accessApps.filter((a) => gatedPrefixes(a).some((p) => covers(p, baseUrl)));
        for (const view of resources) {
          const on = gated.flatMap((f) =>
            f.flags.filter((flag) => view.keys.includes(flag) && flagIsOn(view.value(flag))),
          );
          if (on.length === 0) continue;
          const holder = byUrn.get(view.resource.urn)!;
          const upstream = ancestors(holder);
          for (const gate of gates) {
            const policies =
              gate.propertyDependencies["policies"]?.filter((p) => p.type === ACCESS_POLICY) ?? [];
            const missing = [gate, ...policies].filter((r) => !upstream.has(r)).map((r) => r.name);
            if (missing.length === 0) continue;
            reportViolation(
              `${holder.name} turns on ${on.join(", ")} on Heroku app ${app} but does not depend on ${missing.join(", ")}, ` +
                `the Access gate in front of ${API_URL_VAR} (${baseUrl}): the flags could be on before Access admits the app's service token, and every call would be refused. ` +
                `Add { dependsOn: [${missing.join(", ")}] } to ${holder.name} (see infra/program.ts).`,
              holder.urn,
            );
          }
        }
      }
    },
  };
}
