import { describe, expect, it } from "vitest";
import { type Feature } from "../infra/features/manifest";
import { allPolicies } from "../policy/policies";
import { analyze } from "../tools/offline/analyze";
import { baseline, capture, node, setVar, withoutNode, type Node } from "./support/graph-fixture";
import { fixture, gatedFeatureNodes } from "./support/gate-graph";
import { investigate } from "./support/investigate";

// A second gated feature (test/fixtures/features/metrics.json, gate metrics) next to
// Investigate on one app: it gets every check the tickets gate gets, and never passes with the
// tickets gate's objects.
const NOW = Date.parse("2026-11-29T00:00:00Z");
const metrics = fixture("metrics");
const features: Feature[] = [investigate(), metrics];

function twoGates(): Node[] {
  const g = [...baseline(), ...gatedFeatureNodes(metrics, "metrics.raxx.app")];
  // The prerequisite map (CONSOLE_FEATURE_PREREQUISITES) is one var of the app, held here by the
  // baseline's prerequisites: flags-applied-after-prerequisites wants every flag after it.
  node(g, "metrics-flags").dependsOn!.push("prerequisites");
  return g;
}

async function run(g: Node[], expiry = {}) {
  return analyze(capture(g), allPolicies({ features, expiry: { now: () => NOW, ...expiry } }));
}

async function messages(g: Node[], policy: string): Promise<string[]> {
  return (await run(g)).violations.filter((v) => v.policy === policy).map((v) => v.message);
}

describe("two gates on one app", () => {
  it("passes every policy when each gate has its own objects", async () => {
    const result = await run(twoGates());
    expect(result.violations).toEqual([]);
    expect(result.passed).toEqual(
      expect.arrayContaining([
        "gated-api-requires-service-token",
        "flags-applied-after-access-gate",
        "api-url-on-gated-host",
        "service-auth-returns-401",
      ]),
    );
  });

  it("reports the second gate's URL when no Access application covers it (only the tickets one exists)", async () => {
    const g = withoutNode(twoGates(), "metrics-application");
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([
      expect.stringContaining(
        "METRICS_API_URL (https://metrics.raxx.app) is a URL of gate metrics, but no Cloudflare Access application of this stack covers its /api",
      ),
    ]);
  });

  it("refuses the second gate's vars fed by the tickets token", async () => {
    const g = twoGates();
    node(g, "metrics-prerequisites").propertyDeps = { vars: ["vault-cloudflare"] };
    const result = await messages(g, "gated-api-requires-service-token");
    expect(result).toHaveLength(2);
    expect(result[0]).toContain(
      "CF_ACCESS_SVC_METRICS_CLIENT_ID does not come from a service token that Access application metrics-application admits (admitted: metrics-service-token; CF_ACCESS_SVC_METRICS_CLIENT_ID comes from: token)",
    );
  });

  it("refuses the second gate's vars when its application's policy includes another token", async () => {
    const g = twoGates();
    node(g, "metrics-policy").propertyDeps = { includes: ["token"] };
    const [message] = await messages(g, "gated-api-requires-service-token");
    expect(message).toContain("Include gate metrics's service token (metrics-service-token)");
  });

  it("names the second gate's missing token var", async () => {
    const g = twoGates();
    const pre = node(g, "metrics-prerequisites");
    const vars = { ...(pre.inputs["vars"] as Record<string, unknown>) };
    delete vars["CF_ACCESS_SVC_METRICS_CLIENT_SECRET"];
    pre.inputs = { ...pre.inputs, vars, keys: Object.keys(vars).sort() };
    expect(await messages(g, "gated-api-requires-service-token")).toEqual([
      expect.stringContaining("(gate metrics), but CF_ACCESS_SVC_METRICS_CLIENT_SECRET is not set"),
    ]);
  });

  it("wants the second feature's flags after its own gate, and only after it", async () => {
    const g = twoGates();
    node(g, "metrics-flags").dependsOn = [
      "metrics-prerequisites",
      "metrics-alert-metrics-not-configured",
    ];
    node(g, "metrics-prerequisites").dependsOn = ["vault-metrics"];
    node(g, "vault-metrics").dependsOn = [];
    expect(await messages(g, "flags-applied-after-access-gate")).toEqual([
      "metrics-flags turns on FLAG_CONSOLE_METRICS on Heroku app raxx-console-prod but does not depend on metrics-application, metrics-policy, " +
        "the Access gate metrics in front of METRICS_API_URL (https://metrics.raxx.app): the flags could be on before Access admits the app's service token, and every call would be refused. " +
        "Add { dependsOn: [metrics-application, metrics-policy] } to metrics-flags (see infra/program.ts).",
    ]);
  });

  it("refuses the second gate's URL on the tickets host: its secret would go where it is not admitted", async () => {
    const g = twoGates();
    setVar(node(g, "metrics-prerequisites"), "METRICS_API_URL", "https://tickets.raxx.app");
    expect(await messages(g, "api-url-on-gated-host")).toEqual([
      expect.stringContaining(
        "METRICS_API_URL on metrics-prerequisites must point at metrics.raxx.app (it points at tickets.raxx.app)",
      ),
    ]);
  });

  it("wants a 401, not a login redirect, from the second gate's application", async () => {
    const g = twoGates();
    const app = node(g, "metrics-application");
    app.inputs = { ...app.inputs, serviceAuth401Redirect: false };
    expect(await messages(g, "service-auth-returns-401")).toEqual([
      expect.stringContaining("Access application metrics-application admits only service tokens"),
    ]);
  });

  it("warns of the second gate's token expiry, with that gate's window and commands", async () => {
    const g = twoGates();
    const token = node(g, "metrics-service-token");
    token.inputs = { ...token.inputs, expiresAt: "2027-01-08T00:00:00Z" }; // 40 days left
    const result = await run(g, { gateDays: { metrics: 45 } });
    expect(result.violations.map((v) => v.message)).toEqual([
      expect.stringMatching(
        /^Service token metrics-service-token \(gate metrics\) expires in 40 day\(s\) .* within the 45-day warning window\. Renew it with a new token: pulumi config set --path 'gates\.metrics\.serviceTokenGeneration'/,
      ),
    ]);
    expect((await run(g)).violations).toEqual([]);
  });
});
