import { closedPortUrl } from "./support/closed-port";
import { beforeEach, describe, expect, it } from "vitest";
import {
  configVarsProvider as provider,
  PROVIDER_VERSION,
  type ConfigVarsOutputs,
} from "../infra/heroku/provider";
import { UNKNOWN } from "../infra/heroku/validate";
import { unrelatedVars } from "./support/fake-heroku";
import {
  APP,
  created,
  DECLARED,
  failure,
  inputs,
  TOKEN,
  useFakeHeroku,
} from "./support/heroku-provider-setup";

// Each decision of the provider's lifecycle, as the engine calls it: what diff reports, which
// keys each operation sends, what the outputs record, and what a failure says.
const getFake = useFakeHeroku();

const outs = (
  vars: Record<string, string>,
  extra: Partial<ConfigVarsOutputs> = {},
): ConfigVarsOutputs => ({
  ...inputs(vars),
  adoptedKeys: [],
  driftedKeys: [],
  ...extra,
});

describe("diff (no HTTP unless the app changes)", () => {
  it("reports no change for the same vars in another order", async () => {
    const diff = await provider.diff!("id", outs({ A: "1", B: "2" }), inputs({ B: "2", A: "1" }));
    expect(diff).toEqual({ changes: false });
    expect(getFake().calls).toEqual([]);
  });

  it("reports a change for a changed value, an added key, a removed key or a new provider version", async () => {
    const old = outs({ A: "1", B: "2" });
    expect(await provider.diff!("id", old, inputs({ A: "1", B: "3" }))).toEqual({ changes: true });
    expect(await provider.diff!("id", old, inputs({ A: "1", B: "2", C: "3" }))).toEqual({
      changes: true,
    });
    expect(await provider.diff!("id", old, inputs({ A: "1" }))).toEqual({ changes: true });
    expect(
      await provider.diff!("id", { ...old, providerVersion: "1" }, inputs({ A: "1", B: "2" })),
    ).toEqual({
      changes: true,
    });
  });

  it("reports a change when the vars are not known yet (preview)", async () => {
    const news = { ...inputs({ A: "1" }), vars: UNKNOWN as unknown as Record<string, string> };
    expect(await provider.diff!("id", outs({ A: "1" }), news)).toEqual({ changes: true });
  });

  it("does not take a same-named key of another kind of object as equal", async () => {
    const old = outs({ A: "1" });
    expect(await provider.diff!("id", old, inputs({ toString: "1" }))).toEqual({ changes: true });
  });

  it("replaces, create first, when the new app is not known yet, asking Heroku nothing", async () => {
    const news = inputs(DECLARED, UNKNOWN);
    expect(await provider.diff!("id", outs(DECLARED), news)).toEqual({
      changes: true,
      replaces: ["app"],
      deleteBeforeReplace: false,
    });
    expect(getFake().calls).toEqual([]);
  });

  it("redacts the API key from the reason it cannot compare apps", async () => {
    process.env["HEROKU_API_URL"] = await closedPortUrl();
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "1";
    const error = await failure(
      provider.diff!("id", outs(DECLARED), inputs(DECLARED, "raxx-other")),
    );
    expect(error.message).toMatch(
      /could not be checked \(Heroku API GET \/apps\/raxx-console-prod for app raxx-console-prod failed: connection failed \(ECONNREFUSED\)/,
    );
    expect(error.message).not.toContain(TOKEN);
  });
});

describe("create", () => {
  beforeEach(() =>
    getFake().apps.set(APP, { ...unrelatedVars(), FREESCOUT_API_URL: DECLARED.FREESCOUT_API_URL }),
  );

  it("records the app, the sorted keys, the provider version and the keys it took over", async () => {
    const { id, outs: result } = await created({
      Z_KEY: "z",
      FREESCOUT_API_URL: DECLARED.FREESCOUT_API_URL,
    });
    expect(id).toMatch(new RegExp(`^${APP}/[0-9a-f-]{36}$`));
    expect(result).toEqual({
      app: APP,
      vars: { Z_KEY: "z", FREESCOUT_API_URL: DECLARED.FREESCOUT_API_URL },
      keys: ["FREESCOUT_API_URL", "Z_KEY"],
      providerVersion: PROVIDER_VERSION,
      adoptedKeys: ["FREESCOUT_API_URL"],
      driftedKeys: [],
      strayFlags: [],
    });
  });

  it("refuses to take the app past 32 kB, sending no PATCH", async () => {
    const error = await failure(created({ BIG: "b".repeat(33_000) }));
    expect(error.message).toMatch(
      /^Heroku app raxx-console-prod: its config would take \d+ bytes with these vars, over Heroku's 32768-byte limit; nothing was changed\.$/,
    );
    expect(getFake().count("PATCH")).toBe(0);
  });
});

describe("read (refresh)", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("refuses an import by ID, saying how to take vars over", async () => {
    const error = await failure(provider.read!(`${APP}/x`));
    expect(error.message).toBe(
      "Importing Heroku config vars by ID is not supported (pulumi/pulumi#16175): declare the vars in the program and the first update takes them over, listing them in adoptedKeys.",
    );
  });

  it("reports the owned keys as the app holds them, the drifted ones sorted, and keeps adoptedKeys", async () => {
    const { id, outs: state } = await created({ B: "2", A: "1", C: "3" });
    const app = getFake().apps.get(APP)!;
    app["B"] = "changed";
    delete app["A"];
    const result = await provider.read!(id, { ...state, adoptedKeys: ["C"] });
    expect(result.props).toEqual({
      app: APP,
      vars: { B: "changed", C: "3" },
      keys: ["B", "C"],
      providerVersion: PROVIDER_VERSION,
      adoptedKeys: ["C"],
      driftedKeys: ["A", "B"],
      strayFlags: [],
    });
  });

  it("takes the owned keys from the vars of an older state without keys or adoptedKeys", async () => {
    const { id, outs: state } = await created({ A: "1" });
    const { keys: _k, adoptedKeys: _a, ...older } = state;
    const result = await provider.read!(id, older as ConfigVarsOutputs);
    expect(result.props).toMatchObject({ keys: ["A"], adoptedKeys: [], driftedKeys: [] });
  });
});

