/**
 * The Sentry stand-in's rules (test/e2e/standins/rules/sentry*.ts): the provider's schema
 * (terraform-provider-sentry v0.11.2, bridged by @pulumiverse/sentry 0.0.9) at Check, and what
 * Sentry's API refuses (getsentry/sentry) at create and update. The plugin is driven in-process.
 */
import { describe, expect, it } from "vitest";
import { standin } from "./e2e/standins/sentry";
import { autoName, checkIssueAlert, issueAlertApiErrors } from "./e2e/standins/rules/sentry";
import { diffAlert } from "./e2e/standins/rules/sentry-diff";
import { checkMetricAlert, metricAlertApiErrors } from "./e2e/standins/rules/sentry-metric";
import { load } from "./e2e/standins/store";
import { freshStandinStore, standinUrn, type P } from "./support/standins";

const ISSUE = "sentry:index/sentryIssueAlert:SentryIssueAlert";
const METRIC = "sentry:index/sentryMetricAlert:SentryMetricAlert";
const urn = (type: string) => standinUrn(type, "detection-alerts-x");
const frequencyCondition = (over: P = {}): P => ({
  id: "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
  comparisonType: "count",
  value: "2",
  interval: "15m",
  ...over,
});
const attributeFilter = (over: P = {}): P => ({
  id: "sentry.rules.filters.event_attribute.EventAttributeFilter",
  attribute: "message",
  match: "co",
  value: "freescout_not_configured",
  ...over,
});
const emailAction = (over: P = {}): P => ({
  id: "sentry.mail.actions.NotifyEmailAction",
  targetType: "Team",
  targetIdentifier: "42",
  ...over,
});
const issue = (over: P = {}): P => ({
  organization: "raxx",
  project: "console",
  name: "raxx-console-prod: freescout-not-configured",
  actionMatch: "all",
  filterMatch: "all",
  frequency: 10,
  conditions: [frequencyCondition()],
  filters: [attributeFilter()],
  actions: [emailAction()],
  ...over,
});
const metric = (over: P = {}): P => ({
  organization: "raxx",
  project: "console",
  name: "freescout-not-configured",
  dataset: "events",
  query: "logger:freescout_client message:*freescout_not_configured*",
  aggregate: "count()",
  timeWindow: 10,
  thresholdType: 0,
  triggers: [
    {
      label: "critical",
      thresholdType: 0,
      alertThreshold: 2,
      actions: [{ type: "email", targetType: "team", targetIdentifier: "42" }],
    },
  ],
  ...over,
});

describe("issue alert: the provider's schema (Check)", () => {
  it("requires conditions and actions (and the other Required attributes)", () => {
    const failures = checkIssueAlert(issue({ conditions: undefined, actions: undefined }));
    expect(failures.map((f) => f.property)).toEqual(["conditions", "actions"]);
  });

  it("takes actionMatch all or any only: the provider refuses none, which Sentry's API would take", () => {
    expect(checkIssueAlert(issue({ actionMatch: "any" }))).toEqual([]);
    expect(checkIssueAlert(issue({ actionMatch: "none" }))).toEqual([
      { property: "actionMatch", reason: "expected action_match to be one of [all any], got none" },
    ]);
  });

  it("takes filterMatch all, any or none", () => {
    expect(checkIssueAlert(issue({ filterMatch: "none" }))).toEqual([]);
    expect(checkIssueAlert(issue({ filterMatch: "some" }))).toHaveLength(1);
  });

  it("refuses a name longer than 64 characters, and names an unnamed alert as the bridge does", () => {
    expect(checkIssueAlert(issue({ name: "x".repeat(65) }))[0]?.property).toBe("name");
    expect(autoName(urn(ISSUE), {})).toMatch(/^detection-alerts-x-[0-9a-f]{7}$/);
    expect(autoName(urn(ISSUE), { name: "kept" })).toBe("kept");
  });

  it("does not validate the interval, the frequency or the rule ids: those pass preview", () => {
    const bad = issue({
      frequency: 7000000,
      conditions: [frequencyCondition({ interval: "10m" })],
    });
    expect(checkIssueAlert(bad)).toEqual([]);
  });
});

