import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultFeaturesDir, loadFeatureCatalog } from "../infra/features/catalog";
import type { CheckDocument } from "../tools/comment/document";
import { runCheck } from "../tools/check";

// Issue 24, "What was seen" 5: a stack with no Access object reported PASS for the four gate
// policies, a pass that checked nothing. They report N/A, as service-token-expiry does.
const GATE_POLICIES = [
  "flags-applied-after-access-gate",
  "gated-api-requires-service-token",
  "service-auth-returns-401",
  "api-url-on-gated-host",
];
/** The reason each gate policy gives (service-auth-returns-401 looks at applications only). */
const REASONS: Record<string, string> = {
  "service-auth-returns-401": "no Access application in this stack",
};
const REASON = "no Access gate in this stack: no Access application, no gate URL var";

async function policiesOf(overrides: Record<string, string | undefined>) {
  const result = await runCheck({
    stack: "prod",
    format: "json",
    features: loadFeatureCatalog([defaultFeaturesDir(), join(__dirname, "fixtures", "features")]),
    configOverrides: overrides,
  });
  return { exitCode: result.exitCode, ...(JSON.parse(result.output) as CheckDocument).policies };
}

describe("the gate policies on a stack without an Access application", () => {
  it("report N/A with the reason, not PASS", async () => {
    const p = await policiesOf({
      "console-wiring:features": JSON.stringify({ "audit-export": true }),
      "console-wiring:flags": JSON.stringify({ FLAG_CONSOLE_AUDIT_EXPORT: true }),
      "console-wiring:auditExportBucket": "raxx-audit",
      // Prod's gate settings: a stack whose features use no gate has none.
      "console-wiring:gates": undefined,
    });
    expect(p.exitCode).toBe(0);
    for (const policy of GATE_POLICIES) {
      expect(p.passed).not.toContain(policy);
      expect(p.notApplicable).toContainEqual({ policy, reason: REASONS[policy] ?? REASON });
    }
  }, 60_000);

  it("run (and pass) on prod, which has one", async () => {
    const p = await policiesOf({});
    expect(p.exitCode).toBe(0);
    for (const policy of GATE_POLICIES) expect(p.passed).toContain(policy);
  }, 60_000);
});
