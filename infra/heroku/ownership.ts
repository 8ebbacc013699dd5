/**
 * Which keys on the app a config-vars resource may take, must leave, and must switch off: the
 * rules that keep the app's own vars the app's and leave no flag on that the stack cannot
 * account for. Pure functions, no Pulumi, no HTTP.
 *
 * Serialized with the provider: plain data and functions only.
 */
import { isOn, type UnmetFlag } from "./prerequisites";

/** The stack config key that lists the vars a stack may take over (infra/config.ts). */
export const ADOPT_SETTING = "console-wiring:adoptConfigVars";

function has(config: Readonly<Record<string, string>>, key: string): boolean {
  return Object.hasOwn(config, key);
}

/**
 * Declared keys the app already holds with another value, that the stack may not take over:
 * neither listed for adoption (`allowed`) nor the stack's own (a key moving here from another
 * resource of the stack). A key already holding the declared value is taken over silently.
 */
export function takeoverConflicts(
  current: Readonly<Record<string, string>>,
  vars: Readonly<Record<string, string>>,
  allowed: readonly string[],
): string[] {
  return Object.keys(vars)
    .filter((k) => has(current, k) && current[k] !== vars[k] && !allowed.includes(k))
    .sort();
}

/** The refusal for `takeoverConflicts`: the keys (never their values), the setting and the fix. */
export function takeoverMessage(app: string, keys: readonly string[]): string {
  const one = keys.length === 1;
  const first = keys[0] ?? "";
  return (
    `Heroku app ${app}: ${keys.join(", ")} ${one ? "is" : "are"} already on the app with another value, ` +
    `and the stack file does not list ${one ? "it" : "them"} in ${ADOPT_SETTING}; nothing was changed. ` +
    "The stack never overwrites a var the app already has unless told to. " +
    `If the stack should own ${one ? "it" : "them"}: pulumi config set --path 'adoptConfigVars[0]' ${first}` +
    `${one ? "" : " (one entry per var)"}, review, and deploy again. ` +
    `If not: rename the var in the feature file, or remove it from the app (heroku config:unset ${first} -a ${app}).`
  );
}

/**
 * Keys leaving this resource (no longer declared, or deleted with it) that stay on the app: the
 * ones it took over (`adopted`), except flags. A flag is always switched off: left on, it would
 * outlive the prerequisites the stack removes, which is the incident.
 */
export function keptOnApp(
  adopted: readonly string[] | undefined,
  flags: readonly string[],
): string[] {
  return (adopted ?? []).filter((k) => !flags.includes(k));
}

/**
 * Catalog flags this resource watches that are on at the app while the stack does not declare
 * them on (here or in another resource of the stack): flags it cannot account for, left by an
 * interrupted deploy or set by hand. On is what the app's startup check reads as on.
 */
export function strayFlags(
  current: Readonly<Record<string, string>>,
  watched: readonly string[] | undefined,
  declared: readonly string[],
  elsewhere: readonly string[] | undefined,
): string[] {
  return (watched ?? [])
    .filter((f) => !declared.includes(f) && !(elsewhere ?? []).includes(f))
    .filter((f) => isOn(has(current, f) ? current[f] : undefined))
    .sort();
}

/**
 * The failure when Heroku's answer to a PATCH shows a flag on without a var it needs (removed
 * between the read and the write): which flags were switched off again, or how to do it by hand.
 */
export function resultMessage(
  app: string,
  unmet: readonly UnmetFlag[],
  switchedOff: readonly string[],
  offError: string | undefined,
): string {
  const lines = unmet.map((u) => `  - ${u.flag} needs ${u.missing.join(", ")}`);
  const after =
    offError === undefined
      ? `switched ${switchedOff.join(", ")} off again (one more PATCH), so no flag stays on without its vars.`
      : `switching ${switchedOff.join(", ")} off again failed (${offError}): switch ${switchedOff.length === 1 ? "it" : "them"} off now: heroku config:unset ${switchedOff.join(" ")} -a ${app}.`;
  return (
    `Heroku app ${app}: Heroku's answer to the PATCH shows a flag on while a var it needs is missing or empty ` +
    `(removed while this deployment wrote the flags); ${after}\n${lines.join("\n")}\n` +
    "Find out who removed the var, then run the deploy again (pulumi up --refresh puts back the stack's own vars)."
  );
}
