import { catalog } from "../../infra/features/catalog";
import type { Feature } from "../../infra/features/manifest";

/**
 * The Investigate feature (infra/features/data/investigate.json), by id: tests that pin
 * Investigate's flags, vars and rule take it from here, so a feature file added next to it
 * changes none of them.
 */
export function investigate(): Feature {
  const found = catalog().find((f) => f.id === "investigate");
  if (!found) throw new Error("infra/features/data/investigate.json is missing from the catalog");
  return found;
}
