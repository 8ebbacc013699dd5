/**
 * Renders what the offline check found as a plan a reviewer reads in a minute: resources by
 * component, edges, the keys each Heroku app will hold (never a value), flags, and each policy's
 * verdict. Text for terminals, Markdown for a PR comment kept under GitHub's limit.
 */
import { catalog } from "../../infra/features/catalog";
import type { Analysis, Verdict } from "./analyze";
import { gateLines } from "./gates-plan";
import { UNKNOWN, type Captured } from "./run-program";
import { CHECK_SCHEMA, type CheckDocument } from "../comment/document";
import { renderMermaid } from "../comment/mermaid";
import { capped, clip, renderComment, tag } from "../comment/render";

export type Format = "text" | "markdown" | "json" | "mermaid";

export { COMMENT_LIMIT as MARKDOWN_LIMIT } from "../comment/render";

export interface PlanInput {
  readonly stack: string;
  readonly resources: readonly Captured[];
  readonly analysis?: Analysis;
  /** The program's own error (config or gate), when it stopped. */
  readonly programError?: string;
  readonly notes: readonly string[];
}

const HEROKU = "pulumi-nodejs:dynamic/heroku:ConfigVars";
const LIST_LIMIT = 40;
const APP_LIMIT = 15;

function shortType(type: string): string {
  if (type === HEROKU) return "heroku:ConfigVars";
  const parts = type.split(":");
  return parts.length === 3 ? `${parts[0]}:${parts[2]}` : type;
}

interface Model {
  components: { name: string; type: string; children: Captured[] }[];
  edges: { from: string; to: string; via: string[] }[];
  apps: {
    app: string;
    holders: { name: string; keys: { key: string; secret: boolean; computed: boolean }[] }[];
    flagsOn: string[];
  }[];
}

function model(resources: readonly Captured[]): Model {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const components = resources
    .filter((r) => !r.custom)
    .map((c) => ({
      name: c.name,
      type: c.type,
      children: resources.filter((r) => r.parent === c.urn && r.custom),
    }));
  const orphans = resources.filter((r) => r.custom && !byUrn.get(r.parent));
  if (orphans.length > 0) components.push({ name: "(stack)", type: "", children: orphans });

  const edges: Model["edges"] = [];
  for (const r of resources) {
    if (!r.custom) continue;
    const via = new Map<string, Set<string>>();
    for (const [prop, urns] of Object.entries(r.propertyDependencies)) {
      for (const u of urns) via.set(u, (via.get(u) ?? new Set()).add(prop));
    }
    for (const u of r.dependencies) {
      if (!via.has(u)) via.set(u, new Set(["dependsOn"]));
      else if (!Object.values(r.propertyDependencies).some((urns) => urns.includes(u)))
        via.get(u)!.add("dependsOn");
    }
    for (const [u, props] of via) {
      const from = byUrn.get(u);
      if (from?.custom) edges.push({ from: from.name, to: r.name, via: [...props].sort() });
    }
  }

  // Read only when there is an app: a plan of a run stopped by bad feature files has none, and
  // reading the catalog again would throw its error out of the renderer.
  let flags: Set<string> | undefined;
  const apps = new Map<string, Model["apps"][number]>();
  for (const r of resources) {
    if (r.type !== HEROKU) continue;
    flags ??= new Set(catalog().flatMap((f) => f.flags));
    const app = typeof r.inputs["app"] === "string" ? r.inputs["app"] : "(unknown until apply)";
    const entry = apps.get(app) ?? { app, holders: [], flagsOn: [] };
    const vars = (r.inputs["vars"] ?? {}) as Record<string, unknown>;
    const keys = (
      Array.isArray(r.inputs["keys"]) ? (r.inputs["keys"] as string[]) : Object.keys(vars)
    ).map((key) => ({
      key,
      secret: r.secretInputs.includes(`vars.${key}`),
      computed: vars[key] === UNKNOWN,
    }));
    entry.holders.push({ name: r.name, keys });
    for (const k of keys) if (flags.has(k.key) && vars[k.key] === "1") entry.flagsOn.push(k.key);
    apps.set(app, entry);
  }
  return { components, edges, apps: [...apps.values()] };
}

/** Resources by component, children indented, each list capped. */
function componentLines(m: Model): string[] {
  const lines: string[] = [];
  for (const c of m.components.slice(0, LIST_LIMIT)) {
    lines.push(`${c.name}${c.type ? `  [${c.type}]` : ""}`);
    const child = (r: Captured) =>
      `${r.name}  ${shortType(r.type)}${r.importId ? `  (adopts ${r.importId})` : ""}`;
    lines.push(...capped(c.children, LIST_LIMIT, child, "resources").map((l) => `  - ${l}`));
  }
  if (m.components.length > LIST_LIMIT) {
    lines.push(`… and ${m.components.length - LIST_LIMIT} more components`);
  }
  return lines;
}

function verdictCounts(analysis: Analysis | undefined) {
  const mandatory = analysis?.violations.filter((v) => v.level === "mandatory") ?? [];
  const advisory = analysis?.violations.filter((v) => v.level === "advisory") ?? [];
  // What the pack's remediations change: the engine applies them and reports no violation.
  const remediated = analysis?.violations.filter((v) => v.level === "remediate") ?? [];
  return { mandatory, advisory, remediated };
}

export function failed(input: PlanInput): boolean {
  return input.programError !== undefined || verdictCounts(input.analysis).mandatory.length > 0;
}

