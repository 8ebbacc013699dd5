/**
 * What Vault's provider does with `vault:kv/secretV2:SecretV2`. @pulumi/vault 7.8.0 bridges
 * terraform-provider-vault **v5.8.0** (pulumi/pulumi-vault tag v7.8.0: the `upstream` submodule is
 * at hashicorp/terraform-provider-vault commit 91f91c5c, tag v5.8.0). Rules read from that tag's
 * vault/resource_kv_secret_v2.go (kvSecretV2Resource, kvSecretV2Write, kvSecretV2Read) and
 * vault/resource_generic_secret.go (validateDataJSON, normalizeDataJSON), and pulumi-vault v7.8.0
 * provider/resources.go (the resource's mapping).
 */
import { isNull, isUnknown, type Failure, type PlannedDiff, type Props } from "./common";

export const SECRET = "vault:kv/secretV2:SecretV2";
export const GET_SECRET = "vault:kv/getSecretV2:getSecretV2";

/** kvV2SecretMountFromPathRegex / kvV2SecretNameFromPathRegex: the id is `<mount>/data/<name>`. */
export function parseId(id: string): { mount: string; name: string } {
  const m = /^(.+?)\/data\/(.+)$/.exec(id);
  if (!m) throw new Error(`unable to read mount from ID ${id}: expected <mount>/data/<name>`);
  return { mount: m[1] as string, name: m[2] as string };
}

/** getKVV2Path(mount, name, "data"). */
export function idOf(mount: unknown, name: unknown): string {
  return `${String(mount)}/data/${String(name)}`;
}

/**
 * validateDataJSON (the ValidateFunc of data_json) unmarshals into map[string]interface{}: the
 * value must be a JSON object, not only valid JSON.
 */
function dataJsonError(value: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    return `invalid character in data_json: ${(e as Error).message}`;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    return `json: cannot unmarshal ${Array.isArray(parsed) ? "array" : typeof parsed} into Go value of type map[string]interface {}`;
  return undefined;
}

export function check(news: Props): Failure[] {
  const out: Failure[] = [];
  // Schema: "mount" and "name" Required (and ForceNew).
  for (const p of ["mount", "name"])
    if (isNull(news[p]) || news[p] === "")
      out.push({ property: p, reason: `Missing required argument: "${p}"` });
  const dj = news["dataJson"];
  if (typeof dj === "string" && !isUnknown(dj)) {
    const err = dataJsonError(dj);
    if (err) out.push({ property: "dataJson", reason: err });
  }
  // "data_json" ConflictsWith "data_json_wo".
  if (!isNull(dj) && !isNull(news["dataJsonWo"]))
    out.push({
      property: "dataJson",
      reason: `"data_json": conflicts with data_json_wo`,
    });
  return out;
}

/**
 * normalizeDataJSON, the StateFunc of data_json: re-marshalled by Go's encoding/json (compact,
 * object keys sorted), so whitespace or key order alone is no change.
 */
export function normalizeDataJson(value: unknown): unknown {
  if (typeof value !== "string" || isUnknown(value)) return value;
  try {
    return JSON.stringify(sortKeys(JSON.parse(value)));
  } catch {
    return value;
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v as Props)
        .sort()
        .map((k) => [k, sortKeys((v as Props)[k])]),
    );
  return v;
}

/** Schema: "disable_read" and "delete_all_versions" have Default false. */
const DEFAULTS: Readonly<Record<string, unknown>> = {
  disableRead: false,
  deleteAllVersions: false,
};

export function diff(olds: Props, news: Props): PlannedDiff {
  const diffs: Record<string, "add" | "delete" | "update"> = {};
  for (const k of ["mount", "name", "dataJson", "cas", "options", ...Object.keys(DEFAULTS)]) {
    const o = k === "dataJson" ? normalizeDataJson(olds[k]) : (olds[k] ?? DEFAULTS[k]);
    const n = k === "dataJson" ? normalizeDataJson(news[k]) : (news[k] ?? DEFAULTS[k]);
    if (JSON.stringify(o ?? null) === JSON.stringify(n ?? null)) continue;
    diffs[k] = isNull(o) ? "add" : isNull(n) ? "delete" : "update";
  }
  // "mount" and "name" are ForceNew. pulumi-vault v7.8.0 provider/resources.go maps
  // vault_kv_secret_v2 with no DeleteBeforeReplace, so the engine's default applies: the new
  // secret is created before the old one is deleted.
  const replaces = ["mount", "name"].filter((k) => k in diffs);
  return { changes: Object.keys(diffs).length > 0, diffs, replaces, deleteBeforeReplace: false };
}

/**
 * State after kvSecretV2Read, which every Create and Update ends with: `path`, `mount` and `name`
 * from the id; `data` set to an empty map ("set data to empty map to support migrating from
 * pre-ephemeral schema"; the attribute is "Deprecated. Will no longer be set on a read."); and
 * `data_json` never set from Vault: it stays what the state had, and an import has none.
 */
export function readState(id: string, prior: Props | undefined): Props {
  const { mount, name } = parseId(id);
  const out: Props = { ...(prior ?? {}), mount, name, path: id, data: {} };
  if (!prior || isNull(prior["dataJson"])) delete out["dataJson"];
  else out["dataJson"] = normalizeDataJson(prior["dataJson"]);
  for (const [k, v] of Object.entries(DEFAULTS)) out[k] ??= v;
  return out;
}

/** The secret's data as kvSecretV2Write sends it (json.Unmarshal of data_json). */
export function dataToWrite(news: Props): Record<string, string> {
  const dj = news["dataJson"];
  return typeof dj === "string" ? (JSON.parse(dj) as Record<string, string>) : {};
}

/** data source: `no secret found at "<mount>/data/<name>"` (data_source_kv_secret_v2.go). */
export function notFoundReason(mount: string, name: string): string {
  return `no secret found at "${idOf(mount, name)}"`;
}