describe("issue alert: what Sentry's API refuses (create and update)", () => {
  it("accepts the event-frequency intervals 1m, 5m, 15m, 1h, 1d, 1w and 30d only: no 10m", () => {
    for (const interval of ["1m", "5m", "15m", "1h", "1d", "1w", "30d"])
      expect(
        issueAlertApiErrors(issue({ conditions: [frequencyCondition({ interval })] })),
      ).toEqual({});
    expect(
      issueAlertApiErrors(issue({ conditions: [frequencyCondition({ interval: "10m" })] })),
    ).toEqual({
      conditions: ["Select a valid choice. 10m is not one of the available choices."],
    });
  });

  it("takes an event-frequency value as a whole number and a percent comparison only with a comparisonInterval", () => {
    expect(
      issueAlertApiErrors(issue({ conditions: [frequencyCondition({ value: "2.5" })] })),
    ).toEqual({
      conditions: ["Enter a whole number."],
    });
    const percent = frequencyCondition({ comparisonType: "percent" });
    expect(issueAlertApiErrors(issue({ conditions: [percent] }))["conditions"]).toEqual([
      "comparisonInterval is required when comparing by percent",
    ]);
  });

  it("takes an action frequency from 5 to 43200 minutes (the API's range; the UI's list is narrower)", () => {
    for (const frequency of [5, 10, 30, 60, 180, 720, 1440, 10080, 43200, 15])
      expect(issueAlertApiErrors(issue({ frequency }))).toEqual({});
    expect(issueAlertApiErrors(issue({ frequency: 4 }))).toEqual({
      frequency: ["Ensure this value is greater than or equal to 5."],
    });
    expect(issueAlertApiErrors(issue({ frequency: 43201 }))["frequency"]).toHaveLength(1);
  });

  it("refuses an alert without a condition or without an action", () => {
    expect(issueAlertApiErrors(issue({ conditions: [], actions: [] }))).toEqual({
      conditions: ["Must select a condition"],
      actions: ["You must add an action for this alert to fire."],
    });
  });

  it("refuses an unknown rule id, and a known id in the wrong list", () => {
    const errors = issueAlertApiErrors(
      issue({ conditions: [attributeFilter()], actions: [{ id: "sentry.rules.actions.Nope" }] }),
    );
    expect(errors).toEqual({
      conditions: [
        "Invalid node. Could not find 'sentry.rules.filters.event_attribute.EventAttributeFilter'",
      ],
      actions: ["Invalid node. Could not find 'sentry.rules.actions.Nope'"],
    });
  });

  it("takes an event attribute filter's attribute from ATTR_CHOICES only: logger is a tag, not an attribute", () => {
    expect(
      issueAlertApiErrors(issue({ filters: [attributeFilter({ attribute: "logger" })] })),
    ).toEqual({
      filters: ["Select a valid choice. logger is not one of the available choices."],
    });
    const tagged = {
      id: "sentry.rules.filters.tagged_event.TaggedEventFilter",
      key: "logger",
      match: "eq",
      value: "freescout_client",
    };
    expect(issueAlertApiErrors(issue({ filters: [tagged] }))).toEqual({});
  });

  it("takes a filter match from eq, ne, sw, ew, co, nc, is, ns and needs a value unless is or ns", () => {
    expect(
      issueAlertApiErrors(issue({ filters: [attributeFilter({ match: "contains" })] }))["filters"],
    ).toEqual(["Select a valid choice. contains is not one of the available choices."]);
    expect(
      issueAlertApiErrors(issue({ filters: [attributeFilter({ match: "is", value: "" })] })),
    ).toEqual({});
    expect(
      issueAlertApiErrors(issue({ filters: [attributeFilter({ value: "" })] }))["filters"],
    ).toHaveLength(1);
  });

  it("takes an email action's targetType IssueOwners, Team or Member, with a numeric target for Team and Member", () => {
    expect(
      issueAlertApiErrors(
        issue({ actions: [emailAction({ targetType: "IssueOwners", targetIdentifier: "" })] }),
      ),
    ).toEqual({});
    expect(
      issueAlertApiErrors(issue({ actions: [emailAction({ targetIdentifier: "ops" })] })),
    ).toEqual({
      actions: ["targetIdentifier must be an integer"],
    });
    expect(
      issueAlertApiErrors(issue({ actions: [emailAction({ targetIdentifier: "" })] })),
    ).toEqual({
      actions: ["You need to specify a Team or Member."],
    });
  });
});

