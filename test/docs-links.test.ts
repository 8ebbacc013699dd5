import { existsSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { anchorsOf, docFiles, linksOf, readDoc, ROOT } from "./support/markdown-docs";

/**
 * Every relative link in README.md and docs/*.md leads somewhere in a clone: the file exists
 * (inside the repository), and an anchor names a heading of the target as GitHub slugs it. A
 * link into ../shared or a renamed heading fails here, not in a reader's browser.
 */
function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  for (const { line, target } of linksOf(readDoc(file))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and the like
    const [path = "", anchor] = target.split("#", 2);
    const resolved = path === "" ? file : normalize(join(dirname(file), decodeURI(path)));
    const where = `${file}:${line}: ${target}`;
    if (relative(ROOT, join(ROOT, resolved)).startsWith("..")) {
      problems.push(`${where} leads outside the repository`);
      continue;
    }
    if (!existsSync(join(ROOT, resolved))) {
      problems.push(`${where}: ${resolved} does not exist`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith(".md") || statSync(join(ROOT, resolved)).isDirectory()) {
      problems.push(`${where}: an anchor into ${resolved}, which is not a Markdown file`);
      continue;
    }
    if (!anchorsOf(readDoc(resolved)).has(anchor)) {
      problems.push(`${where}: ${resolved} has no heading whose anchor is #${anchor}`);
    }
  }
  return problems;
}

describe("README.md and docs/: links", () => {
  it("lists the README and the docs pages", () => {
    const files = docFiles();
    expect(files[0]).toBe("README.md");
    expect(files).toContain("docs/runbook.md");
    expect(files).toContain("docs/incident-2026-06-19.md");
    // The README links every page of docs/.
    const readmeTargets = linksOf(readDoc("README.md")).map((l) => l.target.split("#")[0]);
    for (const page of files.slice(1)) expect(readmeTargets).toContain(page);
  });

  it.each(docFiles())("%s: every relative link and anchor resolves", (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it("slugs headings as GitHub does", () => {
    const anchors = anchorsOf(
      [
        "# The plan as a picture (`--format mermaid`)",
        "## 15 minutes, not the incident's 10",
        "## Mutation testing (`npm run test:mutation`)",
        "## Gates: a feature behind [its](x.md) gate",
        "## Repeated",
        "## Repeated",
        "```",
        "# not a heading inside code",
        "```",
      ].join("\n"),
    );
    expect([...anchors]).toEqual([
      "the-plan-as-a-picture---format-mermaid",
      "15-minutes-not-the-incidents-10",
      "mutation-testing-npm-run-testmutation",
      "gates-a-feature-behind-its-gate",
      "repeated",
      "repeated-1",
    ]);
  });

  it("ignores links inside code and names each broken one", () => {
    const links = linksOf(
      ["[a](docs/a.md#x) `[b](nowhere.md)`", "```", "[c](inside-code.md)", "```"].join("\n"),
    );
    expect(links).toEqual([{ line: 1, target: "docs/a.md#x" }]);
  });
});
