/**
 * One Access gate per gate the selected features use, and the Vault secret each gate's service
 * token is written to (the source the Heroku service-token vars are read from). Gates are data
 * (infra/features/data/gates/<id>.json); their per-stack settings are console-wiring:gates.<id>.
 */
import * as pulumi from "@pulumi/pulumi";
import type { GateConfig, WiringConfig } from "../config";
import { AccessGate } from "../cloudflare/access-gate";
import { adoptionsDone } from "../cloudflare/adoption";
import { gatesOf, type Gate } from "../features/manifest";
import { runError } from "../run-error";
import { readVaultSecret } from "../vault/read-secret";
import { existingSecretData, VaultWiring, type GateSecretArgs } from "../vault/vault-wiring";

/** One gate's outputs (the `gates` stack output): what smoke, drift, recover and the plan read. */
export interface GateOutputs {
  readonly host: string;
  readonly apiPath: string;
  /** `<host><apiPath>`, the Access application's domain. */
  readonly gatedUri: string;
  readonly accessApplicationId: pulumi.Output<string>;
  readonly accessPolicyId: pulumi.Output<string>;
  readonly serviceTokenId: pulumi.Output<string>;
  readonly serviceTokenExpiresAt: pulumi.Output<string>;
  readonly serviceTokenExpiryWarningDays: number;
  readonly serviceTokenGeneration: number;
  /** The previous generation's token while a renewal is in progress. */
  readonly previousServiceTokenId?: pulumi.Output<string>;
  /** `<mount>/<path>` of the secret the token is written to. */
  readonly vaultSecret: string;
  readonly serviceTokenName: string;
  readonly urlVars: string[];
  readonly clientIdVar: string;
  readonly clientSecretVar: string;
}

export interface WiredGates {
  /** Gate id → its Access objects. */
  readonly access: Readonly<Record<string, AccessGate>>;
  /** Every gate's secret, in one component; absent on a stack with no gated feature. */
  readonly vaultWiring?: VaultWiring;
}

/** The gate's two token vars and the token output each carries. */
function tokenVars(gate: Gate) {
  return [
    { name: gate.clientIdVar, output: "clientId" as const },
    { name: gate.clientSecretVar, output: "clientSecret" as const },
  ];
}

export async function wireAccessGates(config: WiringConfig): Promise<WiredGates> {
  const gates = gatesOf(config.features).flatMap((g) => {
    const settings = config.gates[g.id];
    return settings ? [{ gate: g, settings }] : [];
  });
  if (gates.length === 0) return { access: {} };

  // What each gate's Vault secret holds now, decided before anything is registered.
  const starts: Record<string, Record<string, string>> = {};
  for (const { gate, settings } of gates) {
    const path = `${config.vaultMount}/${settings.vaultPath}`;
    const start = existingSecretData(
      await readVaultSecret(config.vaultMount, settings.vaultPath),
      settings.adopt.vaultSecret,
      tokenVars(gate).map((v) => v.name),
      path,
      gate.id,
    );
    if ("error" in start) throw runError(start.error);
    starts[gate.id] = start.data;
  }

  // Objects adopted by an earlier deployment are not imported again (../cloudflare/adoption.ts).
  const adopts = Object.fromEntries(
    gates.map(({ gate, settings }) => [gate.id, adoptOf(settings)]),
  );
  const adopted = await adoptionsDone(adopts);

  const access: Record<string, AccessGate> = {};
  for (const { gate, settings } of gates) {
    access[gate.id] = new AccessGate(gate.id, {
      accountId: config.cloudflareAccountId,
      host: settings.host,
      apiPath: settings.apiPath,
      tokenName: settings.serviceToken.name,
      tokenDuration: settings.serviceToken.duration,
      rotation: settings.serviceToken.rotation,
      generation: settings.serviceToken.generation,
      previousGeneration: settings.serviceToken.previousGeneration,
      adopt: adopts[gate.id],
      adopted: adopted[gate.id],
    });
  }

  // Each token's credentials into its gate's Vault secret, the source of truth for every
  // consumer, once Access admits the token. The order Cloudflare → Vault → Heroku is what keeps
  // the app admitted: in a rotation the old secret works until previousClientSecretExpiresAt; in
  // a renewal the policy includes the new token next to the old one before Vault and Heroku get it.
  const secrets: Record<string, GateSecretArgs> = {};
  for (const { gate, settings } of gates) {
    const token = access[gate.id]!.serviceToken;
    secrets[gate.id] = {
      path: settings.vaultPath,
      fields: Object.fromEntries(tokenVars(gate).map((v) => [v.name, token[v.output]])),
      existing: starts[gate.id],
      adopt: settings.adopt.vaultSecret,
      dependsOn: access[gate.id]!.admission,
    };
  }
  const vaultWiring = new VaultWiring("vault", { mount: config.vaultMount, gates: secrets });
  return { access, vaultWiring };
}

function adoptOf(settings: GateConfig) {
  return {
    applicationId: settings.adopt.accessApplicationId,
    policyId: settings.adopt.accessPolicyId,
    serviceTokenId: settings.adopt.serviceTokenId,
  };
}

/** The `gates` stack output: per gate, its objects' ids and the settings the tools read. */
export function gateOutputs(
  config: WiringConfig,
  access: Readonly<Record<string, AccessGate>>,
): Record<string, GateOutputs> {
  const out: Record<string, GateOutputs> = {};
  for (const gate of gatesOf(config.features)) {
    const settings = config.gates[gate.id];
    const a = access[gate.id];
    if (!settings || !a) continue;
    const previous: pulumi.Output<string> | undefined = a.previousServiceToken?.id;
    out[gate.id] = {
      host: settings.host,
      apiPath: settings.apiPath,
      gatedUri: a.gatedUri,
      accessApplicationId: a.application.id,
      accessPolicyId: a.policy.id,
      serviceTokenId: a.serviceToken.id,
      serviceTokenExpiresAt: a.serviceToken.expiresAt,
      serviceTokenExpiryWarningDays: settings.serviceToken.expiryWarningDays,
      serviceTokenGeneration: settings.serviceToken.generation,
      ...(previous ? { previousServiceTokenId: previous } : {}),
      vaultSecret: `${config.vaultMount}/${settings.vaultPath}`,
      serviceTokenName: settings.serviceToken.name,
      urlVars: [...gate.urlVars],
      clientIdVar: gate.clientIdVar,
      clientSecretVar: gate.clientSecretVar,
    };
  }
  return out;
}
