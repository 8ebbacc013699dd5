// Vars the stack does not own stay the app's: create (and an update that newly declares a key)
// never overwrites a var the app already holds with another value unless the stack file lists it
// in console-wiring:adoptConfigVars; a var taken over stays on the app when the stack lets it go,
// except a flag, which is always switched off.
import { beforeEach, describe, expect, it } from "vitest";
import { parseAdoptConfigVars } from "../infra/config-parts/adopt-config-vars";
import { parseConfig } from "../infra/config";
import { configVarsProvider as provider, type ConfigVarsOutputs } from "../infra/heroku/provider";
import { loadStackFiles } from "../tools/stack-files";
import { unrelatedVars } from "./support/fake-heroku";
import { byName, runStack } from "./support/harness";
import { APP, failure, inputs, useFakeHeroku } from "./support/heroku-provider-setup";

const getFake = useFakeHeroku();
const patches = () => getFake().calls.filter((c) => c.method === "PATCH");
const app = () => getFake().apps.get(APP) ?? {};

const refusal = (keys: string, verb: string, pronoun: string, first: string, many: string) =>
  `Heroku app ${APP}: ${keys} ${verb} already on the app with another value, and the stack file does not list ${pronoun} in console-wiring:adoptConfigVars; nothing was changed. ` +
  "The stack never overwrites a var the app already has unless told to. " +
  `If the stack should own ${pronoun}: pulumi config set --path 'adoptConfigVars[0]' ${first}${many}, review, and deploy again. ` +
  `If not: rename the var in the feature file, or remove it from the app (heroku config:unset ${first} -a ${APP}).`;

describe("create", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("refuses a feature's var that is the app's own (DATABASE_URL) with another value, naming it and the setting, and writes nothing", async () => {
    const err = await failure(
      provider.create(inputs({ DATABASE_URL: "postgres://feature-value", NEW_VAR: "n" })),
    );
    expect(err.message).toBe(refusal("DATABASE_URL", "is", "it", "DATABASE_URL", ""));
    expect(err.message).not.toContain("postgres://");
    expect(patches()).toEqual([]);
    expect(app()).toEqual(unrelatedVars());
  });

  it("names every such var", async () => {
    const err = await failure(
      provider.create(inputs({ REDIS_URL: "r", DATABASE_URL: "d", OTHER_VAR_10: "o" })),
    );
    expect(err.message).toBe(
      refusal(
        "DATABASE_URL, OTHER_VAR_10, REDIS_URL",
        "are",
        "them",
        "DATABASE_URL",
        " (one entry per var)",
      ),
    );
    expect(patches()).toEqual([]);
  });

  it("takes it over when the stack lists it, and only that one", async () => {
    const listed = await provider.create({
      ...inputs({ DATABASE_URL: "d" }),
      adoptable: ["DATABASE_URL"],
    });
    expect((listed.outs as ConfigVarsOutputs).adoptedKeys).toEqual(["DATABASE_URL"]);
    expect(app()["DATABASE_URL"]).toBe("d");
    const err = await failure(
      provider.create({ ...inputs({ REDIS_URL: "r" }), adoptable: ["DATABASE_URL"] }),
    );
    expect(err.message).toContain("REDIS_URL is already on the app with another value");
  });

  it("takes over silently a var that already holds the declared value (no PATCH)", async () => {
    const result = await provider.create(
      inputs({ DATABASE_URL: unrelatedVars()["DATABASE_URL"]! }),
    );
    expect((result.outs as ConfigVarsOutputs).adoptedKeys).toEqual(["DATABASE_URL"]);
    expect(patches()).toEqual([]);
  });
});

