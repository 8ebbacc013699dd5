/**
 * The whole graph: service token → Vault secret → Heroku prerequisite vars → Heroku flag vars.
 * Reads what people provision in Vault, runs the gate, and only then registers resources, so a
 * failed gate applies nothing. Built from the features the stack selects (config.features): a
 * stack gets the Vault reads, vars and alerts of those only, and one set of Access objects and
 * one Vault secret per gate those features pass (./wiring/access-gates.ts). Each feature's flags
 * wait for its own prerequisites, gate and alerts (./wiring/heroku-layout.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { WiringConfig } from "./config";
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
  gateOfVar,
  prerequisiteMap,
  vaultPaths,
  type Feature,
  type RequiredVar,
} from "./features/manifest";
import { ConsoleConfig } from "./heroku/console-config";
import { runError } from "./run-error";
import { DetectionAlerts } from "./sentry/detection-alerts";
import { readVaultSecret } from "./vault/read-secret";
import { gateOutputs, wireAccessGates, type GateOutputs } from "./wiring/access-gates";
import { herokuLayout } from "./wiring/heroku-layout";

export interface StackOutputs {
  readonly herokuApp: string;
  /** The features the stack selects. */
  readonly features: string[];
  /**
   * Per gate the selected features use; {} on a stack with no gated feature. One Output, so the
   * ids inside it are resolved wherever the outputs are read (the nested Outputs of a plain map
   * would not be by every reader).
   */
  readonly gates: pulumi.Output<Record<string, pulumi.Unwrap<GateOutputs>>>;
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
  /** Gate id → the data written to its Vault secret (the service-token vars' source). */
  writtenToVault: Readonly<Record<string, pulumi.Output<Record<string, string>>>>,
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
      case "service-token": {
        // A service-token var is one of its gate's two token vars (the catalog checks it), and
        // every gate of the selected features writes its Vault secret.
        const written = writtenToVault[gateOfVar(v.name, features)?.id ?? ""];
        if (written) values[v.name] = pulumi.secret(written.apply((data) => data[v.name] ?? ""));
        break;
      }
      case "manifest":
        values[v.name] = JSON.stringify(prerequisiteMap(features));
        break;
    }
  }
  return values;
}

export { flagRequirements } from "./wiring/heroku-layout";

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

  // 3-5. One Access gate and one Vault secret per gate the selected features use.
  const gates = await wireAccessGates(config);

  // 6. Heroku: prerequisites from Vault and config, then the flags that passed the gate.
  const prerequisites = prerequisiteValues(
    required,
    availability,
    config,
    reads,
    gates.vaultWiring?.data ?? {},
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
  const alertOf = new Map(rules.map((r, i) => [r.id, detection?.alerts[i]]));

  const consoleConfig = new ConsoleConfig("console", {
    ...herokuLayout(config, prerequisites, flagsOn, gates, (f) =>
      (f.detection ?? []).flatMap((r) => alertOf.get(r.id) ?? []),
    ),
    adoptConfigVars: config.adoptConfigVars,
    // Every flag of the catalog, not only of the selected features: a reverted feature's flag
    // left on by an interrupted deploy is still seen, and switched off.
    watchedFlags: allFlags(featureCatalog).filter((f) => !flagsOn.includes(f)),
  });

  return {
    herokuApp: config.herokuApp,
    features: features.map((f) => f.id),
    gates: pulumi.output(gateOutputs(config, gates.access)),
    prerequisiteKeys: Object.keys(prerequisites).sort(),
    flagsOn,
    detectionAlerts: detection?.alerts.map((a) => a.name) ?? [],
    adoptedKeys: pulumi
      .all(consoleConfig.all.map((r) => r.adoptedKeys))
      .apply((lists) => lists.flat().sort()),
  };
}
