import { describe, expect, it } from "vitest";
import {
  gateExpiryLinks,
  gatesToProbe,
  GatesOutputError,
  parseGatesOutput,
  runGateProbes,
} from "../tools/smoke/gates";
import { fixture } from "./support/gate-graph";
import { FakeTickets } from "./support/fake-tickets";
import { investigate } from "./support/investigate";

// The smoke check's gate probes for every gate a stack uses (tools/smoke/gates.ts), with the
// second gated fixture (test/fixtures/features/metrics.json) next to Investigate.
const NOW = Date.parse("2026-12-01T00:00:00Z");
const metrics = fixture("metrics");
const tickets = investigate().gate!;
const metricsGate = metrics.gate!;

describe("which gates get their own chain", () => {
  it("probes a gate no feature's file probes, and not twice one that is", () => {
    const unprobed = { ...metrics, smoke: [] };
    expect(gatesToProbe([investigate(), unprobed]).map((g) => g.id)).toEqual(["metrics"]);
    expect(gatesToProbe([investigate(), metrics])).toEqual([]);
    expect(gatesToProbe([{ ...investigate(), smoke: [] }]).map((g) => g.id)).toEqual(["tickets"]);
  });
});

describe("each gate's token expiry", () => {
  it("checks every gate's token from the gates output, each named by its gate", () => {
    const links = gateExpiryLinks(
      [tickets, metricsGate],
      {
        tickets: { serviceTokenExpiresAt: "2027-06-01T00:00:00Z" },
        metrics: {
          serviceTokenExpiresAt: "2026-12-11T00:00:00Z",
          serviceTokenExpiryWarningDays: 5,
        },
      },
      { metrics: { token: { generation: 2, duration: "8760h" } } },
      { now: NOW },
    );
    expect(links.map((l) => [l.link, l.status])).toEqual([
      ["tickets gate: service token not expiring", "pass"],
      ["metrics gate: service token not expiring", "pass"],
    ]);
    const soon = gateExpiryLinks(
      [tickets, metricsGate],
      { metrics: { serviceTokenExpiresAt: "2026-12-11T00:00:00Z" } },
      { metrics: { token: { generation: 2, duration: "8760h" } } },
      { now: NOW, tokenExpiresAt: "2026-12-02T00:00:00Z" },
    );
    // The one-gate --token-expires-at is not taken for a stack with two gates.
    expect(soon[0]).toMatchObject({ status: "skip" });
    expect(soon[0]!.detail).toContain("pulumi stack output gates --json");
    expect(soon[1]).toMatchObject({ status: "fail" });
    expect(soon[1]!.detail).toContain(
      "pulumi config set --path 'gates.metrics.serviceTokenGeneration' 3",
    );
  });

  it("keeps the one-gate link name and --token-expires-at on a stack with one gate", () => {
    const [link] = gateExpiryLinks(
      [tickets],
      undefined,
      {},
      {
        now: NOW,
        tokenExpiresAt: "2026-12-02T00:00:00Z",
      },
    );
    expect(link).toMatchObject({ link: "service token not expiring", status: "fail" });
  });

  it("has no link for a stack without a gate", () => {
    expect(gateExpiryLinks([], undefined, {}, { now: NOW })).toEqual([]);
  });
});

describe("the gates output", () => {
  it("takes pulumi stack output gates --json, and refuses anything else without echoing it", () => {
    expect(
      parseGatesOutput('{"metrics":{"serviceTokenExpiresAt":"2027-01-01T00:00:00Z"}}', "--gates"),
    ).toEqual({ metrics: { serviceTokenExpiresAt: "2027-01-01T00:00:00Z" } });
    expect(() => parseGatesOutput("nope", "--gates")).toThrow(GatesOutputError);
    expect(() => parseGatesOutput("[]", "--gates")).toThrow(/object keyed by gate id/);
    expect(() =>
      parseGatesOutput('{"metrics":{"serviceTokenExpiresAt":"s3cr3t"}}', "CONSOLE_WIRING_GATES"),
    ).toThrow(/^CONSOLE_WIRING_GATES: metrics.serviceTokenExpiresAt must be an RFC 3339 time/);
    expect(() =>
      parseGatesOutput('{"metrics":{"serviceTokenExpiresAt":"s3cr3t"}}', "--gates"),
    ).not.toThrow(/s3cr3t/);
  });
});

describe("a gate's own chain", () => {
  const creds = { clientId: "m-id.access", clientSecret: "m-secret" };
  async function probe(gate: "401" | "redirect" | "off") {
    const access = new FakeTickets({ gate, ...creds, apiKey: "k", mailboxes: [1] });
    const base = await access.start();
    try {
      return await runGateProbes(metricsGate, [metrics], {
        vars: {
          METRICS_API_URL: base,
          CF_ACCESS_SVC_METRICS_CLIENT_ID: creds.clientId,
          CF_ACCESS_SVC_METRICS_CLIENT_SECRET: creds.clientSecret,
        },
        settings: undefined,
        http: { timeoutMs: 5000 },
        allowLoopback: true,
      });
    } finally {
      await access.stop();
    }
  }

  it("fails on a login redirect (401 wanted), and skips the admission", async () => {
    const links = await probe("redirect");
    expect(links[0]).toMatchObject({ link: "metrics gate refuses without token", status: "fail" });
    expect(links[0]!.detail).toContain("Set serviceAuth401Redirect");
    expect(links[1]).toMatchObject({ status: "skip" });
  });

  it("fails when the gate's path is not behind Access", async () => {
    const [first] = await probe("off");
    expect(first!.status).toBe("fail");
    expect(first!.detail).toContain("console-wiring:gates.metrics.host + /api");
  });

  it("refuses a URL off the gate's hosts before sending the token", async () => {
    const links = await runGateProbes(metricsGate, [metrics], {
      vars: { METRICS_API_URL: "https://evil.example" },
      settings: { allowedHosts: ["metrics.raxx.app"] },
      http: { timeoutMs: 5000 },
      allowLoopback: false,
    });
    expect(links[0]!.detail).toBe(
      "METRICS_API_URL on the app must point at metrics.raxx.app (it points at evil.example): another host would receive the FreeScout API key and the service-token secret: refused (value not shown)",
    );
  });
});
