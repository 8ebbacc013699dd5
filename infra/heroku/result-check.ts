/**
 * Check the result, not only the plan: Heroku's answer to a flags PATCH is the app's whole
 * resulting config, and a flag on there without its vars is switched off again.
 *
 * Serialized with the provider: plain data and functions only.
 */
import { clientOptionsFromEnv, patchConfigVars, type ConfigPatch, type ConfigVars } from "./client";
import { resultMessage } from "./ownership";
import { assertApplied, emptyMap, own } from "./patch";
import { isOn, unmetRequirements, type Requirements } from "./prerequisites";

/**
 * Checks Heroku's answer to a PATCH, the app's whole resulting config, not only the plan: a var
 * removed between the GET and the PATCH leaves a flag on without it. Then the flags this PATCH
 * set and those found unmet are switched off again (one more PATCH, only on this path), and the
 * operation fails naming them and the vars.
 */
export async function assertResultSafe(
  inputs: {
    readonly app: string;
    readonly vars: Readonly<Record<string, string>>;
    readonly requires?: Requirements;
  },
  result: Readonly<ConfigVars>,
  patch: ConfigPatch,
): Promise<void> {
  const unmet = unmetRequirements(result, Object.keys(inputs.vars), inputs.requires);
  if (unmet.length === 0) return;
  const set = Object.keys(patch).filter(
    (k) => Object.hasOwn(inputs.requires ?? {}, k) && patch[k] !== null,
  );
  const off = [...new Set([...set, ...unmet.map((u) => u.flag)])]
    .filter((k) => isOn(own(result, k)))
    .sort();
  let offError: string | undefined;
  if (off.length > 0) {
    const undo = emptyMap<string | null>();
    for (const k of off) undo[k] = null;
    try {
      const after = await patchConfigVars(inputs.app, undo, clientOptionsFromEnv());
      assertApplied(inputs.app, after, undo);
    } catch (err) {
      offError = err instanceof Error ? err.message : String(err);
    }
  }
  throw new Error(resultMessage(inputs.app, unmet, off, offError));
}
