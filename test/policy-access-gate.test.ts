import { describe, expect, it } from "vitest";
import { catalog } from "../infra/features/catalog";
import { type Feature } from "../infra/features/manifest";
import { flagsAppliedAfterAccessGate } from "../policy/policies/flags-applied-after-access-gate";
import { analyze } from "../tools/offline/analyze";
import { baseline, capture, node, setVar, T, UNKNOWN, type Node } from "./support/graph-fixture";

// flags-applied-after-access-gate: the flags wait for the Access application and its policies
// (issue 17, defect 3), decided from the graph's edges.
async function messages(g: Node[], features?: readonly Feature[]): Promise<string[]> {
  const result = await analyze(capture(g), [flagsAppliedAfterAccessGate(features)]);
  return result.violations.map((v) => v.message);
}

/** The baseline with the flags ordered only after the prerequisites and the alert (the old program). */
function flagsNotAfterGate(): Node[] {
  const g = baseline();
  node(g, "flags").dependsOn = ["prerequisites", "alert"];
  node(g, "prerequisites").dependsOn = ["vault-cloudflare"];
  node(g, "vault-cloudflare").dependsOn = [];
  return g;
}

const BOTH_MISSING =
  "flags turns on FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET on Heroku app raxx-console-prod but does not depend on application, policy, " +
  "the Access gate tickets in front of FREESCOUT_API_URL (https://tickets.raxx.app): the flags could be on before Access admits the app's service token, and every call would be refused. " +
  "Add { dependsOn: [application, policy] } to flags (see infra/program.ts).";

describe("flags-applied-after-access-gate", () => {
  it("passes the baseline, whose flags depend on the application and the policy", async () => {
    expect(await messages(baseline())).toEqual([]);
  });

  it("fails when the flags wait for the prerequisites and the alert but not for the gate", async () => {
    expect(await messages(flagsNotAfterGate())).toEqual([BOTH_MISSING]);
  });

  it("names the application alone when the flags wait for the policy only", async () => {
    const g = flagsNotAfterGate();
    node(g, "flags").dependsOn = ["prerequisites", "alert", "policy"];
    const [message] = await messages(g);
    expect(message).toContain("but does not depend on application, the Access gate tickets");
    expect(message).toContain("Add { dependsOn: [application] } to flags");
  });

  it("passes when the gate comes first through the prerequisites (transitively)", async () => {
    const g = flagsNotAfterGate();
    node(g, "prerequisites").dependsOn = ["vault-cloudflare", "application"];
    expect(await messages(g)).toEqual([]);
  });

  it("counts only Access policies among what the application's policies come from", async () => {
    const g = flagsNotAfterGate();
    g.unshift({ name: "stray", type: T.token, inputs: {} });
    node(g, "application").propertyDeps = { policies: ["policy", "stray"] };
    expect(await messages(g)).toEqual([BOTH_MISSING]);
  });

  it("checks each gate covering the API URL, and only those", async () => {
    const g = flagsNotAfterGate();
    g.push({
      name: "admin-application",
      type: T.app,
      inputs: { domain: "tickets.raxx.app/admin" },
    });
    g.push({ name: "host-application", type: T.app, inputs: { domain: "tickets.raxx.app" } });
    node(g, "flags").dependsOn = ["prerequisites", "alert", "application"];
    expect(await messages(g)).toEqual([
      expect.stringContaining("but does not depend on host-application, the Access gate tickets"),
    ]);
  });

  it("takes gates from Access applications only, whatever else has a domain", async () => {
    const g = baseline();
    g.push({ name: "look-alike", type: T.alert, inputs: { domain: "tickets.raxx.app/api" } });
    expect(await messages(g)).toEqual([]);
  });

  it("counts an application as a gate when one of its destinations covers the URL", async () => {
    const g = flagsNotAfterGate();
    node(g, "application").inputs = {
      ...node(g, "application").inputs,
      domain: "tickets.raxx.app/api",
      destinations: [
        { type: "public", uri: "tickets.raxx.app/api" },
        { type: "public", uri: "help.raxx.app" },
      ],
    };
    expect(await messages(g)).toEqual([BOTH_MISSING]);
  });

  it("names the application alone when it has no policy", async () => {
    const g = flagsNotAfterGate();
    node(g, "application").propertyDeps = {};
    const [message] = await messages(g);
    expect(message).toContain("but does not depend on application, the Access gate tickets");
    expect(message).toContain("Add { dependsOn: [application] } to flags");
  });

  it("does not apply when no Access application gates the API URL", async () => {
    const g = flagsNotAfterGate();
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", "https://help.raxx.app");
    expect(await messages(g)).toEqual([]);
  });

  it("skips an app whose API URL is not known yet (first preview)", async () => {
    const g = flagsNotAfterGate();
    setVar(node(g, "prerequisites"), "FREESCOUT_API_URL", UNKNOWN);
    expect(await messages(g)).toEqual([]);
  });

  it("asks nothing of flags that are off", async () => {
    const g = flagsNotAfterGate();
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS", "0");
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET", "false");
    expect(await messages(g)).toEqual([]);
  });

  it("names only the flags that are on", async () => {
    const g = flagsNotAfterGate();
    setVar(node(g, "flags"), "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET", "0");
    const [message] = await messages(g);
    expect(message).toMatch(/^flags turns on FLAG_CONSOLE_INVESTIGATE_FROM_STATUS on Heroku app/);
  });

  it("asks nothing of a feature that does not pass a gate", async () => {
    const untokened = catalog().map(({ gate: _gate, ...f }) => ({
      ...f,
      requires: f.requires.filter((v) => v.source.kind !== "service-token"),
    }));
    expect(await messages(flagsNotAfterGate(), untokened)).toEqual([]);
  });

  it("looks for the API URL on the flags' own app", async () => {
    const g = flagsNotAfterGate();
    node(g, "flags").inputs = { ...node(g, "flags").inputs, app: "raxx-console-staging" };
    expect(await messages(g)).toEqual([]);
  });
});
