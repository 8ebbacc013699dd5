import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECK_SCHEMA, parseCheckDocument, type CheckDocument } from "../tools/comment/document";
import { code, codeBlock, inline } from "../tools/comment/markdown";
import { COMMENT_MARKER, renderComment } from "../tools/comment/render";
import { commentFromArtifacts } from "../tools/pr-comment";
import { markdownLines } from "./support/markdown-lines";

// The PR comment is built from data a pull request's own code produced: nothing in it may become
// Markdown structure, HTML, an image, a mention, or a fence that closes ours.
const HOSTILE =
  "x```\n# Injected heading\n@octocat ![img](https://evil.example/i.png) <img src=x> [link](https://evil.example) | cell";

function doc(overrides: Partial<CheckDocument> = {}): CheckDocument {
  return {
    schema: CHECK_SCHEMA,
    stack: "prod",
    result: "fail",
    summary: "FAIL (1 mandatory violation, 0 advisories)",
    notes: [],
    policies: {
      passed: ["urls-are-https"],
      notApplicable: [],
      violations: [
        {
          policy: "flags-require-prerequisites",
          level: "mandatory",
          message: HOSTILE,
          resource: HOSTILE,
        },
      ],
    },
    apps: [
      {
        app: HOSTILE,
        flagsOn: [HOSTILE],
        holders: [{ name: HOSTILE, keys: [{ key: HOSTILE, secret: false, computed: false }] }],
      },
    ],
    graph: {
      resourceCount: 1,
      components: [{ name: HOSTILE, type: "t", children: [] }],
      edges: [],
    },
    programError: HOSTILE,
    ...overrides,
  };
}

