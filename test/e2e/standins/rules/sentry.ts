/**
 * What Sentry's provider and Sentry's API accept for an issue alert
 * (`sentry:index/sentryIssueAlert:SentryIssueAlert`).
 *
 * - PROVIDER: @pulumiverse/sentry 0.0.9 bridges terraform-provider-sentry **v0.11.2**
 *   (pulumiverse/pulumi-sentry tag v0.0.9, provider/go.mod: github.com/jianyuan/terraform-provider-sentry
 *   v0.11.2). Its schema (sentry/resource_sentry_issue_alert.go, resourceSentryIssueAlertSchema)
 *   is what Check enforces. The provider passes conditions, filters and actions through as maps.
 * - API: what the provider does not validate, Sentry refuses on create/update (so at `up`, not at
 *   preview). Read from getsentry/sentry: src/sentry/api/serializers/rest_framework/rule.py
 *   (RuleSerializer, RuleNodeField), src/sentry/api/endpoints/project_rules.py (POST), the rules
 *   registry under src/sentry/rules/ and src/sentry/mail/forms/.
 */
import { randomBytes } from "node:crypto";
import { asList, isNull, isUnknown, type Failure, type Props } from "./common";

export const ISSUE_ALERT = "sentry:index/sentryIssueAlert:SentryIssueAlert";

/** src/sentry/rules/conditions/event_frequency.py STANDARD_INTERVALS (there is no "10m"). */
export const INTERVALS = ["1m", "5m", "15m", "1h", "1d", "1w", "30d"];
/** event_frequency.py COMPARISON_INTERVALS (comparisonInterval, percent comparisons). */
export const COMPARISON_INTERVALS = ["5m", "15m", "1h", "1d", "1w", "30d"];
/** event_frequency.py PERCENT_INTERVALS_TO_DISPLAY (EventFrequencyPercentForm's choices). */
export const PERCENT_INTERVALS = ["5m", "10m", "30m", "1h"];
/**
 * project_rules.py / rule.py: `frequency = serializers.IntegerField(min_value=5, max_value=60 * 24
 * * 30)`, "The valid range is `5` to `43200`." Sentry's UI offers only the values below, but the
 * API takes any whole number of minutes in the range: the stand-in refuses what the API refuses.
 */
export const FREQUENCY_RANGE = [5, 43200] as const;
export const UI_FREQUENCIES = [5, 10, 30, 60, 180, 720, 1440, 10080, 43200];
/** src/sentry/rules/conditions/event_attribute.py MATCH_CHOICES. */
export const MATCH = ["eq", "ne", "sw", "ew", "co", "nc", "is", "ns"];
/** event_attribute.py ATTR_CHOICES: EventAttributeForm.attribute is a ChoiceField over them. */
export const ATTRIBUTES = [
  ...["message", "platform", "environment", "type", "error.handled", "error.unhandled"],
  ...["error.main_thread", "exception.type", "exception.value", "user.id", "user.email"],
  ...["user.username", "user.ip_address", "http.method", "http.url", "http.status_code"],
  ...["sdk.name", "stacktrace.code", "stacktrace.module", "stacktrace.filename"],
  ...["stacktrace.abs_path", "stacktrace.package", "unreal.crash_type", "app.in_foreground"],
  ...["os.distribution_name", "os.distribution_version", "symbolicated_in_app"],
  ...["ota_updates.channel", "ota_updates.runtime_version", "ota_updates.update_id"],
];
/** src/sentry/notifications/types.py ActionTargetType (NotifyEmailForm.targetType choices). */
export const EMAIL_TARGETS = ["IssueOwners", "Team", "Member"];

