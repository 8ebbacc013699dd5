/**
 * Pulumi program entry. package.json's `main` names this file; the Node.js language host runs it
 * from the project root through ts-node with the project's tsconfig.json. Exporting a function lets
 * the program await the Vault reads the gate needs before it registers anything; its result becomes
 * the stack outputs.
 */
import { readConfig } from "./config";
import { detectionRulesError } from "./features/detection-rules";
import { FEATURES } from "./features/manifest";
import { wire } from "./program";
import { runError } from "./run-error";

export = async () => {
  // A detection rule Sentry cannot create would stop the deploy at the alert, after the preview.
  const manifestError = detectionRulesError(FEATURES);
  if (manifestError) throw runError(manifestError);
  return wire(readConfig());
};
