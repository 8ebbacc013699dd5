import { describe, expect, it } from "vitest";
import {
  detectionRuleProblems,
  detectionRulesError,
  ISSUE_ALERT_FREQUENCIES,
  ISSUE_ALERT_INTERVALS,
  issueAlertInterval,
} from "../infra/features/detection-rules";
import { catalog } from "../infra/features/catalog";
import { type DetectionRule, type Feature } from "../infra/features/manifest";
import { issueAlertArgs } from "../infra/sentry/detection-alerts";
import { runCheck } from "../tools/check";

// What Sentry accepts for an issue alert, read from Sentry's own code and written down here on
// their own, so the program is checked against the source and not against itself:
// - event-frequency intervals: getsentry/sentry src/sentry/rules/conditions/event_frequency.py,
//   `standard_intervals` (the choices of EventFrequencyForm.interval);
// - action frequencies (minutes): getsentry/sentry static/app/views/alerts/rules/issue/index.tsx,
//   `FREQUENCY_OPTIONS`, within RuleSerializer.frequency's bounds 5..43200
//   (src/sentry/api/serializers/rest_framework/rule.py).
const SENTRY_INTERVALS = ["1m", "5m", "15m", "1h", "1d", "1w", "30d"];
const SENTRY_FREQUENCIES = [5, 10, 30, 60, 180, 720, 1440, 10080, 43200];

const ARGS = { organization: "o", project: "p", opsTeamId: "42", rules: [], namePrefix: "n" };
const rule = (change: Partial<DetectionRule> = {}): DetectionRule => ({
  id: "r",
  summary: "s",
  logger: "l",
  messageContains: "m",
  moreThan: 2,
  windowMinutes: 15,
  notifyAtMostEveryMinutes: 10,
  notify: "ops-team-email",
  ...change,
});
const feature = (id: string, detection?: DetectionRule[]): Feature => ({
  id,
  description: "",
  flags: [],
  requires: [],
  detection,
});

describe("the alert the program creates is one Sentry accepts", () => {
  it.each(
    catalog()
      .flatMap((f) => f.detection ?? [])
      .map((r) => [r.id, r] as const),
  )("%s: interval and frequency are among Sentry's values", (_id, r) => {
    const args = issueAlertArgs(r, ARGS);
    const conditions = args.conditions as { interval?: string }[];
    expect(conditions).toHaveLength(1);
    expect(SENTRY_INTERVALS).toContain(conditions[0]!.interval);
    expect(SENTRY_FREQUENCIES).toContain(args.frequency);
  });

  it("keeps the incident's threshold, logger and message, at 15 minutes", () => {
    const [r] = catalog().find((f) => f.id === "investigate")!.detection!;
    const args = issueAlertArgs(r!, ARGS);
    expect(args.conditions).toEqual([
      {
        id: "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
        comparisonType: "count",
        value: "2",
        interval: "15m",
      },
    ]);
    expect(args.frequency).toBe(10);
    expect(args.filters).toEqual([
      {
        id: "sentry.rules.filters.tagged_event.TaggedEventFilter",
        key: "logger",
        match: "eq",
        value: "freescout_client",
      },
      {
        id: "sentry.rules.filters.event_attribute.EventAttributeFilter",
        attribute: "message",
        match: "co",
        value: "freescout_not_configured",
      },
    ]);
  });

  it("refuses to build an alert Sentry would refuse", () => {
    expect(() =>
      issueAlertArgs(rule({ windowMinutes: 10, notifyAtMostEveryMinutes: 15 }), ARGS),
    ).toThrow(
      "detection rule r: windowMinutes 10 is not an interval Sentry accepts for an issue alert (1m, 5m, 15m, 1h, 1d, 1w, 30d): " +
        "use 15, the shortest accepted window longer than 10 minutes: with the same threshold it fires in every case the 10-minute rule does (a metric alert counts an exact window); " +
        "notifyAtMostEveryMinutes 15 is not a frequency Sentry accepts for an issue alert's actions (5, 10, 30, 60, 180, 720, 1440, 10080, 43200 minutes): use one of them.",
    );
  });
});

describe("Sentry's accepted values", () => {
  it("are the intervals of event_frequency.py, with their length in minutes", () => {
    expect(ISSUE_ALERT_INTERVALS).toEqual([
      { value: "1m", minutes: 1 },
      { value: "5m", minutes: 5 },
      { value: "15m", minutes: 15 },
      { value: "1h", minutes: 60 },
      { value: "1d", minutes: 1440 },
      { value: "1w", minutes: 10080 },
      { value: "30d", minutes: 43200 },
    ]);
    expect(ISSUE_ALERT_INTERVALS.map((i) => i.value)).toEqual(SENTRY_INTERVALS);
  });

  it("are the frequencies of Sentry's issue-alert editor", () => {
    expect(ISSUE_ALERT_FREQUENCIES).toEqual(SENTRY_FREQUENCIES);
  });

  it("maps a window to its interval, and a window Sentry lacks to none", () => {
    expect(issueAlertInterval(15)).toBe("15m");
    expect(issueAlertInterval(60)).toBe("1h");
    expect(issueAlertInterval(43200)).toBe("30d");
    expect(issueAlertInterval(10)).toBeUndefined();
    expect(issueAlertInterval(120)).toBeUndefined();
  });
});