function verdictLine(v: Verdict): string {
  const message = clip(v.message).replace(/\n/g, "\n        ");
  return `${v.policy} (${v.level})${v.resource ? ` on ${v.resource}` : ""}: ${message}`;
}

export function renderText(input: PlanInput): string {
  const m = model(input.resources);
  const out: string[] = [];
  out.push(
    `console-wiring check: stack ${input.stack} (offline: Pulumi mock runtime, no credentials, no network)`,
  );
  for (const n of input.notes) out.push(`note: ${n}`);
  out.push("");
  if (input.programError) {
    out.push("The program stopped before registering its resources:");
    out.push(...input.programError.split("\n").map((l) => `  ${l}`));
    out.push("");
  }
  const customCount = input.resources.filter((r) => r.custom).length;
  out.push(`Resources (${customCount})`);
  out.push(...componentLines(m).map((l) => `  ${l}`));
  out.push("");
  out.push(...gateLines(input.resources), "");
  out.push("Edges (left is applied first)");
  out.push(
    ...capped(m.edges, LIST_LIMIT, (e) => `  ${e.from} -> ${e.to}  (${e.via.join(", ")})`, "edges"),
  );
  out.push("");
  for (const a of m.apps.slice(0, APP_LIMIT)) {
    out.push(`Heroku app ${a.app}: keys it will hold (values never shown)`);
    for (const h of a.holders) {
      out.push(`  ${h.name}: ${h.keys.map((k) => `${k.key}${tag(k)}`).join(", ") || "(none)"}`);
    }
    out.push(`  flags on: ${a.flagsOn.join(", ") || "none"}`);
  }
  if (m.apps.length > APP_LIMIT) out.push(`… and ${m.apps.length - APP_LIMIT} more Heroku apps`);
  out.push("");
  if (input.analysis) {
    out.push("Policies");
    const { mandatory, advisory, remediated } = verdictCounts(input.analysis);
    for (const p of input.analysis.passed) out.push(`  PASS  ${p}`);
    for (const n of input.analysis.notApplicable) out.push(`  N/A   ${n.policy}: ${n.reason}`);
    out.push(
      ...capped(mandatory, LIST_LIMIT, (v) => `  FAIL  ${verdictLine(v)}`, "mandatory violations"),
    );
    out.push(...capped(advisory, LIST_LIMIT, (v) => `  WARN  ${verdictLine(v)}`, "advisories"));
    out.push(...capped(remediated, LIST_LIMIT, (v) => `  NOTE  ${verdictLine(v)}`, "remediations"));
    out.push("");
  }
  out.push(resultLine(input));
  return out.join("\n");
}

function resultLine(input: PlanInput): string {
  const { mandatory, advisory, remediated } = verdictCounts(input.analysis);
  if (input.programError) return "Result: FAIL (the program stopped; nothing would be applied)";
  const notes =
    remediated.length > 0
      ? `, ${remediated.length} remediation${remediated.length === 1 ? "" : "s"} applied`
      : "";
  return `Result: ${mandatory.length > 0 ? "FAIL" : "PASS"} (${mandatory.length} mandatory violation${mandatory.length === 1 ? "" : "s"}, ${advisory.length} advisor${advisory.length === 1 ? "y" : "ies"}${notes})`;
}

/** The check's result as data: the PR comment's source (`--format json`). */
export function toDocument(input: PlanInput): CheckDocument {
  const m = model(input.resources);
  const { mandatory, advisory, remediated } = verdictCounts(input.analysis);
  return {
    schema: CHECK_SCHEMA,
    stack: input.stack,
    result: failed(input) ? "fail" : "pass",
    summary: resultLine(input).replace(/^Result: /, ""),
    ...(input.programError === undefined ? {} : { programError: input.programError }),
    notes: [...input.notes],
    policies: {
      passed: [...(input.analysis?.passed ?? [])],
      notApplicable: [...(input.analysis?.notApplicable ?? [])],
      violations: [...mandatory, ...advisory, ...remediated].map((v) => ({
        policy: v.policy,
        level: v.level,
        message: v.message,
        ...(v.resource ? { resource: v.resource } : {}),
      })),
    },
    apps: m.apps,
    graph: {
      resourceCount: input.resources.filter((r) => r.custom).length,
      components: m.components.map((c) => ({
        name: c.name,
        type: c.type,
        children: c.children.map((r) => ({
          name: r.name,
          type: shortType(r.type),
          ...(r.importId ? { importId: r.importId } : {}),
        })),
      })),
      edges: m.edges,
    },
  };
}

/** The PR comment for a local run: the same renderer the comment workflow uses on the JSON. */
export function renderMarkdown(input: PlanInput): string {
  return renderComment(toDocument(input));
}

/**
 * The graph as a Mermaid flowchart (`--format mermaid`), nothing marked (there is no base here).
 * Mermaid comments (`%%`) carry the verdict, so a failing plan never looks like a clean picture.
 */
export function renderMermaidPlan(input: PlanInput): string {
  const doc = toDocument(input);
  return [
    renderMermaid(doc.graph).text,
    `%% console-wiring check: stack ${doc.stack.replace(/[^\w.-]/g, "_")}: ${doc.result === "pass" ? "PASS" : "FAIL"}${doc.programError === undefined ? "" : " (the program stopped: run npm run check for its message)"}`,
  ].join("\n");
}