describe("metric alert", () => {
  it("requires the schema's Required attributes at Check, nothing more", () => {
    expect(checkMetricAlert(metric({ timeWindow: 7 }))).toEqual([]);
    expect(
      checkMetricAlert(metric({ aggregate: undefined, triggers: [{ label: "critical" }] })).map(
        (f) => f.property,
      ),
    ).toEqual(["aggregate", "triggers[0].thresholdType", "triggers[0].alertThreshold"]);
  });

  it("takes a timeWindow of whole minutes from 1 to 1440 (the API's range; the UI's list is narrower)", () => {
    expect(metricAlertApiErrors(metric({ timeWindow: 10 }))).toEqual({});
    expect(metricAlertApiErrors(metric({ timeWindow: 1441 }))).toEqual({
      timeWindow: ["Ensure this value is less than or equal to 1440."],
    });
    expect(metricAlertApiErrors(metric({ timeWindow: 0.5 }))["timeWindow"]).toEqual([
      "A valid integer is required.",
    ]);
  });

  it("limits crash-rate alerts (sessions, metrics) to 30m, 1h, 2h, 4h, 12h and 24h windows", () => {
    expect(
      metricAlertApiErrors(metric({ dataset: "sessions", timeWindow: 10 }))["nonFieldErrors"],
    ).toHaveLength(1);
  });

  it("takes thresholdType 0 (above) or 1 (below) and one or two triggers labelled critical then warning", () => {
    expect(metricAlertApiErrors(metric({ thresholdType: 2 }))["thresholdType"]).toHaveLength(1);
    const [critical] = metric()["triggers"] as P[];
    expect(metricAlertApiErrors(metric({ triggers: [] }))["nonFieldErrors"]).toEqual([
      "Must include at least one trigger",
    ]);
    expect(
      metricAlertApiErrors(metric({ triggers: [{ ...critical, label: "warning" }] }))[
        "nonFieldErrors"
      ],
    ).toEqual(['Trigger 1 must be labeled "critical"']);
  });

  it("requires an alert threshold beyond the resolve threshold", () => {
    expect(metricAlertApiErrors(metric({ resolveThreshold: 5 }))["nonFieldErrors"]).toEqual([
      "critical alert threshold must be above resolution threshold",
    ]);
  });

  it("takes trigger action types and target types Sentry registers, with a target identifier", () => {
    const triggers = [
      {
        label: "critical",
        thresholdType: 0,
        alertThreshold: 2,
        actions: [{ type: "mail", targetType: "Team" }],
      },
    ];
    expect(metricAlertApiErrors(metric({ triggers }))["triggers"]).toEqual([
      "Invalid type, valid values are [email, pagerduty, slack, msteams, sentry_app, opsgenie, discord]",
      "Invalid targetType, valid values are [user, team, specific, sentry_app]",
      "targetIdentifier: This field is required.",
    ]);
  });
});

describe("diff", () => {
  it("never replaces an alert (no ForceNew), even for a new organization or project", () => {
    expect(diffAlert(ISSUE, issue(), issue({ project: "other" }))).toMatchObject({
      changes: true,
      replaces: [],
      diffs: { project: "update" },
    });
  });

  it("plans dropped filters to null and keeps a dropped environment (Optional+Computed)", () => {
    const d = diffAlert(ISSUE, issue({ environment: "production" }), issue({ filters: undefined }));
    expect(d.diffs).toEqual({ filters: "delete" });
  });

  it("ignores the ids the provider computes for a metric alert's triggers and actions", () => {
    const stored = metric({
      triggers: [{ ...(metric()["triggers"] as P[])[0], id: "7", resolveThreshold: 0 }],
    });
    expect(diffAlert(METRIC, stored, metric()).changes).toBe(false);
  });
});

describe("the plugin, in-process", () => {
  freshStandinStore("standin-sentry-");

  it("passes preview with a 10m interval and refuses the create at Sentry, writing nothing", async () => {
    const news = issue({ conditions: [frequencyCondition({ interval: "10m" })] });
    expect((await standin.check!(urn(ISSUE), {}, news)).failures).toEqual([]);
    await expect(standin.create!(urn(ISSUE), news)).rejects.toThrow(
      'POST https://sentry.io/api/0/projects/raxx/console/rules/: 400 {"conditions":["Select a valid choice. 10m is not one of the available choices."]}',
    );
    expect(load("sentry").objects).toEqual({});
  });

  it("creates a metric alert with its own rules and refuses an update Sentry refuses", async () => {
    const { id, outs } = (await standin.create!(urn(METRIC), metric())) as { id: string; outs: P };
    expect(id).toBe("raxx/console/1");
    await expect(
      standin.update!(id, urn(METRIC), outs, metric({ timeWindow: 2000 })),
    ).rejects.toThrow(
      /PUT https:\/\/sentry.io\/api\/0\/projects\/raxx\/console\/alert-rules\/: 400/,
    );
    expect(load("sentry").objects[id]?.inputs["timeWindow"]).toBe(10);
  });
});
