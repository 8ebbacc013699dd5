/**
 * The only place that reads stack config. `parseConfig` is pure (tested without mocks); the
 * program calls `readConfig`, which feeds it the raw values Pulumi holds for this project.
 *
 * Defaults live in Pulumi.yaml (the CLI applies them; the offline check applies them the same way),
 * so a key missing here is missing from the stack and its project declaration alike.
 */
import * as pulumi from "@pulumi/pulumi";
import { credentialUrl } from "./credential-url";
import { runError } from "./run-error";
import {
  allFlags,
  allRequiredVars,
  manifestConfigKeys,
  type Feature,
  FEATURES,
} from "./features/manifest";

export const PROJECT = "console-wiring";

export interface WiringConfig {
  readonly herokuApp: string;
  readonly cloudflareAccountId: string;
  readonly ticketsHost: string;
  readonly ticketsApiPath: string;
  readonly vaultMount: string;
  readonly vaultPaths: { readonly freescout: string; readonly cloudflare: string };
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

const HEROKU_APP = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/;
const ACCOUNT_ID = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const URL_PATH = /^\/(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)?$/;
const VAULT_PATH = /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;
// A Go duration, or `forever` (Cloudflare's provider accepts it since v5.23).
const TOKEN_DURATION = /^(?:forever|(?:\d+(?:ns|us|µs|ms|s|m|h))+)$/;

/** Keys this module reads besides the manifest's own; anything else in the namespace is a typo. */
const FIXED_KEYS = [
  "herokuApp",
  "cloudflareAccountId",
  "ticketsHost",
  "ticketsApiPath",
  "vaultMount",
  "vaultFreescoutPath",
  "vaultCloudflarePath",
  "serviceTokenName",
  "serviceTokenDuration",
  "serviceTokenSecretVersion",
  "serviceTokenPreviousSecretExpiresAt",
  "serviceTokenGeneration",
  "serviceTokenRetiredGeneration",
  "tokenExpiryWarningDays",
  "flags",
  "freescoutAllowedHosts",
  "sentryOrganization",
  "sentryProject",
  "sentryOpsTeamId",
  "adoptAccessApplicationId",
  "adoptAccessPolicyId",
  "adoptServiceTokenId",
  "adoptVaultCloudflareSecret",
] as const;

export function knownConfigKeys(features: readonly Feature[] = FEATURES): string[] {
  return [...FIXED_KEYS, ...manifestConfigKeys(features).keys()];
}

const set = (key: string, example: string) => `pulumi config set ${key} ${example}`;

/** Validates raw stack config; throws one ConfigError that lists every problem. */
export function parseConfig(raw: RawConfig, features: readonly Feature[] = FEATURES): WiringConfig {
  const problems: string[] = [];
  const key = (k: string) => `${PROJECT}:${k}`;

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
  const cloudflareAccountId = text(
    "cloudflareAccountId",
    "<32-hex-account-id>",
    ACCOUNT_ID,
    "must be a Cloudflare account id (32 lowercase hex characters, from the dashboard URL)",
  );
  const ticketsHost = text(
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
  const vaultRule = "must be a Vault path without leading or trailing slashes";
  const vaultMount = text("vaultMount", "MooseQuest", VAULT_PATH, vaultRule);
  const freescoutPath = text("vaultFreescoutPath", "freescout", VAULT_PATH, vaultRule);
  const cloudflarePath = text("vaultCloudflarePath", "cloudflare", VAULT_PATH, vaultRule);
  if (freescoutPath !== "" && freescoutPath === cloudflarePath) {
    problems.push(
      `${key("vaultCloudflarePath")} and ${key("vaultFreescoutPath")} must differ: the stack writes the first and only reads the second.`,
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
    if (format === "https-url") {
      const checked = credentialUrl(value, hostRule);
      if (!checked.ok) {
        problems.push(
          `${key(k)} (${varOf.get(k) ?? k} on the app) ${checked.problem}. Example: ${set(k, `https://${ticketsHost || "tickets.raxx.app"}`)}`,
        );
        continue;
      }
      manifestValues[k] = checked.normalized;
      continue;
    }
    manifestValues[k] = value.trim();
  }

  const flags = parseFlags(raw["flags"], allFlags(features), problems);

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

  const known = new Set(knownConfigKeys(features));
  for (const k of Object.keys(raw)) {
    if (!known.has(k) && raw[k] !== undefined) {
      problems.push(
        `${key(k)} is not a setting of this project (known: ${[...known].sort().join(", ")}). Remove it: pulumi config rm ${k}`,
      );
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    herokuApp,
    cloudflareAccountId,
    ticketsHost,
    ticketsApiPath,
    vaultMount,
    vaultPaths: { freescout: freescoutPath, cloudflare: cloudflarePath },
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
  };
}

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/**
 * The service token generations the stack declares: the current one (its token feeds Vault and
 * the app) and, while a renewal is in progress, the one before it. A renewal takes two updates:
 * bumping serviceTokenGeneration creates the new token and keeps the previous one admitted while
 * Vault and Heroku move to the new one; setting serviceTokenRetiredGeneration to the previous
 * generation then drops it from the policy and deletes it. A retired value left behind by an
 * earlier renewal keeps the previous generation, so forgetting to update it is safe.
 */
export function tokenGenerations(
  generation: number,
  retired: number,
  problems: string[],
): { readonly current: number; readonly previous: number | undefined } {
  const alone = { current: generation, previous: undefined };
  // Out of range, or malformed (NaN, which compares false throughout): its key's own problem.
  if (generation < 1 || retired < 0) return alone;
  if (retired >= generation) {
    const fix =
      generation > 1
        ? `Retire only an earlier one: pulumi config set serviceTokenRetiredGeneration ${generation - 1}`
        : "Remove it: pulumi config rm serviceTokenRetiredGeneration";
    problems.push(
      `${PROJECT}:serviceTokenRetiredGeneration is ${retired} but serviceTokenGeneration is ${generation}: the current generation's token is the one the app uses and cannot be retired. ${fix}`,
    );
    return alone;
  }
  return { current: generation, previous: retired < generation - 1 ? generation - 1 : undefined };
}

/**
 * The rotation to send with the current generation's token, if any. Cloudflare's provider keeps
 * `clientSecretVersion` at 1 until told otherwise and rotates only when the version differs from
 * its state, so 0 (the default) sends nothing and the first rotation is 2; 1 would rotate nothing
 * and say nothing, so it is refused. It takes the version only together with
 * `previousClientSecretExpiresAt`: the grace window in which the old secret still works while
 * Vault and Heroku take the new one. A rotation counts for one token: while a renewal keeps the
 * previous generation, the new token starts at version 1 and the version must be reset.
 */
function secretRotation(
  version: number,
  previousExpiresAt: string,
  generations: ReturnType<typeof tokenGenerations>,
  problems: string[],
): { readonly version: number; readonly previousSecretExpiresAt: string } | undefined {
  const example = set("serviceTokenPreviousSecretExpiresAt", "2026-12-01T12:00:00Z");
  if (!Number.isInteger(version) || version < 0) return undefined;
  if (version === 0) {
    if (previousExpiresAt !== "") {
      problems.push(
        `${PROJECT}:serviceTokenPreviousSecretExpiresAt is set but serviceTokenSecretVersion is 0 (never rotated): it only applies to a rotation. Remove it (pulumi config rm serviceTokenPreviousSecretExpiresAt), or rotate: pulumi config set serviceTokenSecretVersion 2`,
      );
    }
    return undefined;
  }
  if (version === 1) {
    problems.push(
      `${PROJECT}:serviceTokenSecretVersion is 1, which rotates nothing: Cloudflare's provider starts every token at client secret version 1 and rotates only when the version differs from its state. The first rotation is 2, each later one the current value + 1. Fix: pulumi config set serviceTokenSecretVersion 2`,
    );
    return undefined;
  }
  if (generations.previous !== undefined) {
    problems.push(
      `${PROJECT}:serviceTokenSecretVersion is ${version} while generation ${generations.previous}'s token is still admitted (serviceTokenGeneration ${generations.current}: a renewal in progress). A rotation counts for one token, and generation ${generations.current}'s new token starts at version 1. Remove both: pulumi config rm serviceTokenSecretVersion && pulumi config rm serviceTokenPreviousSecretExpiresAt (generation ${generations.previous}'s token keeps its secret until it is retired).`,
    );
    return undefined;
  }
  if (previousExpiresAt === "") {
    problems.push(
      `${PROJECT}:serviceTokenPreviousSecretExpiresAt is missing: rotating the service token (serviceTokenSecretVersion ${version}) needs the time until which the previous client secret keeps working, so the app is not locked out before Heroku has the new one. Set it a few hours ahead: ${example}`,
    );
    return undefined;
  }
  if (!RFC3339_UTC.test(previousExpiresAt) || Number.isNaN(Date.parse(previousExpiresAt))) {
    problems.push(
      `${PROJECT}:serviceTokenPreviousSecretExpiresAt must be an RFC 3339 UTC time such as 2026-12-01T12:00:00Z. Example: ${example}`,
    );
    return undefined;
  }
  return { version, previousSecretExpiresAt: previousExpiresAt };
}

/** Why a value is not an acceptable https URL (any host), or undefined when it is. */
export function httpsUrlProblem(value: string): string | undefined {
  const checked = credentialUrl(value);
  return checked.ok ? undefined : checked.problem;
}

/** Hostnames besides ticketsHost that the FreeScout URLs may point at (stack config, JSON array). */
function parseHostList(value: string | undefined, problems: string[]): string[] {
  if (value === undefined || value === "" || value === "[]") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const example = "pulumi config set --path 'freescoutAllowedHosts[0]' tickets-eu.raxx.app";
  if (!Array.isArray(parsed) || !parsed.every((h) => typeof h === "string" && HOSTNAME.test(h))) {
    problems.push(
      `${PROJECT}:freescoutAllowedHosts must be a list of bare lowercase hostnames. Example: ${example}`,
    );
    return [];
  }
  return parsed as string[];
}

function parseFlags(
  value: string | undefined,
  known: readonly string[],
  problems: string[],
): Record<string, boolean> {
  const flags = Object.fromEntries(known.map((f) => [f, false]));
  if (value === undefined || value === "") return flags;
  const example = `pulumi config set --path 'flags.${known[0] ?? "FLAG_NAME"}' true`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(`${PROJECT}:flags must be a map of flag var to true/false. Example: ${example}`);
    return flags;
  }
  for (const [flag, on] of Object.entries(parsed)) {
    if (!known.includes(flag)) {
      problems.push(
        `${PROJECT}:flags.${flag} is not a flag of any feature in infra/features/manifest.ts (known: ${known.join(", ")}).`,
      );
    } else if (typeof on !== "boolean") {
      problems.push(
        `${PROJECT}:flags.${flag} must be true or false (a YAML boolean, not a string or number). Fix: pulumi config set --path 'flags.${flag}' true`,
      );
    } else {
      flags[flag] = on;
    }
  }
  return flags;
}

/** Reads this project's stack config from the Pulumi runtime and validates it. */
export function readConfig(features: readonly Feature[] = FEATURES): WiringConfig {
  const prefix = `${PROJECT}:`;
  const raw: Record<string, string | undefined> = {};
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (fullKey.startsWith(prefix)) raw[fullKey.slice(prefix.length)] = value;
  }
  try {
    return parseConfig(raw, features);
  } catch (err) {
    // RunError: the CLI prints the message without a stack trace.
    if (err instanceof ConfigError) throw runError(err.message);
    throw err;
  }
}
