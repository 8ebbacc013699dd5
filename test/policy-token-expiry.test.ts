import { describe, expect, it } from "vitest";
import { renew, retire, serviceTokenExpiry } from "../policy/policies/service-token-expiry";
import { analyze } from "../tools/offline/analyze";
import { baseline, capture, node, T, type Node } from "./support/graph-fixture";

// service-token-expiry during a renewal: the token the app uses is renewed (a rotation never
// extends an expiry); a previous generation kept next to it is retired, not renewed.
const NOW = Date.parse("2026-11-29T00:00:00Z");
const SOON = "2026-12-09T00:00:00Z";
const LATER = "2027-11-29T00:00:00Z";

async function messages(g: Node[]): Promise<string[]> {
  const result = await analyze(capture(g), [serviceTokenExpiry({ now: () => NOW })]);
  return result.violations.map((v) => v.message);
}

const expiring = (name: string) =>
  `Service token ${name} expires in 10 day(s) (${SOON}), within the 30-day warning window. `;

/** A renewal in progress: the policy admits `token` and `token-g2`; Vault and the app get token-g2's. */
function renewal(previousExpiresAt: string, currentExpiresAt: string): Node[] {
  const g = baseline();
  node(g, "token").inputs = { ...node(g, "token").inputs, expiresAt: previousExpiresAt };
  g.unshift({
    name: "token-g2",
    type: T.token,
    inputs: { name: "t-g2", expiresAt: currentExpiresAt },
    additionalSecretOutputs: ["clientSecret"],
  });
  node(g, "policy").propertyDeps = { includes: ["token", "token-g2"] };
  node(g, "vault-cloudflare").propertyDeps = { dataJson: ["token-g2"] };
  return g;
}

describe("service-token-expiry: which token to renew", () => {
  it("says how to renew the token the app uses, never to rotate it", async () => {
    const g = baseline();
    node(g, "token").inputs = { ...node(g, "token").inputs, expiresAt: SOON };
    expect(await messages(g)).toEqual([expiring("token") + renew()]);
    expect(renew("tickets")).toBe(
      "Renew it with a new token: pulumi config set --path 'gates.tickets.serviceTokenGeneration' <current+1> && pulumi up (Access admits the old and the new token while Vault and Heroku move to the new one), " +
        "then, once the smoke check passes, pulumi config set --path 'gates.tickets.serviceTokenRetiredGeneration' <current> && pulumi up. " +
        "Set --path 'gates.tickets.serviceTokenDuration' forever in the first step for a token that never expires. A rotation (gates.tickets.serviceTokenSecretVersion) does not extend the expiry.",
    );
  });

  it("tells to retire a previous generation that no app uses any more", async () => {
    expect(await messages(renewal(SOON, LATER))).toEqual([expiring("token") + retire()]);
    expect(retire("tickets")).toBe(
      "No app's credentials come from it any more (a previous generation kept during a renewal): once the smoke check passes, retire it: " +
        "pulumi config set --path 'gates.tickets.serviceTokenRetiredGeneration' <its generation> && pulumi up.",
    );
  });

  it("renews the new generation when it is the one expiring", async () => {
    expect(await messages(renewal(LATER, SOON))).toEqual([expiring("token-g2") + renew()]);
  });

  it("counts every token as in use when no app's vars come from any token", async () => {
    const g = renewal(SOON, LATER);
    node(g, "vault-cloudflare").propertyDeps = {};
    expect(await messages(g)).toEqual([expiring("token") + renew()]);
  });

  it("counts only Heroku config vars as an app's use of a token", async () => {
    const g = renewal(SOON, LATER);
    g.push({
      name: "look-alike",
      type: T.alert,
      inputs: {},
      propertyDeps: { vars: ["token"] },
    });
    expect(await messages(g)).toEqual([expiring("token") + retire()]);
  });

  it("names the gate of a token the program named for it, in the message and the commands", async () => {
    const g = baseline();
    node(g, "token").inputs = { ...node(g, "token").inputs, expiresAt: SOON };
    node(g, "token").name = "tickets-service-token";
    node(g, "policy").propertyDeps = { includes: ["tickets-service-token"] };
    node(g, "vault-cloudflare").propertyDeps = { dataJson: ["tickets-service-token"] };
    expect(await messages(g)).toEqual([
      `Service token tickets-service-token (gate tickets) expires in 10 day(s) (${SOON}), within the 30-day warning window. ` +
        renew("tickets"),
    ]);
  });

  it("does not take a dependsOn for a use: Vault written after the policy that includes both", async () => {
    const g = renewal(SOON, LATER);
    node(g, "vault-cloudflare").dependsOn = ["policy", "application", "token"];
    expect(await messages(g)).toEqual([expiring("token") + retire()]);
  });
});
