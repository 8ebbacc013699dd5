import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSmoke } from "../tools/smoke";
import { renewalSteps, tokenNotExpiring } from "../tools/smoke/links";
import { FakeHeroku } from "./support/fake-heroku";

// The smoke check's expiry link points at what really renews an expiring token: a new token
// generation (or a token created with duration forever). A rotation never extends the expiry.
const NOW = Date.parse("2026-11-29T00:00:00Z");
const SOON = "2026-12-09T00:00:00Z";
const LATER = "2027-06-19T00:00:00Z";

describe("renewalSteps", () => {
  it("names the next generation and the one to retire, from the stack config", () => {
    expect(renewalSteps({ generation: 2, duration: "8760h" }, "tickets")).toBe(
      "Renew it with a new token: pulumi config set --path 'gates.tickets.serviceTokenGeneration' 3 && pulumi up (Access admits the old and the new token while Vault and Heroku move to the new one); " +
        "once this check passes, pulumi config set --path 'gates.tickets.serviceTokenRetiredGeneration' 2 && pulumi up. " +
        "For a token that never expires, also set --path 'gates.tickets.serviceTokenDuration' forever in the first step. " +
        "A rotation (gates.tickets.serviceTokenSecretVersion) does not extend the expiry.",
    );
  });

  it("says so when the new token will never expire", () => {
    expect(renewalSteps({ generation: 1, duration: "forever" }, "metrics")).toContain(
      "pulumi config set --path 'gates.metrics.serviceTokenRetiredGeneration' 1 && pulumi up. gates.metrics.serviceTokenDuration is already forever: the new token will never expire. A rotation",
    );
  });

  it("uses placeholders without the stack config", () => {
    expect(renewalSteps()).toMatch(
      /^Renew it with a new token: pulumi config set --path 'gates\.<gate>\.serviceTokenGeneration' <current\+1> && .*serviceTokenRetiredGeneration' <current> && pulumi up\. For a token/,
    );
  });
});

describe("tokenNotExpiring", () => {
  const token = { generation: 1, duration: "8760h" };

  it("fails inside the window and after the expiry with the renewal steps", () => {
    expect(tokenNotExpiring(SOON, 30, NOW, token)).toEqual({
      link: "service token not expiring",
      status: "fail",
      detail: `the service token expires in 10 day(s) (${SOON}), within the 30-day window. ${renewalSteps(token)}`,
    });
    expect(tokenNotExpiring("2026-11-19T00:00:00Z", 30, NOW, token).detail).toBe(
      `the service token expired 10 day(s) ago (2026-11-19T00:00:00Z): every API call is refused. ${renewalSteps(token)}`,
    );
  });

  it("passes a token with months left, and names a previous generation left to retire", () => {
    expect(tokenNotExpiring(LATER, 30, NOW, token)).toEqual({
      link: "service token not expiring",
      status: "pass",
      detail: "expires 2027-06-19 (202 days; warning at 30)",
    });
    expect(
      tokenNotExpiring(LATER, 30, NOW, { generation: 2, previousGeneration: 1, duration: "8760h" })
        .detail,
    ).toBe(
      "expires 2027-06-19 (202 days; warning at 30); generation 1 is still admitted (a renewal in progress): once every link passes, retire it: pulumi config set --path 'gates.<gate>.serviceTokenRetiredGeneration' 1 && pulumi up",
    );
  });

  it("passes a forever token that reports no expiry, and skips any other", () => {
    expect(tokenNotExpiring(undefined, 30, NOW, { generation: 1, duration: "forever" })).toEqual({
      link: "service token not expiring",
      status: "pass",
      detail:
        "no expiry reported: gates.<gate>.serviceTokenDuration is forever (a token created with it never expires)",
    });
    expect(tokenNotExpiring(undefined, 30, NOW, token).status).toBe("skip");
    expect(tokenNotExpiring("", 30, NOW).status).toBe("skip");
  });

  it("still checks a reported expiry when the config says forever (set after the token was created)", () => {
    const result = tokenNotExpiring(SOON, 30, NOW, { generation: 1, duration: "forever" });
    expect(result.status).toBe("fail");
    expect(result.detail).toContain("serviceTokenGeneration' 2");
  });
});

describe("npm run smoke: the expiry link reads the stack's generations", () => {
  let heroku: FakeHeroku;
  const saved = { ...process.env };
  beforeEach(async () => {
    heroku = new FakeHeroku("fake-heroku-key-smoke-expiry-000");
    process.env["HEROKU_API_URL"] = await heroku.start();
    process.env["HEROKU_API_KEY"] = "fake-heroku-key-smoke-expiry-000";
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "1";
  });
  afterEach(async () => {
    await heroku.stop();
    process.env = { ...saved };
  });

  /**
   * A project dir holding prod's stack file with extra keys in its tickets gate's entry
   * (console-wiring:gates.tickets.<key>), as stack `renewing`.
   */
  function stack(extra: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "smoke-expiry-"));
    copyFileSync(join(__dirname, "..", "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    const prod = readFileSync(join(__dirname, "..", "Pulumi.prod.yaml"), "utf8");
    const entry = /^( {2}console-wiring:gates:\n {4}tickets:\n)/m;
    if (!entry.test(prod)) throw new Error("Pulumi.prod.yaml has no console-wiring:gates.tickets");
    const lines = Object.entries(extra).map(([k, v]) => `      ${k}: "${v}"`);
    // A key prod's entry already sets is replaced, not repeated (YAML refuses a duplicate key).
    const without = Object.keys(extra).reduce(
      (text, k) => text.replace(new RegExp(`^ {6}${k}:.*\n`, "m"), ""),
      prod,
    );
    writeFileSync(
      join(dir, "Pulumi.renewing.yaml"),
      without.replace(entry, `$1${lines.join("\n")}\n`),
    );
    return dir;
  }

  it("names the generation to renew to and the one still admitted", async () => {
    const cwd = stack({ serviceTokenGeneration: "3", serviceTokenRetiredGeneration: "1" });
    const kept = await runSmoke({
      stack: "renewing",
      cwd,
      createTicket: false,
      tokenExpiresAt: LATER,
      now: () => NOW,
    });
    expect(kept.links.at(-1)?.detail).toMatch(
      /; generation 2 is still admitted \(a renewal in progress\): .*serviceTokenRetiredGeneration' 2 && pulumi up$/,
    );
    const soon = await runSmoke({
      stack: "renewing",
      cwd,
      createTicket: false,
      tokenExpiresAt: SOON,
      now: () => NOW,
    });
    expect(soon.links.at(-1)?.detail).toContain(
      "pulumi config set --path 'gates.tickets.serviceTokenGeneration' 4 &&",
    );
  });

  it("passes a forever token without an expiry", async () => {
    const cwd = stack({ serviceTokenDuration: "forever" });
    const result = await runSmoke({ stack: "renewing", cwd, createTicket: false, now: () => NOW });
    expect(result.links.at(-1)?.status).toBe("pass");
  });
});
