/**
 * What Sentry's provider and API accept for a metric alert
 * (`sentry:index/sentryMetricAlert:SentryMetricAlert`).
 *
 * - PROVIDER: terraform-provider-sentry v0.11.2 (bridged by @pulumiverse/sentry 0.0.9),
 *   sentry/resource_sentry_metric_alert.go: the schema's Required attributes, nothing else.
 * - API (refused on create/update): getsentry/sentry src/sentry/incidents/serializers/alert_rule.py
 *   (AlertRuleSerializer), alert_rule_trigger_action.py (AlertRuleTriggerActionSerializer),
 *   incidents/serializers/__init__.py (ACTION_TARGET_TYPE_TO_STRING), incidents/models/alert_rule.py
 *   (AlertRuleThresholdType, AlertRuleTriggerAction.Type).
 */
import { asList, isNull, isUnknown, type Failure, type Props } from "./common";

export const METRIC_ALERT = "sentry:index/sentryMetricAlert:SentryMetricAlert";

/**
 * alert_rule.py: `time_window = serializers.IntegerField(required=True, min_value=1,
 * max_value=int(timedelta(days=1).total_seconds() / 60))`: whole minutes, 1 to 1440. Sentry's UI
 * offers only UI_TIME_WINDOWS (static/app/views/alerts/rules/metric/types.tsx, TimeWindow); the API
 * takes any whole number in the range, and so does the stand-in.
 */
export const TIME_WINDOW_RANGE = [1, 1440] as const;
export const UI_TIME_WINDOWS = [1, 5, 10, 15, 30, 60, 120, 240, 1440];
/** CRASH_RATE_ALERTS_ALLOWED_TIME_WINDOWS, enforced for the sessions and metrics datasets. */
export const CRASH_RATE_WINDOWS = [30, 60, 120, 240, 720, 1440];
/** AlertRuleThresholdType: ABOVE = 0, BELOW = 1. */
export const THRESHOLD_TYPES = [0, 1];
/** AlertRuleTriggerAction.Type (the registered action types' slugs). */
export const ACTION_TYPES = [
  "email",
  "pagerduty",
  "slack",
  "msteams",
  "sentry_app",
  "opsgenie",
  "discord",
];
/** ACTION_TARGET_TYPE_TO_STRING. */
export const TARGET_TYPES = ["user", "team", "specific", "sentry_app"];

/** Check: v0.11.2 resource_sentry_metric_alert.go schema, Required attributes only. */
export function checkMetricAlert(news: Props): Failure[] {
  const out: Failure[] = [];
  const need = (p: string, v: unknown) => {
    if (isNull(v)) out.push({ property: p, reason: `Missing required argument: "${p}"` });
  };
  for (const p of ["organization", "project", "name", "query", "aggregate", "timeWindow"])
    need(p, news[p]);
  need("thresholdType", news["thresholdType"]);
  need("triggers", news["triggers"]);
  asList(news["triggers"]).forEach((t, i) => {
    for (const p of ["label", "thresholdType", "alertThreshold"]) need(`triggers[${i}].${p}`, t[p]);
    asList(t["actions"]).forEach((a, j) => {
      for (const p of ["type", "targetType"]) need(`triggers[${i}].actions[${j}].${p}`, a[p]);
    });
  });
  return out;
}

function wholeInRange(v: unknown, [lo, hi]: readonly [number, number]): string | undefined {
  if (isUnknown(v) || isNull(v)) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) return "A valid integer is required.";
  if (v < lo) return `Ensure this value is greater than or equal to ${lo}.`;
  if (v > hi) return `Ensure this value is less than or equal to ${hi}.`;
  return undefined;
}

function thresholdErrors(props: Props, triggers: Props[], add: (m: string) => void): void {
  const above = props["thresholdType"] === 0;
  const resolve = props["resolveThreshold"];
  for (const t of triggers) {
    // _validate_trigger_thresholds: the alert threshold must be beyond the resolve threshold.
    const alert = t["alertThreshold"];
    if (typeof resolve !== "number" || typeof alert !== "number") continue;
    const ints = Number.isInteger(alert) && Number.isInteger(resolve);
    const [a, r] = ints ? (above ? [1, -1] : [-1, 1]) : [0, 0];
    if (above ? alert + a <= resolve + r : alert + a >= resolve + r)
      add(
        `${String(t["label"])} alert threshold must be ${above ? "above" : "below"} resolution threshold`,
      );
  }
  // _validate_critical_warning_triggers.
  const [critical, warning] = triggers.map((t) => t["alertThreshold"]);
  if (typeof critical === "number" && typeof warning === "number")
    if (above ? critical < warning : critical > warning)
      add(
        `Critical trigger must have an alert threshold ${above ? "above" : "below"} warning trigger`,
      );
}

/** What AlertRuleSerializer refuses, as `{ field: [message] }` (non_field_errors for validate()). */
export function metricAlertApiErrors(props: Props): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const add = (field: string, msg: string) => (errors[field] ??= []).push(msg);
  const general = (msg: string) => add("nonFieldErrors", msg);
  // Meta.extra_kwargs "name": min_length 1, max_length 64.
  const name = props["name"];
  if (typeof name === "string" && name.length > 64)
    add("name", "Ensure this field has no more than 64 characters.");
  // "aggregate": CharField(required=True, min_length=1).
  if (props["aggregate"] === "") add("aggregate", "This field may not be blank.");
  const tw = wholeInRange(props["timeWindow"], TIME_WINDOW_RANGE);
  if (tw) add("timeWindow", tw);
  // _validate_time_window: crash-rate alerts (sessions and metrics datasets).
  const dataset = props["dataset"];
  const window = props["timeWindow"];
  if ((dataset === "sessions" || dataset === "metrics") && typeof window === "number")
    if (!CRASH_RATE_WINDOWS.includes(window))
      general(
        "Invalid Time Window: Allowed time windows for crash rate alerts are: 30min, 1h, 2h, 4h, 12h and 24h",
      );
  // validate_threshold_type: AlertRuleThresholdType(threshold_type).
  const tt = props["thresholdType"];
  if (typeof tt === "number" && !THRESHOLD_TYPES.includes(tt))
    add("thresholdType", "Invalid threshold type, valid values are [0, 1]");
  // validate(): 1 or 2 triggers, labelled "critical" then "warning".
  const triggers = asList(props["triggers"]);
  if (triggers.length === 0) general("Must include at least one trigger");
  if (triggers.length > 2)
    general("Must send 1 or 2 triggers - A critical trigger, and an optional warning trigger");
  ["critical", "warning"].forEach((label, i) => {
    const t = triggers[i];
    if (t && t["label"] !== label) general(`Trigger ${i + 1} must be labeled "${label}"`);
  });
  thresholdErrors(props, triggers.slice(0, 2), general);
  // AlertRuleTriggerActionSerializer: type, target_type (and target_identifier, required).
  for (const t of triggers)
    for (const a of asList(t["actions"])) {
      const type = String(a["type"]);
      if (!ACTION_TYPES.includes(type))
        add("triggers", `Invalid type, valid values are [${ACTION_TYPES.join(", ")}]`);
      if (!TARGET_TYPES.includes(String(a["targetType"])))
        add("triggers", `Invalid targetType, valid values are [${TARGET_TYPES.join(", ")}]`);
      if (isNull(a["targetIdentifier"]))
        add("triggers", "targetIdentifier: This field is required.");
      if (type === "slack" && isNull(a["integrationId"]))
        add("triggers", "Integration must be provided for slack");
    }
  return errors;
}
