/**
 * Stand-in for the `vault` resource plugin (the real one is downloaded from the internet), for
 * the end-to-end suite only. Secrets live in a real Vault server (the suite's, at VAULT_ADDR,
 * test/e2e/vault-server.ts), reached through its KV v2 HTTP API as terraform-provider-vault
 * v5.8.0 reaches it (./vault-client.ts: child token, 404 rules, error text). The provider's
 * rules (Check, Diff, what Read sets) are in ./rules/vault.ts, each citing v5.8.0; the calls
 * follow that tag's vault/resource_kv_secret_v2.go and vault/data_source_kv_secret_v2.go:
 * - kvSecretV2Write PUTs `{data, cas, options}` to `<mount>/data/<name>`, then kvSecretV2Read;
 * - kvSecretV2Read drops the resource only when Vault has no secret (a soft-deleted or destroyed
 *   latest version is still a secret to it); when the version's metadata has a
 *   `custom_metadata` key it also reads `<mount>/metadata/<name>`; it sets `data` to `{}` and
 *   never sets `dataJson` from Vault (an import has none);
 * - kvSecretV2Delete deletes `<mount>/data/<name>` (a soft delete of the latest version), or
 *   `<mount>/metadata/<name>` with deleteAllVersions;
 * - `vault:kv/getSecretV2:getSecretV2` fails with `no secret found at "<mount>/data/<name>"` when
 *   Vault has none, and otherwise answers, a soft-deleted or destroyed version included, with
 *   `dataJson` "null", no `data`, and the version's `deletionTime`, `destroyed` and `version`;
 * - a replacement (mount or name changed) is create-before-delete.
 */
import { setDetailedDiff } from "./server-compat";
import * as provider from "@pulumi/pulumi/provider";
import type { Props } from "./rules/common";
import {
  check,
  dataToWrite,
  diff,
  GET_SECRET,
  idOf,
  notFoundReason,
  parseId,
  readState,
  SECRET,
} from "./rules/vault";
import { log, secret, typeFromUrn, unwrap } from "./store";
import * as api from "./vault-client";

function bridgeError(tok: string, ...reasons: string[]): Error {
  const n = reasons.length;
  return new Error(
    `invoking ${tok}: ${n} error${n === 1 ? "" : "s"} occurred:\n` +
      reasons.map((r) => `\t* ${r}`).join("\n") +
      "\n\n",
  );
}

function assertType(urn: string): void {
  const type = typeFromUrn(urn);
  if (type !== SECRET) throw new Error(`stand-in vault provider: unknown resource type ${type}`);
}

/** Outputs with data_json kept secret (the schema marks it Sensitive). */
function outputs(state: Props): Props {
  return state["dataJson"] === undefined
    ? state
    : { ...state, dataJson: secret(state["dataJson"]) };
}

/** kvSecretV2Read's calls: whether Vault still has a secret at the id (custom metadata read too). */
async function exists(id: string): Promise<boolean> {
  const found = await api.read(id);
  if (!found) return false;
  const metadata = found.data["metadata"];
  if (metadata && typeof metadata === "object" && "custom_metadata" in metadata) {
    const { mount, name } = parseId(id);
    await api.read(`${mount}/metadata/${name}`);
  }
  return true;
}

async function write(plain: Props, op: "create" | "update", id: string): Promise<Props> {
  const data = dataToWrite(plain);
  await api.write(id, {
    data,
    cas: typeof plain["cas"] === "number" ? plain["cas"] : 0,
    options: plain["options"] ?? {},
  });
  // `at`: the e2e suite orders writes across the stand-ins and the Heroku fake (rotation.e2e).
  log("vault", { op, id, fields: Object.keys(data).sort(), at: Date.now() });
  await exists(id);
  return outputs(readState(id, plain));
}

/** serializeDataMapToString: strings as they are, anything else JSON-encoded. */
function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== "object") return {};
  return Object.fromEntries(
    Object.entries(v as Props).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)]),
  );
}

export const standin: provider.Provider = {
  version: "7.8.0",

  check(urn: string, _olds: Props, news: Props) {
    assertType(urn);
    return Promise.resolve({ inputs: news, failures: check(unwrap(news) as Props) });
  },

  diff(id: string, urn: string, olds: Props, news: Props) {
    assertType(urn);
    const d = diff(unwrap(olds) as Props, unwrap(news) as Props);
    setDetailedDiff(d.diffs, d.replaces);
    log("vault", { op: "diff", id, diffs: d.diffs, replaces: d.replaces });
    return Promise.resolve({
      changes: d.changes,
      replaces: [...d.replaces],
      deleteBeforeReplace: d.deleteBeforeReplace,
    });
  },

  async create(urn: string, inputs: Props) {
    assertType(urn);
    const plain = unwrap(inputs) as Props;
    const id = idOf(plain["mount"], plain["name"]);
    return { id, outs: await write(plain, "create", id) };
  },

  async read(id: string, urn: string, props?: Props) {
    assertType(urn);
    parseId(id);
    const importing = !props || Object.keys(props).length === 0;
    log("vault", { op: importing ? "import" : "read", id });
    if (!(await exists(id))) return { id: "", props: {} };
    const state = readState(id, importing ? undefined : (unwrap(props) as Props));
    const { mount: m, name: n, dataJson } = state;
    return {
      id,
      props: outputs(state),
      inputs: outputs(
        dataJson === undefined ? { mount: m, name: n } : { mount: m, name: n, dataJson },
      ),
    };
  },

  async update(id: string, urn: string, _olds: Props, news: Props) {
    assertType(urn);
    const plain = unwrap(news) as Props;
    return { outs: await write(plain, "update", idOf(plain["mount"], plain["name"])) };
  },

  async delete(id: string, urn: string, props: Props) {
    assertType(urn);
    const { mount, name } = parseId(id);
    const all = (unwrap(props) as Props)["deleteAllVersions"] === true;
    await api.remove(`${mount}/${all ? "metadata" : "data"}/${name}`);
    log("vault", { op: "delete", id });
  },

  async invoke(token: string, inputs: Props) {
    if (token !== GET_SECRET) throw new Error(`stand-in vault provider: unknown function ${token}`);
    const { mount, name, version } = unwrap(inputs) as {
      mount: string;
      name: string;
      version?: number;
    };
    const path = idOf(mount, name);
    let found: api.VaultSecret | undefined;
    try {
      found = await api.read(typeof version === "number" ? `${path}?version=${version}` : path);
    } catch (err) {
      log("vault", { op: "invoke", token, path: `${mount}/${name}`, error: true });
      throw bridgeError(
        token,
        `error reading secret "${path}" from Vault: ${(err as Error).message}`,
      );
    }
    log("vault", { op: "invoke", token, path: `${mount}/${name}`, found: found !== undefined });
    if (!found) throw bridgeError(token, notFoundReason(mount, name));
    const data = found.data["data"];
    const metadata = (found.data["metadata"] ?? {}) as Props;
    return {
      outputs: {
        id: path,
        mount,
        name,
        path,
        ...(data && typeof data === "object" ? { data: stringMap(data) } : {}),
        dataJson: JSON.stringify(data ?? null),
        customMetadata: stringMap(metadata["custom_metadata"]),
        createdTime: metadata["created_time"] ?? "",
        deletionTime: metadata["deletion_time"] ?? "",
        destroyed: metadata["destroyed"] ?? false,
        version: metadata["version"] ?? 0,
      },
    };
  },
};

// Run as the plugin (bin/pulumi-resource-*); imported by the unit tests, it only exports `standin`.
if (typeof module !== "undefined" && require.main === module)
  void provider.main(standin, process.argv.slice(2));
