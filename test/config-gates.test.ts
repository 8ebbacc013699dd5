/**
 * console-wiring:gates: per-gate settings, the refusal of the one-gate keys, and each URL var
 * checked against its own gate's host (or, for a feature with no gate, as https only).
 */
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, type RawConfig } from "../infra/config";
import { MOVED_KEYS } from "../infra/config-parts/gates";
import { prod } from "./support/config-problems";
import { investigate } from "./support/investigate";
import { billing, metrics, threeFeatures } from "./support/second-gate";

const problems = (raw: RawConfig, features = threeFeatures()): readonly string[] => {
  try {
    parseConfig(raw, features, "prod");
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

const TICKETS = { host: "tickets.raxx.app", vaultPath: "cloudflare" };
const METRICS = { host: "metrics.raxx.app", vaultPath: "metrics-access" };

/** Prod with metrics and billing selected next to Investigate. */
const threeOnProd = (gates: Record<string, unknown> = { tickets: TICKETS, metrics: METRICS }) => ({
  ...prod(),
  features: JSON.stringify({ investigate: true, metrics: true, billing: true }),
  gates: JSON.stringify(gates),
  metricsApiUrl: "https://metrics.raxx.app/api",
  billingWebhookUrl: "https://billing.raxx.app/hooks",
});

describe("the one-gate keys", () => {
  it.each(Object.entries(MOVED_KEYS))("refuses %s naming where it went", (old, now) => {
    const found = problems({ ...prod(), [old]: "x" }, [investigate()]);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`console-wiring:${old} `);
    if (now === "") {
      expect(found[0]).toContain("gate file's apiPath");
    } else {
      expect(found[0]).toContain(`console-wiring:gates.tickets.${now}`);
      expect(found[0]).toContain(`pulumi config set --path 'gates.tickets.${now}'`);
    }
  });
});

describe("each URL var against its own gate", () => {
  it("accepts a feature with no gate on its own host, with no host workaround", () => {
    const config = parseConfig(threeOnProd(), threeFeatures(), "prod");
    expect(config.manifestValues["billingWebhookUrl"]).toBe("https://billing.raxx.app/hooks");
    expect(Object.keys(config.gates)).toEqual(["tickets", "metrics"]);
  });

  it("checks a feature with no gate as https only, naming the feature and its own key", () => {
    expect(problems({ ...threeOnProd(), billingWebhookUrl: "http://billing.raxx.app" })).toEqual([
      "console-wiring:billingWebhookUrl (BILLING_WEBHOOK_URL on the app, feature billing) must use https:// (it uses http://). Example: pulumi config set billingWebhookUrl https://api.example.com",
    ]);
  });

  it("holds a gate's URL var to that gate's host, with a fix of that gate", () => {
    expect(problems({ ...threeOnProd(), metricsApiUrl: "https://tickets.raxx.app/api" })).toEqual([
      "console-wiring:metricsApiUrl (METRICS_API_URL on the app, feature metrics) must point at gate metrics's host metrics.raxx.app (it points at tickets.raxx.app): the app sends gate metrics's service token there. Fix: pulumi config set metricsApiUrl https://metrics.raxx.app, or, if tickets.raxx.app is behind the same gate: pulumi config set --path 'gates.metrics.allowedHosts[0]' tickets.raxx.app",
    ]);
  });

  it("lets one gate's allowedHosts admit nothing for another gate's var", () => {
    const gates = {
      tickets: { ...TICKETS, allowedHosts: ["metrics.raxx.app"] },
      metrics: METRICS,
    };
    // The tickets gate may send its token to metrics.raxx.app; the metrics var still may not go
    // to the tickets host, and the tickets var may go to the host its own gate allows.
    const raw = { ...threeOnProd(gates), freescoutApiUrl: "https://metrics.raxx.app" };
    expect(problems(raw)).toEqual([]);
    expect(problems({ ...raw, metricsApiUrl: "https://tickets.raxx.app" })).toHaveLength(1);
  });

  it("never checks a non-gated URL against a gate's host", () => {
    const raw = {
      ...prod(),
      features: JSON.stringify({ investigate: true, billing: true }),
      billingWebhookUrl: "https://billing.raxx.app/hooks",
    };
    expect(problems(raw, [investigate(), billing()])).toEqual([]);
  });
});

describe("per-gate settings", () => {
  it("requires an entry for each gate a selected feature passes, naming its keys", () => {
    expect(problems(threeOnProd({ tickets: TICKETS }))).toEqual([
      "console-wiring:gates.metrics is missing: a selected feature passes gate metrics (infra/features/data/gates/metrics.json), which needs its host and Vault path. Set them: pulumi config set --path 'gates.metrics.host' metrics.raxx.app && pulumi config set --path 'gates.metrics.vaultPath' metrics-access",
    ]);
  });

  it("gives each gate its own token settings, named console-<stack>-<gate> by default", () => {
    const config = parseConfig(
      threeOnProd({
        tickets: { ...TICKETS, serviceTokenName: "console-investigate-tickets" },
        metrics: { ...METRICS, serviceTokenGeneration: 2, tokenExpiryWarningDays: 14 },
      }),
      threeFeatures(),
      "prod",
    );
    expect(config.gates["tickets"]!.serviceToken).toMatchObject({
      name: "console-investigate-tickets",
      generation: 1,
      previousGeneration: undefined,
      expiryWarningDays: 30,
    });
    expect(config.gates["metrics"]!.serviceToken).toMatchObject({
      name: "console-prod-metrics",
      generation: 2,
      previousGeneration: 1,
      expiryWarningDays: 14,
    });
  });

  it("refuses two gates writing one Vault secret", () => {
    expect(
      problems(threeOnProd({ tickets: TICKETS, metrics: { ...METRICS, vaultPath: "cloudflare" } })),
    ).toEqual([
      "console-wiring:gates.metrics.vaultPath is cloudflare, the Vault secret of gate tickets too: each gate's token needs a secret of its own. Fix: pulumi config set --path 'gates.metrics.vaultPath' metrics-access",
    ]);
  });

  it("refuses a Vault path with a .. segment", () => {
    expect(
      problems(
        threeOnProd({
          tickets: TICKETS,
          metrics: { ...METRICS, vaultPath: "stripe/../cloudflare" },
        }),
      ),
    ).toEqual([
      "console-wiring:gates.metrics.vaultPath must be a Vault path without leading or trailing slashes or . and .. segments. Example: pulumi config set --path 'gates.metrics.vaultPath' metrics-access",
    ]);
  });

  it("refuses an entry for a gate no selected feature uses, and an unknown setting", () => {
    expect(
      problems({ ...prod(), gates: JSON.stringify({ tickets: TICKETS, metrics: METRICS }) }),
    ).toEqual([
      "console-wiring:gates.metrics is not a gate of a selected feature (gates in use: tickets). Remove it: pulumi config rm --path 'gates.metrics'",
    ]);
    expect(
      problems({ ...prod(), gates: JSON.stringify({ tickets: { ...TICKETS, hots: "x" } }) }, [
        investigate(),
      ]),
    ).toEqual([
      "console-wiring:gates.tickets.hots is not a gate setting (known: host, vaultPath, serviceTokenName, serviceTokenDuration, serviceTokenGeneration, serviceTokenRetiredGeneration, serviceTokenSecretVersion, serviceTokenPreviousSecretExpiresAt, tokenExpiryWarningDays, adoptAccessApplicationId, adoptAccessPolicyId, adoptServiceTokenId, adoptVaultSecret, allowedHosts). Remove it: pulumi config rm --path 'gates.tickets.hots'",
    ]);
  });

  it("names the gate in the token rules' messages", () => {
    const gates = { tickets: TICKETS, metrics: { ...METRICS, serviceTokenSecretVersion: 1 } };
    expect(problems(threeOnProd(gates))).toEqual([
      expect.stringMatching(
        /^console-wiring:gates\.metrics\.serviceTokenSecretVersion is 1, which rotates nothing: .* Fix: pulumi config set --path 'gates\.metrics\.serviceTokenSecretVersion' 2$/,
      ),
    ]);
  });
});

void metrics;
