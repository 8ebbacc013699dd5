/**
 * In-code features next to Investigate for the gate suites: `metrics`, behind a gate of its own
 * (its URL on metrics.raxx.app, its own token vars), and `billing`, not gated, with a URL on
 * billing.raxx.app. They are built here rather than loaded from files so these suites do not
 * depend on the fixture folders other suites own.
 */
import type { Feature, Gate } from "../../infra/features/manifest";
import { loadStackFiles } from "../../tools/stack-files";
import { investigate } from "./investigate";

export const METRICS_GATE: Gate = {
  id: "metrics",
  description: "Cloudflare Access in front of the metrics API.",
  apiPath: "/api",
  urlVars: ["METRICS_API_URL"],
  clientIdVar: "CF_ACCESS_SVC_METRICS_CLIENT_ID",
  clientSecretVar: "CF_ACCESS_SVC_METRICS_CLIENT_SECRET",
};

export function metrics(): Feature {
  return {
    id: "metrics",
    description: "Console metrics",
    gate: METRICS_GATE,
    flags: ["FLAG_CONSOLE_METRICS"],
    requires: [
      {
        name: "METRICS_API_URL",
        secret: false,
        source: { kind: "config", key: "metricsApiUrl", format: "https-url" },
        purpose: "the metrics API",
      },
      {
        name: "CF_ACCESS_SVC_METRICS_CLIENT_ID",
        secret: true,
        source: { kind: "service-token", output: "clientId" },
        purpose: "the metrics gate's token id",
      },
      {
        name: "CF_ACCESS_SVC_METRICS_CLIENT_SECRET",
        secret: true,
        source: { kind: "service-token", output: "clientSecret" },
        purpose: "the metrics gate's token secret",
      },
      {
        name: "CONSOLE_FEATURE_PREREQUISITES",
        secret: false,
        source: { kind: "manifest" },
        purpose: "the prerequisite map",
      },
    ],
  };
}

export function billing(): Feature {
  return {
    id: "billing",
    description: "Console billing webhooks",
    flags: ["FLAG_CONSOLE_BILLING"],
    requires: [
      {
        name: "BILLING_WEBHOOK_URL",
        secret: false,
        source: { kind: "config", key: "billingWebhookUrl", format: "https-url" },
        purpose: "where billing events go",
      },
      {
        name: "CONSOLE_FEATURE_PREREQUISITES",
        secret: false,
        source: { kind: "manifest" },
        purpose: "the prerequisite map",
      },
    ],
  };
}

/** Investigate, metrics and billing, in that order (the catalog order the suites use). */
export function threeFeatures(): Feature[] {
  return [investigate(), metrics(), billing()];
}

/** Prod's stack config selecting the three features, each gate on its own host, and `flags`. */
export const threeFeatureConfig = (
  flags: Record<string, boolean>,
  billingUrl = "https://billing.raxx.app/hooks",
): Record<string, string> => ({
  ...loadStackFiles("prod").config,
  "console-wiring:features": JSON.stringify({ investigate: true, metrics: true, billing: true }),
  "console-wiring:gates": JSON.stringify({
    tickets: { host: "tickets.raxx.app", vaultPath: "cloudflare", adoptVaultSecret: true },
    metrics: { host: "metrics.raxx.app", vaultPath: "metrics-access" },
  }),
  "console-wiring:metricsApiUrl": "https://metrics.raxx.app/api",
  "console-wiring:billingWebhookUrl": billingUrl,
  "console-wiring:flags": JSON.stringify(flags),
});
