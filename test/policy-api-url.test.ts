import { describe, expect, it } from "vitest";
import { apiUrlOnGatedHost } from "../policy/policies/api-url-on-gated-host";
import { analyze } from "../tools/offline/analyze";
import { baseline, capture, node, setVar, T, type Node } from "./support/graph-fixture";

// api-url-on-gated-host: which hosts count as gated, and what the violation names.
async function messages(g: Node[]): Promise<string[]> {
  const result = await analyze(capture(g), [apiUrlOnGatedHost()]);
  return result.violations.map((v) => v.message);
}

const withApiUrl = (url: string, change: (g: Node[]) => void = () => undefined) => {
  const g = baseline();
  setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", url);
  change(g);
  return g;
};

describe("api-url-on-gated-host", () => {
  it("takes gated hosts from Access applications only, whatever else has a domain", async () => {
    const g = withApiUrl("https://evil.example", (graph) =>
      graph.push({ name: "look-alike", type: T.alert, inputs: { domain: "evil.example" } }),
    );
    expect(await messages(g)).toEqual([
      "FREESCOUT_API_URL on prerequisites must point at tickets.raxx.app (it points at evil.example): another host would receive the FreeScout API key and the service-token secret (gate tickets: set it to a URL on console-wiring:gates.tickets.host).",
    ]);
  });

  it("names the exact gated hosts, not the wildcard ones", async () => {
    const g = withApiUrl("https://evil.example", (graph) => {
      const app = node(graph, "application");
      app.inputs = {
        ...app.inputs,
        destinations: [{ uri: "tickets.raxx.app/api" }, { uri: "*.help.example/api" }],
      };
    });
    const [message] = await messages(g);
    expect(message).toMatch(/must point at tickets\.raxx\.app \(it points at evil\.example\)/);
  });

  it("does not take a host that merely ends like a gated one", async () => {
    expect(await messages(withApiUrl("https://wickets.raxx.app"))).toHaveLength(1);
    expect(await messages(withApiUrl("https://tickets.raxx.app"))).toEqual([]);
  });
});
