/**
 * The whole graph: service token → Vault secret → Heroku prerequisite vars → Heroku flag vars.
 * Reads what people provision in Vault, runs the gate, and only then registers resources, so a
 * failed gate applies nothing.
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
} from "./features/gate";
import {
  allRequiredVars,
  allDetectionRules,
  FEATURES,
  prerequisiteMap,
  type Feature,
  type RequiredVar,
  type VaultSecretName,
} from "./features/manifest";
import { ConsoleConfig } from "./heroku/console-config";
import { runError } from "./run-error";
import { DetectionAlerts } from "./sentry/detection-alerts";
import { readVaultSecret } from "./vault/read-secret";
import { existingSecretData, VaultWiring } from "./vault/vault-wiring";

export interface StackOutputs {
  readonly herokuApp: string;
  readonly accessApplicationId: pulumi.Output<string>;
  readonly accessPolicyId: pulumi.Output<string>;
  readonly serviceTokenId: pulumi.Output<string>;
  readonly serviceTokenExpiresAt: pulumi.Output<string>;
  readonly serviceTokenExpiryWarningDays: number;
  readonly serviceTokenGeneration: number;
  /** The previous generation's token while a renewal is in progress. */
  readonly previousServiceTokenId: pulumi.Output<string> | undefined;
  readonly gatedUri: string;
  readonly vaultCloudflareSecret: string;
  readonly prerequisiteKeys: string[];
  readonly flagsOn: string[];
  readonly adoptedKeys: pulumi.Output<string[]>;
  readonly detectionAlerts: pulumi.Output<string | undefined>[];
}

/** Reads every Vault secret the manifest takes values from (the ones people provision). */
export async function readVaultSources(
  config: WiringConfig,
  required: readonly RequiredVar[],
): Promise<Partial<Record<VaultSecretName, VaultRead>>> {
  const names = new Set<VaultSecretName>();
  for (const v of required) if (v.source.kind === "vault") names.add(v.source.secret);
  const reads: Partial<Record<VaultSecretName, VaultRead>> = {};
  for (const name of names)
    reads[name] = await readVaultSecret(config.vaultMount, config.vaultPaths[name]);
  return reads;
}

/** The value each available prerequisite var gets; unavailable ones are left out. */
export function prerequisiteValues(
  required: readonly RequiredVar[],
  availability: ReadonlyMap<string, Availability>,
  config: WiringConfig,
  reads: Partial<Record<VaultSecretName, VaultRead>>,
  writtenToVault: pulumi.Output<Record<string, string>>,
  features: readonly Feature[] = FEATURES,
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
        const read = reads[source.secret];
        // Everything read from Vault is handled as a secret, whatever it holds.
        if (read?.ok) values[v.name] = pulumi.secret(read.data[source.field] ?? "");
        break;
      }
      case "service-token":
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
export function flagRequirements(
  features: readonly Feature[] = FEATURES,
): Record<string, string[]> {
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
  features: readonly Feature[] = FEATURES,
): Promise<StackOutputs> {
  const required = allRequiredVars(features);

  // 1. What people provision in Vault, read before anything is registered.
  const reads = await readVaultSources(config, required);

  // A secret that exists but cannot be read leaves the desired state unknown: stop, whatever the flags.
  for (const [name, read] of Object.entries(reads)) {
    if (!read.ok && !read.notFound) {
      throw runError(
        `Vault secret ${config.vaultMount}/${config.vaultPaths[name as VaultSecretName]} could not be read (${read.error}). ` +
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

  // 3. What the stack's own Vault secret holds now, decided before anything is registered.
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

  // 4. Cloudflare Access on the tickets API, with its service token. Objects adopted by an
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

  // 5. The token's credentials into Vault, the source of truth for every consumer, once Access
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

  // 6. Heroku: prerequisites from Vault and config, then the flags that passed the gate.
  const prerequisites = prerequisiteValues(
    required,
    availability,
    config,
    reads,
    vaultWiring.cloudflareData,
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
    prerequisitesDependOn: [vaultWiring.cloudflareSecret, ...access.admission],
    // The feature's calls pass the Access gate: no flag is on before it admits the app's token.
    flagsDependOn: [...access.admission, ...(detection?.alerts ?? [])],
  });

  return {
    herokuApp: config.herokuApp,
    accessApplicationId: access.application.id,
    accessPolicyId: access.policy.id,
    serviceTokenId: access.serviceToken.id,
    serviceTokenExpiresAt: access.serviceToken.expiresAt,
    serviceTokenExpiryWarningDays: config.serviceToken.expiryWarningDays,
    serviceTokenGeneration: config.serviceToken.generation,
    previousServiceTokenId: access.previousServiceToken?.id,
    gatedUri: access.gatedUri,
    vaultCloudflareSecret: `${config.vaultMount}/${config.vaultPaths.cloudflare}`,
    prerequisiteKeys: Object.keys(prerequisites).sort(),
    flagsOn,
    detectionAlerts: detection?.alerts.map((a) => a.name) ?? [],
    adoptedKeys: pulumi
      .all([consoleConfig.prerequisites?.adoptedKeys ?? [], consoleConfig.flags?.adoptedKeys ?? []])
      .apply(([a, b]) => [...a, ...b].sort()),
  };
}
