import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "./support/import-graph";

const root = join(__dirname, "..");
// Stack files are read with `yaml` (tools/stack-files.ts: its document API refuses anchors and
// aliases); a second parser would read the same file by other rules.
const OTHER_YAML = ["js-yaml", "@types/js-yaml"];

describe("one YAML library", () => {
  it("package.json depends on yaml and on no other YAML parser", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    expect(deps).toContain("yaml");
    expect(deps.filter((d) => OTHER_YAML.includes(d))).toEqual([]);
  });

  it("no source file imports another YAML parser", () => {
    const files = sourceFiles(root, ["infra", "tools", "policy", "bench", "test"]);
    const importers = files.filter((file) =>
      ts
        .preProcessFile(readFileSync(join(root, file), "utf8"), true, true)
        .importedFiles.some((i) => OTHER_YAML.includes(i.fileName)),
    );
    expect(importers).toEqual([]);
  });
});
