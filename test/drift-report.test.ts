import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { driftItems, main, report } from "../tools/drift-report";
import { captureOutput } from "./support/output";

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
        "Fix: review who changed it; re-run deploy.yml to put the program's state back (its `pulumi up --refresh` reads the live systems first; a plain `pulumi up` compares with state and leaves a hand change as it is), or change the program to match.",
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
    expect(result.text).toContain(
      "  update   tickets-application (gate tickets): serviceAuth401Redirect",
    );
  });

  it("names the gate of every gate's Access objects, under the old and the new component type", () => {
    const access = (component: string, type: string, name: string) =>
      `urn:pulumi:prod::console-wiring::console-wiring:cloudflare:${component}$cloudflare:index/${type}::${name}`;
    const items = driftItems({
      steps: [
        {
          op: "update",
          urn: access(
            "AccessGate",
            "zeroTrustAccessPolicy:ZeroTrustAccessPolicy",
            "metrics-policy",
          ),
        },
        {
          op: "replace",
          urn: access(
            "AccessGate",
            "zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken",
            "metrics-service-token-g2",
          ),
        },
        {
          op: "update",
          urn: access(
            "TicketsAccess",
            "zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken",
            "tickets-service-token",
          ),
        },
        // Not a gate's: a Heroku resource named like one.
        { op: "update", urn: urn("heroku:ConfigVars", "metrics-policy") },
      ],
    });
    expect(items.map((i) => [i.resource, i.gate])).toEqual([
      ["metrics-policy", "metrics"],
      ["metrics-service-token-g2", "metrics"],
      ["tickets-service-token", "tickets"],
      ["metrics-policy", undefined],
    ]);
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

describe("npm run drift-report", () => {
  const dir = mkdtempSync(join(tmpdir(), "console-wiring-drift-"));
  const write = (name: string, body: string) => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };

  it("exits 1 on drift and appends the report to the job summary", async () => {
    const summary = write("summary.md", "");
    const preview = write(
      "drift.json",
      JSON.stringify({
        steps: [
          {
            op: "update",
            urn: urn(HEROKU, "console-prerequisites"),
            oldState: { outputs: { driftedKeys: ["FREESCOUT_API_URL"] } },
          },
        ],
      }),
    );
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    process.env["GITHUB_STEP_SUMMARY"] = summary;
    try {
      expect(await main([preview])).toBe(1);
    } finally {
      delete process.env["GITHUB_STEP_SUMMARY"];
      out.mockRestore();
    }
    expect(readFileSync(summary, "utf8")).toContain(
      "update   console-prerequisites: vars.FREESCOUT_API_URL (changed or removed by hand)",
    );
  });

  it("exits 0 when nothing drifted", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(await main([write("clean.json", JSON.stringify({ steps: [{ op: "same" }] }))])).toBe(
        0,
      );
    } finally {
      out.mockRestore();
    }
  });

  it("exits 2 when the file is not preview JSON", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main([write("bad.json", "Previewing update (prod)")])).toBe(2);
      expect(err).toHaveBeenCalledWith(expect.stringContaining("bad.json is not valid JSON"));
    } finally {
      err.mockRestore();
    }
  });
});

describe("a preview that failed without saying why in its JSON", () => {
  it("is not reported as no drift: policy violations are not in --json output", () => {
    expect(report({ steps: [{ op: "same" }] }, 255)).toEqual({
      exitCode: 1,
      text:
        "console-wiring drift: unknown: pulumi preview failed (exit 255) and its JSON shows no change and no error. " +
        "With --json the engine leaves out policy violations: read the preview's log for the policy or error that stopped it.",
    });
  });

  it("still reports none when the preview succeeded", () => {
    expect(report({ steps: [{ op: "same" }] }, 0).exitCode).toBe(0);
  });

  it("takes the exit code from the command line and refuses a malformed one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drift-exit-"));
    const file = join(dir, "preview.json");
    writeFileSync(file, JSON.stringify({ steps: [{ op: "same" }] }));
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main([file, "--preview-exit-code", "255"])).toBe(1);
      expect(await main([file, "--preview-exit-code", "0"])).toBe(0);
      expect(await main([file, "--preview-exit-code", "x"])).toBe(2);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});

describe("hostile or malformed preview JSON", () => {
  async function run(
    content: string,
    summaryFile?: string,
  ): Promise<{ code: number; out: string; err: string }> {
    const dir = mkdtempSync(join(tmpdir(), "drift-hostile-"));
    const file = join(dir, "preview.json");
    writeFileSync(file, content);
    if (summaryFile) process.env["GITHUB_STEP_SUMMARY"] = summaryFile;
    try {
      const { result: code, out, err } = await captureOutput(() => main([file]));
      return { code, out, err };
    } finally {
      delete process.env["GITHUB_STEP_SUMMARY"];
    }
  }

  it.each([
    ["null", "null", "the document must be an object"],
    ["a top-level array", "[]", "the document must be an object"],
    ["steps that are not an array", '{"steps": {"op": "update"}}', ".steps must be an array"],
    ["a numeric op", '{"steps": [{"op": 3}]}', ".steps[0].op must be a string"],
    ["a step that is not an object", '{"steps": [null]}', ".steps[0] must be an object"],
    ["no steps and no diagnostics", "{}", "it has neither steps nor diagnostics"],
  ])("exits 2 on %s, saying what is wrong", async (_name, content, why) => {
    const r = await run(content);
    expect(r.code).toBe(2);
    expect(r.err).toContain(why);
    expect(r.out).toBe("");
  });

  it("quotes none of a file that is not JSON (a token file, say)", async () => {
    const r = await run(["hvs", "SENTINELTOKENVALUE0123456789"].join("."));
    expect(r.code).toBe(2);
    expect(r.err).toContain("is not valid JSON");
    expect(r.err).not.toContain("SENTINEL");
  });

  it("neutralizes workflow commands, ANSI codes and fence-closing backticks from what the preview reports", async () => {
    const summary = join(mkdtempSync(join(tmpdir(), "drift-summary-")), "summary.md");
    const evil = "x\n::warning::pwned\n```\n# heading \u001b[31mred";
    const r = await run(
      JSON.stringify({
        steps: [{ op: "update", urn: "urn:pulumi:prod::p::t::r", diffReasons: [evil] }],
      }),
      summary,
    );
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(/^::warning::/m);
    expect(r.out).not.toContain("\u001b");
    const text = readFileSync(summary, "utf8");
    expect(text).not.toMatch(/^::warning::/m);
    expect(text).not.toContain("\u001b");
    // The fence is longer than any run of backticks inside it.
    const fence = /^(`{3,})text$/m.exec(text)?.[1] ?? "";
    expect(fence.length).toBeGreaterThan(3);
    expect(text.trimEnd().endsWith(fence)).toBe(true);
  });

  it("caps the report: 200k drifted steps print a bounded summary", async () => {
    const summary = join(mkdtempSync(join(tmpdir(), "drift-summary-")), "summary.md");
    const steps = Array.from({ length: 200_000 }, (_, i) => ({
      op: "update",
      urn: `urn:pulumi:prod::p::t::r${i}`,
    }));
    const r = await run(JSON.stringify({ steps }), summary);
    expect(r.code).toBe(1);
    expect(r.out).toContain("… and 199800 more resources");
    expect(Buffer.byteLength(readFileSync(summary, "utf8"))).toBeLessThan(300 * 1024);
  });
});
