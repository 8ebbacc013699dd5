/**
 * The PR comment, rendered from a checked CheckDocument: every string in it came from the pull
 * request's code and is escaped (tools/comment/markdown.ts). Each section has its own share of
 * GitHub's limit and says what it left out (tools/comment/bounded.ts), so the comment, marker
 * first, always fits.
 */
import { bounded, capped, fencedWithin, joinedWithin } from "./bounded";
import { cellCode, code, inline } from "./markdown";
import { renderMermaid } from "./mermaid";
import type { CheckDocument, PreviewDocument } from "./document";

export { capped } from "./bounded";

export const COMMENT_MARKER = "<!-- console-wiring-check -->";
/** GitHub refuses comments over 65,536 characters; stay well below. */
export const COMMENT_LIMIT = 60_000;
const LIST_LIMIT = 40;
const MESSAGE_LIMIT = 2_000;

/** Each section's share of the limit (they sum to under 1: headings and joins take the rest). */
const SHARE = {
  head: 0.08,
  programError: 0.1,
  policies: 0.2,
  apps: 0.12,
  picture: 0.25,
  graphText: 0.12,
  preview: 0.1,
} as const;

export type Origin = "local" | "branch" | "fork";

export interface CommentOptions {
  /** Where the document came from: a fork's results are the PR author's own claims. */
  readonly origin?: Origin;
  readonly preview?: PreviewDocument;
  /** The default branch's plan of the same stack: changed edges are marked against it. */
  readonly base?: CheckDocument;
  /** Why there is no base, said in the comment (e.g. a stack the default branch lacks). */
  readonly noBase?: string;
  /** Characters this comment may use (several stacks share one comment). */
  readonly limit?: number;
  /** False for the second and later stacks of a comment: the marker opens the comment once. */
  readonly marker?: boolean;
}

/** A message cut to `limit` characters. Shared with the text plan (tools/offline/plan.ts). */
export const clip = (text: string, limit = MESSAGE_LIMIT) =>
  text.length > limit ? `${text.slice(0, limit)}…` : text;

/** How a key's value travels: secret, or computed at apply. Shared with the text plan. */
export function tag(k: { secret: boolean; computed: boolean }): string {
  return k.secret ? " [secret]" : k.computed ? " [computed at apply]" : "";
}

function graphText(doc: CheckDocument, budget: number): string {
  const blocks: string[][] = doc.graph.components.map((c) => [
    clip(`${c.name}${c.type ? `  [${c.type}]` : ""}`, 300),
    ...capped(
      c.children,
      LIST_LIMIT,
      (r) => clip(`  - ${r.name}  ${r.type}${r.importId ? `  (adopts ${r.importId})` : ""}`, 300),
      "resources",
    ),
  ]);
  const half = Math.floor(budget / 2);
  const lines = bounded(blocks, half, (n) => `… and ${n} more components`);
  lines.push("");
  lines.push(
    ...bounded(
      doc.graph.edges.map((e) => clip(`${e.from} -> ${e.to}  (${e.via.join(", ")})`, 300)),
      half,
      (n) => `… and ${n} more edges`,
    ),
  );
  return lines.join("\n");
}

function policyRows(doc: CheckDocument, budget: number): string[] {
  const p = doc.policies;
  const rows: string[] = [];
  for (const name of p.passed) rows.push(`| ${inline(name)} | ✅ pass |`);
  for (const n of p.notApplicable)
    rows.push(`| ${inline(n.policy)} | ➖ n/a: ${inline(clip(n.reason))} |`);
  // A remediation is applied by the engine and fails nothing: shown as a note, after the rest.
  const icon = (level: string) =>
    level === "advisory" ? "⚠️" : level === "remediate" ? "🩹" : "❌";
  const rank = (level: string) => (level === "advisory" ? 1 : level === "remediate" ? 2 : 0);
  const violations = [...p.violations].sort((a, b) => rank(a.level) - rank(b.level));
  // Violations first: when the table is cut, what fails the check is what stays.
  const verdicts = violations.map(
    (v) =>
      `| ${inline(v.policy)} | ${icon(v.level)} ${inline(v.level)}${v.resource ? ` on ${cellCode(clip(v.resource, 300))}` : ""}: ${inline(clip(v.message))} |`,
  );
  return [
    "| policy | verdict |",
    "|---|---|",
    ...bounded([...verdicts, ...rows], budget - 40, (n) => `| … | and ${n} more verdicts |`),
  ];
}

/** App by app, holder by holder, while they fit; then how many apps (and holders) are left. */
function appLines(doc: CheckDocument, budget: number): string[] {
  const out: string[] = [];
  let size = 0;
  const fits = (line: string) => size + line.length + 1 <= budget - 120;
  for (const [i, a] of doc.apps.entries()) {
    const flags = joinedWithin(a.flagsOn.map(code), 800, "flags") || "none";
    const head = `- **${inline(clip(a.app, 300))}**: flags on: ${flags}`;
    if (!fits(head)) {
      out.push(`- … and ${doc.apps.length - i} more apps`);
      return out;
    }
    out.push(head);
    size += head.length + 1;
    for (const [j, h] of a.holders.entries()) {
      const keys = joinedWithin(
        h.keys.map((k) => `${code(k.key)}${tag(k)}`),
        1_500,
        "keys",
      );
      const line = `  - ${code(clip(h.name, 300))}: ${keys}`;
      if (!fits(line)) {
        out.push(`  - … and ${a.holders.length - j} more holders`);
        if (i < doc.apps.length - 1) out.push(`- … and ${doc.apps.length - i - 1} more apps`);
        return out;
      }
      out.push(line);
      size += line.length + 1;
    }
  }
  return out;
}

