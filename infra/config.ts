/**
 * The only place that reads stack config. `parseConfig` is pure (tested without mocks); the
 * program calls `readConfig`, which feeds it the raw values Pulumi holds for this project.
 *
 * Defaults live in Pulumi.yaml (the CLI applies them; the offline check applies them the same way),
 * so a key missing here is missing from the stack and its project declaration alike.
 */
import * as pulumi from "@pulumi/pulumi";
import { credentialUrl } from "./credential-url";
import { credentialShapes } from "./credential-values";
import { runError } from "./run-error";
import { catalog } from "./features/catalog";
import {
  allFlags,
  allRequiredVars,
  isGated,
  manifestConfigKeys,
  vaultPaths,
  type Feature,
} from "./features/manifest";
import { parseAdoptConfigVars } from "./config-parts/adopt-config-vars";
import { parseFeatureSelection } from "./config-parts/features";
import { parseFlags, parseHostList } from "./config-parts/lists";
import { OWN_CONFIG_KEYS } from "./config-parts/own-keys";
import {
  ACCOUNT_ID,
  HEROKU_APP,
  HOSTNAME,
  PROJECT,
  TOKEN_DURATION,
  URL_PATH,
  UUID,
  VAULT_PATH,
} from "./config-parts/patterns";
import { secretRotation, tokenGenerations } from "./config-parts/service-token";
import { serviceTokenNameOrDefault } from "./config-parts/token-name";

export { PROJECT } from "./config-parts/patterns";
export { tokenGenerations } from "./config-parts/service-token";

