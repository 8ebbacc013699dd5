/**
 * Input rules for a Heroku config-vars resource, checked before any HTTP call (the dynamic
 * provider's `check` runs them at preview). Messages name keys, never values.
 */

/** How the engine spells a value that is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Heroku limits an app's whole config to 32 kB. */
export const CONFIG_LIMIT_BYTES = 32 * 1024;

export const KEY_PATTERN = /^\w+$/;
export const APP_NAME = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/;
const APP_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface InputFailure {
  readonly property: string;
  readonly reason: string;
}

/** Size Heroku counts for a set of vars: key and value bytes. */
export function configBytes(vars: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const [k, v] of Object.entries(vars)) {
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  return total;
}

export function validateInputs(inputs: {
  app?: unknown;
  vars?: unknown;
  keys?: unknown;
  requires?: unknown;
  adoptable?: unknown;
  watchedFlags?: unknown;
}): InputFailure[] {
  const failures: InputFailure[] = [
    ...validateRequires(inputs.requires),
    ...validateNameList("adoptable", inputs.adoptable),
    ...validateNameList("watchedFlags", inputs.watchedFlags),
  ];
  const { app, vars, keys } = inputs;
  // No case for a value not known yet (preview): UNKNOWN is a UUID, which this check accepts.
  if (typeof app !== "string" || !(APP_NAME.test(app) || APP_ID.test(app))) {
    failures.push({
      property: "app",
      reason:
        "app must be a Heroku app name (3-30 characters: lowercase letters, digits and dashes, starting with a letter) or app UUID",
    });
  }
  if (vars === UNKNOWN) return failures;
  if (typeof vars !== "object" || vars === null || Array.isArray(vars)) {
    failures.push({
      property: "vars",
      reason: "vars must be a map of config var name to string value",
    });
    return failures;
  }
  // `keys` is the program's own list of names. A name the engine's wire format cannot carry as an
  // object key (`__proto__`) arrives in `keys` but not in `vars`: refuse it instead of losing it.
  if (Array.isArray(keys)) {
    for (const key of keys) {
      if (typeof key === "string" && !Object.hasOwn(vars, key)) {
        failures.push({
          property: `vars.${key}`,
          reason: `config var name "${key}" cannot be managed here: JavaScript objects reserve it, so its value is lost on the way to the provider; rename the var`,
        });
      }
    }
  }
  const known: Record<string, string> = Object.create(null) as Record<string, string>;
  const entries = Object.entries(vars as Record<string, unknown>);
  for (const [key, value] of entries) {
    const property = `vars.${key}`;
    if (!KEY_PATTERN.test(key)) {
      failures.push({
        property,
        reason: `config var name "${key}" is not accepted by Heroku: names must match ^\\w+$ (letters, digits, underscore)`,
      });
      continue;
    }
    if (value === UNKNOWN) continue;
    if (typeof value !== "string") {
      const got = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
      failures.push({
        property,
        reason: `${key} must be a string value (got ${got}); Heroku stores strings only`,
      });
      continue;
    }
    if (value.trim() === "") {
      failures.push({
        property,
        reason: `${key} is empty: an empty config var is a missing one to the app; provide its value at its source`,
      });
      continue;
    }
    if (/[\r\n\0]/.test(value)) {
      failures.push({
        property,
        reason: `${key} contains a line break or NUL character, which this stack does not write to Heroku (value not shown)`,
      });
      continue;
    }
    known[key] = value;
  }
  const bytes = configBytes(known);
  if (bytes > CONFIG_LIMIT_BYTES) {
    failures.push({
      property: "vars",
      reason: `the declared config vars take ${bytes} bytes, over Heroku's ${CONFIG_LIMIT_BYTES}-byte limit for an app's whole config`,
    });
  }
  return failures;
}

/**
 * `requires` (optional): flag var name → the names of the vars that flag needs on the app. The
 * provider refuses to switch a declared flag on while one of them is missing there.
 */
export function validateRequires(requires: unknown): InputFailure[] {
  if (requires === undefined || requires === UNKNOWN) return [];
  if (typeof requires !== "object" || requires === null || Array.isArray(requires)) {
    return [
      {
        property: "requires",
        reason: "requires must be a map of flag var name to the names of the vars that flag needs",
      },
    ];
  }
  const failures: InputFailure[] = [];
  for (const [flag, needs] of Object.entries(requires as Record<string, unknown>)) {
    const property = `requires.${flag}`;
    if (!KEY_PATTERN.test(flag)) {
      failures.push({
        property,
        reason: `flag name "${flag}" is not a config var name Heroku accepts (^\\w+$)`,
      });
    } else if (
      !Array.isArray(needs) ||
      !needs.every((n) => typeof n === "string" && KEY_PATTERN.test(n))
    ) {
      failures.push({
        property,
        reason: `${flag} must list the names of the config vars it needs (each matching ^\\w+$)`,
      });
    }
  }
  return failures;
}

/** An optional list of config var names (`adoptable`, `watchedFlags`). */
export function validateNameList(property: string, list: unknown): InputFailure[] {
  if (list === undefined || list === UNKNOWN) return [];
  if (Array.isArray(list) && list.every((n) => typeof n === "string" && KEY_PATTERN.test(n)))
    return [];
  return [
    {
      property,
      reason: `${property} must be a list of config var names (each matching ^\\w+$)`,
    },
  ];
}
