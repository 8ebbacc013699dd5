/**
 * The program with two gates and a feature with none (Investigate, metrics, billing on prod's
 * stack): one set of Access objects and one Vault secret per gate, and each feature's flags
 * waiting for its own prerequisites, gate and alerts only.
 */
import { describe, expect, it } from "vitest";
import { runStack as runProgram } from "../infra/stack";
import { byName, runStack, type Captured, type VaultFixture } from "./support/harness";
import { threeFeatureConfig, threeFeatures } from "./support/second-gate";

const VAULT: VaultFixture = {
  "MooseQuest/freescout": {
    FREESCOUT_API_KEY: "sentinel-freescout-api-key",
    FREESCOUT_OPERATIONS_MAILBOX_ID: "sentinel-mailbox-7",
  },
  "MooseQuest/cloudflare": {
    CF_ACCESS_SVC_TICKETS_CLIENT_ID: "old.access",
    CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "sentinel-old-secret",
  },
};

const config = () =>
  threeFeatureConfig({
    FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: true,
    FLAG_CONSOLE_METRICS: true,
    FLAG_CONSOLE_BILLING: true,
  });

const run = () =>
  runStack({
    config: config(),
    vault: VAULT,
    program: async () => ({ ...(await runProgram(threeFeatures())) }),
  });

/** Every resource `r` waits for, directly or through others. */
function ancestors(resources: readonly Captured[], r: Captured): Set<string> {
  const byUrn = new Map(resources.map((x) => [x.urn, x]));
  const seen = new Set<string>();
  const todo = [...r.dependencies, ...Object.values(r.propertyDependencies).flat()];
  while (todo.length > 0) {
    const urn = todo.pop()!;
    if (seen.has(urn)) continue;
    seen.add(urn);
    const next = byUrn.get(urn);
    if (next) todo.push(...next.dependencies, ...Object.values(next.propertyDependencies).flat());
  }
  return new Set([...seen].map((u) => byUrn.get(u)?.name ?? u));
}

describe("two gates and a feature with none", () => {
  it("creates one Access gate, token, policy, application and Vault secret per gate", async () => {
    const result = await run();
    expect(result.error).toBeUndefined();
    const names = result.resources.map((r) => `${r.type} ${r.name}`);
    for (const gate of ["tickets", "metrics"]) {
      expect(names).toContain(`console-wiring:cloudflare:AccessGate ${gate}`);
      for (const child of ["service-token", "policy", "application"])
        expect(byName(result.resources, `${gate}-${child}`).parent).toBe(
          byName(result.resources, gate).urn,
        );
    }
    expect(byName(result.resources, "metrics-application").inputs["domain"]).toBe(
      "metrics.raxx.app/api",
    );
    // Unset, a gate's token is named console-<stack>-<gate> (the offline stack's name here).
    expect(byName(result.resources, "metrics-service-token").inputs["name"]).toMatch(
      /^console-[a-z0-9-]+-metrics$/,
    );
    const secret = byName(result.resources, "vault-metrics-access");
    expect(secret.inputs["name"]).toBe("metrics-access");
    expect(secret.propertyDependencies["dataJson"]).toEqual([
      byName(result.resources, "metrics-service-token").urn,
    ]);
    expect(byName(result.resources, "console-metrics-prerequisites").inputs["keys"]).toEqual([
      "CF_ACCESS_SVC_METRICS_CLIENT_ID",
      "CF_ACCESS_SVC_METRICS_CLIENT_SECRET",
    ]);
    expect(Object.keys(result.outputs?.["gates"] as object)).toEqual(["tickets", "metrics"]);
  });

  it("makes each feature's flags wait for its own gate and alerts, nothing of another feature", async () => {
    const result = await run();
    expect(result.error).toBeUndefined();
    const waits = (flags: string) => ancestors(result.resources, byName(result.resources, flags));
    const tickets = ["tickets-service-token", "tickets-policy", "tickets-application"];
    const metricsGate = ["metrics-service-token", "metrics-policy", "metrics-application"];

    const billing = waits("console-billing-flags");
    expect([...billing].sort()).toEqual(["console-prerequisites"]);

    const metrics = waits("console-metrics-flags");
    for (const r of [...metricsGate, "vault-metrics-access", "console-metrics-prerequisites"])
      expect(metrics, r).toContain(r);
    for (const r of [...tickets, "vault-cloudflare", "console-tickets-prerequisites"])
      expect(metrics, r).not.toContain(r);
    expect([...metrics].filter((r) => r.startsWith("detection"))).toEqual([]);

    const investigate = waits("console-investigate-flags");
    for (const r of [
      ...tickets,
      "console-tickets-prerequisites",
      "detection-freescout-not-configured",
    ])
      expect(investigate, r).toContain(r);
    for (const r of [...metricsGate, "console-metrics-prerequisites"])
      expect(investigate, r).not.toContain(r);
  });

  it("gives each key one owner and tells every resource the others' keys", async () => {
    const result = await run();
    const heroku = result.resources.filter((r) => r.type.endsWith("heroku:ConfigVars"));
    const keys = heroku.flatMap((r) => r.inputs["keys"] as string[]);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of heroku) {
      const others = heroku.filter((o) => o !== r).flatMap((o) => o.inputs["keys"] as string[]);
      expect(r.inputs["ownedElsewhere"], r.name).toEqual([...others].sort());
    }
  });
});
