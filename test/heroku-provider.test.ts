// The Heroku config-vars provider against a local fake of the Platform API: ownership of keys,
// one PATCH per real change, drift, credentials. Faults are in heroku-faults.test.ts.
import { describe, expect, it, beforeEach } from "vitest";
import { configVarsProvider as provider, type ConfigVarsOutputs } from "../infra/heroku/provider";
import { unrelatedVars } from "./support/fake-heroku";
import {
  APP,
  created,
  DECLARED,
  failure,
  inputs,
  SECRET,
  useFakeHeroku,
} from "./support/heroku-provider-setup";

const getFake = useFakeHeroku();

describe("ownership", () => {
  beforeEach(() => {
    getFake().apps.set(APP, unrelatedVars());
    getFake().apps.set("raxx-console-next", unrelatedVars());
  });

  const untouched = (app = APP) => {
    const others = unrelatedVars();
    const now = getFake().apps.get(app) ?? {};
    return Object.keys(others).filter((k) => now[k] === others[k]).length;
  };

  it("create sets only the declared keys and leaves all 50 others byte-identical", async () => {
    await created();
    expect(getFake().apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });
    expect(untouched()).toBe(50);
  });

  it("update adds, changes and removes only declared keys", async () => {
    const { id, outs } = await created({
      ...DECLARED,
      FREESCOUT_INSTANCE_URL: "https://tickets.raxx.app",
    });
    const next = {
      FREESCOUT_API_URL: "https://tickets2.raxx.app",
      FREESCOUT_API_KEY: SECRET,
      NEW_KEY: "new",
    };
    await provider.update!(id, outs, inputs(next));
    expect(getFake().apps.get(APP)).toEqual({ ...unrelatedVars(), ...next });
    expect(untouched()).toBe(50);
    expect(getFake().calls.at(-1)?.body).toEqual({
      FREESCOUT_API_URL: "https://tickets2.raxx.app",
      NEW_KEY: "new",
      FREESCOUT_INSTANCE_URL: null,
    });
  });

  it("replace (app renamed) moves the keys and leaves both apps' other vars intact", async () => {
    const { id, outs } = await created();
    const diff = await provider.diff!(id, outs, inputs(DECLARED, "raxx-console-next"));
    expect(diff).toMatchObject({ changes: true, replaces: ["app"], deleteBeforeReplace: false });
    await created(DECLARED, "raxx-console-next");
    await provider.delete!(id, outs);
    expect(getFake().apps.get(APP)).toEqual(unrelatedVars());
    expect(getFake().apps.get("raxx-console-next")).toEqual({ ...unrelatedVars(), ...DECLARED });
    expect(untouched(APP)).toBe(50);
    expect(untouched("raxx-console-next")).toBe(50);
  });

  it("delete removes only owned keys", async () => {
    const { id, outs } = await created();
    await provider.delete!(id, outs);
    expect(getFake().apps.get(APP)).toEqual(unrelatedVars());
    expect(getFake().calls.at(-1)?.body).toEqual({
      FREESCOUT_API_KEY: null,
      FREESCOUT_API_URL: null,
    });
  });

  it("takes over a declared key the app holds with another value when the stack lists it for adoption", async () => {
    getFake().apps.set(APP, { ...unrelatedVars(), FREESCOUT_API_URL: "https://old.example" });
    const result = await provider.create({
      ...inputs(DECLARED),
      adoptable: ["FREESCOUT_API_URL"],
    });
    expect((result.outs as ConfigVarsOutputs).adoptedKeys).toEqual(["FREESCOUT_API_URL"]);
    expect(getFake().apps.get(APP)?.["FREESCOUT_API_URL"]).toBe("https://tickets.raxx.app");
  });
});

