/**
 * How the Sentry provider (terraform-provider-sentry v0.11.2, an SDKv2 provider bridged by
 * @pulumiverse/sentry 0.0.9) plans an update of either alert. Per schema
 * (sentry/resource_sentry_issue_alert.go, sentry/resource_sentry_metric_alert.go):
 * - no attribute is ForceNew, so nothing forces a replacement, not even organization or project;
 * - an Optional attribute the program drops is planned to null (a diff), an Optional+Computed
 *   one (environment, owner, a trigger's resolve_threshold) keeps the state's value;
 * - Computed-only nested ids (trigger and action `id`) are never a difference.
 */
import { kindOf, type DiffKind, type PlannedDiff, type Props } from "./common";
import { ISSUE_ALERT } from "./sentry";

const KEYS: Readonly<Record<string, { optional: string[]; kept: string[]; required: string[] }>> = {
  [ISSUE_ALERT]: {
    required: [
      ...["organization", "project", "name", "conditions", "actions"],
      ...["actionMatch", "filterMatch", "frequency"],
    ],
    optional: ["filters"],
    kept: ["environment"],
  },
  "sentry:index/sentryMetricAlert:SentryMetricAlert": {
    required: [
      ...["organization", "project", "name", "query", "aggregate", "timeWindow"],
      ...["thresholdType", "triggers"],
    ],
    optional: ["dataset", "eventTypes", "resolveThreshold"],
    kept: ["environment", "owner"],
  },
};

/** Triggers without what the provider computes (ids), so only what the program says compares. */
function withoutIds(value: unknown, keepFrom: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const ref = Array.isArray(keepFrom) ? (keepFrom as Props[]) : [];
  return (value as Props[]).map((t, i) => {
    const r = ref[i] ?? {};
    const out: Props = { ...t };
    if (r["id"] === undefined) delete out["id"];
    if (r["resolveThreshold"] === undefined) delete out["resolveThreshold"];
    if (Array.isArray(t["actions"]))
      out["actions"] = (t["actions"] as Props[]).map((a, j) => {
        const ra = Array.isArray(r["actions"]) ? ((r["actions"] as Props[])[j] ?? {}) : {};
        const { id, ...rest } = a;
        return ra["id"] === undefined ? rest : { id, ...rest };
      });
    return out;
  });
}

export function diffAlert(type: string, olds: Props, news: Props): PlannedDiff {
  const keys = KEYS[type] ?? KEYS[ISSUE_ALERT]!;
  const diffs: Record<string, DiffKind> = {};
  for (const k of [...keys.required, ...keys.optional, ...keys.kept]) {
    if (keys.kept.includes(k) && news[k] === undefined) continue;
    const old = k === "triggers" ? withoutIds(olds[k], news[k]) : olds[k];
    const kind = kindOf(old, news[k]);
    if (kind) diffs[k] = kind;
  }
  return {
    changes: Object.keys(diffs).length > 0,
    diffs,
    replaces: [],
    deleteBeforeReplace: false,
  };
}
