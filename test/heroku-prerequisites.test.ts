// The fail-closed rule's pure parts (infra/heroku/prerequisites.ts) and the check of `requires`
// (infra/heroku/validate.ts), each decision pinned.
import { describe, expect, it } from "vitest";
import {
  isOn,
  refusalMessage,
  sameRequirements,
  unmetRequirements,
} from "../infra/heroku/prerequisites";
import { UNKNOWN, validateInputs, validateRequires } from "../infra/heroku/validate";

describe("isOn: as the console's startup check reads a flag", () => {
  it.each(["", "0", "false", "off", "no", " OFF ", "False", "NO"])("%j is off", (v) => {
    expect(isOn(v)).toBe(false);
  });
  it.each(["1", "true", "yes", "on", " 1 ", "enabled"])("%j is on", (v) => {
    expect(isOn(v)).toBe(true);
  });
  it("an absent flag is off", () => expect(isOn(undefined)).toBe(false));
});

describe("unmetRequirements", () => {
  const requires = { F: ["B", "A", "A"], G: ["A"] };

  it("lists each declared flag that is on with its missing vars, sorted and each once", () => {
    expect(unmetRequirements({ F: "1", G: "1" }, ["G", "F"], requires)).toEqual([
      { flag: "F", missing: ["A", "B"] },
      { flag: "G", missing: ["A"] },
    ]);
  });

  it("passes a flag whose vars are all set, or that is off, or that is not declared here", () => {
    expect(unmetRequirements({ F: "1", A: "x", B: "y" }, ["F"], requires)).toEqual([]);
    expect(unmetRequirements({ F: "0" }, ["F"], requires)).toEqual([]);
    expect(unmetRequirements({ F: "1" }, ["G"], requires)).toEqual([]);
    expect(unmetRequirements({ F: "1" }, ["F"], undefined)).toEqual([]);
  });

  it("reads only own keys: a flag or var named like an Object member is an ordinary name", () => {
    const config = Object.assign(Object.create(null) as Record<string, string>, {
      constructor: "1",
    });
    expect(unmetRequirements(config, ["constructor"], { constructor: ["toString"] })).toEqual([
      { flag: "constructor", missing: ["toString"] },
    ]);
    expect(unmetRequirements({ toString: "1" }, ["toString"], {})).toEqual([]);
  });

  it("a var holding only spaces is missing", () => {
    expect(unmetRequirements({ G: "1", A: " \t" }, ["G"], requires)).toEqual([
      { flag: "G", missing: ["A"] },
    ]);
  });
});

describe("refusalMessage", () => {
  it("names one flag and its vars, and how to keep it off", () => {
    expect(refusalMessage("app-one", [{ flag: "F", missing: ["A", "B"] }])).toBe(
      "Heroku app app-one: refusing to switch on F: the app's config, read just now, lacks vars it need" +
        "s (missing or empty); nothing was changed.\n  - F needs A, B\nThe prerequisites are set before the flags in the same deployment: run the deploy again (pulumi up --refresh reads the app and puts back vars removed by hand or by an interrupted deploy), or keep the flag off: pulumi config set --path 'flags.F' false.",
    );
  });

  it("names every flag, one line each", () => {
    const text = refusalMessage("app-one", [
      { flag: "F", missing: ["A"] },
      { flag: "G", missing: ["B"] },
    ]);
    expect(text).toContain("refusing to switch on F, G: ");
    expect(text).toContain("lacks vars they need");
    expect(text).toContain("\n  - F needs A\n  - G needs B\n");
  });
});

describe("sameRequirements", () => {
  it("ignores the order of flags and of their vars", () => {
    expect(sameRequirements({ F: ["A", "B"], G: [] }, { G: [], F: ["B", "A"] })).toBe(true);
    expect(sameRequirements(undefined, undefined)).toBe(true);
  });
  it("differs on another var, another flag, or requirements only on one side", () => {
    expect(sameRequirements({ F: ["A"] }, { F: ["B"] })).toBe(false);
    expect(sameRequirements({ F: ["A"] }, { G: ["A"] })).toBe(false);
    expect(sameRequirements({ F: ["A"] }, undefined)).toBe(false);
    expect(sameRequirements(undefined, {})).toBe(false);
  });
});

describe("validateRequires", () => {
  const ok = { FREESCOUT_API_URL: "https://tickets.raxx.app" };
  const shape = {
    property: "requires",
    reason: "requires must be a map of flag var name to the names of the vars that flag needs",
  };

  it("accepts none, a value not known yet, and a map of names (an empty list too)", () => {
    expect(validateRequires(undefined)).toEqual([]);
    expect(validateRequires(UNKNOWN)).toEqual([]);
    expect(validateRequires({ FLAG_A: ["A", "B_2"], FLAG_B: [] })).toEqual([]);
  });

  it.each([
    ["a list", ["A"]],
    ["null", null],
    ["a string", "FLAG_A"],
  ])("refuses %s", (_name, requires) => {
    expect(validateRequires(requires)).toEqual([shape]);
  });

  it("refuses a flag name Heroku would not accept, and a list that is not of var names", () => {
    expect(
      validateRequires({ "FLAG-A": ["A"], FLAG_B: "A", FLAG_C: ["A", 3], FLAG_D: ["a b"] }),
    ).toEqual([
      {
        property: "requires.FLAG-A",
        reason: 'flag name "FLAG-A" is not a config var name Heroku accepts (^\\w+$)',
      },
      ...["FLAG_B", "FLAG_C", "FLAG_D"].map((f) => ({
        property: `requires.${f}`,
        reason: `${f} must list the names of the config vars it needs (each matching ^\\w+$)`,
      })),
    ]);
  });

  it("is part of the input check, whatever the vars", () => {
    expect(validateInputs({ app: "raxx-console-prod", vars: ok, requires: [] })).toEqual([shape]);
    expect(validateInputs({ app: "raxx-console-prod", vars: UNKNOWN, requires: [] })).toEqual([
      shape,
    ]);
  });
});
