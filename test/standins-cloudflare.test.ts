/**
 * The Cloudflare stand-in's rules (test/e2e/standins/rules/cloudflare*.ts), each as the real
 * provider applies it (terraform-provider-cloudflare v5.22.0, and the 6.22.1 SDK's schema where it
 * adds to it). Plan, diff, import and the plugin: standins-cloudflare-plan.test.ts.
 */
import { describe, expect, it } from "vitest";
import { APPLICATION, check, POLICY, TOKEN } from "./e2e/standins/rules/cloudflare";
import { plan, refreshedInputs } from "./e2e/standins/rules/cloudflare-state";
import { UNKNOWN } from "./e2e/standins/store";
import { ACCOUNT, app, policy, token } from "./support/cloudflare-inputs";
import type { P } from "./support/standins";

const reasons = (type: string, news: P) =>
  check(type, news).map((f) => `${f.property}: ${f.reason}`);

describe("Check: the provider's schema validators", () => {
  it("refuses an application type outside the 14 app types, and compares them case-insensitively", () => {
    expect(reasons(APPLICATION, app({ type: "selfhosted" }))[0]).toMatch(
      /^type: Invalid Attribute Value Match: Attribute type value must be one of: \["self_hosted" "saas" .* "proxy_endpoint"\], got: "selfhosted"$/,
    );
    expect(reasons(APPLICATION, { accountId: ACCOUNT, type: "WARP" })).toEqual([]);
    // The attributes that depend on the type compare it exactly (RequiresOtherStringAttributeToBeOneOf).
    expect(reasons(APPLICATION, { accountId: ACCOUNT, type: "SAAS", saasApp: {} })).toEqual([
      'saasApp: Invalid Attribute Combination: "saas_app" can only be set if "type" is one of: "saas", "dash_sso"',
    ]);
  });

  it("takes destinations of type public, private, via_mcp_server_portal and the 6.22.1 worker types only", () => {
    const types = ["public", "private", "worker", "all_workers", "all_preview_workers"];
    const ok = types.map((type) => ({ type, ...(type === "worker" ? { workerId: "w" } : {}) }));
    expect(reasons(APPLICATION, app({ destinations: ok }))).toEqual([]);
    expect(reasons(APPLICATION, app({ destinations: [{ type: "internal", uri: "x" }] }))).toContain(
      'destinations[0].type: Invalid Attribute Value Match: Attribute destinations[0].type value must be one of: ["public" "private" "via_mcp_server_portal" "worker" "preview_worker" "all_workers" "all_preview_workers"], got: "internal"',
    );
  });

  it("allows a destination's uri only on a public (or untyped) destination", () => {
    expect(reasons(APPLICATION, app({ destinations: [{ uri: "tickets.raxx.app/api" }] }))).toEqual(
      [],
    );
    expect(reasons(APPLICATION, app({ destinations: [{ type: "private", uri: "x" }] }))).toEqual([
      'destinations[0].uri: Invalid Attribute Combination: "destinations[0].uri" can only be set if "type" is one of: "public", <null>',
    ]);
  });

  it("allows cidr, hostname, l4Protocol, portRange and vnetId only on a private destination", () => {
    const fields = {
      cidr: "10.0.0.0/8",
      hostname: "h",
      l4Protocol: "tcp",
      portRange: "443",
      vnetId: "v",
    };
    expect(reasons(APPLICATION, app({ destinations: [{ type: "private", ...fields }] }))).toEqual(
      [],
    );
    expect(
      reasons(
        APPLICATION,
        app({ destinations: [{ type: "public", uri: "u", cidr: "10.0.0.0/8" }] }),
      ),
    ).toEqual([
      'destinations[0].cidr: Invalid Attribute Combination: "destinations[0].cidr" can only be set if "type" is one of: "private"',
    ]);
  });

  it("requires workerId on worker and preview_worker destinations (6.22.1 SDK)", () => {
    expect(reasons(APPLICATION, app({ destinations: [{ type: "preview_worker" }] }))).toEqual([
      'destinations[0].workerId: Missing required argument: The argument "destinations[0].worker_id" is required, but no definition was found.',
    ]);
  });

  it("does not require the application's name (Optional+Computed), but the policy's and the token's", () => {
    expect(reasons(APPLICATION, app({ name: undefined }))).toEqual([]);
    expect(reasons(POLICY, policy({ name: undefined }))).toEqual([
      'name: Missing required argument: The argument "name" is required, but no definition was found.',
    ]);
    expect(reasons(TOKEN, token({ name: undefined }))).toHaveLength(1);
  });

  it("takes each application policy by id or inline (includes), exactly one of the two", () => {
    const inline = { decision: "allow", includes: [{ everyone: {} }], precedence: 2 };
    expect(reasons(APPLICATION, app({ policies: [{ id: "p", precedence: 1 }, inline] }))).toEqual(
      [],
    );
    expect(reasons(APPLICATION, app({ policies: [{ precedence: 1 }] }))).toEqual([
      "policies[0].id: Invalid Attribute Combination: No attribute specified when one (and only one) of [policies[0].id,policies[0].include] is required",
    ]);
    expect(reasons(APPLICATION, app({ policies: [{ id: "p", ...inline }] }))[0]).toMatch(
      /2 attributes specified/,
    );
    expect(reasons(APPLICATION, app({ policies: [{ id: UNKNOWN, precedence: 1 }] }))).toEqual([]);
  });

  it("refuses an application policy precedence below 1", () => {
    expect(reasons(APPLICATION, app({ policies: [{ id: "p", precedence: 0 }] }))).toEqual([
      "policies[0].precedence: Invalid Attribute Value: Attribute policies[0].precedence value must be at least 1, got: 0",
    ]);
  });

  it("requires an inline policy's decision and includes together", () => {
    expect(reasons(APPLICATION, app({ policies: [{ includes: [{ everyone: {} }] }] }))).toEqual([
      'policies[0].includes: Invalid Attribute Combination: Attribute "policies[0].decision" must be specified when "policies[0].include" is specified',
    ]);
  });

  it("allows serviceAuth401Redirect only on self-hosted types (self_hosted, ssh, vnc, rdp, mcp_portal), even when false", () => {
    expect(reasons(APPLICATION, app({ type: "ssh" }))).toEqual([]);
    const saas = { accountId: ACCOUNT, type: "saas", saasApp: {}, serviceAuth401Redirect: false };
    expect(reasons(APPLICATION, saas)).toEqual([
      'serviceAuth401Redirect: Invalid Attribute Combination: "service_auth_401_redirect" can only be set if "type" is one of: "self_hosted", "ssh", "vnc", "rdp", "mcp_portal"',
    ]);
    // The type is compared exactly, and an unset type matches none.
    expect(reasons(APPLICATION, { accountId: ACCOUNT, serviceAuth401Redirect: true })).toHaveLength(
      1,
    );
  });

  it("allows appLauncherVisible on self-hosted types and also on saas and bookmark apps", () => {
    const bookmark = { accountId: ACCOUNT, type: "bookmark", appLauncherVisible: true };
    expect(reasons(APPLICATION, bookmark)).toEqual([]);
    expect(
      reasons(APPLICATION, { accountId: ACCOUNT, type: "warp", appLauncherVisible: false }),
    ).toEqual([
      'appLauncherVisible: Invalid Attribute Combination: "app_launcher_visible" can only be set if "type" is one of: "self_hosted", "ssh", "vnc", "rdp", "saas", "bookmark"',
    ]);
  });

  it("requires the reusable policy's accountId and refuses a zoneId (account-scoped, no zone_id)", () => {
    expect(reasons(POLICY, policy({ accountId: undefined, zoneId: "z" }))).toEqual([
      'accountId: Missing required argument: The argument "account_id" is required, but no definition was found.',
      'zoneId: Unsupported argument: An argument named "zone_id" is not expected here (zero_trust_access_policy is account-scoped).',
    ]);
  });

  it("compares the policy decision case-insensitively and refuses an unknown one", () => {
    expect(reasons(POLICY, policy({ decision: "NON_IDENTITY" }))).toEqual([]);
    expect(reasons(POLICY, policy({ decision: "nonIdentity" }))).toEqual([
      'decision: Invalid Attribute Value Match: Attribute decision value must be one of: ["allow" "deny" "non_identity" "bypass"], got: "nonIdentity"',
    ]);
  });

  it("leaves a decision that is unknown in a preview to apply time, as the framework's validators do", () => {
    expect(reasons(POLICY, policy({ decision: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }))).toEqual(
      [],
    );
  });

  it("requires clientSecretVersion and previousClientSecretExpiresAt together, each way", () => {
    expect(reasons(TOKEN, token({ clientSecretVersion: 2 }))).toEqual([
      'clientSecretVersion: Invalid Attribute Combination: Attribute "previous_client_secret_expires_at" must be specified when "client_secret_version" is specified',
    ]);
    expect(
      reasons(TOKEN, token({ previousClientSecretExpiresAt: "2026-07-01T00:00:00Z" })),
    ).toEqual([
      'previousClientSecretExpiresAt: Invalid Attribute Combination: Attribute "client_secret_version" must be specified when "previous_client_secret_expires_at" is specified',
    ]);
    expect(
      reasons(TOKEN, token({ clientSecretVersion: 2, previousClientSecretExpiresAt: "soon" })),
    ).toEqual([
      expect.stringMatching(/^previousClientSecretExpiresAt: Invalid RFC3339 String Value/),
    ]);
  });

  it("the plan applies the schema's defaults (Check does not: standins-cloudflare-plan.test.ts)", () => {
    expect(plan(TOKEN, undefined, { name: "t" })).toMatchObject({
      clientSecretVersion: 1,
      duration: "8760h",
    });
    expect(plan(POLICY, undefined, policy())["sessionDuration"]).toBe("24h");
  });

  it("a refresh reports only the inputs the old inputs had (ExtractInputsFromOutputs)", () => {
    expect(
      refreshedInputs({ name: "t" }, { name: "t2", clientSecretVersion: 1, duration: "8760h" }),
    ).toEqual({ name: "t2" });
  });

  it("the default version is no configured version: Check runs on what the program sent", () => {
    // The default version is no configured version: Check runs on what the program sent.
    expect(reasons(TOKEN, token())).toEqual([]);
  });
});
