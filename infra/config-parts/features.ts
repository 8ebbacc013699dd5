/**
 * `console-wiring:features`: the features a stack selects from the catalog (features/*.json).
 * Required, with no default: a stack that forgot it would otherwise deploy no feature, or every
 * one, and both change what the app gets without anyone having chosen it.
 */
import type { Feature } from "../features/manifest";
import { PROJECT } from "./patterns";

const KEY = `${PROJECT}:features`;

/** The selected features in catalog order; adds one problem per mistake and returns the rest. */
export function parseFeatureSelection(
  value: string | undefined,
  catalog: readonly Feature[],
  problems: string[],
): Feature[] {
  const known = catalog.map((f) => f.id);
  const example = `pulumi config set --path 'features[0]' ${known[0] ?? "<feature-id>"}`;
  if (value === undefined || value.trim() === "") {
    problems.push(
      `${KEY} is missing: the stack must list the features it deploys (known: ${known.join(", ") || "none"}; each is features/<id>.json). Set it: ${example}, or features: [] in the stack file for none.`,
    );
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((id) => typeof id === "string")) {
    problems.push(
      `${KEY} must be a list of feature ids (known: ${known.join(", ")}). Example: ${example}`,
    );
    return [];
  }
  const ids = parsed as string[];
  ids.forEach((id, i) => {
    if (!known.includes(id))
      problems.push(
        `${KEY}[${i}] ${JSON.stringify(id)} is not a feature (known: ${known.join(", ") || "none"}): add features/${id}.json, or remove it from the list.`,
      );
    else if (ids.indexOf(id) !== i)
      problems.push(`${KEY}[${i}] ${id} is listed twice: remove one.`);
  });
  return catalog.filter((f) => ids.includes(f.id));
}
