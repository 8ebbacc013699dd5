import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FeatureDataError, loadFeatureCatalog } from "../infra/features/catalog";
import type { Feature } from "../infra/features/manifest";
import type { CheckDocument } from "../tools/comment/document";
import { runCheck } from "../tools/check";
import { main as manifest } from "../tools/manifest";
import { captureOutput } from "./support/output";

// A refused feature file reaches the tools as a FeatureDataError: each prints its problems in
// its own output format and exit code, never a Node stack trace.
const FIXTURE = join(__dirname, "fixtures", "features", "audit-export.json");

/** Loads a catalog holding one feature file with `detection: []`. */
function badCatalog(): readonly Feature[] {
  const f = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;
  f["detection"] = [];
  const dir = mkdtempSync(join(tmpdir(), "features-"));
  writeFileSync(join(dir, "audit-export.json"), JSON.stringify(f));
  return loadFeatureCatalog([dir]);
}

it("the bad catalog is refused (the premise of the tests below)", () => {
  expect(badCatalog).toThrow(FeatureDataError);
});

describe("npm run manifest on a refused feature file", () => {
  it.each([[[]], [["--stack", "prod"]], [["--format", "json"]]])(
    "%j prints the problems, no stack trace, and exits 1",
    async (argv) => {
      const { result, out, err } = await captureOutput(() =>
        manifest(argv, process.cwd(), badCatalog),
      );
      expect(result).toBe(1);
      expect(out).toBe("");
      expect(err).toContain("the feature files have 1 problem; nothing was applied.");
      expect(err).toContain("/detection is empty");
      expect(err).not.toMatch(/^\s+at /m);
    },
  );
});

describe("npm run check on a refused feature file", () => {
  const options = (format: "text" | "json" | "markdown" | "mermaid") => ({
    stack: "prod",
    format,
    // Read when the check asks for the catalog, as catalog() would be.
    get features() {
      return badCatalog();
    },
  });

  it("--format json stays JSON: a failing document whose programError is the problems", async () => {
    const result = await runCheck(options("json"));
    expect(result.exitCode).toBe(1);
    const doc = JSON.parse(result.output) as CheckDocument;
    expect(doc.result).toBe("fail");
    expect(doc.stack).toBe("prod");
    expect(doc.programError).toContain("/detection is empty");
  });

  it("--format markdown and mermaid stay their format and fail", async () => {
    const md = await runCheck(options("markdown"));
    expect(md.exitCode).toBe(1);
    expect(md.output).toMatch(/^### console-wiring check: `prod` fails$/m);
    expect(md.output).toContain("/detection is empty");
    const mermaid = await runCheck(options("mermaid"));
    expect(mermaid.exitCode).toBe(1);
    expect(mermaid.output).toContain("FAIL (the program stopped");
  });

  it("text is the problems themselves", async () => {
    const result = await runCheck(options("text"));
    expect(result.exitCode).toBe(1);
    expect(result.output).toMatch(/^console-wiring: the feature files have 1 problem/);
  });
});
