import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { syntheticProgram } from "../tools/bench/synthetic-program";
import { parseCli, runCheck } from "../tools/check";
import type { CheckDocument } from "../tools/comment/document";
import { MARKDOWN_LIMIT } from "../tools/offline/plan";

const root = resolve(__dirname, "..");
// A made-up key in Heroku's format, assembled here so the repository holds no key-shaped string.
const FAKE_KEY = ["HRKU", "abcdefghijklmnopqrstuv"].join("-");
const scratch = mkdtempSync(join(tmpdir(), "console-wiring-check-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("npm run check: arguments and exit codes", () => {
  it("defaults to the prod stack in text", () => {
    expect(parseCli([])).toEqual({ stack: "prod", format: "text", vault: undefined });
  });

  it("rejects an unknown format as bad usage", () => {
    expect(parseCli(["--format", "xml"])).toEqual({
      usageError: '--format must be text, markdown, json or mermaid, not "xml"',
    });
  });

  it("rejects an unknown option as bad usage", () => {
    const result = parseCli(["--stak", "prod"]);
    expect("usageError" in result && result.usageError).toContain("Unknown option '--stak'");
  });

  it("exits 2 when the stack file does not exist", async () => {
    const result = await runCheck({ stack: "never-a-stack-19", format: "text" });
    expect(result).toEqual({
      exitCode: 2,
      output: `console-wiring check: cannot read ${root}/Pulumi.never-a-stack-19.yaml`,
    });
  });

  it("exits 2 on an unreadable stack file", async () => {
    copyFileSync(join(root, "Pulumi.yaml"), join(scratch, "Pulumi.yaml"));
    writeFileSync(
      join(scratch, "Pulumi.bad.yaml"),
      "config:\n  console-wiring:herokuApp: [unclosed\n",
    );
    const result = await runCheck({ stack: "bad", format: "text", cwd: scratch });
    expect(result.exitCode).toBe(2);
    expect(result.output).toMatch(/^console-wiring check: .*Pulumi\.bad\.yaml is not valid YAML/);
  });

  it("exits 1 on a stack file holding a secret, naming the line but not the value", async () => {
    copyFileSync(join(root, "Pulumi.yaml"), join(scratch, "Pulumi.yaml"));
    writeFileSync(
      join(scratch, "Pulumi.leaky.yaml"),
      `config:\n  console-wiring:herokuApp: raxx-console-prod\n  console-wiring:herokuApiKey: ${FAKE_KEY}\n`,
    );
    const result = await runCheck({ stack: "leaky", format: "text", cwd: scratch });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("  - Pulumi.leaky.yaml:3: a Heroku API key (HRKU-...)");
    expect(result.output).not.toContain(FAKE_KEY);
  });

  it("exits 0 on the prod stack and attempts no network connection", async () => {
    const connect = vi.spyOn(net.Socket.prototype, "connect");
    const result = await runCheck({ stack: "prod", format: "text" });
    expect(result.exitCode).toBe(0);
    expect(connect).not.toHaveBeenCalled();
    connect.mockRestore();
  });
});

