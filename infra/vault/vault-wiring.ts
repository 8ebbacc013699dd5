/**
 * Vault as the source of truth for the service tokens: each gate's client id/secret are written
 * to a KV v2 secret of its own, `<mount>/<vaultPath>`, and the Heroku vars read them back from
 * there. One component `vault` holds one secret per gate, named `vault-<vaultPath>` (slashes as
 * dashes): prod's `vault-cloudflare` keeps its name. The mount is never managed.
 */
import * as pulumi from "@pulumi/pulumi";
// The kv module alone: the package index loads every Vault module (~35) for nothing.
import * as kv from "@pulumi/vault/kv";
import type { VaultRead } from "../features/gate";

export const VAULT_WIRING_TYPE = "console-wiring:vault:VaultWiring";

/** One gate's secret. */
export interface GateSecretArgs {
  /** Secret path under the mount that this stack writes, e.g. `cloudflare`. */
  readonly path: string;
  /** Field name in the secret → the service token output it holds. */
  readonly fields: Readonly<Record<string, pulumi.Input<string | null | undefined>>>;
  /**
   * The secret's current data (see existingSecretData): fields this stack does not declare are
   * kept as they are, and a declared field the token cannot supply (an adopted token's secret is
   * never returned by Cloudflare) keeps its current value.
   */
  readonly existing?: Readonly<Record<string, string>>;
  /** Adopt the existing secret with Pulumi's `import` option. */
  readonly adopt?: boolean;
  /**
   * What must be in place before the secret is written: the gate's admission of the token, so
   * no consumer of Vault gets a token that Access does not admit yet (a renewal).
   */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export interface VaultWiringArgs {
  /** KV v2 mount, e.g. `MooseQuest`. Never created or deleted here. */
  readonly mount: string;
  /** Gate id → its secret. */
  readonly gates: Readonly<Record<string, GateSecretArgs>>;
}

/** The resource name of a gate's secret: `<component>-<path>` with slashes as dashes. */
export function secretResourceName(component: string, path: string): string {
  return `${component}-${path.replace(/\//g, "-")}`;
}

/**
 * The secret's data: declared fields over the fields already there. A declared field with no
 * value keeps the value Vault holds: Cloudflare returns an adopted token's client secret as null
 * (import and read never return it), which must not wipe the secret already in Vault.
 */
export function mergeSecretData(
  existing: Readonly<Record<string, string>>,
  declared: Readonly<Record<string, string | null | undefined>>,
): Record<string, string> {
  const data: Record<string, string> = { ...existing };
  for (const [field, value] of Object.entries(declared)) {
    const kept = Object.hasOwn(existing, field) ? existing[field] : undefined;
    if (value !== undefined && value !== null && value !== "") data[field] = value;
    else if (kept === undefined) data[field] = "";
  }
  return data;
}

/**
 * What the written secret starts from, given what Vault holds at its path now. A secret that
 * holds fields this stack does not declare is only taken over when adoption is asked for, so a
 * secret someone else uses is never overwritten (nor, later, deleted) by accident.
 */
export function existingSecretData(
  read: VaultRead,
  adopt: boolean,
  declaredFields: readonly string[],
  path: string,
  gateId = "tickets",
): { readonly data: Record<string, string> } | { readonly error: string } {
  const setting = (k: string) => `console-wiring:gates.${gateId}.${k}`;
  if (!read.ok) {
    if (read.notFound) {
      return adopt
        ? {
            error: `${setting("adoptVaultSecret")} is true but Vault secret ${path} does not exist. Set it to false to create the secret: pulumi config set --path 'gates.${gateId}.adoptVaultSecret' false`,
          }
        : { data: {} };
    }
    return {
      error: `Vault secret ${path} could not be read (${read.error}). Check VAULT_ADDR/VAULT_TOKEN and the token's policy; nothing was applied.`,
    };
  }
  const foreign = Object.keys(read.data).filter((k) => !declaredFields.includes(k));
  if (!adopt && foreign.length > 0) {
    return {
      error:
        `Vault secret ${path} already exists and holds fields this stack does not write (${foreign.sort().join(", ")}). ` +
        `To take it over keeping those fields: pulumi config set --path 'gates.${gateId}.adoptVaultSecret' true. Or point ${setting("vaultPath")} at a path of its own. Nothing was applied.`,
    };
  }
  return { data: { ...read.data } };
}

export class VaultWiring extends pulumi.ComponentResource {
  /** Gate id → the secret its token is written to. */
  readonly secrets: Readonly<Record<string, kv.SecretV2>>;
  /** Gate id → the written data (secret), for consumers that read it back from Vault's side. */
  readonly data: Readonly<Record<string, pulumi.Output<Record<string, string>>>>;

  constructor(name: string, args: VaultWiringArgs, opts?: pulumi.ComponentResourceOptions) {
    super(VAULT_WIRING_TYPE, name, {}, opts);
    const secrets: Record<string, kv.SecretV2> = {};
    const data: Record<string, pulumi.Output<Record<string, string>>> = {};
    for (const [gateId, gate] of Object.entries(args.gates)) {
      const dataJson = pulumi
        .all(gate.fields)
        .apply((declared) => JSON.stringify(mergeSecretData(gate.existing ?? {}, declared)));
      const secret = new kv.SecretV2(
        secretResourceName(name, gate.path),
        { mount: args.mount, name: gate.path, dataJson: pulumi.secret(dataJson) },
        {
          // dataJson and data are secret outputs by the provider's schema (the SDK adds them).
          parent: this,
          dependsOn: gate.dependsOn,
          ...(gate.adopt
            ? { import: `${args.mount}/data/${gate.path}`, retainOnDelete: true }
            : {}),
        },
      );
      secrets[gateId] = secret;
      data[gateId] = pulumi.secret(
        secret.dataJson.apply((json) => JSON.parse(json ?? "{}") as Record<string, string>),
      );
    }
    this.secrets = secrets;
    this.data = data;
    this.registerOutputs({
      secretPaths: Object.fromEntries(Object.entries(secrets).map(([g, s]) => [g, s.path])),
    });
  }
}
