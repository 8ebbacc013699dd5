// Issue 25's provider paths in the form the engine runs them: serialized into state, reloaded by
// the dynamic-provider host in another process (heroku-serialized.test.ts does the same for the
// client's faults). A captured Set, Error subclass or module state breaks only here.
import { describe, expect, it } from "vitest";
import { useCompiledBuild } from "./support/compiled-build";
import { FakeHeroku, unrelatedVars, type Fault } from "./support/fake-heroku";
import {
  FAST_RETRIES,
  serializedCall,
  type SerializedOutcome,
} from "./support/serialized-provider";

const TOKEN = "fake-heroku-key-serialized-ownership";
const APP = "raxx-console-prod";
const FLAG = "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS";
const NEEDS = ["FREESCOUT_API_KEY", "FREESCOUT_API_URL"];
const PREREQUISITES = {
  FREESCOUT_API_KEY: "fake-key-not-a-secret",
  FREESCOUT_API_URL: "https://tickets.raxx.app",
};

const outDir = useCompiledBuild();

/** One operation of the serialized provider against a fake holding `config`, faults queued. */
async function serialized(
  op: string,
  args: unknown[],
  config: Record<string, string>,
  faults: Fault[] | ((fake: FakeHeroku) => Fault[]) = [],
): Promise<{ outcome: SerializedOutcome; fake: FakeHeroku }> {
  const fake = new FakeHeroku(TOKEN);
  fake.apps.set(APP, config);
  fake.inject(...(typeof faults === "function" ? faults(fake) : faults));
  const url = await fake.start();
  try {
    const outcome = await serializedCall(
      outDir(),
      { op, args },
      { url, token: TOKEN },
      FAST_RETRIES,
    );
    return { outcome, fake };
  } finally {
    await fake.stop();
  }
}

const resource = (vars: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  app: APP,
  vars,
  keys: Object.keys(vars).sort(),
  providerVersion: "4",
  ...extra,
});
const patches = (fake: FakeHeroku) =>
  fake.calls.filter((c) => c.method === "PATCH").map((c) => c.body);

describe("the serialized provider, issue 25", () => {
  it("refuses to take over a var the app holds with another value, naming it and the setting", async () => {
    const { outcome, fake } = await serialized(
      "create",
      [resource({ DATABASE_URL: "postgres://feature" })],
      unrelatedVars(),
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.isError).toBe(true);
    expect(outcome.error?.message).toMatch(
      /^Heroku app raxx-console-prod: DATABASE_URL is already on the app with another value, and the stack file does not list it in console-wiring:adoptConfigVars; nothing was changed\./,
    );
    expect(patches(fake)).toEqual([]);
  });

  it("takes it over when listed in adoptable", async () => {
    const { outcome, fake } = await serialized(
      "create",
      [resource({ DATABASE_URL: "postgres://feature" }, { adoptable: ["DATABASE_URL"] })],
      unrelatedVars(),
    );
    expect(outcome.error).toBeUndefined();
    expect(fake.apps.get(APP)?.["DATABASE_URL"]).toBe("postgres://feature");
  });

  it("switches the flag off again when Heroku's answer lacks a var removed during the PATCH", async () => {
    const { outcome, fake: used } = await serialized(
      "create",
      [resource({ [FLAG]: "1" }, { requires: { [FLAG]: NEEDS } })],
      { ...unrelatedVars(), ...PREREQUISITES },
      (fake) => [
        {
          kind: "before-apply",
          only: "PATCH",
          before: () => {
            const { FREESCOUT_API_KEY: _gone, ...rest } = fake.apps.get(APP)!;
            fake.apps.set(APP, rest);
          },
        },
      ],
    );
    expect(outcome.error?.isError).toBe(true);
    expect(outcome.error?.message).toContain(
      `switched ${FLAG} off again (one more PATCH), so no flag stays on without its vars.\n  - ${FLAG} needs FREESCOUT_API_KEY\n`,
    );
    expect(patches(used)).toEqual([{ [FLAG]: "1" }, { [FLAG]: null }]);
    expect(used.apps.get(APP)?.[FLAG]).toBeUndefined();
  });

  it("a PATCH applied whose answer was lost is read back, not sent again", async () => {
    const olds = { ...resource(PREREQUISITES), adoptedKeys: [], driftedKeys: [] };
    const news = resource({ ...PREREQUISITES, FREESCOUT_API_URL: "https://new.raxx.app" });
    const { outcome, fake } = await serialized(
      "update",
      [`${APP}/id`, olds, news],
      { ...unrelatedVars(), ...PREREQUISITES },
      [{ kind: "apply-then-reset", only: "PATCH" }],
    );
    expect(outcome.error).toBeUndefined();
    expect(fake.calls.map((c) => c.method)).toEqual(["GET", "PATCH", "GET"]);
    expect(fake.statesOf(APP).filter((s) => s.by === "patch")).toHaveLength(1);
  });

  it("read reports a watched flag on at the app; update switches it off", async () => {
    const state = {
      ...resource({ A_KEY: "a" }, { watchedFlags: [FLAG] }),
      adoptedKeys: [],
      driftedKeys: [],
      strayFlags: [],
    };
    const app = { ...unrelatedVars(), A_KEY: "a", [FLAG]: "1" };
    const read = await serialized("read", [`${APP}/id`, state], app);
    expect(read.outcome.error).toBeUndefined();
    expect(read.outcome.result?.props?.["strayFlags"]).toEqual([FLAG]);
    const updated = await serialized(
      "update",
      [`${APP}/id`, read.outcome.result?.props, resource({ A_KEY: "a" }, { watchedFlags: [FLAG] })],
      app,
    );
    expect(updated.outcome.error).toBeUndefined();
    expect(patches(updated.fake)).toEqual([{ [FLAG]: null }]);
  });
});
