/**
 * The whole graph: service token → Vault secret → Heroku prerequisite vars → Heroku flag vars.
 * Reads what people provision in Vault, runs the gate, and only then registers resources, so a
 * failed gate applies nothing. Built from the features the stack selects (config.features): a
 * stack gets the Vault reads, vars and alerts of those only, and the Access objects and the
 * service token's Vault secret only when one of them is gated (a service-token prerequisite).
 */
import * as pulumi from "@pulumi/pulumi";
import type { WiringConfig } from "./config";
import { adoptionsDone } from "./cloudflare/adoption";
import { TicketsAccess } from "./cloudflare/tickets-access";
import {
  detectionProblems,
  formatGateError,
  gateProblems,
  resolveAvailability,
  type Availability,
  type VaultRead,
  type VaultReads,
} from "./features/gate";
import { catalog } from "./features/catalog";
import {
  allFlags,
  allRequiredVars,
  allDetectionRules,
  prerequisiteMap,
  vaultPaths,
  type Feature,
  type RequiredVar,
} from "./features/manifest";
import { ConsoleConfig } from "./heroku/console-config";
import { runError } from "./run-error";
import { DetectionAlerts } from "./sentry/detection-alerts";
import { readVaultSecret } from "./vault/read-secret";
import { existingSecretData, VaultWiring } from "./vault/vault-wiring";

export interface StackOutputs {
  readonly herokuApp: string;
  /** The features the stack selects. */
  readonly features: string[];
  // The Access gate's outputs: absent (undefined) on a stack with no gated feature.
  readonly accessApplicationId: pulumi.Output<string> | undefined;
  readonly accessPolicyId: pulumi.Output<string> | undefined;
  readonly serviceTokenId: pulumi.Output<string> | undefined;
  readonly serviceTokenExpiresAt: pulumi.Output<string> | undefined;
  readonly serviceTokenExpiryWarningDays: number | undefined;
  readonly serviceTokenGeneration: number | undefined;
  /** The previous generation's token while a renewal is in progress. */
  readonly previousServiceTokenId: pulumi.Output<string> | undefined;
  readonly gatedUri: string | undefined;
  readonly vaultCloudflareSecret: string | undefined;
  readonly prerequisiteKeys: string[];
  readonly flagsOn: string[];
  readonly adoptedKeys: pulumi.Output<string[]>;
  readonly detectionAlerts: pulumi.Output<string | undefined>[];
}

/**
 * Reads every Vault secret the selected features take values from (the ones people provision),
 * by path: a path no selected feature names is never read, so a stack's Vault role needs read
 * on its own features' paths only.
 */
export async function readVaultSources(
  config: WiringConfig,
  features: readonly Feature[],
): Promise<Record<string, VaultRead>> {
  const reads: Record<string, VaultRead> = {};
  for (const path of vaultPaths(features))
    reads[path] = await readVaultSecret(config.vaultMount, path);
  return reads;
}

/** The value each available prerequisite var gets; unavailable ones are left out. */
export function prerequisiteValues(
  required: readonly RequiredVar[],
  availability: ReadonlyMap<string, Availability>,
  config: WiringConfig,
  reads: VaultReads,
  writtenToVault: pulumi.Output<Record<string, string>> | undefined,
  features: readonly Feature[] = config.features,
): Record<string, pulumi.Input<string>> {
  const values: Record<string, pulumi.Input<string>> = {};
  for (const v of required) {
    if (availability.get(v.name)?.present !== true) continue;
    const source = v.source;
    switch (source.kind) {
      case "config": {
        const value = config.manifestValues[source.key] ?? "";
        values[v.name] = v.secret ? pulumi.secret(value) : value;
        break;
      }
      case "vault": {
        const read = reads[source.path];
        // Everything read from Vault is handled as a secret, whatever it holds.
        if (read?.ok) values[v.name] = pulumi.secret(read.data[source.field] ?? "");
        break;
      }
      case "service-token":
        // Only gated stacks have service-token vars, and they always write the Vault secret.
        if (writtenToVault)
          values[v.name] = pulumi.secret(writtenToVault.apply((data) => data[v.name] ?? ""));
        break;
      case "manifest":
        values[v.name] = JSON.stringify(prerequisiteMap(features));
        break;
    }
  }
  return values;
}

/**
 * Each flag var → every var its feature needs (the manifest's `requires`, the prerequisite map
 * included): what the flags resource checks on the app itself before switching a flag on.
 */
export function flagRequirements(features: readonly Feature[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const feature of features) {
    const names = [...new Set(feature.requires.map((v) => v.name))].sort();
    for (const flag of feature.flags)
      out[flag] = [...new Set([...(out[flag] ?? []), ...names])].sort();
  }
  return out;
}

