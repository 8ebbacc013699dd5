import { describe, expect, it } from "vitest";
import { checklist, main, renderMarkdown, renderText } from "../tools/manifest";
import { captureOutput } from "./support/output";
import { investigate as investigateFeature } from "./support/investigate";

// The deployment checklist: every prerequisite with its source, secret-ness and purpose, and every
// detection rule, straight from the manifest.
describe("npm run manifest", () => {
  const entries = checklist([investigateFeature()]);

  it("lists every prerequisite of Investigate with where it comes from and whether it is secret", () => {
    const investigate = entries.find((e) => e.feature === "investigate")!;
    expect(investigate.flags).toEqual(investigateFeature().flags);
    expect(investigate.prerequisites.map((p) => [p.name, p.secret])).toEqual([
      ["FREESCOUT_API_URL", false],
      ["FREESCOUT_INSTANCE_URL", false],
      ["FREESCOUT_API_KEY", true],
      ["FREESCOUT_OPERATIONS_MAILBOX_ID", true],
      ["CF_ACCESS_SVC_TICKETS_CLIENT_ID", true],
      ["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET", true],
      ["CONSOLE_FEATURE_PREREQUISITES", false],
    ]);
    expect(investigate.prerequisites[2]?.source).toBe(
      "Vault KV v2 secret freescout under console-wiring:vaultMount, field FREESCOUT_API_KEY",
    );
    expect(investigate.detection).toEqual([
      {
        id: "freescout-not-configured",
        summary:
          "the console logs freescout_not_configured (Investigate is on but FreeScout is not reachable as configured)",
        rule: 'Sentry issue alert: more than 2 events of one issue in 15 minutes from logger freescout_client whose message contains "freescout_not_configured"; email the ops team, at most every 10 minutes (stack config sentryOrganization, sentryProject, sentryOpsTeamId)',
      },
    ]);
  });

  it("names each feature's gate with what the stack sets for it, and none for an ungated one", () => {
    const investigate = entries.find((e) => e.feature === "investigate")!;
    expect(investigate.gate).toMatchObject({
      id: "tickets",
      guards: "console-wiring:gates.tickets.host + /api",
      urlVars: ["FREESCOUT_API_URL"],
      clientIdVar: "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
      clientSecretVar: "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
    });
    expect(renderText(entries)).toContain(
      "    [ ] console-wiring:gates.tickets.host (the gated host; its URL vars point at it)",
    );
    expect(renderMarkdown(entries)).toContain("Gate `tickets`:");
    const { gate: _gate, ...ungated } = investigateFeature();
    expect(checklist([ungated])[0]).not.toHaveProperty("gate");
  });

  it("renders text and Markdown checklists with a box per item", () => {
    const text = renderText(entries);
    // 7 prerequisites, 1 detection rule, and the gate's 2 settings (host, vaultPath).
    expect(text.match(/\[ \]/g)).toHaveLength(10);
    const md = renderMarkdown(entries);
    expect(md).toContain("| [ ] | `FREESCOUT_API_KEY` | yes | sent as X-FreeScout-API-Key |");
    expect(md).toContain("- [ ] `freescout-not-configured`:");
  });

  it("prints JSON, and refuses an unknown format as bad usage", async () => {
    const json = await captureOutput(() => main(["--format", "json"]));
    expect(json.result).toBe(0);
    expect(JSON.parse(json.out)).toEqual(checklist());
    expect((await captureOutput(() => main(["--format", "xml"]))).result).toBe(2);
  });

  it("with --stack, lists only the features that stack selects; a missing stack is bad usage", async () => {
    const listed = await captureOutput(() => main(["--stack", "prod", "--format", "json"]));
    expect(listed.result).toBe(0);
    expect(JSON.parse(listed.out)).toEqual(entries);
    const missing = await captureOutput(() => main(["--stack", "never-a-stack-19"]));
    expect(missing.result).toBe(2);
    expect(missing.err).toContain("Pulumi.never-a-stack-19.yaml");
  });
});
