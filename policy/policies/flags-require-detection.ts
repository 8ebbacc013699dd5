import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../infra/features/catalog";
import { type DetectionRule, type Feature } from "../../infra/features/manifest";
import { issueAlertInterval } from "../../infra/features/detection-rules";
import { SENTRY_RULES } from "../../infra/sentry/detection-alerts";
import { ancestors, byApp, flagIsOn, read, SENTRY_ISSUE_ALERT } from "../lib/resources";

type Entry = Record<string, unknown>;

/**
 * Whether an issue alert implements a detection rule; unknown values (preview) count as a match.
 * No alert implements a rule whose window Sentry has no interval for.
 */
export function implementsRule(alert: PolicyResource, rule: DetectionRule): boolean {
  const interval = issueAlertInterval(rule.windowMinutes);
  if (interval === undefined) return false;
  const list = (prop: string) => {
    const v = read(() => alert.props[prop] as Entry[] | undefined);
    return v.known ? (Array.isArray(v.value) ? v.value : []) : undefined;
  };
  const conditions = list("conditions");
  const filters = list("filters");
  const actions = list("actions");
  // Each field is read on its own: on a stack that exists these are the alert's outputs, where an
  // entry's field can be unknown while the list is known (a throw would make the policy advisory).
  const has = (entries: Entry[] | undefined, want: Entry) =>
    entries === undefined ||
    entries.some((e) =>
      Object.entries(want).every(([k, v]) => {
        const field = read(() => e[k]);
        return !field.known || field.value === v;
      }),
    );
  return (
    has(conditions, {
      id: SENTRY_RULES.eventFrequency,
      value: String(rule.moreThan),
      interval,
    }) &&
    has(filters, {
      id: SENTRY_RULES.taggedEvent,
      key: "logger",
      match: "eq",
      value: rule.logger,
    }) &&
    has(filters, {
      id: SENTRY_RULES.eventAttribute,
      attribute: "message",
      match: "co",
      value: rule.messageContains,
    }) &&
    has(actions, { id: SENTRY_RULES.notifyEmail, targetType: "Team" })
  );
}

/**
 * A flag that is on needs the detection rules its feature declares: a Sentry issue alert for each,
 * in the graph, applied before the flag (the flag's resource depends on it).
 */
export function flagsRequireDetection(
  features: readonly Feature[] = catalog(),
): StackValidationPolicy {
  return {
    name: "flags-require-detection",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      "A feature flag that is on needs a Sentry issue alert for each detection rule of its feature (infra/features/manifest.ts) in the stack, " +
      "applied before the flag: the incident went unnoticed for months because nothing alerted.",
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const byUrn = new Map<string, PolicyResource>(args.resources.map((r) => [r.urn, r]));
      const alerts = args.resources.filter((r) => r.type === SENTRY_ISSUE_ALERT);
      for (const [app, resources] of byApp(args.resources)) {
        for (const view of resources) {
          const holder = byUrn.get(view.resource.urn)!;
          for (const feature of features) {
            const on = feature.flags.filter(
              (f) => view.keys.includes(f) && flagIsOn(view.value(f)),
            );
            if (on.length === 0) continue;
            const upstream = ancestors(holder);
            for (const rule of feature.detection ?? []) {
              const matching = alerts.filter((a) => implementsRule(a, rule));
              if (matching.length === 0) {
                reportViolation(
                  `${holder.name} turns on ${on.join(", ")} on Heroku app ${app}, but no Sentry issue alert implements detection rule ${rule.id} ` +
                    `(${rule.logger} logs "${rule.messageContains}" more than ${rule.moreThan} times in ${rule.windowMinutes} minutes, email the ops team). ` +
                    "Set sentryOrganization, sentryProject and sentryOpsTeamId in stack config: the program creates it.",
                  holder.urn,
                );
              } else if (!matching.some((a) => upstream.has(a))) {
                reportViolation(
                  `${holder.name} turns on ${on.join(", ")} on Heroku app ${app} without depending on ${matching.map((a) => a.name).join(" or ")}, the alert for ${rule.id}: ` +
                    `the flag could be on before its alert exists. Add it to ${holder.name}'s dependsOn.`,
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
