import { describe, expect, it } from "vitest";
import { investigate } from "./support/investigate";
import {
  allDetectionRules,
  allRequiredVars,
  describeSource,
  featureOfFlag,
  prerequisiteMap,
  type DetectionRule,
  type Feature,
  type RequiredVar,
} from "../infra/features/manifest";

// The manifest's helpers: what the gate, the policies, the checklist and the app's startup check
// read from the one list.

const rule = (id: string): DetectionRule => ({
  id,
  summary: id,
  logger: "l",
  messageContains: "m",
  moreThan: 1,
  windowMinutes: 5,
  notifyAtMostEveryMinutes: 5,
  notify: "ops-team-email",
});
const need = (name: string, purpose = "p"): RequiredVar => ({
  name,
  secret: false,
  source: { kind: "manifest" },
  purpose,
});

describe("describeSource: where a person provides each var", () => {
  it.each([
    [
      { kind: "config", key: "freescoutApiUrl", format: "https-url" },
      "stack config console-wiring:freescoutApiUrl (pulumi config set freescoutApiUrl <value>)",
    ],
    [
      { kind: "vault", path: "freescout", field: "F" },
      "Vault KV v2 secret freescout under console-wiring:vaultMount, field F",
    ],
    [
      { kind: "vault", path: "team/billing", field: "G" },
      "Vault KV v2 secret team/billing under console-wiring:vaultMount, field G",
    ],
    [
      { kind: "service-token", output: "clientSecret" },
      "the Cloudflare Access service token's clientSecret, written to Vault by this stack and read back for Heroku",
    ],
    [
      { kind: "manifest" },
      "written by this stack from the selected features' files (compact JSON)",
    ],
  ] as const)("%j", (source, text) => {
    expect(describeSource({ name: "X", secret: false, source, purpose: "" })).toBe(text);
  });
});

describe("prerequisiteMap: what CONSOLE_FEATURE_PREREQUISITES holds", () => {
  it("maps each flag, sorted, to its feature's vars, sorted, without the map itself", () => {
    const features: Feature[] = [
      {
        id: "b",
        description: "",
        flags: ["FLAG_Z", "FLAG_B"],
        requires: [need("VAR_2"), need("CONSOLE_FEATURE_PREREQUISITES"), need("VAR_1")],
        startupCheck: { logger: "b_client", message: "b_not_configured" },
      },
      { id: "a", description: "", flags: ["FLAG_A"], requires: [need("VAR_3")] },
    ];
    const map = prerequisiteMap(features);
    expect(Object.keys(map)).toEqual(["FLAG_A", "FLAG_B", "FLAG_Z"]);
    const b = { requires: ["VAR_1", "VAR_2"], logger: "b_client", message: "b_not_configured" };
    expect(map).toEqual({ FLAG_A: { requires: ["VAR_3"] }, FLAG_B: b, FLAG_Z: b });
  });
});

describe("lookups", () => {
  const features: Feature[] = [
    {
      id: "one",
      description: "",
      flags: ["FLAG_ONE"],
      requires: [need("SHARED", "first"), need("ONLY_ONE")],
      detection: [rule("r1"), rule("r2")],
    },
    { id: "two", description: "", flags: ["FLAG_TWO"], requires: [need("SHARED", "second")] },
    { id: "three", description: "", flags: [], requires: [], detection: [rule("r1")] },
  ];

  it("finds the feature of a flag, and none for an unknown flag", () => {
    expect(featureOfFlag("FLAG_TWO", features)?.id).toBe("two");
    expect(featureOfFlag("FLAG_NONE", features)).toBeUndefined();
    expect(featureOfFlag("FLAG_CONSOLE_INVESTIGATE_FROM_STATUS")?.id).toBe("investigate");
  });

  it("lists each required var once, as the first feature declares it", () => {
    expect(allRequiredVars(features).map((v) => [v.name, v.purpose])).toEqual([
      ["SHARED", "first"],
      ["ONLY_ONE", "p"],
    ]);
  });

  it("lists each detection rule once, features without rules adding none", () => {
    expect(allDetectionRules(features).map((r) => r.id)).toEqual(["r1", "r2"]);
    expect(allDetectionRules([investigate()]).map((r) => r.id)).toEqual([
      "freescout-not-configured",
    ]);
  });
});
