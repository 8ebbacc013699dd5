/**
 * The program for one stack: load the feature catalog (infra/features/data/*.json, validated), read and
 * validate the stack config (which selects features from it), then wire the graph. Tests and the
 * offline check pass another catalog (test fixtures) through the same path.
 */
import { readConfig } from "./config";
import { catalog, FeatureDataError } from "./features/catalog";
import { detectionRulesError } from "./features/detection-rules";
import type { Feature } from "./features/manifest";
import { wire, type StackOutputs } from "./program";
import { runError } from "./run-error";

export async function runStack(featureCatalog?: readonly Feature[]): Promise<StackOutputs> {
  let features: readonly Feature[];
  try {
    features = featureCatalog ?? catalog();
  } catch (err) {
    // RunError: the CLI prints the message without a stack trace.
    if (err instanceof FeatureDataError) throw runError(err.message);
    throw err;
  }
  // A detection rule Sentry cannot create would stop the deploy at the alert, after the preview.
  // The catalog refuses one at load; this also covers a catalog given in code.
  const ruleError = detectionRulesError(features);
  if (ruleError) throw runError(ruleError);
  return wire(readConfig(features), features);
}
