import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { knownConfigKeys, parseConfig } from "../infra/config";
import { GATE_KEYS } from "../infra/config-parts/gates";
import { defaultFeaturesDir, loadFeatureCatalog } from "../infra/features/catalog";
import { parseCli, runCheck } from "../tools/check";
import { loadStackFiles, projectConfig } from "../tools/stack-files";
import { blocksAfter, docFiles, readDoc, ROOT, tableAfter } from "./support/markdown-docs";

/**
 * What the README and docs/ show as real is real: each block marked `<!-- generated: check ... -->`
 * is the check tool's output for those arguments, the config reference names exactly the keys
 * Pulumi.yaml declares and the code reads, the complete stack file passes the config check, and
 * the Quick start is what CI runs.
 */
const scratch = mkdtempSync(join(tmpdir(), "console-wiring-docs-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const GENERATED = /^<!-- generated: check (.*) -->$/;
const generated = docFiles().flatMap((file) =>
  blocksAfter(readDoc(file), GENERATED).map((b) => ({ file, ...b })),
);

describe("docs: outputs shown as real are the tool's", () => {
  it("the README draws prod's graph from the tool", () => {
    const mermaid = generated.filter((g) => g.file === "README.md" && g.info === "mermaid");
    expect(mermaid.map((g) => g.args)).toEqual(["--stack prod --format mermaid"]);
  });

  // One after the other (it.each in one file runs in order): Pulumi's mock runtime is global.
  it.each(generated.map((g) => [`${g.file}: check ${g.args}`, g] as const))(
    "%s matches the tool's output",
    async (_name, g) => {
      const cli = parseCli(g.args.split(" "));
      if ("usageError" in cli || "help" in cli) throw new Error(`bad arguments: ${g.args}`);
      const result = await runCheck(cli);
      // The block is the output as printed; regenerate it with the same arguments when it differs.
      expect(g.body).toBe(result.output.trimEnd());
    },
  );
});

describe("README: the config reference", () => {
  const readme = readDoc("README.md");
  const rows = tableAfter(readme, "### Config reference");
  const namesOf = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  const listed = rows.flatMap((r) => namesOf(r[0]!));
  const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { default?: unknown }>;
  };

  it("names every key Pulumi.yaml declares and the code knows, and no other", () => {
    const top = listed.filter((k) => !k.startsWith("gates.<id>."));
    const expected = new Set([...Object.keys(project.config), ...knownConfigKeys()]);
    expect([...new Set(top)].sort()).toEqual([...expected].sort());
  });

  it("names every per-gate setting as gates.<id>.<key>, and no other", () => {
    const perGate = listed
      .filter((k) => k.startsWith("gates.<id>."))
      .map((k) => k.slice("gates.<id>.".length));
    expect([...new Set(perGate)].sort()).toEqual([...GATE_KEYS].sort());
  });

  it("gives Pulumi.yaml's default for each declared key that has one, and calls none required that has one", () => {
    for (const row of rows) {
      for (const key of namesOf(row[0]!)) {
        const declared = project.config[key];
        if (declared === undefined) continue;
        if ("default" in declared) {
          expect(`${key}: ${row[1]}`).toBe(`${key}: \`${JSON.stringify(declared.default)}\``);
        } else {
          expect(`${key}: ${row[1]}`).toMatch(/: (none: set it|needed with a gate)$/);
        }
      }
    }
  });
});

describe("README: the complete stack file", () => {
  it("passes the config check with the metrics fixture in the catalog, every flag on", () => {
    const [block] = blocksAfter(readDoc("README.md"), /^<!-- (stack-file-example) -->$/);
    expect(block?.info).toBe("yaml");
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(scratch, "Pulumi.yaml"));
    writeFileSync(join(scratch, "Pulumi.example.yaml"), `${block!.body}\n`);
    const features = loadFeatureCatalog([
      defaultFeaturesDir(),
      join(ROOT, "test", "fixtures", "features"),
    ]);
    const config = parseConfig(
      projectConfig(loadStackFiles("example", scratch)),
      features,
      "example",
    );
    expect(config.features.map((f) => f.id).sort()).toEqual(["investigate", "metrics"]);
    expect(Object.keys(config.gates).sort()).toEqual(["metrics", "tickets"]);
    const selectedFlags = config.features.flatMap((f) => f.flags);
    expect(selectedFlags.filter((f) => config.flags[f] !== true)).toEqual([]);
  });
});

describe("README: size and Quick start", () => {
  const readme = readDoc("README.md");

  it("stays within 300 lines", () => {
    expect(readme.trimEnd().split("\n").length).toBeLessThanOrEqual(300);
  });

  it("gives the commands .ci/run runs", () => {
    const quick = readme.split("## Quick start")[1]!.split("```sh\n")[1]!.split("```")[0]!;
    const commands = quick
      .split("\n")
      .map((l) => l.replace(/#.*/, "").trim())
      .filter(Boolean);
    expect(commands).toEqual(["npm ci", "npm run check", "npm test"]);
    const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8")
      .split("\n")
      .map((l) => l.trim());
    for (const c of commands) {
      expect(ci.filter((l) => l === c || l.startsWith(`${c} `))).not.toEqual([]);
    }
  });
});
