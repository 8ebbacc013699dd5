import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultFeaturesDir, loadFeatureCatalog } from "../infra/features/catalog";
import { runCheck } from "../tools/check";
import { placeholderVault } from "../tools/offline/run-program";

// Issue 24, "What was seen" 4: the offline check faked Vault data for every feature of the
// catalog, so a stack selecting only a gated feature other than Investigate found the tickets
// token's fields in "its" secret and failed with "already exists and holds fields this stack
// does not write".
const metrics = {
  id: "metrics",
  description: "Console metrics: reads the metrics API through its Access gate.",
  flags: ["FLAG_CONSOLE_METRICS"],
  prerequisites: [
    {
      name: "METRICS_API_URL",
      secret: false,
      source: { kind: "config", key: "metricsApiUrl", format: "https-url" },
      purpose: "base URL of the metrics API",
    },
    {
      name: "METRICS_API_KEY",
      secret: true,
      source: { kind: "vault", path: "metrics", field: "METRICS_API_KEY" },
      purpose: "the metrics API key",
    },
    {
      name: "CF_ACCESS_SVC_METRICS_CLIENT_ID",
      secret: true,
      source: { kind: "service-token", output: "clientId" },
      purpose: "passes the Access gate",
    },
    {
      name: "CF_ACCESS_SVC_METRICS_CLIENT_SECRET",
      secret: true,
      source: { kind: "service-token", output: "clientSecret" },
      purpose: "passes the Access gate",
    },
  ],
  startupCheck: { logger: "metrics_client", message: "metrics_not_configured" },
  detection: [
    {
      id: "metrics-not-configured",
      summary: "the console logs metrics_not_configured",
      logger: "metrics_client",
      messageContains: "metrics_not_configured",
      moreThan: 2,
      windowMinutes: 15,
      notifyAtMostEveryMinutes: 10,
      notify: "ops-team-email",
    },
  ],
  smoke: [],
};

function withMetrics() {
  const dir = mkdtempSync(join(tmpdir(), "features-"));
  writeFileSync(join(dir, "metrics.json"), JSON.stringify(metrics));
  return loadFeatureCatalog([defaultFeaturesDir(), dir]);
}

const metricsOnly = {
  "console-wiring:features": JSON.stringify({ metrics: true }),
  "console-wiring:flags": JSON.stringify({ FLAG_CONSOLE_METRICS: true }),
  "console-wiring:metricsApiUrl": "https://tickets.raxx.app",
  "console-wiring:vaultMount": "MooseQuest",
};

describe("the offline check fakes Vault data only for the features the stack selects", () => {
  it("placeholderVault: the selected feature's paths and token fields, nothing of Investigate", () => {
    expect(placeholderVault(metricsOnly, withMetrics())).toEqual({
      "MooseQuest/metrics": {
        METRICS_API_KEY: "offline-placeholder:MooseQuest/metrics#METRICS_API_KEY",
      },
      "MooseQuest/cloudflare": {
        CF_ACCESS_SVC_METRICS_CLIENT_ID:
          "offline-placeholder:MooseQuest/cloudflare#CF_ACCESS_SVC_METRICS_CLIENT_ID",
        CF_ACCESS_SVC_METRICS_CLIENT_SECRET:
          "offline-placeholder:MooseQuest/cloudflare#CF_ACCESS_SVC_METRICS_CLIENT_SECRET",
      },
    });
  });

  it("placeholderVault: no selection (or a bad one) fakes nothing", () => {
    expect(placeholderVault({}, withMetrics())).toEqual({});
    expect(placeholderVault({ "console-wiring:features": "[1]" }, withMetrics())).toEqual({});
  });

  it("a stack selecting only the metrics feature does not fail on the tickets token's fields", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      features: withMetrics(),
      // Not adopting: the stack then refuses an existing secret holding fields it does not write.
      configOverrides: { ...metricsOnly, "console-wiring:adoptVaultCloudflareSecret": undefined },
    });
    expect(result.output).toContain("FLAG_CONSOLE_METRICS");
    expect(result.output).not.toContain("holds fields this stack does not write");
    expect(result.output).not.toContain("CF_ACCESS_SVC_TICKETS");
  }, 60_000);
});
