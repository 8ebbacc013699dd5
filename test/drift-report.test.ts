import { describe, expect, it } from "vitest";
import { report } from "../tools/drift-report";

const HEROKU = "pulumi-nodejs:dynamic/heroku:ConfigVars";
const urn = (type: string, name: string) =>
  `urn:pulumi:prod::console-wiring::console-wiring:heroku:ConsoleConfig$${type}::${name}`;

describe("drift report", () => {
  it("reports no drift when every step is unchanged", () => {
    expect(
      report({
        steps: [{ op: "same", urn: urn(HEROKU, "console-prerequisites") }, { op: "refresh" }],
      }),
    ).toEqual({
      exitCode: 0,
      text: "console-wiring drift: none (the live state matches the program)",
    });
  });

  it("names a Heroku var removed by hand and never prints a value", () => {
    const result = report({
      steps: [
        {
          op: "update",
          urn: urn(HEROKU, "console-prerequisites"),
          diffReasons: ["keys", "vars"],
          oldState: {
            inputs: {
              keys: ["FREESCOUT_API_URL"],
              vars: { FREESCOUT_API_URL: "https://tickets.raxx.app" },
            },
            outputs: { driftedKeys: ["FREESCOUT_API_KEY"], vars: "[secret]" },
          },
          newState: {
            inputs: {
              keys: ["FREESCOUT_API_KEY", "FREESCOUT_API_URL"],
              vars: { FREESCOUT_API_KEY: "sentinel-value" },
            },
          },
        },
      ],
    });
    expect(result.exitCode).toBe(1);
    expect(result.text).toBe(
      [
        "console-wiring drift: 1 resource differ from the program (values not shown)",
        "  update   console-prerequisites: vars.FREESCOUT_API_KEY (changed or removed by hand), vars.FREESCOUT_API_KEY (missing on the app)",
        "Fix: review who changed it; `pulumi up` restores the program's state, or change the program to match.",
      ].join("\n"),
    );
    expect(result.text).not.toMatch(/sentinel|https:/);
  });

  it("lists property paths for other resources", () => {
    const result = report({
      steps: [
        {
          op: "update",
          urn: "urn:pulumi:prod::console-wiring::console-wiring:cloudflare:TicketsAccess$cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication::tickets-application",
          detailedDiff: { serviceAuth401Redirect: { kind: "update" } },
        },
      ],
    });
    expect(result.text).toContain("  update   tickets-application: serviceAuth401Redirect");
  });

  it("fails on a preview error, keeping only its first line", () => {
    const result = report({
      diagnostics: [
        { severity: "error", message: "no changes were expected but changes were proposed\nmore" },
      ],
    });
    expect(result).toEqual({
      exitCode: 1,
      text: "preview error: no changes were expected but changes were proposed",
    });
  });
});
