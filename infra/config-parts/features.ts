/**
 * `console-wiring:features`: the features a stack selects from the catalog
 * (infra/features/data/<id>.json), as a map of feature id → true/false, like the flags:
 *
 *   console-wiring:features:
 *     investigate: true
 *
 * Required, with no default: a stack that forgot it would otherwise deploy no feature, or every
 * one, and both change what the app gets without anyone having chosen it. `{}` selects none.
 */
import type { Feature } from "../features/manifest";
import { PROJECT } from "./patterns";

const KEY = `${PROJECT}:features`;

/** The selected features in catalog order; adds one problem per mistake. */
export function parseFeatureSelection(
  value: string | undefined,
  catalog: readonly Feature[],
  problems: string[],
): Feature[] {
  const known = catalog.map((f) => f.id);
  const knownText = known.join(", ") || "none";
  const example = `pulumi config set --path 'features.${known[0] ?? "<feature-id>"}' true`;
  if (value === undefined || value.trim() === "") {
    problems.push(
      `${KEY} is missing: the stack must say which features it deploys (known: ${knownText}; each is infra/features/data/<id>.json). Set it: ${example} (or features: {} in the stack file for none).`,
    );
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(
      `${KEY} must be a map of feature id to true/false (known: ${knownText}). Example: ${example}`,
    );
    return [];
  }
  const selected = new Set<string>();
  for (const [id, on] of Object.entries(parsed)) {
    if (!known.includes(id)) {
      problems.push(
        `${KEY}.${id} is not a feature (known: ${knownText}): add infra/features/data/${id}.json, or remove it: pulumi config rm --path 'features.${id}'`,
      );
    } else if (typeof on !== "boolean") {
      problems.push(
        `${KEY}.${id} must be true or false (a YAML boolean). Fix: pulumi config set --path 'features.${id}' true`,
      );
    } else if (on) {
      selected.add(id);
    }
  }
  return catalog.filter((f) => selected.has(f.id));
}
