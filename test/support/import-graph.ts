/**
 * The import graph of the project's own source folders, read with the TypeScript compiler's own
 * pre-processing and module resolution (the rules tsc and ts-node follow), and its circles.
 * Type-only imports count: a layered layout has no loop even in its types.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const SOURCE = /\.(ts|mts|cts|js|cjs|mjs)$/;

/** Every source file under the given folders (relative to root), as root-relative paths. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
    }
  };
  for (const folder of folders) walk(folder);
  return out.sort();
}

/** file → the files among `files` it imports, re-exports or requires (root-relative paths). */
export function importGraph(root: string, files: readonly string[]): Map<string, string[]> {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    allowJs: true,
    resolveJsonModule: true,
  };
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const abs = join(root, file);
    const info = ts.preProcessFile(readFileSync(abs, "utf8"), true, true);
    const targets = new Set<string>();
    for (const imported of info.importedFiles) {
      const resolved = ts.resolveModuleName(imported.fileName, abs, options, ts.sys).resolvedModule
        ?.resolvedFileName;
      const target = resolved && relative(root, resolved);
      if (target && known.has(target) && target !== file) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * The circles of a graph: its strongly connected components of more than one file (Tarjan),
 * each sorted, in a stable order.
 */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (;;) {
      const w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** One circle as a person reads it: its files, then each import that ties them. */
export function describeCircle(
  circle: readonly string[],
  graph: ReadonlyMap<string, readonly string[]>,
): string {
  const edges = circle.flatMap((from) =>
    (graph.get(from) ?? []).filter((to) => circle.includes(to)).map((to) => `  ${from} -> ${to}`),
  );
  return [`circle of ${circle.length} files:`, ...edges].join("\n");
}
