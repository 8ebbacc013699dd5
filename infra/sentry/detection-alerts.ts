/**
 * The features' detection rules as Sentry issue alerts, in the same graph as the flags: the flag
 * vars depend on these alerts exactly as they depend on their prerequisites, so a flag is never on
 * without the alert that notices its failure. Credentials: a Sentry auth token in the environment
 * as SENTRY_TOKEN (the name @pulumiverse/sentry 0.0.9's provider reads; CI maps the secret
 * SENTRY_AUTH_TOKEN to it), never stack config.
 */
import * as pulumi from "@pulumi/pulumi";
import * as sentry from "@pulumiverse/sentry";
import type { DetectionRule } from "../features/manifest";

export const DETECTION_ALERTS_TYPE = "console-wiring:sentry:DetectionAlerts";

/** Sentry's rule ids (its rules registry): what an issue alert's conditions, filters and actions are. */
export const SENTRY_RULES = {
  eventFrequency: "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
  eventAttribute: "sentry.rules.filters.event_attribute.EventAttributeFilter",
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

/** Sentry's interval values for event-frequency conditions. */
export function sentryInterval(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/** The issue alert's inputs for one rule (pure, tested without mocks). */
export function issueAlertArgs(
  rule: DetectionRule,
  args: DetectionAlertsArgs,
): sentry.SentryIssueAlertArgs {
  return {
    organization: args.organization,
    project: args.project,
    name: `${args.namePrefix}: ${rule.id}`,
    actionMatch: "all",
    filterMatch: "all",
    frequency: rule.intervalMinutes,
    conditions: [
      {
        id: SENTRY_RULES.eventFrequency,
        comparisonType: "count",
        value: String(rule.moreThan),
        interval: sentryInterval(rule.intervalMinutes),
      },
    ],
    filters: [
      { id: SENTRY_RULES.eventAttribute, attribute: "logger", match: "eq", value: rule.logger },
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
