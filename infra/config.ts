/**
 * The only place that reads stack config. `parseConfig` is pure (tested without mocks); the
 * program calls `readConfig`, which feeds it the raw values Pulumi holds for this project.
 *
 * Defaults live in Pulumi.yaml (the CLI applies them; the offline check applies them the same way),
 * so a key missing here is missing from the stack and its project declaration alike.
 */
import * as pulumi from "@pulumi/pulumi";
import { credentialUrl } from "./credential-url";
import { checkUrlValue, gateVaultPathProblems } from "./config-parts/url-vars";
import { MOVED_KEYS, movedKeyProblems, parseGates, type GateConfig } from "./config-parts/gates";
import { credentialShapes } from "./credential-values";
import { runError } from "./run-error";
import { catalog } from "./features/catalog";
import { allFlags, gatesOf, isGated, manifestConfigKeys, type Feature } from "./features/manifest";
import { parseAdoptConfigVars } from "./config-parts/adopt-config-vars";
import { parseFeatureSelection } from "./config-parts/features";
import { OWN_CONFIG_KEYS } from "./config-parts/own-keys";
import { parseFlags } from "./config-parts/lists";
import { ACCOUNT_ID, HEROKU_APP, PROJECT, VAULT_PATH } from "./config-parts/patterns";

export { PROJECT } from "./config-parts/patterns";
export { tokenGenerations } from "./config-parts/service-token";
export type { GateConfig } from "./config-parts/gates";

export interface WiringConfig {
  /** The features this stack selects (console-wiring:features), in catalog order. */
  readonly features: readonly Feature[];
  /**
   * Whether a selected feature passes an Access gate. Without one, the stack creates no Access
   * objects and writes no Vault secret, and cloudflareAccountId may be left unset (then "").
   */
  readonly gated: boolean;
  readonly herokuApp: string;
  readonly cloudflareAccountId: string;
  readonly vaultMount: string;
  /**
   * Per gate the selected features use (console-wiring:gates.<id>): host, Vault path, service
   * token settings and adoption. Gates no selected feature uses are absent.
   */
  readonly gates: Readonly<Record<string, GateConfig>>;
  /** Values of the config keys the feature manifest reads (`freescoutApiUrl`, ...); unset ones are absent. */
  readonly manifestValues: Readonly<Record<string, string>>;
  /**
   * Where the features' detection rules become Sentry issue alerts. Each key is absent when not
   * set; the gate names the missing ones when a flag whose feature declares rules is on.
   */
  readonly sentry: {
    readonly organization?: string;
    readonly project?: string;
    readonly opsTeamId?: string;
  };
  /** Flag var → requested on. Every flag of the manifest is present (absent in config = off). */
  readonly flags: Readonly<Record<string, boolean>>;
  /** Heroku vars the stack may take over while the app holds another value (adoptConfigVars). */
  readonly adoptConfigVars?: readonly string[];
}

/** Raw config as Pulumi holds it: key (without the project namespace) → string. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `${PROJECT}: the stack config has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was applied.\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Keys this module reads besides the manifest's own; anything else in the namespace is a typo. */
const FIXED_KEYS = OWN_CONFIG_KEYS;

/** Known keys: the fixed ones and every config key of every feature of the catalog. */
export function knownConfigKeys(features: readonly Feature[] = catalog()): string[] {
  return [...FIXED_KEYS, ...manifestConfigKeys(features).keys()];
}

const set = (key: string, example: string) => `pulumi config set ${key} ${example}`;

/**
 * Validates raw stack config against the catalog; throws one ConfigError that lists every
 * problem. The stack's selection (console-wiring:features) decides which features it gets.
 */
