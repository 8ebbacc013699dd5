import { describe, expect, it } from "vitest";
import { CHECK_SCHEMA, parseCheckDocument, type CheckDocument } from "../tools/comment/document";
import { cellCode, inline, noReferences } from "../tools/comment/markdown";
import { COMMENT_LIMIT, COMMENT_MARKER, renderComment } from "../tools/comment/render";
import { markdownLines } from "./support/markdown-lines";

// Hostile input at the schema's own bounds (10,000-character strings, 5,000-item lists): every
// section must stay within its share and say how much it left out, the marker first.
const NASTY =
  "`` | <details><summary>x</summary> @everyone #12 GH-7 org/repo#3 https://evil.example/p www.evil.example\n| a | b |\n</details> ```";
const huge = (n: number) => `${NASTY}${"x".repeat(n - NASTY.length)}`;

function flood(): CheckDocument {
  const names = Array.from({ length: 5_000 }, (_, i) => `r${i}-${"n".repeat(180)}`);
  return parseCheckDocument({
    schema: CHECK_SCHEMA,
    stack: "prod",
    result: "fail",
    summary: huge(500),
    programError: huge(10_000),
    notes: Array.from({ length: 5_000 }, () => huge(10_000)),
    policies: {
      passed: Array.from({ length: 5_000 }, (_, i) => `p${i}${"|".repeat(150)}`),
      notApplicable: Array.from({ length: 5_000 }, () => ({ policy: "n", reason: huge(10_000) })),
      violations: Array.from({ length: 5_000 }, (_, i) => ({
        policy: `v${i}`,
        level: "mandatory",
        message: huge(10_000),
        resource: huge(10_000),
      })),
    },
    apps: Array.from({ length: 300 }, () => ({
      app: huge(200),
      flagsOn: Array.from({ length: 500 }, () => huge(200)),
      holders: Array.from({ length: 3 }, () => ({
        name: huge(200),
        keys: Array.from({ length: 2_000 }, (_, i) => ({
          key: `K${i}|${NASTY.slice(0, 40)}`,
          secret: true,
          computed: false,
        })),
      })),
    })),
    graph: {
      resourceCount: 5_000,
      components: Array.from({ length: 50 }, (_, c) => ({
        name: huge(200),
        type: huge(300),
        children: names.slice(c * 100, c * 100 + 100).map((name) => ({ name, type: huge(300) })),
      })),
      edges: names.slice(1).map((to, i) => ({ from: names[i]!, to, via: [huge(200)] })),
    },
  });
}

describe("the comment under hostile input", () => {
  const text = renderComment(flood(), {
    origin: "fork",
    preview: {
      schema: "console-wiring-preview/v1",
      outcome: "failure",
      tail: Array(60).fill(huge(1_000)),
    },
  });

  it("fits under GitHub's limit with its marker first, and no section was dropped", () => {
    expect(text.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(text.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(text).not.toContain("cut to stay under GitHub's comment limit");
    for (const heading of [
      "#### The program stopped before registering its resources",
      "| policy | verdict |",
      "<details><summary>Heroku apps: keys and flags (values never shown)</summary>",
      "#### Graph: 5000 resources, 4999 edges",
      "```mermaid",
      "<details><summary>The graph as text</summary>",
      "#### pulumi preview (`prod`, with the policy pack): failure",
    ])
      expect(text).toContain(heading);
  });

  it("says how much each section left out", () => {
    expect(text).toMatch(/^> … and \d+ more notes$/m);
    expect(text).toMatch(/^\| … \| and \d+ more verdicts \|$/m);
    expect(text).toMatch(/^- … and \d+ more apps$/m);
    expect(text).toMatch(/… and \d+ more keys/);
    expect(text).toMatch(/… and \d+ more flags/);
    expect(text).toMatch(/^_… \d+ more resources and \d+ more edges not drawn/m);
    expect(text).toMatch(/^… and \d+ more edges$/m);
    expect(text).toContain("… cut to fit the comment");
  });

  it("opens no HTML, pings no one and links nothing outside code", () => {
    const outside = markdownLines(text).join("\n");
    // Ours: the apps, the graph as text, the preview's lines.
    expect(outside.match(/<details>/g)?.length).toBe(3);
    expect(outside.match(/<\/details>/g)?.length).toBe(3);
    expect(outside).not.toMatch(/@everyone|(?<!\\)#\d|GH-\d|https:\/\/|www\.evil/);
  });

  it("keeps each table row one line, its cells split only where ours are", () => {
    const rows = text.split("\n").filter((l) => l.startsWith("| v"));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.split(/(?<!\\)\|/)).toHaveLength(4);
  });
});

describe("references and links in messages", () => {
  it("breaks issue references, bare URLs, www links and mentions, and reads the same", () => {
    const out = noReferences("see #12, GH-3, org/repo#4, https://x.example/a, www.x.example, @ops");
    expect(out).not.toMatch(/#\d|GH-\d|https:\/\/|www\.|@ops/);
    expect(out.replace(/[\u2060\u200b]/g, "")).toBe(
      "see #12, GH-3, org/repo#4, https://x.example/a, www.x.example, @ops",
    );
  });

  it("inline text is neutralized too; a heading marker still escaped", () => {
    expect(inline("#12 fixed")).toBe("\\#\u206012 fixed");
  });

  it("a code span in a table cell escapes its pipes", () => {
    expect(cellCode("a|b")).toBe("`a\\|b`");
  });
});