export interface WiringConfig {
  /** The features this stack selects (console-wiring:features), in catalog order. */
  readonly features: readonly Feature[];
  /**
   * Whether a selected feature needs the Access gate (a service-token prerequisite). Without
   * one, the stack creates no Access objects and writes no Vault secret, and cloudflareAccountId
   * and ticketsHost may be left unset (then "").
   */
  readonly gated: boolean;
  readonly herokuApp: string;
  readonly cloudflareAccountId: string;
  readonly ticketsHost: string;
  readonly ticketsApiPath: string;
  readonly vaultMount: string;
  /** The secret this stack writes the service token to (gated stacks only). */
  readonly vaultPaths: { readonly cloudflare: string };
  readonly serviceToken: {
    readonly name: string;
    /** A Go duration such as `8760h`, or `forever` (a token created with it never expires). */
    readonly duration: string;
    readonly secretVersion: number;
    /** Sent to Cloudflare only when rotating (version ≥ 2), with the previous secret's end. */
    readonly rotation?: { readonly version: number; readonly previousSecretExpiresAt: string };
    /** The generation whose token the app uses; a renewal creates the next one. */
    readonly generation: number;
    /** The generation before it, still admitted while a renewal is in progress (not retired yet). */
    readonly previousGeneration?: number;
    readonly expiryWarningDays: number;
  };
  /** Values of the config keys the feature manifest reads (`freescoutApiUrl`, ...); unset ones are absent. */
  readonly manifestValues: Readonly<Record<string, string>>;
  /** Hosts the FreeScout URLs may point at: ticketsHost, then freescoutAllowedHosts. */
  readonly allowedHosts: readonly string[];
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
  /** IDs of existing objects to adopt with Pulumi's `import` option instead of creating them. */
  readonly adopt: {
    readonly accessApplicationId?: string;
    readonly accessPolicyId?: string;
    readonly serviceTokenId?: string;
    readonly vaultCloudflareSecret: boolean;
  };
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
): WiringConfig {
  const problems: string[] = [];
  const key = (k: string) => `${PROJECT}:${k}`;
  const features = parseFeatureSelection(raw["features"], featureCatalog, problems);
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

  const optionalId = (k: string, what: string): string | undefined => {
    const value = raw[k];
    if (value === undefined || value === "") return undefined;
    if (!UUID.test(value)) {
      problems.push(
        `${key(k)} must be the ${what}'s UUID (lowercase, 8-4-4-4-12 hex), or empty to create a new one.`,
      );
    }
    return value;
  };

  const integer = (k: string, min: number, example: string): number => {
    const value = text(k, example);
    if (value === "") return 0;
    // Digits only: Number() would also take 1e3, 0x10 or " 7".
    const n = /^-?\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(n) || n < min) {
      problems.push(
        `${key(k)} must be a whole number of at least ${min}. Example: ${set(k, example)}`,
      );
    }
    return n;
  };

  const boolean = (k: string): boolean => {
    const value = raw[k];
    if (value === undefined || value === "" || value === "false") return false;
    if (value === "true") return true;
    problems.push(`${key(k)} must be true or false. Example: ${set(k, "true")}`);
    return false;
  };

  const herokuApp = text(
    "herokuApp",
    "raxx-console-prod",
    HEROKU_APP,
    "is not a Heroku app name (3-30 characters: lowercase letters, digits and dashes, starting with a letter, not ending with a dash)",
  );
  // Only the Access gate needs these: a stack without a gated feature may leave them unset.
  const gatedText: typeof text = (k, ...rest) =>
    gated || raw[k] !== undefined ? text(k, ...rest) : "";
  const cloudflareAccountId = gatedText(
    "cloudflareAccountId",
    "<32-hex-account-id>",
    ACCOUNT_ID,
    "must be a Cloudflare account id (32 lowercase hex characters, from the dashboard URL)",
  );
  const ticketsHost = gatedText(
    "ticketsHost",
    "tickets.raxx.app",
    HOSTNAME,
    "must be a bare lowercase hostname (no scheme, no path)",
  );
  const ticketsApiPath = text(
    "ticketsApiPath",
    "/api",
    URL_PATH,
    "must be a URL path that starts with / and does not end with / (like /api)",
  );
  const vaultRule = "must be a Vault path without leading or trailing slashes or . and .. segments";
  const vaultMount = text("vaultMount", "MooseQuest", VAULT_PATH, vaultRule);
  const cloudflarePath = gatedText("vaultCloudflarePath", "cloudflare", VAULT_PATH, vaultRule);
  const readPath = gated
    ? features.find((f) => vaultPaths([f]).includes(cloudflarePath))
    : undefined;
  if (readPath) {
    // The example is a path no selected feature reads, never the value refused.
    const read = vaultPaths(features);
    const other = ["cloudflare", "cloudflare-access", "console-wiring-access"].find(
      (p) => !read.includes(p),
    );
    problems.push(
      `${key("vaultCloudflarePath")} is ${cloudflarePath}, a secret feature ${readPath.id} reads (infra/features/data/${readPath.id}.json): the stack writes this one and only reads those. Use another path: ${set("vaultCloudflarePath", other ?? "<a path no feature reads>")}`,
    );
  }

  const tokenName = text("serviceTokenName", "console-investigate-tickets");
  const duration = text(
    "serviceTokenDuration",
    "8760h",
    TOKEN_DURATION,
    "must be a duration such as 8760h (units ns, us, ms, s, m, h), or forever for a token that never expires",
  );
  const generation = integer("serviceTokenGeneration", 1, "2");
  const retired = integer("serviceTokenRetiredGeneration", 0, "1");
  const generations = tokenGenerations(generation, retired, problems);
  const secretVersion = integer("serviceTokenSecretVersion", 0, "2");
  const rotation = secretRotation(
    secretVersion,
    raw["serviceTokenPreviousSecretExpiresAt"]?.trim() ?? "",
    generations,
    problems,
  );
  const expiryWarningDays = integer("tokenExpiryWarningDays", 1, "30");

  // Values features take from config are optional here: the gate reports a missing one only
  // when a flag that needs it is on, with the same fix.
  const manifestValues: Record<string, string> = {};
  const varOf = new Map(
    allRequiredVars(features).flatMap((v) =>
      v.source.kind === "config" ? [[v.source.key, v.name] as const] : [],
    ),
  );
  const extraHosts = parseHostList(raw["freescoutAllowedHosts"], problems);
  // With a malformed ticketsHost its own problem is reported; the host rule waits for a good one.
  const hostRule = HOSTNAME.test(ticketsHost) ? [ticketsHost, ...extraHosts] : undefined;
  const allowedHosts = hostRule ?? extraHosts;
  for (const [k, format] of manifestConfigKeys(features)) {
    const value = raw[k] ?? "";
    if (value.trim() === "") continue;
    let normalized = value.trim();
    if (format === "https-url") {
      const checked = credentialUrl(value, hostRule);
      if (!checked.ok) {
        problems.push(
          `${key(k)} (${varOf.get(k) ?? k} on the app) ${checked.problem}. Example: ${set(k, `https://${ticketsHost || "tickets.raxx.app"}`)}`,
        );
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

  const adopt = {
    accessApplicationId: optionalId("adoptAccessApplicationId", "Access application"),
    accessPolicyId: optionalId("adoptAccessPolicyId", "Access policy"),
    serviceTokenId: optionalId("adoptServiceTokenId", "service token"),
    vaultCloudflareSecret: boolean("adoptVaultCloudflareSecret"),
  };

  const adoptConfigVars = parseAdoptConfigVars(raw["adoptConfigVars"], problems);

  const known = new Set(knownConfigKeys(featureCatalog));
  for (const k of Object.keys(raw)) {
    if (!known.has(k) && raw[k] !== undefined) {
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
    ticketsHost,
    ticketsApiPath,
    vaultMount,
    vaultPaths: { cloudflare: cloudflarePath },
    serviceToken: {
      name: tokenName,
      duration,
      secretVersion,
      rotation,
      generation,
      previousGeneration: generations.previous,
      expiryWarningDays,
    },
    manifestValues,
    allowedHosts,
    sentry: Object.fromEntries(Object.entries(sentry).filter(([, v]) => v !== undefined)),
    flags,
    adopt,
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
  raw["serviceTokenName"] = serviceTokenNameOrDefault(raw["serviceTokenName"], pulumi.getStack());
  try {
    return parseConfig(raw, features);
  } catch (err) {
    // RunError: the CLI prints the message without a stack trace.
    if (err instanceof ConfigError) throw runError(err.message);
    throw err;
  }
}
