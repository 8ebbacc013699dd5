import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { circles, describeCircle, importGraph, sourceFiles } from "./support/import-graph";

const root = join(__dirname, "..");
const FOLDERS = ["infra", "tools", "policy"];

describe("import circles", () => {
  it("reads the imports it is meant to check (a graph with arrows, not an empty one)", () => {
    const graph = importGraph(root, sourceFiles(root, FOLDERS));
    // Known edges of each folder: if resolution broke, every circle would vanish silently.
    expect(graph.get("infra/features/catalog.ts")).toContain("infra/features/model.ts");
    expect(graph.get("tools/smoke/access-gate.ts")).toContain("tools/smoke/http.ts");
    expect(graph.get("policy/policies/index.ts")?.length).toBeGreaterThan(0);
  });

  it("finds a circle when there is one", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(circles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  it("has none in infra/, tools/ or policy/ (each layer imports only downward)", () => {
    const graph = importGraph(root, sourceFiles(root, FOLDERS));
    const found = circles(graph);
    expect(found.map((c) => describeCircle(c, graph)).join("\n")).toBe("");
  });
});
