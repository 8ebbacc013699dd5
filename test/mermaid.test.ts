import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCheck } from "../tools/check";
import { CHECK_SCHEMA, type CheckDocument } from "../tools/comment/document";
import { mermaidLabel, renderMermaid } from "../tools/comment/mermaid";
import { commentFromArtifacts } from "../tools/pr-comment";

type Graph = CheckDocument["graph"];

/** Every line of a chart is one of the forms we write: ids generated, labels quoted. */
const LINE =
  /^(flowchart LR| {2}subgraph c\d+\["[^"`<>|\n]*"\]| {4}n\d+\["[^"`<>|\n]*<br\/>[^"`<>|\n]*"\]| {2}n\d+\["[^"`<>|\n]*<br\/>\(removed\)"\]| {2}end| {2}n\d+ (-->|-\.->)\|"[^"`<>|\n]*"\| n\d+| {2}linkStyle \d+ [\w:#,.\- ]+)$/;

/** Edges of a chart as "from -> to (label)", names read back from the node declarations. */
function edgesOf(chart: string): string[] {
  const names = new Map<string, string>();
  for (const m of chart.matchAll(/^\s+(n\d+)\["(.*?)<br\/>/gm)) names.set(m[1]!, m[2]!);
  return [...chart.matchAll(/^ {2}(n\d+) -(?:->|\.->)\|"(.*?)"\| (n\d+)$/gm)].map(
    (m) => `${names.get(m[1]!)} -> ${names.get(m[3]!)}  (${m[2]})`,
  );
}

const graph = (edges: [string, string, string][]): Graph => ({
  resourceCount: 4,
  components: [
    {
      name: "one",
      type: "t:One",
      children: [
        { name: "a", type: "x:A" },
        { name: "b", type: "x:B" },
      ],
    },
    {
      name: "two",
      type: "t:Two",
      children: [
        { name: "c", type: "x:C" },
        { name: "d", type: "x:D" },
      ],
    },
  ],
  edges: edges.map(([from, to, via]) => ({ from, to, via: [via] })),
});

describe("npm run check -- --format mermaid", () => {
  it("draws the same edges the text plan lists, every line in a form we write", async () => {
    // One after the other: Pulumi's mock runtime is process-global.
    const text = await runCheck({ stack: "prod", format: "text" });
    const chart = await runCheck({ stack: "prod", format: "mermaid" });
    expect(chart.exitCode).toBe(0);
    const listed = text.output
      .split("Edges (left is applied first)\n")[1]!
      .split("\n\n")[0]!
      .split("\n")
      .map((l) => l.trim());
    expect(listed.length).toBeGreaterThan(5);
    expect(edgesOf(chart.output).sort()).toEqual(listed.sort());
    const lines = chart.output.split("\n");
    expect(lines.pop()).toBe("%% console-wiring check: stack prod: PASS");
    for (const line of lines) expect(line).toMatch(LINE);
    expect(chart.output).toContain(
      '  subgraph c3["tickets #91;console-wiring:cloudflare:AccessGate#93;"]',
    );
    expect(chart.output).not.toContain("linkStyle");
  });
});

describe("the chart", () => {
  it("keeps hostile names out of Mermaid's syntax", () => {
    const evil = 'x"] --> y\n%%{init: {"theme":"dark"}}%%\n`<b>|#1 click x "https://e.example"';
    const chart = renderMermaid({
      resourceCount: 2,
      components: [
        {
          name: evil,
          type: evil,
          children: [
            { name: evil, type: evil },
            { name: "ok", type: "t" },
          ],
        },
      ],
      edges: [{ from: evil, to: "ok", via: [evil] }],
    });
    for (const line of chart.text.split("\n")) expect(line).toMatch(LINE);
    expect(mermaidLabel('a"b')).toBe("a#34;b");
    expect(mermaidLabel("x\n%%y")).toBe("x #37;#37;y");
  });

  it("marks nothing without a base", () => {
    const chart = renderMermaid(graph([["a", "b", "p"]]));
    expect(chart).toMatchObject({ added: 0, removed: 0, relabelled: 0 });
    expect(chart.text).not.toMatch(/linkStyle|\(added\)|-\.->/);
  });

  it("marks added, removed and relabelled edges against the base, each its own way", () => {
    const base = graph([
      ["a", "b", "p"],
      ["b", "c", "q"],
      ["c", "d", "r"],
    ]);
    const head = graph([
      ["a", "b", "p"],
      ["b", "c", "dependsOn"],
      ["a", "d", "new"],
    ]);
    const chart = renderMermaid(head, { base });
    expect(chart).toMatchObject({ added: 1, removed: 1, relabelled: 1 });
    const lines = chart.text.split("\n");
    for (const line of lines) expect(line).toMatch(LINE);
    expect(lines).toContain('  n0 -->|"p"| n1');
    expect(lines).toContain('  n1 -->|"dependsOn (was q)"| n2');
    expect(lines).toContain('  n0 -->|"new (added)"| n3');
    expect(lines).toContain('  n2 -.->|"r (removed)"| n3');
    expect(lines.filter((l) => l.startsWith("  linkStyle"))).toEqual([
      "  linkStyle 1 stroke:#1a7f37,stroke-width:3px",
      "  linkStyle 2 stroke:#1a7f37,stroke-width:3px",
      "  linkStyle 3 stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5",
    ]);
  });

  it("draws a removed resource as its own node", () => {
    const base = graph([["a", "gone", "p"]]);
    const chart = renderMermaid(graph([]), { base });
    expect(chart.text).toContain('  n4["gone<br/>(removed)"]');
    expect(chart.text).toContain('  n0 -.->|"p (removed)"| n4');
  });

  it("stops before maxChars and counts what it left out", () => {
    const names = Array.from({ length: 2_000 }, (_, i) => `resource-${i}`);
    const big: Graph = {
      resourceCount: names.length,
      components: [
        { name: "c", type: "t", children: names.map((name) => ({ name, type: "x:Y" })) },
      ],
      edges: names.slice(1).map((to, i) => ({ from: names[i]!, to, via: ["p"] })),
    };
    const chart = renderMermaid(big, { maxChars: 5_000 });
    expect(chart.text.length).toBeLessThanOrEqual(5_000);
    expect(chart.omittedNodes).toBeGreaterThan(1_800);
    expect(chart.omittedEdges).toBe(1_999 - edgesOf(chart.text).length);
    for (const line of chart.text.split("\n")) expect(line).toMatch(LINE);
  });
});

describe("the PR comment's picture", () => {
  const plan = (edges: [string, string, string][]): CheckDocument => ({
    schema: CHECK_SCHEMA,
    stack: "prod",
    result: "pass",
    summary: "PASS",
    notes: [],
    policies: { passed: [], notApplicable: [], violations: [] },
    apps: [],
    graph: graph(edges),
  });
  const artifacts = (stacks: Record<string, CheckDocument>) => {
    const dir = mkdtempSync(join(tmpdir(), "pr-comment-mermaid-"));
    for (const [stack, doc] of Object.entries(stacks)) {
      mkdirSync(join(dir, stack));
      writeFileSync(join(dir, stack, "check.json"), JSON.stringify({ ...doc, stack }));
    }
    return dir;
  };

  it("marks the edges a pull request changes against the default branch's plan", () => {
    const head = artifacts({ prod: plan([["a", "d", "new"]]) });
    const base = artifacts({ prod: plan([["c", "d", "r"]]) });
    const text = commentFromArtifacts(head, "branch", base);
    expect(text).toContain("```mermaid\nflowchart LR\n");
    expect(text).toContain('  n0 -->|"new (added)"| n3');
    expect(text).toContain('  n2 -.->|"r (removed)"| n3');
    expect(text).toContain(
      "Against the default branch's plan of this stack: 1 edge added and 0 with other properties",
    );
  });

  it("says why nothing is marked: no base given, or a stack the default branch lacks", () => {
    const head = artifacts({ prod: plan([["a", "b", "p"]]), staging: plan([["a", "b", "p"]]) });
    const base = artifacts({ prod: plan([["a", "b", "p"]]) });
    const text = commentFromArtifacts(head, "branch", base);
    expect(text.match(/<!-- console-wiring-check -->/g)).toHaveLength(1);
    expect(text).toContain("### console-wiring check: `prod` passes");
    expect(text).toContain("### console-wiring check: `staging` passes");
    expect(text).toContain("No edge changed against the default branch's plan of this stack.");
    expect(text).toContain("No edge is marked: the default branch has no plan of this stack.");
    expect(commentFromArtifacts(head, "branch")).toContain(
      "No edge is marked: no base plan was given to compare with.",
    );
    expect(text).not.toContain("linkStyle");
  });
});
