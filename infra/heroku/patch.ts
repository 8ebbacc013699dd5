/**
 * The PATCH a config-vars resource sends and what it leaves: plans made from the app's config,
 * and whether Heroku's answer shows it applied. Pure functions, no Pulumi, no HTTP.
 *
 * Serialized with the provider: plain data and functions only. Maps keyed by config var names
 * have no prototype (a var may be called `constructor` or `toString`), and lookups go through
 * `own`.
 */
import type { ConfigPatch, ConfigVars } from "./client";

/** The value of an own key only: never a member inherited from Object.prototype. */
export function own<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}

/** A map keyed by config var names: no prototype, so any name is an ordinary key. */
export function emptyMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The PATCH body that turns `current` into `desired` for the owned keys only. */
export function planPatch(
  current: Readonly<Record<string, string | undefined>>,
  desired: Readonly<Record<string, string>>,
  removed: readonly string[] = [],
): ConfigPatch {
  const patch = emptyMap<string | null>();
  for (const [key, value] of Object.entries(desired)) {
    if (own(current, key) !== value) patch[key] = value;
  }
  for (const key of removed) {
    if (!Object.hasOwn(desired, key) && own(current, key) !== undefined) patch[key] = null;
  }
  return patch;
}

/** The app's config after a PATCH: what Heroku's merge gives. */
export function applyPatch(current: Readonly<ConfigVars>, patch: ConfigPatch): ConfigVars {
  const after = emptyMap<string>();
  for (const [k, v] of Object.entries(current)) after[k] = v;
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete after[k];
    else after[k] = v;
  }
  return after;
}

/** Whether two optional key lists name the same keys (order aside). */
export function sameKeys(
  a: readonly string[] | undefined,
  b: readonly string[] | undefined,
): boolean {
  const x = [...(a ?? [])].sort();
  const y = [...(b ?? [])].sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}

/** Heroku answers a PATCH with the resulting config; a value not applied is an error, not a hope. */
export function assertApplied(app: string, result: ConfigVars, patch: ConfigPatch): void {
  const wrong = Object.entries(patch)
    .filter(([k, v]) => (v === null ? own(result, k) !== undefined : own(result, k) !== v))
    .map(([k]) => k);
  if (wrong.length > 0) {
    throw new Error(
      `Heroku app ${app}: the PATCH response does not show ${wrong.join(", ")} as requested; run pulumi refresh to see the app's state.`,
    );
  }
}