const C = "sentry.rules.conditions.";
const F = "sentry.rules.filters.";
/** The rules registry (src/sentry/rules/): ids by node type, as RuleNodeField looks them up. */
export const RULE_IDS: Readonly<Record<"conditions" | "filters" | "actions", readonly string[]>> = {
  conditions: [
    ...["first_seen_event.FirstSeenEventCondition", "regression_event.RegressionEventCondition"],
    ...["reappeared_event.ReappearedEventCondition", "every_event.EveryEventCondition"],
    "new_high_priority_issue.NewHighPriorityIssueCondition",
    "existing_high_priority_issue.ExistingHighPriorityIssueCondition",
    "event_frequency.EventFrequencyCondition",
    "event_frequency.EventUniqueUserFrequencyCondition",
    "event_frequency.EventFrequencyPercentCondition",
  ].map((id) => C + id),
  filters: [
    ...["event_attribute.EventAttributeFilter", "tagged_event.TaggedEventFilter"],
    ...["level.LevelFilter", "age_comparison.AgeComparisonFilter"],
    ...["issue_occurrences.IssueOccurrencesFilter", "assigned_to.AssignedToFilter"],
    ...["latest_release.LatestReleaseFilter", "issue_category.IssueCategoryFilter"],
  ].map((id) => F + id),
  actions: [
    "sentry.mail.actions.NotifyEmailAction",
    "sentry.rules.actions.notify_event.NotifyEventAction",
    "sentry.rules.actions.notify_event_service.NotifyEventServiceAction",
    "sentry.rules.actions.notify_event_sentry_app.NotifyEventSentryAppAction",
    "sentry.integrations.slack.notify_action.SlackNotifyServiceAction",
    "sentry.integrations.pagerduty.notify_action.PagerDutyNotifyServiceAction",
    "sentry.integrations.opsgenie.notify_action.OpsgenieNotifyTeamAction",
    "sentry.integrations.msteams.notify_action.MsTeamsNotifyServiceAction",
    "sentry.integrations.discord.notify_action.DiscordNotifyServiceAction",
  ],
};

function missing(property: string): Failure {
  return { property, reason: `Missing required argument: "${property}"` };
}

/** Django's ChoiceField message, which RuleNodeField passes on as the node's error. */
function choice(value: unknown, choices: readonly string[]): string | undefined {
  return choices.includes(String(value))
    ? undefined
    : `Select a valid choice. ${String(value)} is not one of the available choices.`;
}

const REQUIRED = "Ensure at least one action is enabled and all required fields are filled in.";

/**
 * The bridge names a resource the program did not name: pulumi-sentry v0.0.9 provider/resources.go
 * `prov.SetAutonaming(255, "-")`: `<resource name>-<7 random characters>`, kept across updates.
 */
export function autoName(urn: string, olds: Props): string {
  if (typeof olds["name"] === "string") return olds["name"];
  return `${urn.split("::").pop() ?? "alert"}-${randomBytes(4).toString("hex").slice(0, 7)}`;
}

/** Check: the provider schema only (v0.11.2 resourceSentryIssueAlertSchema). */
export function checkIssueAlert(news: Props): Failure[] {
  const out: Failure[] = [];
  // organization, project, name, conditions, actions, action_match, filter_match, frequency:
  // Required.
  const required = ["organization", "project", "name", "conditions", "actions"];
  for (const p of [...required, "actionMatch", "filterMatch", "frequency"])
    if (isNull(news[p]) || news[p] === "") out.push(missing(p));
  // "name": validation.StringLenBetween(1, 64).
  const name = news["name"];
  if (typeof name === "string" && !isUnknown(name) && name.length > 64)
    out.push({
      property: "name",
      reason: `expected length of name to be in the range (1 - 64), got ${name}`,
    });
  // "action_match": StringInSlice({"all", "any"}) — Sentry's API would also take "none", the
  // provider does not. "filter_match": StringInSlice({"all", "any", "none"}).
  const inSlice = (p: string, allowed: string[]) => {
    const v = news[p];
    if (typeof v === "string" && !isUnknown(v) && !allowed.includes(v))
      out.push({
        property: p,
        reason: `expected ${p.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)} to be one of [${allowed.join(" ")}], got ${v}`,
      });
  };
  inSlice("actionMatch", ["all", "any"]);
  inSlice("filterMatch", ["all", "any", "none"]);
  return out;
}