export function parseConfig(
  raw: RawConfig,
  featureCatalog: readonly Feature[] = catalog(),
  /** The stack's name: a gate's token is named console-<stack>-<gate> unless set. */
  stack = "dev",
): WiringConfig {
  const problems: string[] = [];
  const key = (k: string) => `${PROJECT}:${k}`;
  const features = parseFeatureSelection(raw["features"], featureCatalog, problems);
  const selectionOk = problems.length === 0;
  const gated = features.some(isGated);

  const text = (k: string, example: string, pattern?: RegExp, rule?: string): string => {
    const value = raw[k];
    if (value === undefined) {
      problems.push(`${key(k)} is missing. Set it: ${set(k, example)}`);
      return "";
    }
    if (value.trim() === "") {
      problems.push(`${key(k)} is empty. Set it: ${set(k, example)}`);
      return "";
    }
    if (pattern && !pattern.test(value)) {
      problems.push(`${key(k)} ${rule ?? "is malformed"}. Example: ${set(k, example)}`);
    }
    return value;
  };

  const herokuApp = text(
    "herokuApp",
    "raxx-console-prod",
    HEROKU_APP,
    "is not a Heroku app name (3-30 characters: lowercase letters, digits and dashes, starting with a letter, not ending with a dash)",
  );
  // Only an Access gate needs it: a stack without a gated feature may leave it unset.
  const cloudflareAccountId =
    gated || raw["cloudflareAccountId"] !== undefined
      ? text(
          "cloudflareAccountId",
          "<32-hex-account-id>",
          ACCOUNT_ID,
          "must be a Cloudflare account id (32 lowercase hex characters, from the dashboard URL)",
        )
      : "";
  const vaultRule = "must be a Vault path without leading or trailing slashes or . and .. segments";
  const vaultMount = text("vaultMount", "MooseQuest", VAULT_PATH, vaultRule);

  const usedGates = gatesOf(features);
  movedKeyProblems(
    raw,
    usedGates.map((g) => g.id),
    problems,
  );
  // While the selection itself is wrong, which gates are in use is unknown: no entry is unused.
  const gates = parseGates(raw["gates"], usedGates, stack, problems, selectionOk);
  gateVaultPathProblems(gates, features, problems);

  // Values features take from config are optional here: the gate reports a missing one only
  // when a flag that needs it is on, with the same fix.
  const manifestValues: Record<string, string> = {};
  const varOf = new Map(
    features.flatMap((f) =>
      f.requires.flatMap((v) =>
        v.source.kind === "config" ? [[v.source.key, v.name] as const] : [],
      ),
    ),
  );
  for (const [k, format] of manifestConfigKeys(features)) {
    const value = raw[k] ?? "";
    if (value.trim() === "") continue;
    let normalized = value.trim();
    if (format === "https-url") {
      const checked = checkUrlValue(k, value, features, gates);
      if (checked.problem !== undefined) {
        problems.push(checked.problem);
        continue;
      }
      normalized = checked.normalized;
    }
    // A config value lands in the stack file, state and the plan as plain text.
    const shapes = credentialShapes(value);
    if (shapes.length > 0) {
      problems.push(
        `${key(k)} (${varOf.get(k) ?? k} on the app) holds what looks like a credential (${shapes.join("; ")}): a config value is stored in plain text. Keep it in Vault, read it there (a vault source in the feature file), and rotate it if it was real: pulumi config rm ${k}`,
      );
      continue;
    }
    manifestValues[k] = normalized;
  }

  const flags = parseFlags(raw["flags"], allFlags(features), problems, featureCatalog);

  const optional = (k: string, pattern: RegExp, rule: string, example: string) => {
    const value = raw[k]?.trim() ?? "";
    if (value === "") return undefined;
    if (!pattern.test(value)) problems.push(`${key(k)} ${rule}. Example: ${set(k, example)}`);
    return value;
  };
  const SLUG = /^[a-z0-9][a-z0-9_-]{0,49}$/;
  const sentry = {
    organization: optional(
      "sentryOrganization",
      SLUG,
      "must be a Sentry organization slug",
      "raxx",
    ),
    project: optional("sentryProject", SLUG, "must be a Sentry project slug", "console"),
    opsTeamId: optional(
      "sentryOpsTeamId",
      /^\d{1,20}$/,
      "must be the ops team's numeric Sentry team id",
      "1234567",
    ),
  };

  const adoptConfigVars = parseAdoptConfigVars(raw["adoptConfigVars"], problems);

  const known = new Set(knownConfigKeys(featureCatalog));
  for (const k of Object.keys(raw)) {
    if (!known.has(k) && raw[k] !== undefined && !Object.hasOwn(MOVED_KEYS, k)) {
      problems.push(
        `${key(k)} is not a setting of this project (known: ${[...known].sort().join(", ")}). Remove it: pulumi config rm ${k}`,
      );
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    features,
    gated,
    herokuApp,
    cloudflareAccountId,
    vaultMount,
    gates,
    manifestValues,
    sentry: Object.fromEntries(Object.entries(sentry).filter(([, v]) => v !== undefined)),
    flags,
    adoptConfigVars,
  };
}

/** Why a value is not an acceptable https URL (any host), or undefined when it is. */
export function httpsUrlProblem(value: string): string | undefined {
  const checked = credentialUrl(value);
  return checked.ok ? undefined : checked.problem;
}

/** Reads this project's stack config from the Pulumi runtime and validates it. */
export function readConfig(features: readonly Feature[] = catalog()): WiringConfig {
  const prefix = `${PROJECT}:`;
  const raw: Record<string, string | undefined> = {};
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (fullKey.startsWith(prefix)) raw[fullKey.slice(prefix.length)] = value;
  }
  try {
    return parseConfig(raw, features, pulumi.getStack());
  } catch (err) {
    // RunError: the CLI prints the message without a stack trace.
    if (err instanceof ConfigError) throw runError(err.message);
    throw err;
  }
}
