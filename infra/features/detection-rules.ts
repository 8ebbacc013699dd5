/**
 * What Sentry accepts for an issue alert, and the check that every detection rule of the manifest
 * fits it. Sentry refuses an issue alert outside these values when the alert is created, which in
 * this graph is after the preview and before the flags: the deploy would stop there. So the
 * program and the offline check refuse such a rule first, naming the accepted values.
 */
import type { DetectionRule, Feature } from "./model";

/**
 * The intervals of an issue alert's event-frequency condition, and their length in minutes.
 * Source: getsentry/sentry `src/sentry/rules/conditions/event_frequency.py`, `standard_intervals`
 * (the choices of `EventFrequencyForm.interval`): 1m, 5m, 15m, 1h, 1d, 1w, 30d. There is no 10m.
 */
export const ISSUE_ALERT_INTERVALS: readonly {
  readonly value: string;
  readonly minutes: number;
}[] = [
  { value: "1m", minutes: 1 },
  { value: "5m", minutes: 5 },
  { value: "15m", minutes: 15 },
  { value: "1h", minutes: 60 },
  { value: "1d", minutes: 24 * 60 },
  { value: "1w", minutes: 7 * 24 * 60 },
  { value: "30d", minutes: 30 * 24 * 60 },
];

/**
 * An issue alert's `frequency`: at most one notification per issue in this many minutes.
 * Source: getsentry/sentry `static/app/views/alerts/rules/issue/index.tsx`, `FREQUENCY_OPTIONS`
 * (5, 10, 30, 60, 180, 720, 1440, 10080, 43200), within the API's bounds
 * (`src/sentry/api/serializers/rest_framework/rule.py`, `RuleSerializer.frequency`:
 * `IntegerField(min_value=5, max_value=60 * 24 * 30)`). Only the editor's choices are used, so
 * the alert reads the same in Sentry's UI as in the manifest.
 */
export const ISSUE_ALERT_FREQUENCIES: readonly number[] = [
  5, 10, 30, 60, 180, 720, 1440, 10080, 43200,
];

/** The condition's `interval` value for a window, or undefined when Sentry has none that long. */
export function issueAlertInterval(minutes: number): string | undefined {
  return ISSUE_ALERT_INTERVALS.find((i) => i.minutes === minutes)?.value;
}

/**
 * Why Sentry cannot express the rule as an issue alert; empty when it can. A window Sentry lacks
 * is answered with the shortest accepted one that is longer: with the same threshold it fires in
 * every case the shorter window would (the events of any shorter span lie within it).
 */
export function detectionRuleProblems(rule: DetectionRule): string[] {
  const problems: string[] = [];
  // The accepted window itself, or else the shortest longer one to suggest.
  const fit = ISSUE_ALERT_INTERVALS.find((i) => i.minutes >= rule.windowMinutes);
  if (fit?.minutes !== rule.windowMinutes) {
    const accepted = ISSUE_ALERT_INTERVALS.map((i) => i.value).join(", ");
    const fix = fit
      ? `use ${fit.minutes}, the shortest accepted window longer than ${rule.windowMinutes} minutes: with the same threshold it fires in every case the ${rule.windowMinutes}-minute rule does (a metric alert counts an exact window)`
      : `the longest accepted window is ${ISSUE_ALERT_INTERVALS.at(-1)!.minutes} minutes`;
    problems.push(
      `windowMinutes ${rule.windowMinutes} is not an interval Sentry accepts for an issue alert (${accepted}): ${fix}`,
    );
  }
  if (!ISSUE_ALERT_FREQUENCIES.includes(rule.notifyAtMostEveryMinutes)) {
    problems.push(
      `notifyAtMostEveryMinutes ${rule.notifyAtMostEveryMinutes} is not a frequency Sentry accepts for an issue alert's actions (${ISSUE_ALERT_FREQUENCIES.join(", ")} minutes): use one of them`,
    );
  }
  if (!Number.isInteger(rule.moreThan) || rule.moreThan < 0) {
    problems.push(
      `moreThan ${rule.moreThan} is not a whole number of events (0 or more), which Sentry's event-frequency condition takes`,
    );
  }
  return problems;
}

/**
 * The error for a manifest with a detection rule Sentry cannot express, naming each problem and
 * where to fix it; undefined when every rule fits.
 */
export function detectionRulesError(features: readonly Feature[]): string | undefined {
  const lines: string[] = [];
  for (const feature of features) {
    for (const rule of feature.detection ?? []) {
      for (const problem of detectionRuleProblems(rule))
        lines.push(
          `  - detection rule ${rule.id} of feature ${feature.id} (infra/features/data/${feature.id}.json): ${problem}.`,
        );
    }
  }
  if (lines.length === 0) return undefined;
  return [
    "console-wiring: a feature file declares a detection rule Sentry cannot create as an issue alert. Nothing was applied. Fix the rule in its file:",
    ...lines,
  ].join("\n");
}
