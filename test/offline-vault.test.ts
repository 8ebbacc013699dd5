import { describe, expect, it } from "vitest";
import { placeholderVault } from "../tools/offline/run-program";
import { withFixtures } from "./support/gate-graph";

// The offline check's assumed Vault contents (`assume-present`): only the selected features'
// fields, and each selected gate's token fields at that gate's own Vault path (issue 24, 4).
const all = withFixtures();
const config = (features: Record<string, boolean>, gates?: Record<string, object>) => ({
  "console-wiring:vaultMount": "M",
  "console-wiring:features": JSON.stringify(features),
  ...(gates ? { "console-wiring:gates": JSON.stringify(gates) } : {}),
});

describe("placeholderVault", () => {
  it("fakes nothing of a feature the stack does not select", () => {
    expect(Object.keys(placeholderVault(config({ "audit-export": true }), all))).toEqual([
      "M/audit",
    ]);
    expect(placeholderVault(config({ investigate: false, "audit-export": false }), all)).toEqual(
      {},
    );
  });

  it("fakes each selected gate's token fields at its own Vault path", () => {
    const vault = placeholderVault(
      config(
        { investigate: true, metrics: true },
        {
          tickets: { host: "tickets.raxx.app", vaultPath: "cloudflare" },
          metrics: { vaultPath: "access/metrics" },
        },
      ),
      all,
    );
    expect(Object.keys(vault["M/cloudflare"]!).sort()).toEqual([
      "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
      "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
    ]);
    expect(Object.keys(vault["M/access/metrics"]!).sort()).toEqual([
      "CF_ACCESS_SVC_METRICS_CLIENT_ID",
      "CF_ACCESS_SVC_METRICS_CLIENT_SECRET",
    ]);
    expect(Object.keys(vault["M/freescout"]!).sort()).toEqual([
      "FREESCOUT_API_KEY",
      "FREESCOUT_OPERATIONS_MAILBOX_ID",
    ]);
  });

  it("fakes no token fields for a gate whose Vault path is not set (the config check says so)", () => {
    const vault = placeholderVault(config({ metrics: true }, { metrics: { host: "m" } }), all);
    expect(vault).toEqual({});
    expect(
      placeholderVault({ ...config({ metrics: true }), "console-wiring:gates": "[" }, all),
    ).toEqual({});
  });
});
