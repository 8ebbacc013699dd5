import { describe, expect, it } from "vitest";
import { parseConfig } from "../infra/config";
import { gateProblems, resolveAvailability } from "../infra/features/gate";
import { allRequiredVars, FEATURES, type Feature } from "../infra/features/manifest";
import { loadStackFiles, projectConfig } from "../tools/stack-files";

const config = parseConfig(projectConfig(loadStackFiles("prod")));
const FULL = { FREESCOUT_API_KEY: "k", FREESCOUT_OPERATIONS_MAILBOX_ID: "7" };

describe("the feature manifest", () => {
  it("lists Investigate's flags and every var the incident found missing", () => {
    const investigate = FEATURES.find((f) => f.id === "investigate");
    expect(investigate?.flags).toEqual([
      "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS",
      "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET",
    ]);
    expect(investigate?.requires.map((v) => v.name).sort()).toEqual([
      "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
      "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
      "CONSOLE_FEATURE_PREREQUISITES",
      "FREESCOUT_API_KEY",
      "FREESCOUT_API_URL",
      "FREESCOUT_INSTANCE_URL",
      "FREESCOUT_OPERATIONS_MAILBOX_ID",
    ]);
  });

  it("marks every credential as secret", () => {
    for (const v of allRequiredVars()) {
      if (/_(KEY|SECRET|TOKEN|PASSWORD)$/.test(v.name)) expect(v.secret, v.name).toBe(true);
    }
  });
});

describe("the gate", () => {
  it("passes when every prerequisite resolves", () => {
    const availability = resolveAvailability(allRequiredVars(), config, {
      freescout: { ok: true, data: FULL },
    });
    expect(gateProblems(FEATURES, config.flags, availability)).toEqual([]);
  });

  it("ignores missing prerequisites of a feature whose flags are off", () => {
    const availability = resolveAvailability(allRequiredVars(), config, {
      freescout: { ok: true, data: {} },
    });
    expect(
      gateProblems(FEATURES, { FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: false }, availability),
    ).toEqual([]);
  });

  it("is a data change to add a feature: a second feature's missing var is reported under it", () => {
    const second: Feature = {
      id: "linked-mailbox",
      description: "test feature",
      flags: ["FLAG_SECOND"],
      requires: [
        {
          name: "SECOND_TOKEN",
          secret: true,
          source: { kind: "vault", secret: "freescout", field: "SECOND_TOKEN" },
          purpose: "test",
        },
      ],
    };
    const features = [...FEATURES, second];
    const availability = resolveAvailability(allRequiredVars(features), config, {
      freescout: { ok: true, data: FULL },
    });
    expect(gateProblems(features, { FLAG_SECOND: true }, availability)).toEqual([
      {
        feature: "linked-mailbox",
        flags: ["FLAG_SECOND"],
        variable: "SECOND_TOKEN",
        purpose: "test",
        reason: "field SECOND_TOKEN is absent from Vault secret MooseQuest/freescout",
        fix: "vault kv patch -mount=MooseQuest freescout SECOND_TOKEN=<value>",
      },
    ]);
  });

  it("reports only the flags that are on", () => {
    const availability = resolveAvailability(allRequiredVars(), config, {
      freescout: { ok: true, data: { FREESCOUT_API_KEY: "k" } },
    });
    const problems = gateProblems(
      FEATURES,
      { FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: true },
      availability,
    );
    expect(problems.map((p) => [p.variable, p.flags])).toEqual([
      ["FREESCOUT_OPERATIONS_MAILBOX_ID", ["FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET"]],
    ]);
  });
});
