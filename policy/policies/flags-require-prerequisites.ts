import type { StackValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../infra/features/catalog";
import { describeSource, type Feature } from "../../infra/features/manifest";
import { byApp, flagIsOn } from "../lib/resources";

/**
 * On every Heroku app, a flag var that is on requires every required var of its feature,
 * non-empty, on the same app (in any config-vars resource of that app).
 */
export function flagsRequirePrerequisites(
  features: readonly Feature[] = catalog(),
): StackValidationPolicy {
  return {
    name: "flags-require-prerequisites",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      "A feature flag set on a Heroku app needs every config var its feature requires (infra/features/manifest.ts) on the same app, non-empty. " +
      "A flag whose value is not known yet counts as on; a required value not known yet passes here because the config-vars provider rejects an empty value before any PATCH.",
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      for (const [app, resources] of byApp(args.resources)) {
        const declared = new Map<string, (typeof resources)[number]>();
        for (const r of resources) for (const k of r.keys) declared.set(k, r);
        for (const feature of features) {
          const on: string[] = [];
          // The violation is reported on the resource holding the first flag that is on.
          let flagHolder: string | undefined;
          for (const flag of feature.flags) {
            const holder = declared.get(flag);
            if (holder && flagIsOn(holder.value(flag))) {
              on.push(flag);
              flagHolder ??= holder.resource.urn;
            }
          }
          if (flagHolder === undefined) continue;
          const missing: string[] = [];
          for (const v of feature.requires) {
            const holder = declared.get(v.name);
            if (!holder) {
              missing.push(`${v.name} is not set on the app; provide it from ${describeSource(v)}`);
              continue;
            }
            const value = holder.value(v.name);
            if (value.known && (value.value === undefined || value.value.trim() === "")) {
              missing.push(`${v.name} is empty; provide it from ${describeSource(v)}`);
            }
          }
          if (missing.length > 0) {
            reportViolation(
              `Heroku app ${app} turns on ${on.join(", ")} (feature ${feature.id}) but:\n` +
                missing.map((m) => `  - ${m}`).join("\n"),
              flagHolder,
            );
          }
        }
      }
    },
  };
}
