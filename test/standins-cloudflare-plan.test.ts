/**
 * The Cloudflare stand-in's plan, diff, rotation, import and read rules (test/e2e/standins/rules/cloudflare*.ts), each as the real
 * provider applies it (terraform-provider-cloudflare v5.22.0, and the 6.22.1 SDK's schema where it
 * adds to it). The plugin (test/e2e/standins/cloudflare.ts) is driven in-process on a temp store.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { standin } from "./e2e/standins/cloudflare";
import { APPLICATION, POLICY, TOKEN } from "./e2e/standins/rules/cloudflare";
import { apiView, importState, readState } from "./e2e/standins/rules/cloudflare-api";
import {
  apiRotates,
  diff,
  parseImportId,
  plan,
  plansNewSecret,
} from "./e2e/standins/rules/cloudflare-state";
import { setDetailedDiff } from "./e2e/standins/server-compat";
import { load, save } from "./e2e/standins/store";
import { ACCOUNT, app, policy, token } from "./support/cloudflare-inputs";
import { freshStandinStore, standinUrn, type P } from "./support/standins";

const urn = (type: string) => standinUrn(type, "x");

describe("plan and diff", () => {
  const state = {
    ...app(),
    id: "a",
    aud: "x",
    sessionDuration: "24h",
    httpOnlyCookieAttribute: true,
  };

  it("plans a removed Optional input to null: dropping serviceAuth401Redirect is a diff", () => {
    const d = diff(APPLICATION, state, app({ serviceAuth401Redirect: undefined }));
    expect(d).toEqual({
      changes: true,
      diffs: { serviceAuth401Redirect: "delete" },
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("plans a removed input with a static default to the default", () => {
    const d = diff(POLICY, { ...policy(), sessionDuration: "12h" }, policy());
    expect(d.diffs).toEqual({ sessionDuration: "update" });
    expect(plan(POLICY, { ...policy(), sessionDuration: "12h" }, policy())["sessionDuration"]).toBe(
      "24h",
    );
  });

  it("keeps a removed Optional+Computed input at the state's value when nothing else changes, else at the app type's default", () => {
    expect(diff(APPLICATION, { ...state, sessionDuration: "12h" }, app()).changes).toBe(false);
    const d = diff(APPLICATION, { ...state, sessionDuration: "12h" }, app({ name: "renamed" }));
    expect(d.diffs).toEqual({ name: "update", sessionDuration: "update" });
  });

  it("forces a replacement only for accountId or zoneId", () => {
    expect(
      diff(TOKEN, { ...token(), id: "t" }, token({ name: "n", duration: "24h" })),
    ).toMatchObject({ changes: true, replaces: [] });
    expect(diff(APPLICATION, state, app({ accountId: "other" })).replaces).toEqual(["accountId"]);
  });

  it("fills a policy's missing precedence with the previous one's plus one", () => {
    const p = plan(
      APPLICATION,
      undefined,
      app({ policies: [{ id: "a", precedence: 3 }, { id: "b" }] }),
    );
    expect(p["policies"]).toEqual([
      { id: "a", precedence: 3 },
      { id: "b", precedence: 4 },
    ]);
  });
});

describe("client secret rotation", () => {
  it("plans a new secret whenever the planned version differs from the state's, null included", () => {
    expect(plansNewSecret({ clientSecretVersion: 1 }, { clientSecretVersion: 1 })).toBe(false);
    expect(plansNewSecret({ clientSecretVersion: 1 }, { clientSecretVersion: 2 })).toBe(true);
    expect(plansNewSecret({}, { clientSecretVersion: 1 })).toBe(true);
  });

  it("rotates at Cloudflare only for a version above the one it holds (1 by default)", () => {
    expect(apiRotates(undefined, 1)).toBe(false);
    expect(apiRotates(1, 1)).toBe(false);
    expect(apiRotates(1, 2)).toBe(true);
  });
});

describe("import and read", () => {
  // An application made in the dashboard, as Cloudflare holds it (sparse).
  const live = {
    type: "self_hosted",
    name: "Tickets API (prod)",
    domain: "tickets.raxx.app/api",
    policies: [{ id: "pol-1", precedence: 1 }],
  };
  const reusable = {
    name: "Tickets clients",
    decision: "non_identity",
    includes: [{ serviceToken: { tokenId: "t" } }],
  };

  it("imports the API's normalized defaults: session, cookies, launcher, destinations; a referenced policy as id and precedence", () => {
    const api = apiView(APPLICATION, live, { aud: "aud-1" }, () => reusable);
    expect(api["policies"]).toEqual([{ id: "pol-1", precedence: 1, ...reusable }]);
    const state = importState(
      APPLICATION,
      api,
      parseImportId(APPLICATION, `accounts/${ACCOUNT}/app-1`),
    );
    expect(state).toEqual({
      ...live,
      id: "app-1",
      accountId: ACCOUNT,
      aud: "aud-1",
      appLauncherVisible: true,
      autoRedirectToIdentity: false,
      enableBindingCookie: false,
      httpOnlyCookieAttribute: true,
      optionsPreflightBypass: false,
      pathCookieAttribute: false,
      sessionDuration: "24h",
      destinations: [{ type: "public", uri: "tickets.raxx.app/api" }],
      selfHostedDomains: ["tickets.raxx.app/api"],
    });
    // What `preview --diff` then shows for the program: the 401 switch added, and the API's
    // `false`s planned to null (Optional attributes the program does not set).
    const program = app({ name: state["name"], appLauncherVisible: state["appLauncherVisible"] });
    expect(diff(APPLICATION, state, program).diffs).toEqual({
      serviceAuth401Redirect: "add",
      autoRedirectToIdentity: "delete",
      enableBindingCookie: "delete",
      optionsPreflightBypass: "delete",
      pathCookieAttribute: "delete",
    });
  });

  it("imports a token without its secret, version or previous expiry (no_refresh fields)", () => {
    const api = apiView(
      TOKEN,
      { name: "t" },
      { clientId: "c.access", clientSecret: "s", expiresAt: "2027-01-01T00:00:00Z" },
    );
    const state = importState(TOKEN, api, parseImportId(TOKEN, `accounts/${ACCOUNT}/tok-1`));
    expect(state).toEqual({
      id: "tok-1",
      accountId: ACCOUNT,
      name: "t",
      duration: "8760h",
      enabled: true,
      clientId: "c.access",
      expiresAt: "2027-01-01T00:00:00Z",
      // Null, not absent: the bridge's outputs carry every attribute (a preview reads an absent
      // output as unknown).
      clientSecret: null,
    });
    expect(diff(TOKEN, state, token({ name: "t" })).diffs).toEqual({
      clientSecretVersion: "add",
    });
  });

  it("keeps the state's client secret, version and previous expiry on a read", () => {
    const api = apiView(TOKEN, { name: "t", clientSecretVersion: 3 }, { clientId: "c" });
    const state = { id: "tok-1", name: "t", clientSecret: "kept", clientSecretVersion: 2 };
    expect(readState(TOKEN, api, state)).toMatchObject({
      clientSecret: "kept",
      clientSecretVersion: 2,
    });
  });

  it("reads the API's false as the state's null for Optional booleans (normalizeFalseAndNullBool)", () => {
    const api = apiView(APPLICATION, { ...live, serviceAuth401Redirect: false }, {});
    const read = readState(APPLICATION, api, { id: "a", accountId: ACCOUNT, type: "self_hosted" });
    expect(read["serviceAuth401Redirect"]).toBeUndefined();
    expect(read["enableBindingCookie"]).toBeUndefined();
    expect(readState(APPLICATION, api, { enableBindingCookie: false })["enableBindingCookie"]).toBe(
      false,
    );
  });

  it("parses the import ID formats each resource's ImportState takes", () => {
    expect(parseImportId(POLICY, `${ACCOUNT}/p`)).toEqual({ accountId: ACCOUNT, id: "p" });
    expect(parseImportId(TOKEN, "zones/z/t")).toEqual({ zoneId: "z", id: "t" });
    expect(() => parseImportId(APPLICATION, `${ACCOUNT}/a`)).toThrow(
      /invalid discriminator segment/,
    );
    expect(() => parseImportId(POLICY, `accounts/${ACCOUNT}/p`)).toThrow(
      /<account_id>\/<policy_id>/,
    );
  });
});

describe("the plugin, in-process", () => {
  freshStandinStore("standin-cf-");

  it("issues a secret at create, keeps it on update with the same version and rotates on a higher one", async () => {
    const { id, outs } = (await standin.create!(urn(TOKEN), token())) as {
      id: string;
      outs: P;
    };
    const first = outs["clientSecret"];
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const expiry = { previousClientSecretExpiresAt: "2026-12-01T00:00:00Z" };
    const same = await standin.update!(
      id,
      urn(TOKEN),
      outs,
      token({ clientSecretVersion: 1, ...expiry }),
    );
    expect((same.outs as P)["clientSecret"]).toBe(first);
    const rotated = await standin.update!(
      id,
      urn(TOKEN),
      same.outs as P,
      token({ clientSecretVersion: 2, ...expiry }),
    );
    expect((rotated.outs as P)["clientSecret"]).not.toBe(first);
    expect(load("cloudflare").objects[id]?.computed["previousClientSecret"]).toBe(first);
    expect(load("cloudflare").objects[id]?.computed["clientSecret"]).toBe(
      (rotated.outs as P)["clientSecret"],
    );
  });

  it("reads a token back with the state's secret and imports it with none", async () => {
    const { id, outs } = (await standin.create!(urn(TOKEN), token())) as {
      id: string;
      outs: P;
    };
    const read = await standin.read!(id, urn(TOKEN), outs);
    expect((read.props as P)["clientSecret"]).toBe(outs["clientSecret"]);
    const imported = await standin.read!(`accounts/${ACCOUNT}/${id}`, urn(TOKEN), {});
    expect(imported.id).toBe(id);
    expect((imported.props as P)["clientSecret"]).toBeNull();
    expect((imported.inputs as P)["clientId"]).toBeUndefined();
  });

  it("imports a seeded live application with the API's defaults and expands its policy", async () => {
    const store = load("cloudflare");
    store.objects["pol-1"] = {
      type: POLICY,
      inputs: { name: "p", decision: "non_identity" },
      computed: {},
    };
    store.objects["app-1"] = {
      type: APPLICATION,
      inputs: {
        type: "self_hosted",
        domain: "t.example/api",
        policies: [{ id: "pol-1", precedence: 1 }],
      },
      computed: {},
    };
    save("cloudflare", store);
    const r = await standin.read!(`accounts/${ACCOUNT}/app-1`, urn(APPLICATION), {});
    expect(r.props).toMatchObject({
      sessionDuration: "24h",
      httpOnlyCookieAttribute: true,
      policies: [{ id: "pol-1", precedence: 1 }],
    });
  });

  it("Check reports the program's inputs without the schema's defaults (provider_check.go)", async () => {
    const checked = await standin.check!(urn(TOKEN), {}, { name: "t" });
    expect(checked.inputs).toEqual({ name: "t" });
  });

  it("fails a create with neither accountId nor zoneId at the API, not at Check", async () => {
    expect((await standin.check!(urn(TOKEN), {}, { name: "t" })).failures).toEqual([]);
    await expect(standin.create!(urn(TOKEN), { name: "t" })).rejects.toThrow(
      /neither account_id nor zone_id/,
    );
  });

  it("sends the planned diff to the engine as a detailed diff, so preview --diff prints those properties", () => {
    const pb = createRequire(require.resolve("@pulumi/pulumi"))("./proto/provider_pb") as {
      DiffResponse: new () => {
        setChanges(c: number): void;
        getHasdetaileddiff(): boolean;
        getDiffsList(): string[];
        getDetaileddiffMap(): { get(k: string): { getKind(): number } | undefined };
      };
    };
    setDetailedDiff({ serviceAuth401Redirect: "delete", accountId: "update" }, ["accountId"]);
    const resp = new pb.DiffResponse();
    resp.setChanges(2);
    expect(resp.getHasdetaileddiff()).toBe(true);
    expect(resp.getDiffsList()).toEqual(["serviceAuth401Redirect", "accountId"]);
    expect(resp.getDetaileddiffMap().get("serviceAuth401Redirect")?.getKind()).toBe(2); // DELETE
    expect(resp.getDetaileddiffMap().get("accountId")?.getKind()).toBe(5); // UPDATE_REPLACE
  });
});
