/**
 * The helpers every reader shares over the feature catalog, and the feature's shape (./model.ts,
 * handed on). The features themselves are data: one JSON file per feature under
 * infra/features/data/ (schema feature.schema.json), loaded and validated by ./catalog.ts; the
 * model runs one way, data -> catalog -> manifest, and the catalog never imports this file.
 * The program, the policy pack, the offline check, the manifest and smoke tools all read that
 * one catalog, and a stack selects its features from it (console-wiring:features), so adding a
 * feature is a new data file, not a code change.
 */
import { catalog } from "./catalog";
import {
  PREREQUISITES_VAR,
  type Feature,
  type DetectionRule,
  type Gate,
  type RequiredVar,
} from "./model";

export type {
  DetectionRule,
  Feature,
  Gate,
  RequiredVar,
  SmokeProbe,
  StartupCheck,
  VarSource,
} from "./model";
/** The config var holding the prerequisite map for the app's startup check (./model.ts). */
export { PREREQUISITES_VAR };

/** One flag's entry in the prerequisite map the app's startup check reads. */
export interface PrerequisiteEntry {
  /** The feature's var names (the map itself excluded), sorted. */
  readonly requires: string[];
  /** The feature's startup-check logger and message: its own alert counts them. */
  readonly logger?: string;
  readonly message?: string;
}

/**
 * The prerequisite map written to PREREQUISITES_VAR: each flag var → the var names its feature
 * needs and what to log when one is missing, keys sorted so the value is stable.
 */
export function prerequisiteMap(
  features: readonly Feature[] = catalog(),
): Record<string, PrerequisiteEntry> {
  const map: Record<string, PrerequisiteEntry> = {};
  for (const feature of features) {
    const names = feature.requires.map((v) => v.name).filter((n) => n !== PREREQUISITES_VAR);
    for (const flag of feature.flags)
      map[flag] = { requires: [...names].sort(), ...feature.startupCheck };
  }
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every detection rule of the features, each once. */
export function allDetectionRules(features: readonly Feature[] = catalog()): DetectionRule[] {
  const byId = new Map<string, DetectionRule>();
  for (const f of features) for (const r of f.detection ?? []) byId.set(r.id, r);
  return [...byId.values()];
}

/** Every flag var of every feature, for validating stack config. */
export function allFlags(features: readonly Feature[] = catalog()): string[] {
  return features.flatMap((f) => f.flags);
}

/** The feature a flag var belongs to, if any. */
export function featureOfFlag(
  flag: string,
  features: readonly Feature[] = catalog(),
): Feature | undefined {
  return features.find((f) => f.flags.includes(flag));
}

/** Required vars of all features, each once (features may share a prerequisite). */
export function allRequiredVars(features: readonly Feature[] = catalog()): RequiredVar[] {
  const byName = new Map<string, RequiredVar>();
  for (const feature of features) {
    for (const v of feature.requires) if (!byName.has(v.name)) byName.set(v.name, v);
  }
  return [...byName.values()];
}

/** Config keys the manifest reads values from, with their format. */
export function manifestConfigKeys(
  features: readonly Feature[] = catalog(),
): Map<string, "https-url" | "text"> {
  const keys = new Map<string, "https-url" | "text">();
  for (const v of allRequiredVars(features)) {
    if (v.source.kind === "config") keys.set(v.source.key, v.source.format);
  }
  return keys;
}

/** Where a required var is provided, for messages that tell a person what to do. */
export function describeSource(v: RequiredVar): string {
  const s = v.source;
  switch (s.kind) {
    case "config":
      return `stack config console-wiring:${s.key} (pulumi config set ${s.key} <value>)`;
    case "vault":
      return `Vault KV v2 secret ${s.path} under console-wiring:vaultMount, field ${s.field}`;
    case "service-token":
      return `the Cloudflare Access service token's ${s.output}, written to Vault by this stack and read back for Heroku`;
    case "manifest":
      return "written by this stack from the selected features' files (compact JSON)";
  }
}

/** Names that mark a var as a credential whatever the manifest says. */
export const SECRET_NAME = /_(KEY|SECRET|TOKEN|PASSWORD)$/;

/** Whether a feature's calls pass an Access gate (the catalog resolves the file's `gate`). */
export function isGated(feature: Feature): boolean {
  return feature.gate !== undefined;
}

/** The gates the features use, each once, in feature order: a stack gets one set of Access objects per gate. */
export function gatesOf(features: readonly Feature[]): Gate[] {
  const byId = new Map<string, Gate>();
  for (const f of features) if (f.gate && !byId.has(f.gate.id)) byId.set(f.gate.id, f.gate);
  return [...byId.values()];
}

/** The gate a var belongs to (one of its URL or service-token vars) among the features' gates. */
export function gateOfVar(name: string, features: readonly Feature[]): Gate | undefined {
  return gatesOf(features).find(
    (g) => g.urlVars.includes(name) || g.clientIdVar === name || g.clientSecretVar === name,
  );
}

/** The features that use a gate. */
export function featuresOfGate(gate: Gate, features: readonly Feature[]): Feature[] {
  return features.filter((f) => f.gate?.id === gate.id);
}

/** Every Vault path the features read (the ones people provision), each once, in order. */
export function vaultPaths(features: readonly Feature[]): string[] {
  const paths: string[] = [];
  for (const v of allRequiredVars(features))
    if (v.source.kind === "vault" && !paths.includes(v.source.path)) paths.push(v.source.path);
  return paths;
}

/** Whether a Heroku var holds a credential: declared secret, or named like one. */
export function isSecretVar(name: string, features: readonly Feature[] = catalog()): boolean {
  return (
    SECRET_NAME.test(name) ||
    features.some((f) => f.requires.some((v) => v.name === name && v.secret))
  );
}