/** A node's form errors (the registered rule's form, as RuleNodeField validates it). */
function nodeError(node: Props): string | undefined {
  const id = String(node["id"]);
  const value = node["value"];
  const blank = (v: unknown) => isNull(v) || v === "";
  if (
    id.endsWith(".EventFrequencyCondition") ||
    id.endsWith(".EventUniqueUserFrequencyCondition")
  ) {
    // EventFrequencyForm: interval ChoiceField(STANDARD_INTERVALS), value IntegerField,
    // comparisonType ChoiceField(count, percent), percent needs comparisonInterval.
    if (blank(node["interval"]) || blank(value)) return REQUIRED;
    const bad = choice(node["interval"], INTERVALS);
    if (bad) return bad;
    if (!/^-?\d+$/.test(String(value))) return "Enter a whole number.";
    const ct = node["comparisonType"];
    if (!blank(ct) && choice(ct, ["count", "percent"])) return choice(ct, ["count", "percent"]);
    if (ct === "percent") {
      if (blank(node["comparisonInterval"]))
        return "comparisonInterval is required when comparing by percent";
      return choice(node["comparisonInterval"], COMPARISON_INTERVALS);
    }
    return undefined;
  }
  if (id.endsWith(".EventFrequencyPercentCondition")) {
    // EventFrequencyPercentForm: interval over PERCENT_INTERVALS_TO_DISPLAY, value FloatField(min 0).
    if (blank(node["interval"]) || blank(value)) return REQUIRED;
    return (
      choice(node["interval"], PERCENT_INTERVALS) ??
      (Number(value) >= 0 ? undefined : "Ensure this value is greater than or equal to 0.")
    );
  }
  if (id.endsWith(".EventAttributeFilter") || id.endsWith(".TaggedEventFilter")) {
    // EventAttributeForm: attribute ChoiceField(ATTR_CHOICES), match ChoiceField(MATCH_CHOICES);
    // TaggedEventForm: key. `value` "Not required when `match` is `is` or `ns`" (API docs).
    const attr = id.endsWith(".EventAttributeFilter") ? "attribute" : "key";
    if (blank(node[attr]) || blank(node["match"])) return REQUIRED;
    const bad =
      (attr === "attribute" ? choice(node[attr], ATTRIBUTES) : undefined) ??
      choice(node["match"], MATCH);
    if (bad) return bad;
    return blank(value) && !["is", "ns"].includes(String(node["match"])) ? REQUIRED : undefined;
  }
  if (id.endsWith(".LevelFilter")) {
    // src/sentry/rules/filters/level.py: match eq/gte/lte, level one of the log levels.
    if (blank(node["match"]) || blank(node["level"])) return REQUIRED;
    return (
      choice(node["match"], ["eq", "gte", "lte"]) ??
      choice(node["level"], ["50", "40", "30", "20", "10", "0"])
    );
  }
  if (id === "sentry.mail.actions.NotifyEmailAction") {
    // NotifyEmailForm (mail/forms/notify_email.py, member_team.py): targetType ChoiceField;
    // targetIdentifier an integer, required for Team and Member.
    const tt = node["targetType"];
    if (blank(tt)) return REQUIRED;
    const bad = choice(tt, EMAIL_TARGETS);
    if (bad) return bad;
    const ti = node["targetIdentifier"];
    if (!blank(ti) && !/^\d+$/.test(String(ti))) return "targetIdentifier must be an integer";
    if ((tt === "Team" || tt === "Member") && blank(ti))
      return "You need to specify a Team or Member.";
  }
  return undefined;
}

/**
 * What Sentry's API refuses when the provider creates or updates the alert: the serializer's
 * field errors, as `{ field: [message] }`.
 */
export function issueAlertApiErrors(props: Props): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const add = (field: string, msg: string) => (errors[field] ??= []).push(msg);
  const f = props["frequency"];
  const [lo, hi] = FREQUENCY_RANGE;
  if (typeof f === "number" && !Number.isInteger(f))
    add("frequency", "A valid integer is required.");
  else if (typeof f === "number" && f < lo)
    add("frequency", `Ensure this value is greater than or equal to ${lo}.`);
  else if (typeof f === "number" && f > hi)
    add("frequency", `Ensure this value is less than or equal to ${hi}.`);
  // rule.py validate_conditions: "Must select a condition"; project_rules.py post: no actions →
  // "You must add an action for this alert to fire."
  if (asList(props["conditions"]).length === 0) add("conditions", "Must select a condition");
  if (asList(props["actions"]).length === 0)
    add("actions", "You must add an action for this alert to fire.");
  for (const field of ["conditions", "filters", "actions"] as const)
    for (const node of asList(props[field])) {
      // RuleNodeField.to_internal_value: an id, registered for this node type.
      if (isNull(node["id"])) add(field, "Missing attribute 'id'");
      else if (!RULE_IDS[field].includes(String(node["id"])))
        add(field, `Invalid node. Could not find '${String(node["id"])}'`);
      else {
        const err = nodeError(node);
        if (err) add(field, err);
      }
    }
  return errors;
}

/** How the provider reports an API refusal (go-sentry's ErrorResponse, via diag.FromErr). */
export function apiError(method: string, path: string, errors: Record<string, string[]>): Error {
  return new Error(`${method} https://sentry.io/api/0/${path}: 400 ${JSON.stringify(errors)}`);
}