describe("update", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("removes keys no longer declared, leaves on the app the ones it took over, and adds newly adopted ones", async () => {
    getFake().apps.get(APP)!["TAKEN"] = "t";
    const { id, outs: state } = await created({ TAKEN: "t", GONE: "g", KEEP: "k" });
    expect(state.adoptedKeys).toEqual(["TAKEN"]);
    getFake().apps.get(APP)!["LATER"] = "l";
    const result = await provider.update!(id, state, {
      ...inputs({ KEEP: "k", LATER: "l2" }),
      adoptable: ["LATER"],
    });
    expect(getFake().apps.get(APP)).toEqual({
      ...unrelatedVars(),
      TAKEN: "t",
      KEEP: "k",
      LATER: "l2",
    });
    expect(result.outs).toMatchObject({ keys: ["KEEP", "LATER"], adoptedKeys: ["LATER"] });
    const again = await provider.update!(
      id,
      result.outs as ConfigVarsOutputs,
      inputs({ KEEP: "k", LATER: "l2" }),
    );
    expect(again.outs).toMatchObject({ adoptedKeys: ["LATER"] });
  });

  it("says so when Heroku's answer does not show the change, naming the keys", async () => {
    const { id, outs: state } = await created({ A: "1" });
    getFake().ignoreNextPatch = true;
    const error = await failure(provider.update!(id, state, inputs({ A: "2", B: "3" })));
    expect(error.message).toBe(
      "Heroku app raxx-console-prod: the PATCH response does not show A, B as requested; run pulumi refresh to see the app's state.",
    );
  });
});

describe("delete", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("removes the owned keys in one PATCH, from the vars of an older state without keys", async () => {
    const { id, outs: state } = await created({ A: "1", B: "2" });
    const { keys: _k, ...older } = state;
    await provider.delete!(id, older as ConfigVarsOutputs);
    expect(getFake().apps.get(APP)).toEqual(unrelatedVars());
  });

  it("sends nothing when it owns no key", async () => {
    const before = getFake().calls.length;
    await provider.delete!("id", outs({}));
    expect(getFake().calls.length).toBe(before);
  });

  it("says so when Heroku still shows a removed key", async () => {
    const { id, outs: state } = await created({ A: "1" });
    getFake().ignoreNextPatch = true;
    const error = await failure(provider.delete!(id, state));
    expect(error.message).toBe(
      "Heroku app raxx-console-prod: the PATCH response does not show A as requested; run pulumi refresh to see the app's state.",
    );
  });
});
