import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../infra/features/catalog";
import { type Feature } from "../../infra/features/manifest";
import { ancestors, byApp, flagIsOn } from "../lib/resources";

/**
 * The resource that sets a flag depends (directly or transitively) on each resource that sets one
 * of its feature's prerequisites on the same app, so the engine applies prerequisites first and
 * removes flags first. One resource holding both is one PATCH, applied atomically: compliant.
 */
export function flagsAppliedAfterPrerequisites(
  features: readonly Feature[] = catalog(),
): StackValidationPolicy {
  return {
    name: "flags-applied-after-prerequisites",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      "The config-vars resource that sets a feature flag must depend on the resource(s) that set the feature's prerequisites on the same app " +
      "(dependsOn or a value flowing from them), so prerequisites are applied before flags and flags are removed before prerequisites.",
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const byUrn = new Map<string, PolicyResource>(args.resources.map((r) => [r.urn, r]));
      for (const [app, resources] of byApp(args.resources)) {
        const holderOf = new Map<string, PolicyResource>();
        for (const r of resources)
          for (const k of r.keys) holderOf.set(k, byUrn.get(r.resource.urn)!);
        for (const view of resources) {
          const flagHolder = byUrn.get(view.resource.urn)!;
          let upstream: Set<PolicyResource> | undefined;
          for (const feature of features) {
            const on = feature.flags.filter(
              (f) => view.keys.includes(f) && flagIsOn(view.value(f)),
            );
            if (on.length === 0) continue;
            upstream ??= ancestors(flagHolder);
            const unordered = new Map<string, string[]>();
            for (const v of feature.requires) {
              const holder = holderOf.get(v.name);
              if (!holder || holder === flagHolder || upstream.has(holder)) continue;
              unordered.set(holder.name, [...(unordered.get(holder.name) ?? []), v.name]);
            }
            for (const [holderName, vars] of unordered) {
              reportViolation(
                `${flagHolder.name} sets ${on.join(", ")} on Heroku app ${app} but does not depend on ${holderName}, which sets ${vars.join(", ")}. ` +
                  `Add { dependsOn: [${holderName}] } to ${flagHolder.name} so the flags are applied after their prerequisites.`,
                flagHolder.urn,
              );
            }
          }
        }
      }
    },
  };
}
