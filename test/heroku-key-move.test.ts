// A key that moves from one config-vars resource to another is never lost, whichever of the two
// the engine applies first: the losing resource is told the keys the other owns (ownedElsewhere)
// and never deletes them, in an update or in a delete.
import { beforeEach, describe, expect, it } from "vitest";
import { configVarsProvider as provider, type ConfigVarsOutputs } from "../infra/heroku/provider";
import { unrelatedVars } from "./support/fake-heroku";
import { APP, created, inputs, useFakeHeroku } from "./support/heroku-provider-setup";

const getFake = useFakeHeroku();
const app = () => getFake().apps.get(APP) ?? {};

describe("a key moving between two config-vars resources of one app", () => {
  beforeEach(() => {
    getFake().apps.set(APP, unrelatedVars());
  });

  // Resource A holds MOVING and A_ONLY; after the change B holds MOVING.
  // As the program registers them: each told the keys the other holds.
  const before = async () => {
    const a = await provider.create({
      ...inputs({ MOVING: "v", A_ONLY: "a" }),
      ownedElsewhere: ["B_ONLY"],
    });
    const b = await provider.create({
      ...inputs({ B_ONLY: "b" }),
      ownedElsewhere: ["A_ONLY", "MOVING"],
    });
    return {
      a: { id: a.id, outs: a.outs as ConfigVarsOutputs },
      b: { id: b.id, outs: b.outs as ConfigVarsOutputs },
    };
  };

  it("survives when the gaining resource is updated before the losing one", async () => {
    const { a, b } = await before();
    await provider.update!(b.id, b.outs, {
      ...inputs({ B_ONLY: "b", MOVING: "v" }),
      ownedElsewhere: ["A_ONLY"],
    });
    await provider.update!(a.id, a.outs, {
      ...inputs({ A_ONLY: "a" }),
      ownedElsewhere: ["B_ONLY", "MOVING"],
    });
    expect(app()["MOVING"]).toBe("v");
    expect(app()["A_ONLY"]).toBe("a");
  });

  it("survives when the losing resource is updated first (it never sends null for the key)", async () => {
    const { a, b } = await before();
    await provider.update!(a.id, a.outs, {
      ...inputs({ A_ONLY: "a" }),
      ownedElsewhere: ["MOVING"],
    });
    expect(getFake().calls.at(-1)?.body ?? {}).not.toHaveProperty("MOVING");
    await provider.update!(b.id, b.outs, inputs({ B_ONLY: "b", MOVING: "v2" }));
    expect(app()["MOVING"]).toBe("v2");
  });

  it("keeps the other owner's keys through a refresh, so a delete after it still spares them", async () => {
    const { a, b } = await before();
    const updated = await provider.update!(a.id, a.outs, {
      ...inputs({ MOVING: "v", A_ONLY: "a" }),
      ownedElsewhere: ["MOVING"],
    });
    await provider.update!(b.id, b.outs, inputs({ B_ONLY: "b", MOVING: "v" }));
    const refreshed = await provider.read!(a.id, updated.outs);
    expect((refreshed.props as ConfigVarsOutputs).ownedElsewhere).toEqual(["MOVING"]);
    await provider.delete!(a.id, refreshed.props as ConfigVarsOutputs);
    expect(app()["MOVING"]).toBe("v");
    expect(app()).not.toHaveProperty("A_ONLY");
  });

  it("owns nothing with an empty map: created and updated without a PATCH, deleted without one", async () => {
    const calls = () => getFake().calls.filter((c) => c.method === "PATCH").length;
    const empty = await created({});
    expect(calls()).toBe(0);
    await provider.update!(empty.id, empty.outs, inputs({}));
    await provider.delete!(empty.id, empty.outs);
    expect(calls()).toBe(0);
    expect(app()).toEqual(unrelatedVars());
  });

  it("survives the losing resource's delete once its state records the other owner", async () => {
    const { a, b } = await before();
    const updated = await provider.update!(a.id, a.outs, {
      ...inputs({ MOVING: "v", A_ONLY: "a" }),
      ownedElsewhere: ["MOVING"],
    });
    await provider.update!(b.id, b.outs, inputs({ B_ONLY: "b", MOVING: "v" }));
    await provider.delete!(a.id, updated.outs as ConfigVarsOutputs);
    expect(app()["MOVING"]).toBe("v");
    expect(app()).not.toHaveProperty("A_ONLY");
  });

  it("without ownedElsewhere the losing update deletes the key (the behaviour this guards)", async () => {
    const { a, b } = await before();
    await provider.update!(b.id, b.outs, inputs({ B_ONLY: "b", MOVING: "v" }));
    await provider.update!(a.id, a.outs, inputs({ A_ONLY: "a" }));
    expect(app()).not.toHaveProperty("MOVING");
  });

  it("records a change of ownedElsewhere as a change, so delete reads the current list", async () => {
    const { a } = await before();
    const diff = await provider.diff!(a.id, a.outs, {
      ...inputs({ MOVING: "v", A_ONLY: "a" }),
      ownedElsewhere: ["MOVING"],
    });
    expect(diff.changes).toBe(true);
  });
});
