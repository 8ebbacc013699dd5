import { describe, expect, it } from "vitest";
import { runCheck } from "../tools/check";
import flagsBeforeAccessGate from "./fixtures/incidents/flags-before-access-gate";
import flagsNotAfterPrerequisites from "./fixtures/incidents/flags-not-after-prerequisites";
import flagsWithoutAlert from "./fixtures/incidents/flags-without-alert";
import flagsWithoutVars from "./fixtures/incidents/flags-without-vars";
import gatedApiWithoutTokenVars from "./fixtures/incidents/gated-api-without-token-vars";
import httpUrl from "./fixtures/incidents/http-url";
import plainTextSecret from "./fixtures/incidents/plain-text-secret";
import tokenNotInPolicy from "./fixtures/incidents/token-not-in-policy";

// Each state the 2026-06-19 incident reached (or nearly did) replayed through `npm run check`:
// it must fail with exit code 1 and a message naming the var, caught by the gate, the config
// validation or a named policy (a plain-text secret is wrapped by the pack's remediation: a pass
// with a note, as under the engine). The prod stack passes clean.

const VAULT = {
  "MooseQuest/freescout": { FREESCOUT_API_KEY: "k", FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
  "MooseQuest/cloudflare": {
    CF_ACCESS_SVC_TICKETS_CLIENT_ID: "a",
    CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "b",
  },
};

const failLines = (output: string) => output.split("\n").filter((l) => l.startsWith("  FAIL  "));

describe("incident replay through npm run check", () => {
  it("the prod stack passes clean", async () => {
    const result = await runCheck({ stack: "prod", format: "text" });
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/^Result: PASS \(0 mandatory violations, 0 advisories\)$/m);
  });

  it("flags on with the five vars never set (stack config + Vault): the gate names each", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: {
        "MooseQuest/freescout": { FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
        "MooseQuest/cloudflare": {},
      },
      configOverrides: {
        "console-wiring:freescoutApiUrl": undefined,
        "console-wiring:freescoutInstanceUrl": undefined,
      },
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("The program stopped before registering its resources:");
    for (const v of ["FREESCOUT_API_URL", "FREESCOUT_INSTANCE_URL", "FREESCOUT_API_KEY"]) {
      expect(result.output).toMatch(new RegExp(`^ {4}- ${v} \\(`, "m"));
    }
    expect(result.output).toMatch(
      /^Result: FAIL \(the program stopped; nothing would be applied\)$/m,
    );
  });

  it("flags on with the five vars never set (the pre-incident program): flags-require-prerequisites names each", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: VAULT,
      program: flagsWithoutVars,
    });
    expect(result.exitCode).toBe(1);
    const at = result.output.indexOf(
      "  FAIL  flags-require-prerequisites (mandatory) on console-flags:",
    );
    expect(at).toBeGreaterThan(0);
    const line = result.output.slice(at).split("\n  FAIL")[0]!;
    for (const v of [
      "FREESCOUT_API_URL",
      "FREESCOUT_API_KEY",
      "FREESCOUT_INSTANCE_URL",
      "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
      "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
      "FREESCOUT_OPERATIONS_MAILBOX_ID",
    ]) {
      expect(line).toContain(`- ${v} is not set on the app`);
    }
  });

  it("flags on with every var set but no alert (nothing would notice): flags-require-detection", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: VAULT,
      program: flagsWithoutAlert,
    });
    expect(result.exitCode).toBe(1);
    expect(failLines(result.output)).toEqual([
      '  FAIL  flags-require-detection (mandatory) on console-flags: console-flags turns on FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET on Heroku app raxx-console-prod, but no Sentry issue alert implements detection rule freescout-not-configured (freescout_client logs "freescout_not_configured" more than 2 times in 15 minutes, email the ops team). Set sentryOrganization, sentryProject and sentryOpsTeamId in stack config: the program creates it.',
    ]);
  });

  it("flags on without the Sentry settings (stack config): the gate names the keys", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: VAULT,
      configOverrides: {
        "console-wiring:sentryOrganization": undefined,
        "console-wiring:sentryOpsTeamId": undefined,
      },
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      "  - Sentry alert freescout-not-configured (notices in production when the console logs freescout_not_configured (Investigate is on but FreeScout is not reachable as configured)): " +
        "stack config console-wiring:sentryOrganization, console-wiring:sentryOpsTeamId are not set. " +
        "Provide it: pulumi config set sentryOrganization <org-slug>; pulumi config set sentryOpsTeamId <ops-team-id> (and a Sentry auth token as SENTRY_TOKEN in the environment of pulumi up)",
    );
  });

  it("vars present but no service-token vars while the API path is gated: gated-api-requires-service-token", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: VAULT,
      program: gatedApiWithoutTokenVars,
    });
    expect(result.exitCode).toBe(1);
    expect(failLines(result.output)).toContainEqual(
      expect.stringMatching(
        /^ {2}FAIL {2}gated-api-requires-service-token \(mandatory\) on console-prerequisites: .*CF_ACCESS_SVC_TICKETS_CLIENT_ID and CF_ACCESS_SVC_TICKETS_CLIENT_SECRET are not set/,
      ),
    );
  });

  it("the token vars present but the token not in the app's policy: gated-api-requires-service-token", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: VAULT,
      program: tokenNotInPolicy,
    });
    expect(result.exitCode).toBe(1);
    expect(failLines(result.output)).toContainEqual(
      expect.stringContaining(
        "gated-api-requires-service-token (mandatory) on console-prerequisites: Heroku app raxx-console-prod: CF_ACCESS_SVC_TICKETS_CLIENT_ID does not come from a service token that Access application tickets-application admits (admitted: tickets-service-token; CF_ACCESS_SVC_TICKETS_CLIENT_ID comes from: stray-token)",
      ),
    );
  });

  it("flags that do not wait for the Access application and policy: flags-applied-after-access-gate", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: VAULT,
      program: flagsBeforeAccessGate,
    });
    expect(result.exitCode).toBe(1);
    expect(failLines(result.output)).toEqual([
      "  FAIL  flags-applied-after-access-gate (mandatory) on console-flags: console-flags turns on FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET on Heroku app raxx-console-prod but does not depend on tickets-application, tickets-policy, " +
        "the Access gate tickets in front of FREESCOUT_API_URL (https://tickets.raxx.app): the flags could be on before Access admits the app's service token, and every call would be refused. " +
        "Add { dependsOn: [tickets-application, tickets-policy] } to console-flags (see infra/program.ts).",
    ]);
  });

  it("flags without the dependency on prerequisites: flags-applied-after-prerequisites", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: VAULT,
      program: flagsNotAfterPrerequisites,
    });
    expect(result.exitCode).toBe(1);
    expect(failLines(result.output)).toEqual([
      expect.stringContaining(
        "flags-applied-after-prerequisites (mandatory) on console-flags: console-flags sets FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET on Heroku app raxx-console-prod but does not depend on console-prerequisites, which sets FREESCOUT_API_URL",
      ),
    ]);
  });

  // The engine applies the remediation before the step and records no violation: the value
  // reaches state and the display as a secret. The check gives the same verdict, a pass with a
  // note that names the var and the fix (the e2e parity suite compares both sides).
  it("a secret var written as plain text: secrets-stay-secret wraps it, a pass with a note", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: VAULT,
      program: plainTextSecret,
    });
    expect(result.exitCode).toBe(0);
    expect(failLines(result.output)).toEqual([]);
    expect(result.output.split("\n").filter((l) => l.startsWith("  NOTE  "))).toEqual([
      "  NOTE  secrets-stay-secret (remediate) on console-prerequisites: console-prerequisites sends vars.FREESCOUT_API_KEY in plain text; the pack's remediation wraps it as a secret before anything is stored (only when the pack runs): fix the program, pass the value through pulumi.secret().",
    ]);
    expect(result.output).toMatch(
      /^Result: PASS \(0 mandatory violations, 0 advisories, 1 remediation applied\)$/m,
    );
    expect(result.output).not.toContain("replay-plain-api-key");
  });

  it("an http:// URL in stack config: the config validation names the var", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: VAULT,
      configOverrides: { "console-wiring:freescoutApiUrl": "http://tickets.raxx.app" },
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      "  - console-wiring:freescoutApiUrl (FREESCOUT_API_URL on the app, feature investigate) must use https:// (it uses http://).",
    );
  });

  it("an http:// URL written by the program: urls-are-https", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: VAULT,
      program: httpUrl,
    });
    expect(result.exitCode).toBe(1);
    expect(failLines(result.output)).toEqual([
      "  FAIL  urls-are-https (mandatory) on console-prerequisites: FREESCOUT_API_URL on console-prerequisites must use https:// (it uses http://).",
    ]);
  });
});
