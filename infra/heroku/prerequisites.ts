/**
 * Fail closed at apply time: the rule the flags' config-vars resource checks against the app's
 * live config, just before its PATCH. The gate and the policy pack decide at preview, from the
 * program; this decides from what the app holds at the moment of the write, so a prerequisite
 * removed by hand, or by an interrupted deploy that state does not know about, keeps the flag
 * off instead of recreating the incident. Pure functions, no Pulumi, no HTTP.
 *
 * Serialized with the provider: plain data and functions only.
 */

/** Flag var → the vars it needs, set and non-empty on the same app (the manifest's map). */
export type Requirements = Readonly<Record<string, readonly string[]>>;

/** Values the console's startup check reads as off (docs/startup-check.md, "The app's startup check"). */
const OFF_VALUES: readonly string[] = ["", "0", "false", "off", "no"];

/** Whether the app reads this value of a flag var as on. */
export function isOn(value: string | undefined): boolean {
  return value !== undefined && !OFF_VALUES.includes(value.trim().toLowerCase());
}

export interface UnmetFlag {
  readonly flag: string;
  /** The vars the flag needs that the config lacks or holds empty, sorted. */
  readonly missing: readonly string[];
}

/**
 * The flags among `declared` that are on in `config` while a var they need is missing or empty
 * there. `config` is the app's whole config as it would be after the PATCH.
 */
export function unmetRequirements(
  config: Readonly<Record<string, string>>,
  declared: readonly string[],
  requires: Requirements | undefined,
): UnmetFlag[] {
  if (requires === undefined) return [];
  const unmet: UnmetFlag[] = [];
  for (const flag of [...declared].sort()) {
    const needs = Object.hasOwn(requires, flag) ? requires[flag] : undefined;
    if (needs === undefined || !isOn(configValue(config, flag))) continue;
    const missing = needs.filter((name) => (configValue(config, name) ?? "").trim() === "");
    if (missing.length > 0) unmet.push({ flag, missing: [...new Set(missing)].sort() });
  }
  return unmet;
}

// Not called `valueOf`: the serialized provider would resolve that free name to the global
// object's own valueOf (Object.prototype's), not to this function.
function configValue(config: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(config, key) ? config[key] : undefined;
}

/** The refusal: every flag with every var it lacks, and what to do. */
export function refusalMessage(app: string, unmet: readonly UnmetFlag[]): string {
  const flags = unmet.map((u) => u.flag);
  const lines = unmet.map((u) => `  - ${u.flag} needs ${u.missing.join(", ")}`);
  return (
    `Heroku app ${app}: refusing to switch on ${flags.join(", ")}: the app's config, read just now, ` +
    `lacks vars ${flags.length === 1 ? "it needs" : "they need"} (missing or empty); nothing was changed.\n` +
    `${lines.join("\n")}\n` +
    "The prerequisites are set before the flags in the same deployment: run the deploy again " +
    "(pulumi up --refresh reads the app and puts back vars removed by hand or by an interrupted deploy), " +
    `or keep the flag off: pulumi config set --path 'flags.${flags[0]}' false.`
  );
}

/** Same requirements, whatever the order of flags or of their vars. */
export function sameRequirements(
  a: Requirements | undefined,
  b: Requirements | undefined,
): boolean {
  return canonical(a) === canonical(b);
}

function canonical(r: Requirements | undefined): string {
  return JSON.stringify(
    r === undefined
      ? null
      : Object.keys(r)
          .sort()
          .map((flag) => [flag, [...(r[flag] as readonly string[])].sort()]),
  );
}
