// Check the result, not only the plan: a prerequisite removed between the flags resource's GET
// and its PATCH leaves the flag on without it. Heroku's answer to the PATCH is the app's whole
// resulting config: the provider checks it, switches the flags it just set off again (one more
// PATCH, on this path only) and fails, naming the flags and the vars.
import { beforeEach, describe, expect, it } from "vitest";
import { configVarsProvider as provider, type ConfigVarsOutputs } from "../infra/heroku/provider";
import { unrelatedVars } from "./support/fake-heroku";
import {
  APP,
  failure,
  FLAG_A,
  FLAG_B,
  flagInputs as flags,
  inputs,
  PREREQUISITES,
  useFakeHeroku,
} from "./support/heroku-provider-setup";

const getFake = useFakeHeroku();

const patches = () =>
  getFake()
    .calls.filter((c) => c.method === "PATCH")
    .map((c) => c.body);
const app = () => getFake().apps.get(APP) ?? {};

/** Someone removes `key` from the app just before Heroku applies the flags PATCH. */
const removedDuringPatch = (key: string) =>
  getFake().inject({
    kind: "before-apply",
    only: "PATCH",
    before: () => {
      const { [key]: _gone, ...rest } = app();
      getFake().apps.set(APP, rest);
    },
  });

const failed = (flagsOff: string, lines: string[]) =>
  `Heroku app ${APP}: Heroku's answer to the PATCH shows a flag on while a var it needs is missing or empty ` +
  `(removed while this deployment wrote the flags); switched ${flagsOff} off again (one more PATCH), so no flag stays on without its vars.\n` +
  lines.map((l) => `  - ${l}`).join("\n") +
  "\nFind out who removed the var, then run the deploy again (pulumi up --refresh puts back the stack's own vars).";

describe("create", () => {
  beforeEach(() => getFake().apps.set(APP, { ...unrelatedVars(), ...PREREQUISITES }));

  it("switches the flags it set off again and fails, naming each flag and the var removed", async () => {
    removedDuringPatch("FREESCOUT_API_KEY");
    const err = await failure(provider.create(flags({ [FLAG_A]: "1", [FLAG_B]: "1" })));
    expect(err.message).toBe(
      failed(`${FLAG_A}, ${FLAG_B}`, [
        `${FLAG_A} needs FREESCOUT_API_KEY`,
        `${FLAG_B} needs FREESCOUT_API_KEY`,
      ]),
    );
    expect(patches()).toEqual([
      { [FLAG_A]: "1", [FLAG_B]: "1" },
      { [FLAG_A]: null, [FLAG_B]: null },
    ]);
    expect(app()).toEqual({
      ...unrelatedVars(),
      FREESCOUT_API_URL: PREREQUISITES.FREESCOUT_API_URL,
    });
  });

  it("sends one PATCH when the answer shows every var", async () => {
    await provider.create(flags({ [FLAG_A]: "1" }));
    expect(patches()).toEqual([{ [FLAG_A]: "1" }]);
  });

  it("when switching off fails too, says how to do it by hand", async () => {
    removedDuringPatch("FREESCOUT_API_URL");
    getFake().inject({
      kind: "status",
      status: 403,
      id: "forbidden",
      message: "You do not have access to the app.",
      only: "PATCH",
    });
    const err = await failure(provider.create(flags({ [FLAG_A]: "1" })));
    expect(err.message).toContain(
      `switching ${FLAG_A} off again failed (Heroku API PATCH /apps/${APP}/config-vars for app ${APP} failed: HTTP 403 forbidden: You do not have access to the app.`,
    );
    expect(err.message).toContain(
      `: switch it off now: heroku config:unset ${FLAG_A} -a ${APP}.\n  - ${FLAG_A} needs FREESCOUT_API_URL\n`,
    );
    expect(err.message).not.toContain(PREREQUISITES.FREESCOUT_API_KEY);
  });
});

describe("update", () => {
  let state: { id: string; outs: ConfigVarsOutputs };
  beforeEach(async () => {
    getFake().apps.set(APP, { ...unrelatedVars(), ...PREREQUISITES });
    const r = await provider.create(flags({ [FLAG_A]: "1" }));
    state = { id: r.id, outs: r.outs as ConfigVarsOutputs };
    getFake().calls.length = 0;
  });

  it("switches off the flag it added and the one already on whose var went, and fails", async () => {
    removedDuringPatch("FREESCOUT_API_URL");
    const err = await failure(
      provider.update!(state.id, state.outs, flags({ [FLAG_A]: "1", [FLAG_B]: "1" })),
    );
    expect(err.message).toBe(
      failed(`${FLAG_A}, ${FLAG_B}`, [
        `${FLAG_A} needs FREESCOUT_API_URL`,
        `${FLAG_B} needs FREESCOUT_API_URL`,
      ]),
    );
    expect(patches()).toEqual([{ [FLAG_B]: "1" }, { [FLAG_A]: null, [FLAG_B]: null }]);
    expect(app()[FLAG_A]).toBeUndefined();
    expect(app()[FLAG_B]).toBeUndefined();
  });

  it("a resource without requirements (the prerequisites) is not checked", async () => {
    getFake().calls.length = 0;
    removedDuringPatch("FREESCOUT_API_URL");
    const r = await provider.create(inputs({ OTHER: "x", [FLAG_B]: "1" }));
    expect(r.outs).toBeDefined();
    expect(patches()).toHaveLength(1);
  });
});
