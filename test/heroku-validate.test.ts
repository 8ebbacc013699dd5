import { describe, expect, it } from "vitest";
import { CONFIG_LIMIT_BYTES, UNKNOWN, validateInputs } from "../infra/heroku/validate";

// Each decision of the provider's input check, pinned (mutation testing found them unpinned).
const APP = "raxx-console-prod";
const ok = { FREESCOUT_API_URL: "https://tickets.raxx.app" };

describe("validateInputs: the app", () => {
  it("accepts an app name and an app UUID", () => {
    expect(validateInputs({ app: APP, vars: ok })).toEqual([]);
    expect(validateInputs({ app: "01234567-89ab-4cde-8f01-23456789abcd", vars: ok })).toEqual([]);
  });

  it.each([
    ["a number", 42],
    ["an uppercase name", "Raxx-Console"],
    ["a name with a trailing dash", "raxx-"],
    ["undefined", undefined],
  ])("refuses %s as the app", (_name, app) => {
    expect(validateInputs({ app, vars: ok })).toEqual([
      {
        property: "app",
        reason:
          "app must be a Heroku app name (3-30 characters: lowercase letters, digits and dashes, starting with a letter) or app UUID",
      },
    ]);
  });

  it("leaves an app not known yet (preview) to the apply", () => {
    expect(validateInputs({ app: UNKNOWN, vars: ok })).toEqual([]);
  });
});

describe("validateInputs: the vars map", () => {
  const shape = {
    property: "vars",
    reason: "vars must be a map of config var name to string value",
  };

  it.each([
    ["null", null],
    ["an array", [["A", "b"]]],
    ["a string", "A=b"],
    ["a number", 7],
  ])("refuses %s as vars, saying what shape is wanted", (_name, vars) => {
    expect(validateInputs({ app: APP, vars })).toEqual([shape]);
  });

  it("leaves a map not known yet (preview) alone", () => {
    expect(validateInputs({ app: APP, vars: UNKNOWN })).toEqual([]);
  });

  it("accepts an empty map: the flags resource stays registered, owning nothing, while no flag is on", () => {
    expect(validateInputs({ app: APP, vars: {} })).toEqual([]);
  });

  it("checks the declared keys list only when there is one", () => {
    expect(validateInputs({ app: APP, vars: ok, keys: "FREESCOUT_API_URL" })).toEqual([]);
    expect(validateInputs({ app: APP, vars: ok, keys: [7, "FREESCOUT_API_URL"] })).toEqual([]);
  });
});

describe("validateInputs: each value", () => {
  it.each([
    ["null", null, "null"],
    ["an array", ["x"], "array"],
    ["a number", 3, "number"],
    ["a boolean", true, "boolean"],
  ])("names %s as what it got", (_name, value, got) => {
    expect(validateInputs({ app: APP, vars: { A_VAR: value } })).toEqual([
      {
        property: "vars.A_VAR",
        reason: `A_VAR must be a string value (got ${got}); Heroku stores strings only`,
      },
    ]);
  });

  it("leaves a value not known yet alone", () => {
    expect(validateInputs({ app: APP, vars: { A_VAR: UNKNOWN } })).toEqual([]);
  });

  it("refuses a whitespace-only value as empty", () => {
    expect(validateInputs({ app: APP, vars: { A_VAR: "  \t" } })).toEqual([
      {
        property: "vars.A_VAR",
        reason:
          "A_VAR is empty: an empty config var is a missing one to the app; provide its value at its source",
      },
    ]);
  });
});

describe("the engine's preview placeholder", () => {
  it("is the value Pulumi's runtime sends for a value not known yet", async () => {
    const rpc = (await import("@pulumi/pulumi/runtime/rpc")) as { unknownValue: string };
    expect(UNKNOWN).toBe(rpc.unknownValue);
  });
});

describe("validateInputs: Heroku's 32 kB limit", () => {
  // Key and value bytes count: a 1-byte key and a value filling the rest.
  const filled = (total: number) => ({ K: "v".repeat(total - 1) });

  it("accepts exactly 32,768 bytes", () => {
    expect(validateInputs({ app: APP, vars: filled(CONFIG_LIMIT_BYTES) })).toEqual([]);
  });

  it("refuses 32,769 bytes, giving the count", () => {
    expect(validateInputs({ app: APP, vars: filled(CONFIG_LIMIT_BYTES + 1) })).toEqual([
      {
        property: "vars",
        reason:
          "the declared config vars take 32769 bytes, over Heroku's 32768-byte limit for an app's whole config",
      },
    ]);
  });

  it("does not count a value unknown in preview towards the limit", () => {
    // 32,768 known bytes: at the limit. The unknown value's size is decided at apply time, when
    // the provider checks again with the real value.
    const vars = { ...filled(CONFIG_LIMIT_BYTES), LATER: UNKNOWN };
    expect(validateInputs({ app: APP, vars })).toEqual([]);
  });

  it("counts bytes, not characters", () => {
    const value = "é".repeat(CONFIG_LIMIT_BYTES / 2); // 2 bytes each: 32,768 bytes + the key
    expect(validateInputs({ app: APP, vars: { K: value } })).toHaveLength(1);
  });
});

describe("validateInputs: names, anchored at both ends", () => {
  const appProblem = (app: string) => validateInputs({ app, vars: ok }).length;
  const keyProblem = (key: string) => validateInputs({ app: APP, vars: { [key]: "x" } }).length;

  it.each(["abc", "a".repeat(30), "a1-b2"])("accepts the app name %j", (app) => {
    expect(appProblem(app)).toBe(0);
  });

  it.each([
    "a",
    "ab",
    "a".repeat(31),
    "1abc",
    "-abc",
    "abc-",
    "ab_c",
    "x raxx-console",
    "raxx-console x",
    "01234567-89ab-4cde-8f01-23456789abcd-x",
    "x01234567-89ab-4cde-8f01-23456789abcd",
    "0123456-89ab-4cde-8f01-23456789abcd",
  ])("refuses the app %j", (app) => {
    expect(appProblem(app)).toBe(1);
  });

  it.each(["A", "AB_9", "_x"])("accepts the var name %j", (key) => {
    expect(keyProblem(key)).toBe(0);
  });

  it.each(["-A", "A-", "A B", "A.B", "É"])("refuses the var name %j", (key) => {
    expect(keyProblem(key)).toBe(1);
  });
});
