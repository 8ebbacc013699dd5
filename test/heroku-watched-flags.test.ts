// The app holds no flag the stack cannot account for. The flags resource watches every flag of
// the feature catalog that the stack does not declare on (`watchedFlags`). A refresh reports one
// found on at the app (`strayFlags`), so the next diff is a change and its update switches the
// flag off in its one PATCH; create and update switch such a flag off whenever they run. A clean
// app shows no change. The scenario of issue 25: an interrupted deploy wrote FLAG_X without
// recording it, the next deploy reverts feature X.
import { beforeEach, describe, expect, it } from "vitest";
import {
  configVarsProvider as provider,
  type ConfigVarsInputs,
  type ConfigVarsOutputs,
} from "../infra/heroku/provider";
import { allFlags } from "../infra/features/manifest";
import { catalog } from "../infra/features/catalog";
import { loadStackFiles } from "../tools/stack-files";
import { unrelatedVars } from "./support/fake-heroku";
import { byName, runStack } from "./support/harness";
import { APP, inputs, useFakeHeroku } from "./support/heroku-provider-setup";

const getFake = useFakeHeroku();
const patches = () =>
  getFake()
    .calls.filter((c) => c.method === "PATCH")
    .map((c) => c.body);
const app = () => getFake().apps.get(APP) ?? {};

const FLAG_A = "FLAG_A";
const FLAG_X = "FLAG_X";
const WATCHED = [FLAG_X, "FLAG_Y"];
const flags = (vars: Record<string, string>, watched = WATCHED): ConfigVarsInputs => ({
  ...inputs(vars),
  requires: Object.fromEntries(Object.keys(vars).map((f) => [f, ["A_KEY"]])),
  ownedElsewhere: ["A_KEY"],
  watchedFlags: watched,
});

describe("read (refresh)", () => {
  let state: ConfigVarsOutputs;
  beforeEach(async () => {
    getFake().apps.set(APP, { ...unrelatedVars(), A_KEY: "a" });
    state = (await provider.create(flags({ [FLAG_A]: "1" }))).outs as ConfigVarsOutputs;
  });

  it.each(["1", "true", "on", "yes"])(
    "reports a watched flag on at the app (%s) as stray, and the next diff is a change",
    async (value) => {
      getFake().apps.set(APP, { ...app(), [FLAG_X]: value });
      const read = await provider.read!("id", state);
      const props = read.props as ConfigVarsOutputs;
      expect(props.strayFlags).toEqual([FLAG_X]);
      expect(props.driftedKeys).toEqual([]);
      expect(await provider.diff!("id", props, flags({ [FLAG_A]: "1" }))).toEqual({
        changes: true,
      });
    },
  );

  it.each(["0", "", "false", "off", "no"])(
    "leaves a watched flag that is off (%j): no stray, no change",
    async (value) => {
      getFake().apps.set(APP, { ...app(), [FLAG_X]: value });
      const read = await provider.read!("id", state);
      expect((read.props as ConfigVarsOutputs).strayFlags).toEqual([]);
    },
  );

  it("a clean app: nothing stray, and the refreshed state shows no change", async () => {
    const read = await provider.read!("id", state);
    const props = read.props as ConfigVarsOutputs;
    expect(props.strayFlags).toEqual([]);
    expect(props.watchedFlags).toEqual(WATCHED);
    expect(await provider.diff!("id", props, flags({ [FLAG_A]: "1" }))).toEqual({
      changes: false,
    });
  });

  it("a flag the stack declares, here or in the other resource, is not stray", async () => {
    getFake().apps.set(APP, { ...app(), [FLAG_X]: "1" });
    const elsewhere = { ...state, ownedElsewhere: ["A_KEY", FLAG_X] };
    expect(((await provider.read!("id", elsewhere)).props as ConfigVarsOutputs).strayFlags).toEqual(
      [],
    );
  });

  it("a catalog that gained a flag is a change (read watches the list in state)", async () => {
    expect(
      await provider.diff!("id", state, flags({ [FLAG_A]: "1" }, [...WATCHED, "FLAG_Z"])),
    ).toEqual({ changes: true });
  });
});

