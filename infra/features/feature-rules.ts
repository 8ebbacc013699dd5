/**
 * Rules a feature file must meet beyond its schema, each one a way bad data reached a deploy:
 * a flag with no alert, a var that is Heroku's or an add-on's, a Vault path that reads another
 * secret than it names, a config key that is the project's own setting, a smoke probe sending
 * credentials to a URL that is not https, and a catalog whose vars outgrow Heroku's config limit.
 * Every problem names the file, the field (a JSON pointer) and the fix. The catalog loader
 * (./catalog.ts) runs them after the schema.
 */
import { OWN_CONFIG_KEYS } from "../config-parts/own-keys";
import type { DetectionRule, RequiredVar, SmokeProbe, StartupCheck } from "./model";
import { reservedOwner } from "./reserved-names";

/** The fields of a feature file these rules read. */
export interface FeatureFields {
  readonly flags: readonly string[];
  readonly prerequisites: readonly RequiredVar[];
  readonly startupCheck: StartupCheck;
  readonly detection: readonly DetectionRule[];
  readonly smoke: readonly SmokeProbe[];
}

/**
 * Heroku's limit on an app's whole config (as infra/heroku/validate.ts; not imported from there,
 * because the policy pack loads this file and compiles under an older lib than that one needs).
 */
export const CONFIG_LIMIT_BYTES = 32 * 1024;
/** The part of Heroku's 32 kB config the catalog's vars may take; the rest is the app's own. */
export const FEATURES_SHARE_BYTES = CONFIG_LIMIT_BYTES / 2;
/** What one prerequisite value is counted as (URLs, API keys, token secrets are far shorter). */
export const VALUE_BUDGET_BYTES = 1024;
/** The prerequisite map var may hold at most this much by itself. */
export const MAP_BUDGET_BYTES = 8 * 1024;

/**
 * A Vault path with `.` or `..` segments, normalized; undefined when it has none. `above` is set
 * when `..` climbs out of the mount.
 */
export function dotSegments(path: string): { normalized: string; above: boolean } | undefined {
  const segments = path.split("/");
  if (!segments.some((s) => s === "." || s === "..")) return undefined;
  const out: string[] = [];
  let above = false;
  for (const s of segments) {
    if (s === ".") continue;
    if (s === "..") {
      if (out.length === 0) above = true;
      else out.pop();
    } else out.push(s);
  }
  return { normalized: out.join("/"), above };
}

/** Problems of one file; `mapVar` is the prerequisite map, which the catalog itself declares. */
export function featureRuleProblems(file: string, f: FeatureFields, mapVar: string): string[] {
  const problems: string[] = [];
  if (f.detection.length === 0) {
    const sc = f.startupCheck;
    problems.push(
      `${file}: /detection is empty: a feature needs at least one rule, and one must watch its startup check, or its flag goes on with no alert. Add a rule with "logger": "${sc.logger}" and "messageContains": "${sc.message}" (docs/features.md).`,
    );
  }
  const reserved = (name: string, pointer: string) => {
    const owner = name === mapVar ? undefined : reservedOwner(name);
    if (owner !== undefined)
      problems.push(
        `${file}: ${pointer} ${name} is ${owner} (infra/features/reserved-names.ts): a feature may not write it, or the stack would take the key over on the app. Use a name of the feature's own, such as ${name.replace(/^HEROKU_/, "")}_FOR_<FEATURE>.`,
      );
  };
  f.flags.forEach((name, i) => reserved(name, `/flags/${i}`));
  f.prerequisites.forEach((v, i) => {
    reserved(v.name, `/prerequisites/${i}/name`);
    const s = v.source;
    if (s.kind === "vault") {
      const dots = dotSegments(s.path);
      if (dots)
        problems.push(
          `${file}: /prerequisites/${i}/source/path ${s.path} has a "." or ".." segment, so Vault would read ${dots.above ? "a secret outside the mount" : `the secret ${dots.normalized}`}, not the one the path appears to name: ${dots.above || dots.normalized === "" ? "name the secret under the mount without dot segments" : `write the path itself: ${dots.normalized}`}.`,
        );
    }
    if (s.kind === "config" && (OWN_CONFIG_KEYS as readonly string[]).includes(s.key))
      problems.push(
        `${file}: /prerequisites/${i}/source/key ${s.key} is one of the project's own settings (infra/config-parts/own-keys.ts): the feature's value and the setting would be one key. Use a key of the feature's own, such as ${s.key}For<Feature>.`,
      );
  });
  f.smoke.forEach((probe, i) => {
    const v = f.prerequisites.find((p) => p.name === probe.urlVar);
    // A var that is not a prerequisite at all is reported by the loader's own rule.
    if (v && !(v.source.kind === "config" && v.source.format === "https-url"))
      problems.push(
        `${file}: /smoke/${i}/urlVar ${probe.urlVar} does not come from a config source with "format": "https-url", so nothing holds it to https: the probe would send the service token and API key to whatever it holds. Give /prerequisites/${f.prerequisites.indexOf(v)}/source {"kind": "config", "key": "<key>", "format": "https-url"}.`,
      );
  });
  return problems;
}

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * Whether the vars the catalog's features write to one Heroku app fit Heroku's config limit: the
 * prerequisite map as the program writes it (infra/features/manifest.ts, prerequisiteMap), each
 * flag with "1", and each prerequisite at VALUE_BUDGET_BYTES. Counted for the whole catalog,
 * since a stack may select every feature. One problem naming the numbers and each file's share.
 */