describe("update", () => {
  let state: { id: string; outs: ConfigVarsOutputs };
  beforeEach(async () => {
    getFake().apps.set(APP, unrelatedVars());
    const r = await provider.create(inputs({ OWN: "o" }));
    state = { id: r.id, outs: r.outs as ConfigVarsOutputs };
    getFake().calls.length = 0;
  });

  it("refuses a newly declared var the app holds with another value", async () => {
    const err = await failure(
      provider.update!(state.id, state.outs, inputs({ OWN: "o", REDIS_URL: "r" })),
    );
    expect(err.message).toBe(refusal("REDIS_URL", "is", "it", "REDIS_URL", ""));
    expect(patches()).toEqual([]);
  });

  it("puts back its own var changed by hand (not a takeover)", async () => {
    getFake().apps.set(APP, { ...unrelatedVars(), OWN: "changed by hand" });
    await provider.update!(state.id, state.outs, inputs({ OWN: "o" }));
    expect(app()["OWN"]).toBe("o");
  });

  it("takes a var over from another resource of the stack (it held it at the last deployment)", async () => {
    getFake().apps.set(APP, { ...unrelatedVars(), OWN: "o", MOVING: "as the other holder set it" });
    const outs = { ...state.outs, ownedElsewhere: ["MOVING"] };
    await provider.update!(state.id, outs, inputs({ OWN: "o", MOVING: "1" }));
    expect(app()["MOVING"]).toBe("1");
  });
});

describe("letting a var go", () => {
  beforeEach(() =>
    getFake().apps.set(APP, { ...unrelatedVars(), FLAG_X: "1", PRE_EXISTING: "app's" }),
  );

  it("delete leaves on the app the vars it took over, removes the ones it created, and always switches a flag off", async () => {
    const r = await provider.create({
      ...inputs({ PRE_EXISTING: "stack's", CREATED: "c", FLAG_X: "1" }),
      requires: { FLAG_X: [] },
      adoptable: ["PRE_EXISTING"],
    });
    expect((r.outs as ConfigVarsOutputs).adoptedKeys).toEqual(["FLAG_X", "PRE_EXISTING"]);
    await provider.delete!(r.id, r.outs as ConfigVarsOutputs);
    expect(patches().at(-1)?.body).toEqual({ CREATED: null, FLAG_X: null });
    expect(app()).toEqual({ ...unrelatedVars(), PRE_EXISTING: "stack's" });
  });

  it("an update that stops declaring a var it took over leaves it on the app", async () => {
    const r = await provider.create({
      ...inputs({ PRE_EXISTING: "stack's", CREATED: "c" }),
      adoptable: ["PRE_EXISTING"],
    });
    await provider.update!(r.id, r.outs as ConfigVarsOutputs, inputs({ OTHER: "x" }));
    expect(patches().at(-1)?.body).toEqual({ OTHER: "x", CREATED: null });
    expect(app()["PRE_EXISTING"]).toBe("stack's");
  });
});

describe("console-wiring:adoptConfigVars", () => {
  const prod = () =>
    Object.fromEntries(
      Object.entries(loadStackFiles("prod").config).map(([k, v]) => [
        k.replace(/^console-wiring:/, ""),
        v,
      ]),
    );

  it("is a list of var names, sorted and unique; empty by default", () => {
    const problems: string[] = [];
    expect(parseAdoptConfigVars('["B_VAR","A_VAR","B_VAR"]', problems)).toEqual(["A_VAR", "B_VAR"]);
    expect(parseAdoptConfigVars(undefined, problems)).toEqual([]);
    expect(parseAdoptConfigVars("[]", problems)).toEqual([]);
    expect(problems).toEqual([]);
    expect(parseConfig(prod()).adoptConfigVars).toEqual([]);
  });

  it.each(['"DATABASE_URL"', '["bad-name"]', "[1]", "{}", "not json"])(
    "refuses %s, naming the key and the fix",
    (value) => {
      expect(() => parseConfig({ ...prod(), adoptConfigVars: value })).toThrow(
        "console-wiring:adoptConfigVars must be a list of Heroku config var names (letters, digits, underscore), the vars the stack may take over with their current value replaced. Example: pulumi config set --path 'adoptConfigVars[0]' FREESCOUT_API_URL",
      );
    },
  );

  it("reaches both config-vars resources of the program", async () => {
    const config = {
      ...loadStackFiles("prod").config,
      "console-wiring:adoptConfigVars": '["FREESCOUT_API_URL"]',
    };
    const run = await runStack({
      config,
      vault: {
        "MooseQuest/freescout": { FREESCOUT_API_KEY: "k", FREESCOUT_OPERATIONS_MAILBOX_ID: "7" },
        "MooseQuest/cloudflare": {},
      },
    });
    expect(run.error).toBeUndefined();
    for (const name of [
      "console-prerequisites",
      "console-tickets-prerequisites",
      "console-investigate-flags",
    ])
      expect(byName(run.resources, name).inputs["adoptable"]).toEqual(["FREESCOUT_API_URL"]);
  });
});
