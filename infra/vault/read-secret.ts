/**
 * Reads a Vault KV v2 secret that a person provisions, before any resource is registered (the
 * gate needs its fields). Invokes run during preview too, so a missing field fails the preview.
 */
// The kv module alone: the package index loads every Vault module (~35) for nothing.
import * as kv from "@pulumi/vault/kv";
import type { VaultRead } from "../features/gate";

/** How the Vault provider words a secret that does not exist (as opposed to one it may not read). */
const NOT_FOUND = /no secret found|not found|404/i;

export async function readVaultSecret(mount: string, name: string): Promise<VaultRead> {
  try {
    const secret = await kv.getSecretV2({ mount, name });
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) {
      if (typeof v === "string") data[k] = v;
    }
    return { ok: true, data };
  } catch (err) {
    // Provider errors name the path and the HTTP status, never a value; keep the first line.
    const message = err instanceof Error ? err.message : String(err);
    const error = (message.split("\n")[0] ?? "").slice(0, 300);
    return { ok: false, error, notFound: NOT_FOUND.test(error) };
  }
}
