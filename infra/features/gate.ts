/**
 * The gate: a flag may only be requested on when every var its feature requires resolves to a
 * non-empty value. Pure functions; the program runs them before it registers any resource, so a
 * failed gate applies nothing.
 */
import type { WiringConfig } from "../config";
import { PROJECT } from "../config";
import type { Feature, RequiredVar } from "./model";

/** What reading a Vault secret gave: its data, or why it could not be read. */
export type VaultRead =
  | { readonly ok: true; readonly data: Readonly<Record<string, string>> }
  | {
      readonly ok: false;
      readonly error: string;
      /** Vault holds no readable version: none at all, or the latest one deleted (`deleted`). */
      readonly notFound: boolean;
      /** The latest version exists but was soft-deleted (`deletionTime`) or destroyed. */
      readonly deleted?: {
        readonly version: number;
        readonly deletionTime: string;
        readonly destroyed: boolean;
      };
    };

/** Vault reads by secret path (under the stack's vaultMount). */
export type VaultReads = Readonly<Record<string, VaultRead>>;

export type Availability =
  | { readonly present: true }
  | { readonly present: false; readonly reason: string; readonly fix: string };

/** Whether each required var will have a value, and if not, why and how to provide it. */
export function resolveAvailability(
  vars: readonly RequiredVar[],
  config: WiringConfig,
  vaultReads: VaultReads,
): Map<string, Availability> {
  const result = new Map<string, Availability>();
  for (const v of vars) result.set(v.name, availabilityOf(v, config, vaultReads));
  return result;
}

function availabilityOf(
  v: RequiredVar,
  config: WiringConfig,
  vaultReads: VaultReads,
): Availability {
  const source = v.source;
  switch (source.kind) {
    case "config": {
      const value = config.manifestValues[source.key];
      if (value !== undefined && value.trim() !== "") return { present: true };
      return {
        present: false,
        reason: `stack config ${PROJECT}:${source.key} is not set`,
        fix: `pulumi config set ${source.key} ${source.format === "https-url" ? "https://<host>" : "<value>"}`,
      };
    }
    case "vault": {
      const path = `${config.vaultMount}/${source.path}`;
      const fix = `vault kv patch -mount=${config.vaultMount} ${source.path} ${source.field}=<value>`;
      const read = vaultReads[source.path];
      if (!read) return { present: false, reason: `Vault secret ${path} was not read`, fix };
      if (!read.ok) {
        if (read.deleted) return deletedVersion(path, config.vaultMount, source, read.deleted);
        return read.notFound
          ? {
              present: false,
              reason: `Vault secret ${path} does not exist`,
              fix: `vault kv put -mount=${config.vaultMount} ${source.path} ${source.field}=<value>`,
            }
          : {
              present: false,
              reason: `Vault secret ${path} could not be read (${read.error})`,
              fix: `check VAULT_ADDR/VAULT_TOKEN and the secret's policy, then ${fix}`,
            };
      }
      const value = read.data[source.field];
      if (value === undefined) {
        return {
          present: false,
          reason: `field ${source.field} is absent from Vault secret ${path}`,
          fix,
        };
      }
      if (value.trim() === "") {
        return {
          present: false,
          reason: `field ${source.field} is empty in Vault secret ${path}`,
          fix,
        };
      }
      return { present: true };
    }
    case "service-token": // written by this stack from the service token it manages
    case "manifest": // written by this stack from the manifest itself
      return { present: true };
  }
}

export interface GateProblem {
  readonly feature: string;
  readonly flags: readonly string[];
  readonly variable: string;
  readonly purpose: string;
  readonly reason: string;
  readonly fix: string;
}

/** Every missing prerequisite of every feature that has a flag requested on. */
export function gateProblems(
  features: readonly Feature[],
  flags: Readonly<Record<string, boolean>>,
  availability: ReadonlyMap<string, Availability>,
): GateProblem[] {
  const problems: GateProblem[] = [];
  for (const feature of features) {
    const on = feature.flags.filter((f) => flags[f] === true);
    if (on.length === 0) continue;
    for (const v of feature.requires) {
      const a = availability.get(v.name);
      if (a === undefined) {
        problems.push({
          feature: feature.id,
          flags: on,
          variable: v.name,
          purpose: v.purpose,
          reason: "no source resolves it",
          fix: `declare its source in infra/features/data/${feature.id}.json`,
        });
      } else if (!a.present) {
        problems.push({
          feature: feature.id,
          flags: on,
          variable: v.name,
          purpose: v.purpose,
          reason: a.reason,
          fix: a.fix,
        });
      }
    }
  }
  return problems;
}