describe("create and update switch a stray flag off in their one PATCH", () => {
  beforeEach(() => getFake().apps.set(APP, { ...unrelatedVars(), A_KEY: "a", [FLAG_X]: "1" }));

  it("create", async () => {
    const r = await provider.create(flags({ [FLAG_A]: "1" }));
    expect(patches()).toEqual([{ [FLAG_A]: "1", [FLAG_X]: null }]);
    expect((r.outs as ConfigVarsOutputs).strayFlags).toEqual([]);
    expect(app()[FLAG_X]).toBeUndefined();
  });

  it("update with nothing else to send: one PATCH, only for the stray flag", async () => {
    getFake().apps.set(APP, { ...app(), [FLAG_A]: "1" });
    const r = await provider.create(flags({ [FLAG_A]: "1" }, []));
    getFake().calls.length = 0;
    await provider.update!(r.id, r.outs as ConfigVarsOutputs, flags({ [FLAG_A]: "1" }));
    expect(patches()).toEqual([{ [FLAG_X]: null }]);
  });

  it("delete switches off what the last refresh found on, with its own keys", async () => {
    const { [FLAG_X]: _x, ...clean } = app();
    getFake().apps.set(APP, { ...clean, [FLAG_A]: "1" });
    const r = await provider.create(flags({ [FLAG_A]: "1" }));
    getFake().apps.set(APP, { ...app(), [FLAG_X]: "1" });
    const read = await provider.read!(r.id, r.outs);
    await provider.delete!(r.id, read.props as ConfigVarsOutputs);
    expect(patches().at(-1)).toEqual({ [FLAG_A]: null, [FLAG_X]: null });
    expect(app()).toEqual({ ...unrelatedVars(), A_KEY: "a" });
  });
});

describe("issue 25, finding 1: an interrupted deploy's flag, then a revert of its feature", () => {
  it("the refresh sees FLAG_X, the revert's update switches it off: no flag on without its vars", async () => {
    // Deploy N: the prerequisites wrote X_KEY, the flags PATCH set FLAG_X, its answer was lost:
    // state records neither FLAG_X nor anything about it.
    getFake().apps.set(APP, { ...unrelatedVars(), A_KEY: "a", X_KEY: "x" });
    const before = await provider.create(flags({ [FLAG_A]: "1" }));
    getFake().apps.set(APP, { ...app(), [FLAG_X]: "1" });
    // Deploy N+1 reverts X: the prerequisites drop X_KEY (their own update).
    const { X_KEY: _x, ...reverted } = app();
    getFake().apps.set(APP, reverted);
    // up --refresh: read, diff, update of the flags resource.
    const read = await provider.read!(before.id, before.outs);
    const refreshed = read.props as ConfigVarsOutputs;
    expect(refreshed.strayFlags).toEqual([FLAG_X]);
    const next = flags({ [FLAG_A]: "1" });
    expect((await provider.diff!(before.id, refreshed, next)).changes).toBe(true);
    const updated = await provider.update!(before.id, refreshed, next);
    expect(app()[FLAG_X]).toBeUndefined();
    expect(app()["X_KEY"]).toBeUndefined();
    // The next preview is clean.
    const again = await provider.read!(before.id, updated.outs);
    expect(await provider.diff!(before.id, again.props as ConfigVarsOutputs, next)).toEqual({
      changes: false,
    });
  });
});

describe("a revert's prerequisites update, applied before the flags one", () => {
  it("switches the reverted flag off in the same PATCH that removes its vars", async () => {
    getFake().apps.set(APP, unrelatedVars());
    const pre = await provider.create({
      ...inputs({ A_KEY: "a", X_KEY: "x" }),
      ownedElsewhere: [FLAG_X],
      watchedFlags: ["FLAG_Y"],
    });
    getFake().apps.set(APP, { ...app(), [FLAG_X]: "1" });
    getFake().calls.length = 0;
    await provider.update!(pre.id, pre.outs as ConfigVarsOutputs, {
      ...inputs({ A_KEY: "a" }),
      ownedElsewhere: [],
      watchedFlags: [FLAG_X, "FLAG_Y"],
    });
    expect(patches()).toEqual([{ X_KEY: null, [FLAG_X]: null }]);
  });
});

describe("the program", () => {
  it("gives the flags resource every catalog flag the stack does not declare on", async () => {
    const config = loadStackFiles("prod").config;
    const run = await runStack({
      config: { ...config, "console-wiring:flags": "{}" },
      vault: {
        "MooseQuest/freescout": { FREESCOUT_API_KEY: "k", FREESCOUT_OPERATIONS_MAILBOX_ID: "7" },
        "MooseQuest/cloudflare": {},
      },
    });
    expect(run.error).toBeUndefined();
    const flagsResource = byName(run.resources, "console-investigate-flags");
    expect(flagsResource.inputs["watchedFlags"]).toEqual([...allFlags(catalog())].sort());
    expect(byName(run.resources, "console-prerequisites").inputs["watchedFlags"]).toEqual(
      flagsResource.inputs["watchedFlags"],
    );
    const on = await runStack({
      config,
      vault: {
        "MooseQuest/freescout": { FREESCOUT_API_KEY: "k", FREESCOUT_OPERATIONS_MAILBOX_ID: "7" },
        "MooseQuest/cloudflare": {},
      },
    });
    const declared = byName(on.resources, "console-investigate-flags").inputs["keys"] as string[];
    const watched = byName(on.resources, "console-investigate-flags").inputs[
      "watchedFlags"
    ] as string[];
    expect(declared.length).toBeGreaterThan(0);
    expect(watched.filter((f) => declared.includes(f))).toEqual([]);
    expect([...watched, ...declared].sort()).toEqual([...allFlags(catalog())].sort());
  });
});
