/**
 * Reads a Vault KV v2 secret that a person provisions, before any resource is registered (the
 * gate needs its fields). Invokes run during preview too, so a missing field fails the preview.
 */
// The kv module alone: the package index loads every Vault module (~35) for nothing.
import * as kv from "@pulumi/vault/kv";
import type { VaultRead } from "../features/gate";

/**
 * The provider's reason for a missing secret. Through the engine the error reads
 *   invocation of vault:kv/getSecretV2:getSecretV2 returned an error: invoking …: 1 error occurred:
 *   \t* no secret found at "<mount>/data/<name>"
 * so the reason is on a later line, never the first.
 */
const NOT_FOUND = /^\s*\*\s*no secret found at "[^"\n]*"\s*$/m;

/**
 * The part of an invoke error worth showing: the provider's `* …` reasons when it gives them
 * (the first line only says that an error occurred), else the first line. Bounded in length.
 */
export function vaultErrorReason(message: string): string {
  const reasons = message
    .split("\n")
    .map((line) => /^\s*\*\s*(.+?)\s*$/.exec(line)?.[1])
    .filter((r): r is string => r !== undefined);
  const text = reasons.length > 0 ? reasons.join("; ") : (message.split("\n")[0] ?? "").trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export function isSecretNotFound(message: string): boolean {
  return NOT_FOUND.test(message);
}

export async function readVaultSecret(mount: string, name: string): Promise<VaultRead> {
  try {
    const secret = await kv.getSecretV2({ mount, name });
    // A soft-deleted or destroyed latest version is no error to the provider
    // (terraform-provider-vault v5.8.0 data_source_kv_secret_v2.go): it answers with no data and
    // the version's deletion_time or destroyed set. Its fields are not there to use.
    if (secret.destroyed || (secret.deletionTime ?? "") !== "") {
      const what = secret.destroyed ? "destroyed" : `deleted at ${secret.deletionTime}`;
      return {
        ok: false,
        notFound: true,
        error: `the latest version (${secret.version}) of ${mount}/data/${name} was ${what}`,
        deleted: {
          version: secret.version ?? 0,
          deletionTime: secret.deletionTime,
          destroyed: secret.destroyed,
        },
      };
    }
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) {
      if (typeof v === "string") data[k] = v;
    }
    return { ok: true, data };
  } catch (err) {
    // Provider errors name the path and the HTTP status, never a value.
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: vaultErrorReason(message), notFound: isSecretNotFound(message) };
  }
}
