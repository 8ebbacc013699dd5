import { describe, expect, it } from "vitest";
import { gateLines } from "../tools/offline/gates-plan";
import type { Captured } from "../tools/offline/run-program";
import { baseline, capture, type Node } from "./support/graph-fixture";
import { fixture, gatedFeatureNodes } from "./support/gate-graph";

// The offline plan's gate section: every gate the stack builds, each with its own objects.
function component(name: string, type: string): Captured {
  const [first] = capture([{ name, type, inputs: {} }]);
  return { ...first!, custom: false };
}

/** The graph with each gate's token, policy and application under its gate's component. */
function withComponents(nodes: Node[], gates: Record<string, string>): Captured[] {
  const captured = capture(nodes);
  const parents = Object.entries(gates).map(([gate, type]) => component(gate, type));
  return [
    ...parents,
    ...captured.map((r) => {
      const gate = /^(.+)-(service-token|policy|application)$/.exec(r.name)?.[1];
      const parent = parents.find((p) => p.name === gate);
      return parent ? { ...r, parent: parent.urn } : r;
    }),
  ];
}

/** The nodes with some renamed, edges following (the names the program gives a gate's objects). */
function renamed(nodes: Node[], names: Record<string, string>): Node[] {
  const to = (n: string) => names[n] ?? n;
  return nodes.map((n) => ({
    ...n,
    name: to(n.name),
    dependsOn: n.dependsOn?.map(to),
    propertyDeps: Object.fromEntries(
      Object.entries(n.propertyDeps ?? {}).map(([k, v]) => [k, v.map(to)]),
    ),
  }));
}

describe("the plan's gates", () => {
  it("shows each gate with its application's host and path, policy, token and Vault secret", () => {
    const nodes = [
      ...renamed(baseline(), {
        token: "tickets-service-token",
        policy: "tickets-policy",
        application: "tickets-application",
      }),
      ...gatedFeatureNodes(fixture("metrics"), "metrics.raxx.app"),
    ];
    const lines = gateLines(
      withComponents(nodes, {
        tickets: "console-wiring:cloudflare:TicketsAccess",
        metrics: "console-wiring:cloudflare:AccessGate",
      }),
    );
    expect(lines).toEqual([
      "Gates (2)",
      "  tickets: Access application tickets-application on tickets.raxx.app/api, policy tickets-policy, service token tickets-service-token, written to Vault MooseQuest/cloudflare",
      "  metrics: Access application metrics-application on metrics.raxx.app/api, policy metrics-policy, service token metrics-service-token, written to Vault MooseQuest/cloudflare-metrics",
    ]);
  });

  it("says so when the stack has no gate", () => {
    expect(gateLines(capture([]))).toEqual([
      "Gates: none (no selected feature passes an Access gate)",
    ]);
  });
});
