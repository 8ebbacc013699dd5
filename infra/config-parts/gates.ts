/**
 * `console-wiring:gates`: per-gate settings, keyed by gate id (infra/features/data/gates/<id>.json),
 * for the gates the selected features use:
 *
 *   console-wiring:gates:
 *     tickets:
 *       host: tickets.raxx.app
 *       vaultPath: cloudflare
 *
 * Each gate gets its own Access application, policy, service token and Vault secret, so every
 * setting of the token (name, duration, rotation, renewal, adoption) is per gate. Pure: problems
 * go to the list, each naming the key and a fix for that gate.
 */
import type { Gate } from "../features/manifest";
import { HOSTNAME, PROJECT, TOKEN_DURATION, UUID, VAULT_PATH } from "./patterns";
import { secretRotation, tokenGenerations } from "./service-token";

export interface GateConfig {
  readonly id: string;
  readonly host: string;
  /** The gate file's path guarded on the host, like `/api`. */
  readonly apiPath: string;
  /** The Vault secret (under vaultMount) this gate's token is written to. */
  readonly vaultPath: string;
  /** Hosts this gate's URL vars may point at: host, then allowedHosts. */
  readonly allowedHosts: readonly string[];
  readonly serviceToken: {
    readonly name: string;
    /** A Go duration such as `8760h`, or `forever`. */
    readonly duration: string;
    readonly secretVersion: number;
    readonly rotation?: { readonly version: number; readonly previousSecretExpiresAt: string };
    readonly generation: number;
    readonly previousGeneration?: number;
    readonly expiryWarningDays: number;
  };
  readonly adopt: {
    readonly accessApplicationId?: string;
    readonly accessPolicyId?: string;
    readonly serviceTokenId?: string;
    readonly vaultSecret: boolean;
  };
}

/** The settings one gate entry may hold. */
export const GATE_KEYS = [
  "host",
  "vaultPath",
  "serviceTokenName",
  "serviceTokenDuration",
  "serviceTokenGeneration",
  "serviceTokenRetiredGeneration",
  "serviceTokenSecretVersion",
  "serviceTokenPreviousSecretExpiresAt",
  "tokenExpiryWarningDays",
  "adoptAccessApplicationId",
  "adoptAccessPolicyId",
  "adoptServiceTokenId",
  "adoptVaultSecret",
  "allowedHosts",
] as const;

/**
 * The top-level keys the per-gate map replaced → the gate setting that holds each now. They are
 * refused (a stack file still holding one would otherwise silently lose its value).
 */
export const MOVED_KEYS: Readonly<Record<string, string>> = {
  ticketsHost: "host",
  ticketsApiPath: "",
  vaultCloudflarePath: "vaultPath",
  serviceTokenName: "serviceTokenName",
  serviceTokenDuration: "serviceTokenDuration",
  serviceTokenSecretVersion: "serviceTokenSecretVersion",
  serviceTokenPreviousSecretExpiresAt: "serviceTokenPreviousSecretExpiresAt",
  serviceTokenGeneration: "serviceTokenGeneration",
  serviceTokenRetiredGeneration: "serviceTokenRetiredGeneration",
  tokenExpiryWarningDays: "tokenExpiryWarningDays",
  adoptAccessApplicationId: "adoptAccessApplicationId",
  adoptAccessPolicyId: "adoptAccessPolicyId",
  adoptServiceTokenId: "adoptServiceTokenId",
  adoptVaultCloudflareSecret: "adoptVaultSecret",
  freescoutAllowedHosts: "allowedHosts",
};

const GATES = `${PROJECT}:gates`;

/** Problems for old top-level keys still set, each naming the per-gate key that replaced it. */
export function movedKeyProblems(
  raw: Readonly<Record<string, string | undefined>>,
  gateIds: readonly string[],
  problems: string[],
): void {
  const id = gateIds[0] ?? "tickets";
  for (const [old, now] of Object.entries(MOVED_KEYS)) {
    if (raw[old] === undefined) continue;
    problems.push(
      now === ""
        ? `${PROJECT}:${old} is no longer a setting: the gated path is the gate file's apiPath (infra/features/data/gates/<id>.json). Remove it: pulumi config rm ${old}`
        : `${PROJECT}:${old} moved to ${GATES}.${id}.${now} (settings are per gate now). Move it: pulumi config rm ${old} && pulumi config set --path 'gates.${id}.${now}' <value>`,
    );
  }
}

