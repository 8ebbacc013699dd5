import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  defaultFeaturesDir,
  FeatureDataError,
  loadFeatureCatalog,
  PREREQUISITES_VAR,
} from "../infra/features/catalog";

// The loader's refusals: each names the file, the field (a JSON pointer) and the fix, and one
// error lists every problem of every file, so a person fixes them in one pass.
const FIXTURE = join(__dirname, "fixtures", "features", "audit-export.json");
const good = () => JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "features-"));
  for (const [name, body] of Object.entries(files))
    writeFileSync(join(dir, name), typeof body === "string" ? body : JSON.stringify(body));
  return dir;
}

function problemsOf(dir: string): readonly string[] {
  try {
    loadFeatureCatalog([dir]);
  } catch (err) {
    expect(err).toBeInstanceOf(FeatureDataError);
    expect((err as Error).message).toContain("nothing was applied");
    return (err as FeatureDataError).problems;
  }
  throw new Error("the catalog loaded");
}

describe("feature files: schema and rules, with errors that name the file, field and fix", () => {
  it("loads a valid file and adds the prerequisite map var it does not declare", () => {
    const [feature] = loadFeatureCatalog([dirWith({ "audit-export.json": good() })]);
    expect(feature!.requires.map((v) => v.name)).toEqual([
      "AUDIT_EXPORT_TOKEN",
      "AUDIT_EXPORT_BUCKET",
      PREREQUISITES_VAR,
    ]);
    expect(feature!.requires.at(-1)!.source).toEqual({ kind: "manifest" });
  });

  it("names a missing field, an unknown field and a bad value, with the fix", () => {
    const f = good();
    delete f["startupCheck"];
    f["owner"] = "ops";
    (f["prerequisites"] as { source: { kind: string } }[])[0]!.source.kind = "env";
    const dir = dirWith({ "audit-export.json": f });
    const file = relative(process.cwd(), join(dir, "audit-export.json"));
    const problems = problemsOf(dir);
    expect(problems).toContain(
      `${file}: / must have required property 'startupCheck': add the field "startupCheck".`,
    );
    expect(problems.some((p) => p.startsWith(`${file}: / `) && p.includes('remove "owner"'))).toBe(
      true,
    );
    expect(
      problems.some(
        (p) =>
          p.includes("/prerequisites/0/source/kind") && p.includes('use one of "config", "vault"'),
      ),
    ).toBe(true);
  });

  it("refuses a file that is not JSON, without quoting it", () => {
    const problems = problemsOf(dirWith({ "audit-export.json": '{"id": "audit-export", secret' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/audit-export\.json: is not JSON \(.*\): fix the syntax\.$/);
  });

  it("refuses an id that is not the file name", () => {
    const problems = problemsOf(dirWith({ "audit.json": good() }));
    expect(problems).toEqual([
      expect.stringMatching(
        /audit\.json: \/id is "audit-export" but the file is audit\.json: rename one to match\.$/,
      ),
    ]);
  });

  it("refuses the manifest source on any var but the prerequisite map", () => {
    const f = good();
    (f["prerequisites"] as { source: unknown }[])[1]!.source = { kind: "manifest" };
    const problems = problemsOf(dirWith({ "audit-export.json": f }));
    expect(problems).toEqual([
      expect.stringContaining(
        `/prerequisites/1 AUDIT_EXPORT_BUCKET: only ${PREREQUISITES_VAR} has the source "manifest"`,
      ),
    ]);
  });

  it("refuses a startup check no detection rule watches", () => {
    const f = good();
    f["startupCheck"] = { logger: "audit_export", message: "audit_export_down" };
    const problems = problemsOf(dirWith({ "audit-export.json": f }));
    expect(problems).toEqual([
      expect.stringContaining(
        "/startupCheck (logger audit_export, message audit_export_down) is watched by none of /detection",
      ),
    ]);
  });

  it("across files: a flag has one feature, a shared var one declaration", () => {
    const other = good();
    other["id"] = "audit-import";
    (other["detection"] as { id: string }[])[0]!.id = "audit-import-not-configured";
    other["startupCheck"] = { logger: "audit_import", message: "audit_import_not_configured" };
    (other["detection"] as Record<string, unknown>[])[0]!["logger"] = "audit_import";
    (other["detection"] as Record<string, unknown>[])[0]!["messageContains"] =
      "audit_import_not_configured";
    (other["prerequisites"] as { secret: boolean }[])[1]!.secret = true;
    const problems = problemsOf(
      dirWith({ "audit-export.json": good(), "audit-import.json": other }),
    );
    expect(problems).toEqual([
      expect.stringContaining("/flags/0 flag FLAG_CONSOLE_AUDIT_EXPORT is also"),
      expect.stringContaining("/prerequisites/1 AUDIT_EXPORT_BUCKET is also declared in"),
    ]);
  });

  it("lists the problems of every file in one error", () => {
    const broken = good();
    delete broken["flags"];
    const problems = problemsOf(dirWith({ "a.json": "not json", "audit-export.json": broken }));
    expect(problems.map((p) => p.split(": ")[0]!.split("/").at(-1))).toEqual([
      "a.json",
      "audit-export.json",
    ]);
  });

  it("the project's own files load", () => {
    expect(loadFeatureCatalog([defaultFeaturesDir()]).map((f) => f.id)).toContain("investigate");
  });
});
