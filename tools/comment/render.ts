/**
 * The PR comment, rendered from a checked CheckDocument: every string in it came from the pull
 * request's code and is escaped (tools/comment/markdown.ts). Stays under GitHub's limit.
 */
import { code, codeBlock, inline } from "./markdown";
import type { CheckDocument, PreviewDocument } from "./document";

export const COMMENT_MARKER = "<!-- console-wiring-check -->";
/** GitHub refuses comments over 65,536 characters; stay well below. */
export const COMMENT_LIMIT = 60_000;
const LIST_LIMIT = 40;
const APP_LIMIT = 15;
const MESSAGE_LIMIT = 2_000;

export type Origin = "local" | "branch" | "fork";

export interface CommentOptions {
  /** Where the document came from: a fork's results are the PR author's own claims. */
  readonly origin?: Origin;
  readonly preview?: PreviewDocument;
}

/** A message cut to `limit` characters. Shared with the text plan (tools/offline/plan.ts). */
export const clip = (text: string, limit = MESSAGE_LIMIT) =>
  text.length > limit ? `${text.slice(0, limit)}…` : text;

/** How a key's value travels: secret, or computed at apply. Shared with the text plan. */
export function tag(k: { secret: boolean; computed: boolean }): string {
  return k.secret ? " [secret]" : k.computed ? " [computed at apply]" : "";
}

/** The first `limit` items rendered, then how many more. Shared with the text plan. */
export function capped<T>(
  items: readonly T[],
  limit: number,
  render: (t: T) => string,
  what: string,
): string[] {
  const lines = items.slice(0, limit).map(render);
  if (items.length > limit) lines.push(`… and ${items.length - limit} more ${what}`);
  return lines;
}

function graphText(doc: CheckDocument): string {
  const lines: string[] = [];
  for (const c of doc.graph.components.slice(0, LIST_LIMIT)) {
    lines.push(`${c.name}${c.type ? `  [${c.type}]` : ""}`);
    lines.push(
      ...capped(
        c.children,
        LIST_LIMIT,
        (r) => `  - ${r.name}  ${r.type}${r.importId ? `  (adopts ${r.importId})` : ""}`,
        "resources",
      ),
    );
  }
  if (doc.graph.components.length > LIST_LIMIT)
    lines.push(`… and ${doc.graph.components.length - LIST_LIMIT} more components`);
  lines.push("");
  lines.push(
    ...capped(
      doc.graph.edges,
      LIST_LIMIT,
      (e) => `${e.from} -> ${e.to}  (${e.via.join(", ")})`,
      "edges",
    ),
  );
  return lines.join("\n");
}

export function renderComment(doc: CheckDocument, options: CommentOptions = {}): string {
  /** Sections added whole, or (splittable) line by line up to the limit. */
  const sections: string[][] = [];
  const splittable = new Set<string[]>();
  const head = [
    COMMENT_MARKER,
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
  for (const n of doc.notes) head.push(`> ${inline(n)}`);
  head.push("");
  sections.push(head);

  if (doc.programError !== undefined) {
    sections.push([
      "#### The program stopped before registering its resources",
      codeBlock(clip(doc.programError, 8_000)),
      "",
    ]);
  }

  const p = doc.policies;
  const rows = ["| policy | verdict |", "|---|---|"];
  for (const name of p.passed) rows.push(`| ${inline(name)} | ✅ pass |`);
  for (const n of p.notApplicable)
    rows.push(`| ${inline(n.policy)} | ➖ n/a: ${inline(n.reason)} |`);
  // A remediation is applied by the engine and fails nothing: shown as a note, after the rest.
  const icon = (level: string) =>
    level === "advisory" ? "⚠️" : level === "remediate" ? "🩹" : "❌";
  const mandatory = p.violations.filter((v) => v.level !== "advisory" && v.level !== "remediate");
  const advisory = [
    ...p.violations.filter((v) => v.level === "advisory"),
    ...p.violations.filter((v) => v.level === "remediate"),
  ];
  for (const v of [...mandatory, ...advisory].slice(0, LIST_LIMIT)) {
    rows.push(
      `| ${inline(v.policy)} | ${icon(v.level)} ${inline(v.level)}${v.resource ? ` on ${code(v.resource)}` : ""}: ${inline(clip(v.message))} |`,
    );
  }
  if (mandatory.length + advisory.length > LIST_LIMIT)
    rows.push(`| … | and ${mandatory.length + advisory.length - LIST_LIMIT} more |`);
  rows.push("");
  sections.push(rows);
  splittable.add(rows);

  const apps = ["<details><summary>Heroku apps: keys and flags (values never shown)</summary>", ""];
  for (const a of doc.apps.slice(0, APP_LIMIT)) {
    apps.push(`- **${inline(a.app)}**: flags on: ${a.flagsOn.map(code).join(", ") || "none"}`);
    for (const h of a.holders)
      apps.push(`  - ${code(h.name)}: ${h.keys.map((k) => `${code(k.key)}${tag(k)}`).join(", ")}`);
  }
  if (doc.apps.length > APP_LIMIT) apps.push(`- … and ${doc.apps.length - APP_LIMIT} more apps`);
  apps.push("", "</details>", "");
  sections.push(apps);

  sections.push([
    `<details><summary>Graph: ${doc.graph.resourceCount} resources, ${doc.graph.edges.length} edges</summary>`,
    "",
    codeBlock(graphText(doc)),
    "</details>",
  ]);

  if (options.preview) {
    const pv = options.preview;
    sections.push([
      "",
      `#### pulumi preview (prod, with the policy pack): ${inline(pv.outcome)}`,
      "",
      "<details><summary>last lines of the preview (secrets show as [secret])</summary>",
      "",
      codeBlock(pv.tail.map((l) => clip(l, 300)).join("\n")),
      "</details>",
    ]);
  }

  // Whole sections only, so a cut never leaves a fence or a <details> open.
  const note =
    "\n\n_… cut to stay under GitHub's comment limit; run `npm run check` for the full plan._";
  let text = "";
  const fits = (more: string) =>
    (text === "" ? more : `${text}\n${more}`).length + note.length <= COMMENT_LIMIT;
  for (const s of sections) {
    const whole = s.join("\n");
    if (fits(whole)) {
      text = text === "" ? whole : `${text}\n${whole}`;
      continue;
    }
    if (splittable.has(s)) {
      for (const line of s) {
        if (!fits(line)) break;
        text = text === "" ? line : `${text}\n${line}`;
      }
    }
    return text + note;
  }
  return text;
}

/** The comment when the artifact is missing or fails its schema: says so, echoes nothing of it. */
export function renderUnreadable(problem: string): string {
  return [
    COMMENT_MARKER,
    "### console-wiring check: no readable result",
    "",
    `The check's output could not be used: ${code(problem)}. See the workflow run's log.`,
  ].join("\n");
}