/** Parses the gates map for the gates the selected features use. */
export function parseGates(
  value: string | undefined,
  gates: readonly Gate[],
  stack: string,
  problems: string[],
  /** Whether to report entries for gates no selected feature uses. */
  reportUnused = true,
): Record<string, GateConfig> {
  const ids = gates.map((g) => g.id);
  const first = ids[0] ?? "<gate-id>";
  const example = `pulumi config set --path 'gates.${first}.host' ${first}.raxx.app`;
  let parsed: unknown = {};
  if (value !== undefined && value.trim() !== "") {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(`${GATES} must be a map of gate id to its settings. Example: ${example}`);
    return {};
  }
  const entries = parsed as Record<string, unknown>;
  for (const id of Object.keys(entries)) {
    if (reportUnused && !ids.includes(id)) {
      problems.push(
        `${GATES}.${id} is not a gate of a selected feature (gates in use: ${ids.join(", ") || "none"}). Remove it: pulumi config rm --path 'gates.${id}'`,
      );
    }
  }
  const out: Record<string, GateConfig> = {};
  for (const gate of gates) {
    const entry = entries[gate.id];
    if (entry === undefined) {
      problems.push(
        `${GATES}.${gate.id} is missing: a selected feature passes gate ${gate.id} (infra/features/data/gates/${gate.id}.json), which needs its host and Vault path. Set them: pulumi config set --path 'gates.${gate.id}.host' ${gate.id}.raxx.app && pulumi config set --path 'gates.${gate.id}.vaultPath' ${gate.id}-access`,
      );
      continue;
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push(
        `${GATES}.${gate.id} must be a map of settings (host, vaultPath, ...). Example: pulumi config set --path 'gates.${gate.id}.host' ${gate.id}.raxx.app`,
      );
      continue;
    }
    out[gate.id] = parseGate(gate, entry as Record<string, unknown>, stack, problems);
  }
  return out;
}