export function configBudgetProblems(
  files: readonly { readonly file: string; readonly feature: FeatureFields }[],
  mapVar: string,
): string[] {
  const { mapBytes, flags, flagBytes, vars, varBytes, total, shares } = configEstimate(
    files,
    mapVar,
  );
  const problems: string[] = [];
  if (mapBytes > MAP_BUDGET_BYTES)
    problems.push(
      `the feature files together make ${mapVar} ${mapBytes} bytes, over its budget of ${MAP_BUDGET_BYTES} bytes (by file: ${shares}): remove flags or prerequisites, or move a feature's file out of the catalog.`,
    );
  if (total > FEATURES_SHARE_BYTES)
    problems.push(
      `the feature files together could write ${total} bytes of config vars to one Heroku app (${mapVar} ${mapBytes}, ${flags} flags ${flagBytes}, ${vars} prerequisites at ${VALUE_BUDGET_BYTES} bytes a value ${varBytes}), over ${FEATURES_SHARE_BYTES} bytes, the half of Heroku's ${CONFIG_LIMIT_BYTES}-byte config limit kept for features (the rest is the app's own and its add-ons'). By file: ${shares}. Remove flags or prerequisites, or move a feature's file out of the catalog.`,
    );
  return problems;
}

/** The numbers configBudgetProblems judges: bytes of the map (key and value), flags and vars. */
export function configEstimate(
  files: readonly { readonly file: string; readonly feature: FeatureFields }[],
  mapVar: string,
) {
  const map: Record<string, unknown> = {};
  const flags = new Set<string>();
  const vars = new Set<string>();
  const perFile = new Map<string, number>();
  for (const { file, feature } of files) {
    const names = feature.prerequisites.map((v) => v.name).filter((n) => n !== mapVar);
    const entry = { requires: [...names].sort(), ...feature.startupCheck };
    let own = 0;
    for (const flag of feature.flags) {
      map[flag] = entry;
      flags.add(flag);
      own += bytes(JSON.stringify({ [flag]: entry })) + bytes(flag) + 1;
    }
    for (const n of names) {
      if (!vars.has(n)) own += bytes(n) + VALUE_BUDGET_BYTES;
      vars.add(n);
    }
    perFile.set(file, own);
  }
  const sorted = Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
  const mapBytes = bytes(mapVar) + bytes(JSON.stringify(sorted));
  const flagBytes = [...flags].reduce((n, f) => n + bytes(f) + 1, 0);
  const varBytes = [...vars].reduce((n, v) => n + bytes(v) + VALUE_BUDGET_BYTES, 0);
  const total = mapBytes + flagBytes + varBytes;
  const shares = [...perFile]
    .sort(([, a], [, b]) => b - a)
    .map(([file, n]) => `${file} ~${n}`)
    .join(", ");
  return { mapBytes, flags: flags.size, flagBytes, vars: vars.size, varBytes, total, shares };
}
