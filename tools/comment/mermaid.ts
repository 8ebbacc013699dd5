/**
 * The plan's graph as a Mermaid flowchart (`npm run check -- --format mermaid`, and the PR
 * comment, which GitHub renders): resources as nodes grouped by component, the edges the text
 * plan lists, labelled with the properties that carry them. With a base graph (the default
 * branch's plan), edges the change adds or removes are marked.
 *
 * Names come from the program, so none of them reaches Mermaid's syntax: node and group ids are
 * generated (`n0`, `c0`), labels are quoted with every character that could end a quote, start a
 * directive or become Markdown or HTML written as a Mermaid entity.
 */
import { stripControl } from "./markdown";
import type { CheckDocument } from "./document";

type Graph = CheckDocument["graph"];
type Edge = Graph["edges"][number];

export interface MermaidOptions {
  /** The graph to compare with; without it no edge is marked. */
  readonly base?: Graph;
  /** Stop before the chart passes this many characters (what is left out is counted). */
  readonly maxChars?: number;
}

export interface MermaidChart {
  readonly text: string;
  /** Edges the change adds, removes, or keeps with other properties (all 0 without a base). */
  readonly added: number;
  readonly removed: number;
  readonly relabelled: number;
  /** Resources and edges left out to stay under maxChars. */
  readonly omittedNodes: number;
  readonly omittedEdges: number;
}

const ADDED_STYLE = "stroke:#1a7f37,stroke-width:3px";
const REMOVED_STYLE = "stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5";

/** A label for inside `"…"`: one line, and no character Mermaid or Markdown would interpret. */
export function mermaidLabel(text: string): string {
  return [...stripControl(text).replace(/[\r\n\t]+/g, " ")]
    .slice(0, 300)
    .join("")
    .replace(/[^\w .,:/()@+=~$*!?'-]/gu, (c) => `#${c.codePointAt(0)};`);
}

const key = (e: { from: string; to: string }) => `${e.from}\u0000${e.to}`;

export function renderMermaid(graph: Graph, options: MermaidOptions = {}): MermaidChart {
  const max = options.maxChars ?? Number.POSITIVE_INFINITY;
  const base = options.base;
  const baseEdges = new Map((base?.edges ?? []).map((e) => [key(e), e]));
  const current = new Set(graph.edges.map(key));
  const removedEdges = base ? base.edges.filter((e) => !current.has(key(e))) : [];

  const lines = ["flowchart LR"];
  let size = lines[0]!.length;
  const push = (line: string) => {
    if (size + line.length + 1 > max) return false;
    lines.push(line);
    size += line.length + 1;
    return true;
  };

  const ids = new Map<string, string>();
  const nodeId = (name: string) => {
    let id = ids.get(name);
    if (id === undefined) {
      id = `n${ids.size}`;
      ids.set(name, id);
    }
    return id;
  };
  const total = new Set<string>();
  for (const c of graph.components) for (const r of c.children) total.add(r.name);

  // Groups first, node by node: a chart cut short keeps whole groups' worth of what fits.
  let full = false;
  graph.components.forEach((c, ci) => {
    if (full || c.children.length === 0) return;
    const title = c.type ? `${c.name} [${c.type}]` : c.name;
    if (!push(`  subgraph c${ci}["${mermaidLabel(title)}"]`)) return void (full = true);
    for (const r of c.children) {
      if (ids.has(r.name)) continue;
      const line = `    n${ids.size}["${mermaidLabel(r.name)}<br/>${mermaidLabel(r.type)}"]`;
      // Room for the group's `end` is kept.
      if (size + line.length + 1 + 6 > max) {
        full = true;
        break;
      }
      nodeId(r.name);
      push(line);
    }
    lines.push("  end");
    size += 6;
  });

  const styles: string[] = [];
  let drawn = 0;
  let omittedEdges = 0;
  const counts = { added: 0, changed: 0 };
  const drawEdge = (e: Edge, kind: "same" | "added" | "changed" | "removed") => {
    for (const name of [e.from, e.to]) {
      if (ids.has(name)) continue;
      // Only a removed edge's endpoint may be new here (a resource the change deletes).
      if (kind !== "removed" || full) return false;
      const line = `  n${ids.size}["${mermaidLabel(name)}<br/>(removed)"]`;
      if (size + line.length + 1 > max) return false;
      nodeId(name);
      push(line);
    }
    const suffix =
      kind === "added"
        ? " (added)"
        : kind === "removed"
          ? " (removed)"
          : kind === "changed"
            ? ` (was ${baseEdges.get(key(e))!.via.join(", ")})`
            : "";
    const arrow = kind === "removed" ? "-.->" : "-->";
    const label = mermaidLabel(`${e.via.join(", ")}${suffix}`);
    if (!push(`  ${nodeId(e.from)} ${arrow}|"${label}"| ${nodeId(e.to)}`)) return false;
    if (kind === "added" || kind === "changed") styles.push(`  linkStyle ${drawn} ${ADDED_STYLE}`);
    if (kind === "removed") styles.push(`  linkStyle ${drawn} ${REMOVED_STYLE}`);
    drawn++;
    return true;
  };
  for (const e of graph.edges) {
    const before = baseEdges.get(key(e));
    const kind = !base
      ? "same"
      : before === undefined
        ? "added"
        : before.via.join(",") === e.via.join(",")
          ? "same"
          : "changed";
    if (kind === "added") counts.added++;
    if (kind === "changed") counts.changed++;
    if (!drawEdge(e, kind)) omittedEdges++;
  }
  for (const e of removedEdges) if (!drawEdge(e, "removed")) omittedEdges++;
  // Styles last (Mermaid applies them by edge index); each is short, and dropping one only loses a colour.
  for (const s of styles) if (!push(s)) break;

  const drawnNodes = [...total].filter((n) => ids.has(n)).length;
  return {
    text: lines.join("\n"),
    added: counts.added,
    removed: removedEdges.length,
    relabelled: counts.changed,
    omittedNodes: total.size - drawnNodes,
    omittedEdges,
  };
}
