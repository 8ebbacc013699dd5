/**
 * How the program's prerequisite values and flags map onto the console config's resources
 * (../heroku/console-config.ts): a gate's token vars go to the gate's own resource, after its
 * Vault secret and its admission; every other var to the shared one; each feature's flags wait
 * for its own gate and alerts only.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { WiringConfig } from "../config";
import { gatesOf, type Feature } from "../features/manifest";
import type { ConsoleConfigArgs } from "../heroku/console-config";
import type { WiredGates } from "./access-gates";

/** Each flag var of the features → every var its feature needs (the map included). */
export function flagRequirements(features: readonly Feature[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const feature of features) {
    const names = [...new Set(feature.requires.map((v) => v.name))].sort();
    for (const flag of feature.flags)
      out[flag] = [...new Set([...(out[flag] ?? []), ...names])].sort();
  }
  return out;
}

export function herokuLayout(
  config: WiringConfig,
  prerequisites: Readonly<Record<string, pulumi.Input<string>>>,
  flagsOn: readonly string[],
  gates: WiredGates,
  alertsOf: (feature: Feature) => pulumi.Resource[],
): ConsoleConfigArgs {
  const shared: Record<string, pulumi.Input<string>> = { ...prerequisites };
  const gatePrerequisites: Record<
    string,
    { vars: Record<string, pulumi.Input<string>>; dependsOn: pulumi.Resource[] }
  > = {};
  for (const gate of gatesOf(config.features)) {
    const access = gates.access[gate.id];
    const secret = gates.vaultWiring?.secrets[gate.id];
    if (!access || !secret) continue;
    const vars: Record<string, pulumi.Input<string>> = {};
    for (const name of [gate.clientIdVar, gate.clientSecretVar]) {
      if (!Object.hasOwn(shared, name)) continue;
      vars[name] = shared[name]!;
      delete shared[name];
    }
    gatePrerequisites[gate.id] = { vars, dependsOn: [secret, ...access.admission] };
  }
  return {
    app: config.herokuApp,
    prerequisites: shared,
    gatePrerequisites,
    features: config.features.map((f) => {
      const access = f.gate ? gates.access[f.gate.id] : undefined;
      return {
        id: f.id,
        flagsOn: flagsOn.filter((flag) => f.flags.includes(flag)),
        ...(f.gate ? { gate: f.gate.id } : {}),
        flagRequirements: flagRequirements([f]),
        // The feature's calls pass its gate: no flag is on before it admits the app's token.
        dependsOn: [...(access?.admission ?? []), ...alertsOf(f)],
      };
    }),
  };
}