const SENTRY_KEYS = [
  ["organization", "sentryOrganization", "<org-slug>"],
  ["project", "sentryProject", "<project-slug>"],
  ["opsTeamId", "sentryOpsTeamId", "<ops-team-id>"],
] as const;

/**
 * A flag on whose feature declares detection rules needs the Sentry settings the alerts are
 * created with: one problem per rule, naming every missing key and how to set it.
 */
export function detectionProblems(
  features: readonly Feature[],
  flags: Readonly<Record<string, boolean>>,
  sentry: WiringConfig["sentry"],
): GateProblem[] {
  const missing = SENTRY_KEYS.filter(([field]) => sentry[field] === undefined);
  if (missing.length === 0) return [];
  const problems: GateProblem[] = [];
  for (const feature of features) {
    const on = feature.flags.filter((f) => flags[f] === true);
    if (on.length === 0) continue;
    for (const rule of feature.detection ?? []) {
      problems.push({
        feature: feature.id,
        flags: on,
        variable: `Sentry alert ${rule.id}`,
        purpose: `notices in production when ${rule.summary}`,
        reason: `stack config ${missing.map(([, k]) => `${PROJECT}:${k}`).join(", ")} ${missing.length === 1 ? "is" : "are"} not set`,
        fix: `${missing.map(([, k, example]) => `pulumi config set ${k} ${example}`).join("; ")} (and a Sentry auth token as SENTRY_TOKEN in the environment of pulumi up)`,
      });
    }
  }
  return problems;
}

export function formatGateError(app: string, problems: readonly GateProblem[]): string {
  const lines: string[] = [];
  // Every problem of one feature carries the same flags (those of the feature that are on).
  const byFeature = new Map<string, { flags: readonly string[]; ps: GateProblem[] }>();
  for (const p of problems) {
    const group = byFeature.get(p.feature);
    if (group) group.ps.push(p);
    else byFeature.set(p.feature, { flags: p.flags, ps: [p] });
  }
  for (const [feature, { flags, ps }] of byFeature) {
    lines.push(
      `${PROJECT}: feature "${feature}" is requested on for Heroku app ${app} (${flags.join(", ")}), ` +
        `but ${ps.length} prerequisite${ps.length === 1 ? " is" : "s are"} missing. Nothing was applied and no flag was set.`,
    );
    for (const p of ps) {
      lines.push(`  - ${p.variable} (${p.purpose}): ${p.reason}. Provide it: ${p.fix}`);
    }
    lines.push(
      `  Or keep the feature off: ${flags.map((f) => `pulumi config set --path 'flags.${f}' false`).join("; ")}`,
    );
  }
  return lines.join("\n");
}

/**
 * A secret whose latest version was soft-deleted or destroyed reads back with no data (KV v2:
 * `data: null`, the version's `deletion_time` or `destroyed` set). Say which, and the way back:
 * a soft delete can be undone; a destroyed version cannot, only a new version replaces it.
 */
function deletedVersion(
  path: string,
  mount: string,
  source: { readonly path: string; readonly field: string },
  deleted: { readonly version: number; readonly deletionTime: string; readonly destroyed: boolean },
): Availability {
  const put = `vault kv put -mount=${mount} ${source.path} ${source.field}=<value> (and the secret's other fields)`;
  return deleted.destroyed
    ? {
        present: false,
        reason: `version ${deleted.version} of Vault secret ${path}, its latest, was destroyed`,
        fix: `write a new version: ${put}`,
      }
    : {
        present: false,
        reason: `version ${deleted.version} of Vault secret ${path}, its latest, was deleted at ${deleted.deletionTime}`,
        fix: `restore it: vault kv undelete -mount=${mount} -versions=${deleted.version} ${source.path}; or write a new version: ${put}`,
      };
}