describe("escaping", () => {
  it("inline text: no structure, HTML, image, link or mention survives", () => {
    const out = inline(HOSTILE);
    expect(out).not.toContain("\n");
    expect(out).not.toMatch(/<img|(?<!\\)!(?<!\\)\[|(?<!\\)\]\(|@octocat|```/);
    expect(out).toContain("@\u200boctocat");
  });

  it("a code span no backtick can close", () => {
    expect(code("a``b")).toBe("```a``b```");
    expect(code("`x")).toBe("`` `x ``");
  });

  it("a code block no line can close, with ANSI codes and control characters removed", () => {
    const block = codeBlock("```\n````\n\u001b[31mred\u001b[0m\u0007");
    expect(block).toBe("`````text\n```\n````\nred\n`````");
  });
});

describe("the rendered comment", () => {
  it("keeps every hostile string out of the Markdown structure", () => {
    const text = renderComment(doc(), {
      origin: "fork",
      preview: {
        schema: "console-wiring-preview/v1",
        outcome: "failure",
        tail: [HOSTILE, "::warning::x", "````"],
      },
    });
    expect(text.startsWith(COMMENT_MARKER)).toBe(true);
    for (const line of markdownLines(text)) {
      expect(line).not.toMatch(/^#+ Injected|<img|(?<!\\)!(?<!\\)\[|(?<!\\)\]\(https|@octocat/);
    }
    const headings = markdownLines(text).filter((l) => l.startsWith("#"));
    expect(headings).toEqual([
      "### console-wiring check: <code/> fails",
      "#### The program stopped before registering its resources",
      "#### Graph: 1 resources, 0 edges",
      "#### pulumi preview (<code/>, with the policy pack): failure",
    ]);
  });

  it("labels a fork's results as produced by the pull request's code", () => {
    expect(renderComment(doc(), { origin: "fork" })).toContain(
      "Produced by the pull request's own code (a fork)",
    );
    expect(renderComment(doc(), { origin: "branch" })).not.toContain("(a fork)");
  });
});

describe("the artifact", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "pr-comment-"));

  it("is checked against its schema; a bad one is named by path, its value never echoed", () => {
    const bad = { ...doc(), apps: [{ app: "SENTINEL-VALUE", flagsOn: "all", holders: [] }] };
    expect(() => parseCheckDocument(bad)).toThrow("check.json.apps[0].flagsOn: must be an array");
    const d = dir();
    writeFileSync(join(d, "check.json"), JSON.stringify(bad));
    const text = commentFromArtifacts(d, "fork");
    expect(text).toContain("no readable result");
    expect(text).toContain("`check.json.apps[0].flagsOn: must be an array`");
    expect(text).not.toContain("SENTINEL-VALUE");
  });

  it("says where invalid JSON is, without quoting it", () => {
    const d = dir();
    writeFileSync(join(d, "check.json"), "hvs.SENTINEL-TOKEN");
    const text = commentFromArtifacts(d, "branch");
    expect(text).toContain("`check.json is not valid JSON");
    expect(text).not.toContain("SENTINEL");
  });

  it("bounds string lengths", () => {
    expect(() => parseCheckDocument({ ...doc(), stack: "s".repeat(201) })).toThrow(
      "check.json.stack: must be at most 200 characters",
    );
  });

  it("renders a valid artifact with the preview's outcome", () => {
    const d = dir();
    writeFileSync(join(d, "check.json"), JSON.stringify(doc({ programError: undefined })));
    writeFileSync(
      join(d, "preview.json"),
      JSON.stringify({
        schema: "console-wiring-preview/v1",
        outcome: "success",
        tail: ["Resources: 6 unchanged"],
      }),
    );
    const text = commentFromArtifacts(d, "branch");
    expect(text).toContain("#### pulumi preview (`prod`, with the policy pack): success");
    expect(text).toContain("Resources: 6 unchanged");
  });

  describe("the stack comes from the folder's name, not from the document", () => {
    const graph = (via: string): CheckDocument["graph"] => ({
      resourceCount: 2,
      components: [],
      edges: [{ from: "a", to: "b", via: [via] }],
    });
    /** One folder per stack, each check.json with the given stack field and graph. */
    const tree = (folders: Record<string, { stack: string; via: string }>) => {
      const d = dir();
      for (const [folder, { stack, via }] of Object.entries(folders)) {
        mkdirSync(join(d, folder));
        writeFileSync(
          join(d, folder, "check.json"),
          JSON.stringify(doc({ stack, graph: graph(via), programError: undefined })),
        );
      }
      return d;
    };

    it("refuses a check.json that claims another stack than its folder (a crafted artifact)", () => {
      // The head changes prod's edge; claiming "staging" would pick staging's base, where the
      // same edge exists, and the comment would say no edge changed.
      const head = tree({ prod: { stack: "staging", via: "new" } });
      const base = tree({
        prod: { stack: "prod", via: "old" },
        staging: { stack: "staging", via: "new" },
      });
      const text = commentFromArtifacts(head, "fork", base);
      expect(text).toContain("### console-wiring check: no readable result");
      expect(text).toContain(
        "`prod/check.json is refused: its stack field is not prod, the stack its folder is named after`",
      );
      expect(text).not.toContain("No edge changed");
      expect(text).not.toContain("`staging`");
    });

    it("compares a matching document with the base of its folder's stack", () => {
      const head = tree({ prod: { stack: "prod", via: "new" } });
      const base = tree({ prod: { stack: "prod", via: "old" } });
      const text = commentFromArtifacts(head, "branch", base);
      expect(text).toContain("### console-wiring check: `prod` fails");
      expect(text).toContain("Against the default branch's plan of this stack:");
    });

    it("compares a single check.json (no stack folder) with nothing", () => {
      const single = dir();
      writeFileSync(join(single, "check.json"), JSON.stringify(doc({ programError: undefined })));
      const base = tree({ prod: { stack: "prod", via: "old" } });
      expect(commentFromArtifacts(single, "branch", base)).toContain(
        "No edge is marked: a single check.json names no stack folder to compare with.",
      );
    });
  });
});
