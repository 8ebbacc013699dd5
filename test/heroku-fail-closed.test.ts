// Fail closed at apply time: the flags' config-vars resource reads the app just before its PATCH
// and refuses to leave a flag on while a var it needs is missing or empty there, naming them and
// writing nothing, on create, on update, and when its vars move to another spelling of the app.
import { beforeEach, describe, expect, it } from "vitest";
import { configVarsProvider as provider, type ConfigVarsOutputs } from "../infra/heroku/provider";
import { appId, unrelatedVars } from "./support/fake-heroku";
import {
  APP,
  failure,
  FLAG_A,
  FLAG_B,
  flagInputs as flags,
  inputs,
  NEEDS,
  PREREQUISITES,
  REQUIRES,
  useFakeHeroku,
} from "./support/heroku-provider-setup";

const getFake = useFakeHeroku();

const patches = () => getFake().calls.filter((c) => c.method === "PATCH");

const refusal = (app: string, lines: string[], first: string, many: boolean) =>
  `Heroku app ${app}: refusing to switch on ${lines.map((l) => l.split(" ")[0]).join(", ")}: the app's config, read just now, ` +
  `lacks vars ${many ? "they need" : "it needs"} (missing or empty); nothing was changed.\n` +
  lines.map((l) => `  - ${l}`).join("\n") +
  "\nThe prerequisites are set before the flags in the same deployment: run the deploy again " +
  "(pulumi up --refresh reads the app and puts back vars removed by hand or by an interrupted deploy), " +
  `or keep the flag off: pulumi config set --path 'flags.${first}' false.`;

describe("create", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("refuses both flags when the app lacks every var they need: the message names them, no PATCH", async () => {
    const err = await failure(provider.create(flags({ [FLAG_A]: "1", [FLAG_B]: "1" })));
    expect(err.message).toBe(
      refusal(
        APP,
        [`${FLAG_A} needs ${NEEDS.join(", ")}`, `${FLAG_B} needs ${NEEDS.join(", ")}`],
        FLAG_A,
        true,
      ),
    );
    expect(patches()).toEqual([]);
    expect(getFake().apps.get(APP)).toEqual(unrelatedVars());
  });

  it("names only the vars that are missing, and an empty or blank one counts as missing", async () => {
    getFake().apps.set(APP, {
      ...unrelatedVars(),
      FREESCOUT_API_KEY: "  ",
      FREESCOUT_API_URL: "https://tickets.raxx.app",
    });
    const err = await failure(provider.create(flags({ [FLAG_A]: "1" })));
    expect(err.message).toBe(refusal(APP, [`${FLAG_A} needs FREESCOUT_API_KEY`], FLAG_A, false));
    getFake().apps.set(APP, { ...unrelatedVars(), FREESCOUT_API_KEY: "", FREESCOUT_API_URL: "x" });
    expect((await failure(provider.create(flags({ [FLAG_A]: "1" })))).message).toContain(
      `${FLAG_A} needs FREESCOUT_API_KEY\n`,
    );
    expect(patches()).toEqual([]);
  });

  it("sets the flags once every var they need is on the app", async () => {
    getFake().apps.set(APP, { ...unrelatedVars(), ...PREREQUISITES });
    const result = await provider.create(flags({ [FLAG_A]: "1", [FLAG_B]: "1" }));
    expect(patches().map((c) => c.body)).toEqual([{ [FLAG_A]: "1", [FLAG_B]: "1" }]);
    expect((result.outs as ConfigVarsOutputs).requires).toEqual(REQUIRES);
  });

  it("checks the config as the PATCH would leave it: a var the same resource declares counts", async () => {
    const result = await provider.create(flags({ [FLAG_A]: "1", ...PREREQUISITES }));
    expect(result.id).toMatch(/^raxx-console-prod\//);
    expect(patches()).toHaveLength(1);
  });

  it("does not check a flag it declares off, nor a flag it has no requirement for", async () => {
    await provider.create({ ...inputs({ [FLAG_A]: "0", OTHER_FLAG: "1" }), requires: REQUIRES });
    expect(patches().map((c) => c.body)).toEqual([{ [FLAG_A]: "0", OTHER_FLAG: "1" }]);
  });

  it("checks nothing without `requires` (a resource that is not a flags resource)", async () => {
    await provider.create(inputs({ [FLAG_A]: "1" }));
    expect(getFake().apps.get(APP)?.[FLAG_A]).toBe("1");
  });

  it("refuses on another spelling of the app too (its UUID: the vars move there)", async () => {
    const err = await failure(provider.create(flags({ [FLAG_A]: "1" }, appId(APP))));
    expect(err.message).toContain(`Heroku app ${appId(APP)}: refusing to switch on ${FLAG_A}:`);
    expect(patches()).toEqual([]);
  });
});

