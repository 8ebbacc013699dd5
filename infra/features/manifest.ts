/**
 * The shape of a feature, and the helpers every reader shares. The features themselves are data:
 * one JSON file per feature under features/ (schema infra/features/data/feature.schema.json), loaded and
 * validated by ./catalog.ts. The program, the policy pack, the offline check, the manifest and
 * smoke tools all read that one catalog, and a stack selects its features from it
 * (console-wiring:features), so adding a feature is a new data file, not a code change.
 */
import { catalog, PREREQUISITES_VAR } from "./catalog";

/** Where a required var's value comes from. */
export type VarSource =
  /** A stack config key of this project (`console-wiring:<key>`), validated in the given format. */
  | { readonly kind: "config"; readonly key: string; readonly format: "https-url" | "text" }
  /**
   * A field of a Vault KV v2 secret that a person provisions (never written by this stack), at
   * `path` under the stack's `vaultMount`. Any path the data names (validated in shape by the
   * schema): a stack reads only the paths of the features it selects.
   */
  | { readonly kind: "vault"; readonly path: string; readonly field: string }
  /**
   * An output of the Cloudflare Access service token this stack manages; the stack writes it to
   * its Vault secret (console-wiring:vaultCloudflarePath) under the var's name, and the Heroku var
   * is read from there. A feature with such a prerequisite is gated: only stacks selecting one get
   * the Access objects and that secret.
   */
  | { readonly kind: "service-token"; readonly output: "clientId" | "clientSecret" }
  /**
   * Written by this stack from this manifest: the prerequisite map the app's startup check reads
   * (see PREREQUISITES_VAR), so the app and the stack enforce one list.
   */
  | { readonly kind: "manifest" };

export interface RequiredVar {
  /** The Heroku config var name. */
  readonly name: string;
  /** Whether the value is a credential: it is only ever handled as a Pulumi secret. */
  readonly secret: boolean;
  readonly source: VarSource;
  /** Why the feature needs it, for error messages and the plan. */
  readonly purpose: string;
}

/**
 * A detection rule: the alert that notices when the feature fails in production. The stack
 * creates it (as a Sentry issue alert) before any flag of the feature is on. Its numbers must be
 * values Sentry accepts for an issue alert (infra/features/detection-rules.ts checks them).
 */
export interface DetectionRule {
  /** Kebab-case id, also the alert's name suffix. */
  readonly id: string;
  /** What it catches, for the checklist and the runbook. */
  readonly summary: string;
  /** The app's logger that reports the failure (Sentry event attribute `logger`). */
  readonly logger: string;
  /** Text the event's message contains. */
  readonly messageContains: string;
  /** Fires when there are more than this many events (of one issue: Sentry counts per issue)... */
  readonly moreThan: number;
  /**
   * ...within this window, in minutes: one of the event-frequency intervals Sentry accepts
   * (1, 5, 15, 60, 1440, 10080, 43200; there is no 10).
   */
  readonly windowMinutes: number;
  /**
   * While it keeps firing, the ops team is emailed at most once per issue in this many minutes
   * (the alert's `frequency`; Sentry accepts 5, 10, 30, 60, 180, 720, 1440, 10080, 43200).
   */
  readonly notifyAtMostEveryMinutes: number;
  /** Who is told: the stack config's ops team, by email. */
  readonly notify: "ops-team-email";
}

/**
 * A Cloudflare Access gate in front of an API the console calls, declared once as data
 * (infra/features/data/gates/<id>.json, schema gate.schema.json). A stack that selects a feature
 * of the gate gets one Access application on `<host><apiPath>`, one reusable non_identity policy,
 * one service token and one Vault secret for it; features of one gate share them. The host is
 * per stack (console-wiring:gates.<id>.host).
 */
export interface Gate {
  readonly id: string;
  readonly description: string;
  /** The path guarded for service clients on the gate's host, like `/api`. */
  readonly apiPath: string;
  /** Config vars whose URL must point at the gate's host. */
  readonly urlVars: readonly string[];
  /** The var carrying the service token's client id (a service-token source, output clientId). */
  readonly clientIdVar: string;
  /** The var carrying the service token's client secret (output clientSecret). */
  readonly clientSecretVar: string;
}

export interface Feature {
  readonly id: string;
  readonly description: string;
  /** The Access gate the feature's calls pass, resolved from the file's `gate` id. */
  readonly gate?: Gate;
  /** Config vars that switch the feature on when set to "1". */
  readonly flags: readonly string[];
  /** Every var that must be set, non-empty, on the same app before any flag is on. */
  readonly requires: readonly RequiredVar[];
  /**
   * What the app's startup check logs for this feature (its own logger and message). Every
   * feature file declares it (the schema requires it); in-code test features may leave it out.
   */
  readonly startupCheck?: StartupCheck;
  /** Alerts that must exist before any flag is on. */
  readonly detection?: readonly DetectionRule[];
  /** Probes the smoke check runs while a flag of the feature is on. */
  readonly smoke?: readonly SmokeProbe[];
}

export interface StartupCheck {
  readonly logger: string;
  readonly message: string;
}

/** A smoke probe a feature's file declares; the vars name where the probe finds its inputs. */
export type SmokeProbe =
  | {
      readonly probe: "access-gate";
      readonly urlVar: string;
      readonly clientIdVar: string;
      readonly clientSecretVar: string;
    }
  | {
      readonly probe: "freescout-api";
      readonly urlVar: string;
      readonly apiKeyVar: string;
      readonly mailboxVar: string;
    };

/** The config var holding the prerequisite map for the app's startup check (./catalog.ts). */
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