describe("detectionRuleProblems", () => {
  it("finds none in a rule Sentry can express, at the edges of each value", () => {
    expect(detectionRuleProblems(rule())).toEqual([]);
    expect(
      detectionRuleProblems(rule({ windowMinutes: 1, notifyAtMostEveryMinutes: 5, moreThan: 0 })),
    ).toEqual([]);
    expect(
      detectionRuleProblems(rule({ windowMinutes: 43200, notifyAtMostEveryMinutes: 43200 })),
    ).toEqual([]);
  });

  it("answers a window Sentry lacks with the next longer one", () => {
    expect(detectionRuleProblems(rule({ windowMinutes: 10 }))).toEqual([
      "windowMinutes 10 is not an interval Sentry accepts for an issue alert (1m, 5m, 15m, 1h, 1d, 1w, 30d): use 15, the shortest accepted window longer than 10 minutes: with the same threshold it fires in every case the 10-minute rule does (a metric alert counts an exact window)",
    ]);
    expect(detectionRuleProblems(rule({ windowMinutes: 14 }))[0]).toContain(
      ": use 15, the shortest accepted window longer than 14 minutes:",
    );
    expect(detectionRuleProblems(rule({ windowMinutes: 16 }))[0]).toContain(
      ": use 60, the shortest accepted window longer than 16 minutes:",
    );
  });

  it("says when no accepted window is that long", () => {
    expect(detectionRuleProblems(rule({ windowMinutes: 43201 }))).toEqual([
      "windowMinutes 43201 is not an interval Sentry accepts for an issue alert (1m, 5m, 15m, 1h, 1d, 1w, 30d): the longest accepted window is 43200 minutes",
    ]);
  });

  it("refuses a notification frequency Sentry does not offer", () => {
    for (const minutes of [4, 15, 43201]) {
      expect(detectionRuleProblems(rule({ notifyAtMostEveryMinutes: minutes }))).toEqual([
        `notifyAtMostEveryMinutes ${minutes} is not a frequency Sentry accepts for an issue alert's actions (5, 10, 30, 60, 180, 720, 1440, 10080, 43200 minutes): use one of them`,
      ]);
    }
  });

  it("refuses a threshold that is not a whole number of events", () => {
    for (const moreThan of [2.5, -1]) {
      expect(detectionRuleProblems(rule({ moreThan }))).toEqual([
        `moreThan ${moreThan} is not a whole number of events (0 or more), which Sentry's event-frequency condition takes`,
      ]);
    }
  });
});

describe("detectionRulesError: the manifest refuses a rule Sentry cannot express", () => {
  it("has nothing to say about the manifest as it is", () => {
    expect(detectionRulesError(catalog())).toBeUndefined();
    expect(detectionRulesError([feature("none"), feature("empty", [])])).toBeUndefined();
  });

  it("names every problem of every rule, with its feature and the accepted values", () => {
    const features = [
      feature("investigate", [
        rule({ id: "freescout-not-configured", windowMinutes: 10 }),
        rule({ id: "fine" }),
      ]),
      feature("other", [rule({ id: "noisy", notifyAtMostEveryMinutes: 1 })]),
    ];
    expect(detectionRulesError(features)).toBe(
      [
        "console-wiring: a feature file declares a detection rule Sentry cannot create as an issue alert. Nothing was applied. Fix the rule in its file:",
        "  - detection rule freescout-not-configured of feature investigate (infra/features/data/investigate.json): windowMinutes 10 is not an interval Sentry accepts for an issue alert (1m, 5m, 15m, 1h, 1d, 1w, 30d): use 15, the shortest accepted window longer than 10 minutes: with the same threshold it fires in every case the 10-minute rule does (a metric alert counts an exact window).",
        "  - detection rule noisy of feature other (infra/features/data/other.json): notifyAtMostEveryMinutes 1 is not a frequency Sentry accepts for an issue alert's actions (5, 10, 30, 60, 180, 720, 1440, 10080, 43200 minutes): use one of them.",
      ].join("\n"),
    );
  });

  it("stops the offline check before the program runs", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      features: [feature("investigate", [rule({ id: "x", windowMinutes: 10 })])],
    });
    expect(result).toEqual({
      exitCode: 1,
      output:
        "console-wiring: a feature file declares a detection rule Sentry cannot create as an issue alert. Nothing was applied. Fix the rule in its file:\n" +
        "  - detection rule x of feature investigate (infra/features/data/investigate.json): windowMinutes 10 is not an interval Sentry accepts for an issue alert (1m, 5m, 15m, 1h, 1d, 1w, 30d): use 15, the shortest accepted window longer than 10 minutes: with the same threshold it fires in every case the 10-minute rule does (a metric alert counts an exact window).",
    });
  });
});