describe("update", () => {
  let created: { id: string; outs: ConfigVarsOutputs };

  beforeEach(async () => {
    getFake().apps.set(APP, { ...unrelatedVars(), ...PREREQUISITES });
    const result = await provider.create(flags({ [FLAG_A]: "1" }));
    created = { id: result.id, outs: result.outs as ConfigVarsOutputs };
    getFake().calls.length = 0;
  });

  it("refuses to add a flag after a var it needs was removed from the app, and writes nothing", async () => {
    const { FREESCOUT_API_URL: _gone, ...rest } = getFake().apps.get(APP)!;
    getFake().apps.set(APP, rest);
    const err = await failure(
      provider.update!(created.id, created.outs, flags({ [FLAG_A]: "1", [FLAG_B]: "1" })),
    );
    expect(err.message).toBe(
      refusal(
        APP,
        [`${FLAG_A} needs FREESCOUT_API_URL`, `${FLAG_B} needs FREESCOUT_API_URL`],
        FLAG_A,
        true,
      ),
    );
    expect(patches()).toEqual([]);
    expect(getFake().apps.get(APP)?.[FLAG_B]).toBeUndefined();
  });

  it("refuses even with nothing to send: a flag already on without its vars is the incident, not a success", async () => {
    const { FREESCOUT_API_KEY: _gone, ...rest } = getFake().apps.get(APP)!;
    getFake().apps.set(APP, rest);
    const err = await failure(provider.update!(created.id, created.outs, flags({ [FLAG_A]: "1" })));
    expect(err.message).toContain(`${FLAG_A} needs FREESCOUT_API_KEY\n`);
    expect(patches()).toEqual([]);
  });

  it("turns a flag off whatever the app lacks: removing a flag is never refused", async () => {
    const both = await provider.update!(
      created.id,
      created.outs,
      flags({ [FLAG_A]: "1", [FLAG_B]: "1" }),
    );
    getFake().apps.set(APP, { ...unrelatedVars(), [FLAG_A]: "1", [FLAG_B]: "1" });
    getFake().calls.length = 0;
    await expect(
      provider.update!(created.id, both.outs as ConfigVarsOutputs, {
        ...inputs({ [FLAG_A]: "0" }),
        requires: REQUIRES,
      }),
    ).resolves.toBeDefined();
    expect(patches().map((c) => c.body)).toEqual([{ [FLAG_A]: "0", [FLAG_B]: null }]);
  });

  it("sends the one PATCH when the vars are there", async () => {
    await provider.update!(created.id, created.outs, flags({ [FLAG_A]: "1", [FLAG_B]: "1" }));
    expect(patches().map((c) => c.body)).toEqual([{ [FLAG_B]: "1" }]);
  });

  it("checks the app the vars move to (a switch to the app's UUID is an update)", async () => {
    const next = flags({ [FLAG_A]: "1" }, appId(APP));
    expect(await provider.diff!(created.id, created.outs, next)).toEqual({ changes: true });
    const { FREESCOUT_API_URL: _gone, ...rest } = getFake().apps.get(APP)!;
    getFake().apps.set(APP, rest);
    const err = await failure(provider.update!(created.id, created.outs, next));
    expect(err.message).toContain(`Heroku app ${appId(APP)}: refusing to switch on ${FLAG_A}:`);
    expect(patches()).toEqual([]);
  });
});

describe("requires in diff and read", () => {
  const old = (requires?: ConfigVarsOutputs["requires"]): ConfigVarsOutputs => ({
    ...inputs({ [FLAG_A]: "1" }),
    ...(requires === undefined ? {} : { requires }),
    adoptedKeys: [],
    driftedKeys: [],
  });

  it("is no change in another order of flags or of their vars", async () => {
    const diff = await provider.diff!(
      "id",
      old({ [FLAG_B]: NEEDS, [FLAG_A]: [...NEEDS].reverse() }),
      {
        ...inputs({ [FLAG_A]: "1" }),
        requires: REQUIRES,
      },
    );
    expect(diff).toEqual({ changes: false });
  });

  it("is a change when a flag needs another var, or when state has no requirements yet", async () => {
    const next = { ...inputs({ [FLAG_A]: "1" }), requires: REQUIRES };
    expect(
      await provider.diff!("id", old({ [FLAG_A]: NEEDS, [FLAG_B]: ["FREESCOUT_API_KEY"] }), next),
    ).toEqual({ changes: true });
    expect(await provider.diff!("id", old(), next)).toEqual({ changes: true });
    expect(await provider.diff!("id", old(), inputs({ [FLAG_A]: "1" }))).toEqual({
      changes: false,
    });
  });

  it("keeps the requirements through a refresh", async () => {
    getFake().apps.set(APP, { ...unrelatedVars(), [FLAG_A]: "1" });
    const read = await provider.read!("raxx-console-prod/x", old(REQUIRES));
    expect(read.props?.requires).toEqual(REQUIRES);
    const plain = await provider.read!("raxx-console-prod/x", old());
    expect(plain.props && "requires" in plain.props).toBe(false);
  });
});