describe("the plan", () => {
  it("shows resources, edges, keys and verdicts, never a value", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "text",
      vault: {
        "MooseQuest/freescout": {
          FREESCOUT_API_KEY: "sentinel-key-value",
          FREESCOUT_OPERATIONS_MAILBOX_ID: "sentinel-mailbox",
        },
        "MooseQuest/cloudflare": {
          CF_ACCESS_SVC_TICKETS_CLIENT_ID: "sentinel-id",
          CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "sentinel-secret",
        },
      },
    });
    expect(result.output).toContain("  tickets-service-token -> vault-cloudflare  (dataJson)");
    expect(result.output).toContain("  vault-cloudflare -> console-tickets-prerequisites  (vars)");
    expect(result.output).toContain(
      "  console-prerequisites -> console-investigate-flags  (dependsOn)",
    );
    expect(result.output).toContain(
      "  flags on: FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET",
    );
    expect(result.output).toContain("FREESCOUT_API_KEY [secret]");
    expect(result.output).not.toMatch(/sentinel|mock-client-secret|https:\/\/tickets\.raxx\.app/);
  });

  it("as Markdown stays under GitHub's comment limit for 500 broken apps", async () => {
    const result = await runCheck({
      stack: "prod",
      format: "markdown",
      program: syntheticProgram(500, true),
    });
    expect(result.exitCode).toBe(1);
    expect(result.output.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(result.output).toMatch(/^### console-wiring check: `prod` fails$/m);
    expect(result.output).toContain(
      "| flags-require-prerequisites | ❌ mandatory on `app0-investigate-flags`:",
    );
    // The table is bounded by its share of the comment, and counts what it left out.
    const more = /^\| … \| and (\d+) more verdicts \|$/m.exec(result.output);
    const rows = result.output.split("\n").filter((l) => /^\| [\w-]+ \| (❌|⚠️|✅|➖)/.test(l));
    const json = await runCheck({
      stack: "prod",
      format: "json",
      program: syntheticProgram(500, true),
    });
    const { policies } = JSON.parse(json.output) as CheckDocument;
    const verdicts =
      policies.violations.length + policies.passed.length + policies.notApplicable.length;
    expect(rows.length).toBeGreaterThan(5);
    expect(Number(more?.[1]) + rows.length).toBe(verdicts);
  }, 60_000);
});

describe("npm run check never shows a value", () => {
  const SENTINELS = {
    apiKey: "sentinel-plan-freescout-key-77",
    mailbox: "918273645",
    clientId: "sentinel-plan-client-id.access",
    clientSecret: "sentinel-plan-client-secret-88",
  };
  const vault = {
    "MooseQuest/freescout": {
      FREESCOUT_API_KEY: SENTINELS.apiKey,
      FREESCOUT_OPERATIONS_MAILBOX_ID: SENTINELS.mailbox,
    },
    "MooseQuest/cloudflare": {
      CF_ACCESS_SVC_TICKETS_CLIENT_ID: SENTINELS.clientId,
      CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: SENTINELS.clientSecret,
    },
  };

  it.each(["text", "markdown", "json"] as const)(
    "in the %s plan, though every key is listed",
    async (format) => {
      const result = await runCheck({ stack: "prod", format, vault });
      expect(result.exitCode).toBe(0);
      expect(result.output).toContain("FREESCOUT_API_KEY");
      expect(result.output).toContain("FREESCOUT_OPERATIONS_MAILBOX_ID");
      for (const s of Object.values(SENTINELS)) expect(result.output).not.toContain(s);
    },
  );
});

describe("bad usage is exit 2 with one line, quoting no file content", () => {
  const file = (name: string, text: string) => {
    const p = join(scratch, name);
    writeFileSync(p, text);
    return p;
  };

  it("refuses an empty --vault-fixture instead of ignoring it", () => {
    expect(parseCli(["--vault-fixture", ""])).toEqual({
      usageError: "--vault-fixture needs a file name",
    });
  });

  it("refuses a fixture of the wrong shape", () => {
    const p = file("shape.json", JSON.stringify({ "MooseQuest/freescout": ["not", "a", "map"] }));
    expect(parseCli(["--vault-fixture", p])).toEqual({
      usageError:
        '--vault-fixture must hold an object of "mount/path" -> { field: "value" } (strings only)',
    });
  });

  it("says a fixture is not JSON without quoting it (a token file, say)", () => {
    // A Vault-token-shaped value, assembled so the repository holds no credential-shaped string.
    const p = file("token.json", ["hvs", "SENTINELTOKENVALUE0123456789"].join("."));
    const result = parseCli(["--vault-fixture", p]);
    expect("usageError" in result && result.usageError).toBe(
      `--vault-fixture ${p} is not valid JSON`,
    );
    expect(JSON.stringify(result)).not.toContain("SENTINEL");
  });
});