function picture(doc: CheckDocument, options: CommentOptions, budget: number): string[] {
  const chart = renderMermaid(doc.graph, {
    ...(options.base ? { base: options.base.graph } : {}),
    maxChars: budget - 1_000,
  });
  const lines = [fencedWithin(chart.text, budget - 600, "mermaid")];
  if (options.base) {
    lines.push(
      "",
      chart.added + chart.removed + chart.relabelled === 0
        ? "No edge changed against the default branch's plan of this stack."
        : `Against the default branch's plan of this stack: ${chart.added} edge${chart.added === 1 ? "" : "s"} added and ${chart.relabelled} with other properties (thick green, marked "added" or "was …"), ${chart.removed} removed (dashed red, marked "removed").`,
    );
  } else {
    lines.push(
      "",
      `No edge is marked: ${inline(options.noBase ?? "no base plan to compare with")}.`,
    );
  }
  if (chart.omittedNodes + chart.omittedEdges > 0)
    lines.push(
      `_… ${chart.omittedNodes} more resources and ${chart.omittedEdges} more edges not drawn (the chart stays readable and under the limit); the list below has them._`,
    );
  return lines;
}

export function renderComment(doc: CheckDocument, options: CommentOptions = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  const share = (s: keyof typeof SHARE) => Math.floor(limit * SHARE[s]);
  const sections: string[][] = [];
  const head = [
    ...(options.marker === false ? [] : [COMMENT_MARKER]),
    `### console-wiring check: ${code(doc.stack)} ${doc.result === "pass" ? "passes" : "fails"}`,
    "",
  ];
  if (options.origin === "fork") {
    head.push(
      "> [!WARNING]",
      "> Produced by the pull request's own code (a fork): its program, policies and check ran as the PR wrote them. Read this as the PR's claim, not a verdict of the main branch.",
      "",
    );
  } else if (options.origin === "branch") {
    head.push("> Produced by this pull request's code (a branch of this repository).", "");
  }
  head.push(`**${inline(doc.summary)}** · offline run (Pulumi mock runtime, no credentials)`);
  const room = share("head") - head.join("\n").length;
  head.push(
    ...bounded(
      doc.notes.map((n) => `> ${inline(clip(n))}`),
      room,
      (n) => `> … and ${n} more notes`,
    ),
  );
  head.push("");
  sections.push(head);

  if (doc.programError !== undefined) {
    sections.push([
      "#### The program stopped before registering its resources",
      fencedWithin(clip(doc.programError, 8_000), share("programError") - 100),
      "",
    ]);
  }

  sections.push([...policyRows(doc, share("policies")), ""]);

  sections.push([
    "<details><summary>Heroku apps: keys and flags (values never shown)</summary>",
    "",
    ...appLines(doc, share("apps")),
    "",
    "</details>",
    "",
  ]);

  sections.push([
    `#### Graph: ${doc.graph.resourceCount} resources, ${doc.graph.edges.length} edges`,
    "",
    ...picture(doc, options, share("picture")),
    "",
    "<details><summary>The graph as text</summary>",
    "",
    fencedWithin(graphText(doc, share("graphText") - 200), share("graphText") - 100),
    "</details>",
  ]);

  if (options.preview) {
    const pv = options.preview;
    sections.push([
      "",
      `#### pulumi preview (${code(doc.stack)}, with the policy pack): ${inline(pv.outcome)}`,
      "",
      "<details><summary>last lines of the preview (secrets show as [secret])</summary>",
      "",
      fencedWithin(pv.tail.map((l) => clip(l, 300)).join("\n"), share("preview") - 150),
      "</details>",
    ]);
  }

  // Each section is bounded above; this only guards the sum. Whole sections only, so a cut never
  // leaves a fence or a <details> open.
  const note =
    "\n\n_… cut to stay under GitHub's comment limit; run `npm run check` for the full plan._";
  let text = "";
  for (const s of sections) {
    const next = text === "" ? s.join("\n") : `${text}\n${s.join("\n")}`;
    if (next.length + note.length > limit) return text + note;
    text = next;
  }
  return text;
}

/** The comment when the artifact is missing or fails its schema: says so, echoes nothing of it. */
export function renderUnreadable(problem: string, marker = true): string {
  return [
    ...(marker ? [COMMENT_MARKER] : []),
    "### console-wiring check: no readable result",
    "",
    `The check's output could not be used: ${code(clip(problem, 500))}. See the workflow run's log.`,
  ].join("\n");
}