export async function wire(
  config: WiringConfig,
  featureCatalog: readonly Feature[] = catalog(),
): Promise<StackOutputs> {
  const features = config.features;
  const required = allRequiredVars(features);

  // 1. What people provision in Vault, read before anything is registered.
  const reads = await readVaultSources(config, features);

  // A secret that exists but cannot be read leaves the desired state unknown: stop, whatever the flags.
  for (const [path, read] of Object.entries(reads)) {
    if (!read.ok && !read.notFound) {
      throw runError(
        `Vault secret ${config.vaultMount}/${path} could not be read (${read.error}). ` +
          "Check VAULT_ADDR/VAULT_TOKEN and the token's policy; nothing was applied.",
      );
    }
  }

  // 2. The gate: a flag requested on with any prerequisite missing stops the program here.
  const availability = resolveAvailability(required, config, reads);
  const problems = [
    ...gateProblems(features, config.flags, availability),
    ...detectionProblems(features, config.flags, config.sentry),
  ];
  if (problems.length > 0) throw runError(formatGateError(config.herokuApp, problems));
  for (const v of required) {
    const a = availability.get(v.name);
    if (a && !a.present) {
      void pulumi.log.warn(
        `${v.name} is not written to ${config.herokuApp}: ${a.reason}. Features needing it stay off. Provide it: ${a.fix}`,
      );
    }
  }
  const flagsOn = Object.entries(config.flags)
    .filter(([, on]) => on)
    .map(([flag]) => flag)
    .sort();

  // 3-5. The Access gate and the service token's Vault secret, for gated features only.
  const gate = config.gated ? await wireAccessGate(config, required) : undefined;
  const admission = gate?.access.admission ?? [];

  // 6. Heroku: prerequisites from Vault and config, then the flags that passed the gate.
  const prerequisites = prerequisiteValues(
    required,
    availability,
    config,
    reads,
    gate?.vaultWiring.cloudflareData,
    features,
  );
  // 7. The detection alerts, when Sentry is configured (the gate required it for any flag on).
  const rules = allDetectionRules(features);
  const { organization, project, opsTeamId } = config.sentry;
  const detection =
    rules.length > 0 && organization && project && opsTeamId
      ? new DetectionAlerts("detection", {
          organization,
          project,
          opsTeamId,
          rules,
          namePrefix: config.herokuApp,
        })
      : undefined;

  const consoleConfig = new ConsoleConfig("console", {
    app: config.herokuApp,
    prerequisites,
    flagsOn,
    flagRequirements: flagRequirements(features),
    adoptConfigVars: config.adoptConfigVars,
    // Every flag of the catalog, not only of the selected features: a reverted feature's flag
    // left on by an interrupted deploy is still seen, and switched off.
    watchedFlags: allFlags(featureCatalog).filter((f) => !flagsOn.includes(f)),
    prerequisitesDependOn: gate ? [gate.vaultWiring.cloudflareSecret, ...admission] : [],
    // The feature's calls pass the Access gate: no flag is on before it admits the app's token.
    flagsDependOn: [...admission, ...(detection?.alerts ?? [])],
  });

  return {
    herokuApp: config.herokuApp,
    features: features.map((f) => f.id),
    accessApplicationId: gate?.access.application.id,
    accessPolicyId: gate?.access.policy.id,
    serviceTokenId: gate?.access.serviceToken.id,
    serviceTokenExpiresAt: gate?.access.serviceToken.expiresAt,
    serviceTokenExpiryWarningDays: gate ? config.serviceToken.expiryWarningDays : undefined,
    serviceTokenGeneration: gate ? config.serviceToken.generation : undefined,
    previousServiceTokenId: gate?.access.previousServiceToken?.id,
    gatedUri: gate?.access.gatedUri,
    vaultCloudflareSecret: gate
      ? `${config.vaultMount}/${config.vaultPaths.cloudflare}`
      : undefined,
    prerequisiteKeys: Object.keys(prerequisites).sort(),
    flagsOn,
    detectionAlerts: detection?.alerts.map((a) => a.name) ?? [],
    adoptedKeys: pulumi
      .all([consoleConfig.prerequisites?.adoptedKeys ?? [], consoleConfig.flags?.adoptedKeys ?? []])
      .apply(([a, b]) => [...a, ...b].sort()),
  };
}

/**
 * The tickets Access gate and the Vault secret the service token's credentials are written to
 * (the source the Heroku service-token vars are read from).
 */
async function wireAccessGate(
  config: WiringConfig,
  required: readonly RequiredVar[],
): Promise<{ access: TicketsAccess; vaultWiring: VaultWiring }> {
  // What the stack's own Vault secret holds now, decided before anything is registered.
  const tokenVars = required.flatMap((v) =>
    v.source.kind === "service-token" ? [{ name: v.name, output: v.source.output }] : [],
  );
  const start = existingSecretData(
    await readVaultSecret(config.vaultMount, config.vaultPaths.cloudflare),
    config.adopt.vaultCloudflareSecret,
    tokenVars.map((v) => v.name),
    `${config.vaultMount}/${config.vaultPaths.cloudflare}`,
  );
  if ("error" in start) throw runError(start.error);

  // Cloudflare Access on the tickets API, with its service token. Objects adopted by an
  // earlier deployment are not imported again (./cloudflare/adoption.ts).
  const adopt = {
    applicationId: config.adopt.accessApplicationId,
    policyId: config.adopt.accessPolicyId,
    serviceTokenId: config.adopt.serviceTokenId,
  };
  const adopted = await adoptionsDone(adopt);
  const access = new TicketsAccess("tickets", {
    accountId: config.cloudflareAccountId,
    host: config.ticketsHost,
    apiPath: config.ticketsApiPath,
    tokenName: config.serviceToken.name,
    tokenDuration: config.serviceToken.duration,
    rotation: config.serviceToken.rotation,
    generation: config.serviceToken.generation,
    previousGeneration: config.serviceToken.previousGeneration,
    adopt,
    adopted,
  });

  // The token's credentials into Vault, the source of truth for every consumer, once Access
  // admits the token. The order Cloudflare → Vault → Heroku is what keeps the app admitted: in a
  // rotation the old secret works until previousClientSecretExpiresAt; in a renewal the policy
  // includes the new token next to the old one before Vault and Heroku get it.
  const vaultWiring = new VaultWiring("vault", {
    mount: config.vaultMount,
    cloudflarePath: config.vaultPaths.cloudflare,
    fields: Object.fromEntries(tokenVars.map((v) => [v.name, access.serviceToken[v.output]])),
    existing: start.data,
    adopt: config.adopt.vaultCloudflareSecret,
    secretDependsOn: access.admission,
  });

  return { access, vaultWiring };
}