function parseGate(
  gate: Gate,
  entry: Record<string, unknown>,
  stack: string,
  problems: string[],
): GateConfig {
  const key = (k: string) => `${GATES}.${gate.id}.${k}`;
  const set = (k: string, example: string) =>
    `pulumi config set --path 'gates.${gate.id}.${k}' ${example}`;
  for (const k of Object.keys(entry)) {
    if (!(GATE_KEYS as readonly string[]).includes(k)) {
      problems.push(
        `${key(k)} is not a gate setting (known: ${GATE_KEYS.join(", ")}). Remove it: pulumi config rm --path 'gates.${gate.id}.${k}'`,
      );
    }
  }
  const str = (k: string, example: string, required: boolean, pattern?: RegExp, rule?: string) => {
    const v = entry[k];
    if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) {
      if (required) problems.push(`${key(k)} is missing. Set it: ${set(k, example)}`);
      return "";
    }
    if (typeof v !== "string") {
      problems.push(`${key(k)} must be a string. Example: ${set(k, example)}`);
      return "";
    }
    if (pattern && !pattern.test(v))
      problems.push(`${key(k)} ${rule}. Example: ${set(k, example)}`);
    return v;
  };
  const int = (k: string, fallback: number, min: number, example: string): number => {
    const v = entry[k];
    if (v === undefined || v === null || (typeof v === "string" && v.trim() === ""))
      return fallback;
    // A YAML number, or digits only: Number() would also take 1e3, 0x10 or " 7".
    const n =
      typeof v === "number"
        ? v
        : typeof v === "string" && /^-?\d{1,9}$/.test(v)
          ? Number(v)
          : Number.NaN;
    if (!Number.isInteger(n) || n < min) {
      problems.push(
        `${key(k)} must be a whole number of at least ${min}. Example: ${set(k, example)}`,
      );
      return Number.NaN;
    }
    return n;
  };
  const id = (k: string, what: string): string | undefined => {
    const v = entry[k];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string" || !UUID.test(v)) {
      problems.push(
        `${key(k)} must be the ${what}'s UUID (lowercase, 8-4-4-4-12 hex), or empty to create a new one.`,
      );
      return undefined;
    }
    return v;
  };

  const host = str(
    "host",
    `${gate.id}.raxx.app`,
    true,
    HOSTNAME,
    "must be a bare lowercase hostname (no scheme, no path)",
  );
  const vaultPath = str(
    "vaultPath",
    `${gate.id}-access`,
    true,
    VAULT_PATH,
    "must be a Vault path without leading or trailing slashes or . and .. segments",
  );
  // VAULT_PATH already refuses dot segments; this names them on their own if it ever allows them.
  if (
    VAULT_PATH.test(vaultPath) &&
    (vaultPath.split("/").includes("..") || vaultPath.split("/").includes("."))
  ) {
    problems.push(
      `${key("vaultPath")} must not contain . or .. segments. Example: ${set("vaultPath", `${gate.id}-access`)}`,
    );
  }
  const extra = entry["allowedHosts"] === "" ? [] : (entry["allowedHosts"] ?? []);
  let allowed: string[] = [];
  if (!Array.isArray(extra) || !extra.every((h) => typeof h === "string" && HOSTNAME.test(h))) {
    problems.push(
      `${key("allowedHosts")} must be a list of bare lowercase hostnames. Example: pulumi config set --path 'gates.${gate.id}.allowedHosts[0]' ${gate.id}-eu.raxx.app`,
    );
  } else {
    allowed = extra as string[];
  }

  const name =
    str("serviceTokenName", `console-${stack}-${gate.id}`, false) || `console-${stack}-${gate.id}`;
  const duration =
    str(
      "serviceTokenDuration",
      "8760h",
      false,
      TOKEN_DURATION,
      "must be a duration such as 8760h (units ns, us, ms, s, m, h), or forever for a token that never expires",
    ) || "8760h";
  const generation = int("serviceTokenGeneration", 1, 1, "2");
  const retired = int("serviceTokenRetiredGeneration", 0, 0, "1");
  const gateProblems: string[] = [];
  const generations = tokenGenerations(generation, retired, gateProblems);
  const secretVersion = int("serviceTokenSecretVersion", 0, 0, "2");
  const expiresAtRaw = entry["serviceTokenPreviousSecretExpiresAt"];
  const rotation = secretRotation(
    secretVersion,
    typeof expiresAtRaw === "string" ? expiresAtRaw.trim() : "",
    generations,
    gateProblems,
  );
  // The token rules are shared with the one-gate layout: their messages name the bare setting,
  // which is this gate's setting now.
  for (const p of gateProblems) problems.push(perGate(p, gate.id));
  const expiryWarningDays = int("tokenExpiryWarningDays", 30, 1, "30");

  const adoptVault = entry["adoptVaultSecret"];
  if (![undefined, null, "", true, false, "true", "false"].includes(adoptVault as never)) {
    problems.push(
      `${key("adoptVaultSecret")} must be true or false. Example: ${set("adoptVaultSecret", "true")}`,
    );
  }
  return {
    id: gate.id,
    host,
    apiPath: gate.apiPath,
    vaultPath,
    // With a malformed host its own problem is reported; the host rule waits for a good one.
    allowedHosts: HOSTNAME.test(host) ? [host, ...allowed] : [],
    serviceToken: {
      name,
      duration,
      secretVersion,
      rotation,
      generation,
      previousGeneration: generations.previous,
      expiryWarningDays,
    },
    adopt: {
      accessApplicationId: id("adoptAccessApplicationId", "Access application"),
      accessPolicyId: id("adoptAccessPolicyId", "Access policy"),
      serviceTokenId: id("adoptServiceTokenId", "service token"),
      vaultSecret: adoptVault === true || adoptVault === "true",
    },
  };
}

/** Rewrites a shared token rule's message to name this gate's settings and fixes. */
function perGate(problem: string, gateId: string): string {
  return problem
    .replace(new RegExp(`${PROJECT}:(serviceToken\\w+)`, "g"), `${GATES}.${gateId}.$1`)
    .replace(
      /pulumi config (set|rm) (serviceToken\w+)/g,
      `pulumi config $1 --path 'gates.${gateId}.$2'`,
    );
}