describe("economy: one PATCH per real change", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("create is one GET and one PATCH", async () => {
    await created();
    expect(getFake().calls.map((c) => c.method)).toEqual(["GET", "PATCH"]);
  });

  it("create when the app already holds the values is one GET and no PATCH", async () => {
    getFake().apps.set(APP, { ...unrelatedVars(), ...DECLARED });
    const { outs } = await created();
    expect(getFake().calls.map((c) => c.method)).toEqual(["GET"]);
    expect(outs.adoptedKeys).toEqual(["FREESCOUT_API_KEY", "FREESCOUT_API_URL"]);
  });

  it("a no-op diff reports no change and makes no call", async () => {
    const { id, outs } = await created();
    getFake().calls.length = 0;
    expect(await provider.diff!(id, outs, inputs(DECLARED))).toEqual({ changes: false });
    expect(getFake().calls).toEqual([]);
  });

  it("an update whose values are unchanged (provider upgrade) reads the app and sends no PATCH", async () => {
    const { id, outs } = await created();
    getFake().calls.length = 0;
    await provider.update!(id, { ...outs, providerVersion: "0" }, inputs(DECLARED));
    expect(getFake().calls.map((c) => c.method)).toEqual(["GET"]);
  });

  it("an update that newly declares a key the app already holds with that value sends no PATCH", async () => {
    const { id, outs } = await created();
    getFake().calls.length = 0;
    const next = { ...DECLARED, OTHER_VAR_10: unrelatedVars()["OTHER_VAR_10"]! };
    const updated = await provider.update!(id, outs, inputs(next));
    expect(getFake().calls.map((c) => c.method)).toEqual(["GET"]);
    expect((updated.outs as ConfigVarsOutputs).adoptedKeys).toEqual(["OTHER_VAR_10"]);
    expect(getFake().apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });
  });

  it("an update that declares a key already on the app takes it over visibly (one GET, one PATCH)", async () => {
    const { id, outs } = await created();
    getFake().calls.length = 0;
    const next = { ...DECLARED, OTHER_VAR_10: "now managed" };
    const updated = await provider.update!(id, outs, {
      ...inputs(next),
      adoptable: ["OTHER_VAR_10"],
    });
    expect(getFake().calls.map((c) => c.method)).toEqual(["GET", "PATCH"]);
    expect((updated.outs as ConfigVarsOutputs).adoptedKeys).toEqual(["OTHER_VAR_10"]);
  });

  it("an update is one GET and exactly one PATCH", async () => {
    const { id, outs } = await created();
    getFake().calls.length = 0;
    await provider.update!(
      id,
      outs,
      inputs({ ...DECLARED, FREESCOUT_API_URL: "https://x.raxx.app" }),
    );
    expect(getFake().calls.map((c) => c.method)).toEqual(["GET", "PATCH"]);
  });

  it("refresh is one GET", async () => {
    const { id, outs } = await created();
    getFake().calls.length = 0;
    await provider.read!(id, outs);
    expect(getFake().calls.map((c) => c.method)).toEqual(["GET"]);
  });
});

describe("drift", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("reports a managed var removed by hand by key name, never its value", async () => {
    const { id, outs } = await created();
    const app = getFake().apps.get(APP)!;
    delete app["FREESCOUT_API_KEY"];
    const read = await provider.read!(id, outs);
    const props = read.props!;
    expect(props.driftedKeys).toEqual(["FREESCOUT_API_KEY"]);
    expect(props.vars).toEqual({ FREESCOUT_API_URL: "https://tickets.raxx.app" });
    expect(props.keys).toEqual(["FREESCOUT_API_URL"]);
    // Outputs only: inputs handed back would be stored without their secret marks.
    expect(read.inputs).toBeUndefined();
    // The next preview compares the program's inputs with what is really on the app.
    const diff = await provider.diff!(id, props, inputs(DECLARED));
    expect(diff.changes).toBe(true);
    const visible = JSON.stringify({
      keys: props.keys,
      driftedKeys: props.driftedKeys,
      adoptedKeys: props.adoptedKeys,
    });
    expect(visible).not.toContain(SECRET);
  });

  it("reports a managed var changed by hand", async () => {
    const { id, outs } = await created();
    getFake().apps.get(APP)!["FREESCOUT_API_URL"] = "https://elsewhere.example";
    const read = await provider.read!(id, outs);
    expect(read.props?.driftedKeys).toEqual(["FREESCOUT_API_URL"]);
  });

  it("reports no drift when nothing changed", async () => {
    const { id, outs } = await created();
    getFake().apps.get(APP)!["UNRELATED_NEW"] = "someone else's";
    const read = await provider.read!(id, outs);
    expect(read.props?.driftedKeys).toEqual([]);
    expect(read.props?.vars).toEqual(DECLARED);
  });
});

describe("credentials and endpoint", () => {
  it("fails clearly without HEROKU_API_KEY and makes no call", async () => {
    delete process.env["HEROKU_API_KEY"];
    const error = await failure(created());
    expect(error.message).toBe(
      "HEROKU_API_KEY is not set: export a Heroku API key with access to the app (heroku authorizations:create) before pulumi up/refresh.",
    );
    expect(getFake().calls).toEqual([]);
  });

  it("refuses plain http to anything but loopback", async () => {
    process.env["HEROKU_API_URL"] = "http://api.example.com";
    const error = await failure(created());
    expect(error.message).toBe(
      "HEROKU_API_URL must use https:// (plain http is allowed only on loopback, for local fakes): the API key would travel in clear text.",
    );
  });
});
