/**
 * The features' detection rules as Sentry issue alerts, in the same graph as the flags: the flag
 * vars depend on these alerts exactly as they depend on their prerequisites, so a flag is never on
 * without the alert that notices its failure. Credentials: a Sentry auth token in the environment
 * as SENTRY_TOKEN (the name @pulumiverse/sentry 0.0.9's provider reads; CI maps the secret
 * SENTRY_AUTH_TOKEN to it), never stack config.
 */
import * as pulumi from "@pulumi/pulumi";
import * as sentry from "@pulumiverse/sentry";
import { detectionRuleProblems, issueAlertInterval } from "../features/detection-rules";
import type { DetectionRule } from "../features/manifest";
import { runError } from "../run-error";

export const DETECTION_ALERTS_TYPE = "console-wiring:sentry:DetectionAlerts";

/** Sentry's rule ids (its rules registry): what an issue alert's conditions, filters and actions are. */
export const SENTRY_RULES = {
  eventFrequency: "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
  eventAttribute: "sentry.rules.filters.event_attribute.EventAttributeFilter",
  // `logger` is an event tag, not one of EventAttributeFilter's attributes (Sentry's ATTR_CHOICES,
  // src/sentry/rules/conditions/event_attribute.py, has no `logger`: the API refuses the rule).
  taggedEvent: "sentry.rules.filters.tagged_event.TaggedEventFilter",
  notifyEmail: "sentry.mail.actions.NotifyEmailAction",
} as const;

export interface DetectionAlertsArgs {
  /** Sentry organization slug. */
  readonly organization: string;
  /** Sentry project slug of the app whose events are watched. */
  readonly project: string;
  /** Numeric id of the team the alerts email. */
  readonly opsTeamId: string;
  readonly rules: readonly DetectionRule[];
  /** Prefix of each alert's name, e.g. the Heroku app. */
  readonly namePrefix: string;
}

/**
 * The issue alert's inputs for one rule (pure, tested without mocks). A rule Sentry cannot
 * express throws here, before any alert is registered (the program and the offline check refuse
 * the manifest earlier, with every problem at once).
 */
export function issueAlertArgs(
  rule: DetectionRule,
  args: DetectionAlertsArgs,
): sentry.SentryIssueAlertArgs {
  const problems = detectionRuleProblems(rule);
  const interval = issueAlertInterval(rule.windowMinutes);
  if (problems.length > 0 || interval === undefined) {
    throw runError(`detection rule ${rule.id}: ${problems.join("; ")}.`);
  }
  return {
    organization: args.organization,
    project: args.project,
    name: `${args.namePrefix}: ${rule.id}`,
    actionMatch: "all",
    filterMatch: "all",
    frequency: rule.notifyAtMostEveryMinutes,
    conditions: [
      {
        id: SENTRY_RULES.eventFrequency,
        comparisonType: "count",
        value: String(rule.moreThan),
        interval,
      },
    ],
    filters: [
      { id: SENTRY_RULES.taggedEvent, key: "logger", match: "eq", value: rule.logger },
      {
        id: SENTRY_RULES.eventAttribute,
        attribute: "message",
        match: "co",
        value: rule.messageContains,
      },
    ],
    actions: [
      { id: SENTRY_RULES.notifyEmail, targetType: "Team", targetIdentifier: args.opsTeamId },
    ],
  };
}

export class DetectionAlerts extends pulumi.ComponentResource {
  readonly alerts: sentry.SentryIssueAlert[];

  constructor(name: string, args: DetectionAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DETECTION_ALERTS_TYPE, name, {}, opts);
    this.alerts = args.rules.map(
      (rule) =>
        new sentry.SentryIssueAlert(`${name}-${rule.id}`, issueAlertArgs(rule, args), {
          parent: this,
        }),
    );
    this.registerOutputs({ alertIds: this.alerts.map((a) => a.id) });
  }
}
