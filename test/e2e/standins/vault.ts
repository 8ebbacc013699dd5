/**
 * Stand-in for the `vault` resource plugin (the real one is downloaded from the internet), for
 * the end-to-end suite only. KV v2 secrets live in E2E_STANDIN_DIR/vault.json as `<mount>/<name>`
 * → data. It answers as the Terraform-bridged provider does where the stack depends on it:
 * - `vault:kv/getSecretV2:getSecretV2` on a missing secret fails with the provider's multi-line
 *   error (`1 error occurred:` then `\t* no secret found at "<mount>/data/<name>"`);
 * - `SecretV2` read refreshes `data` but never sets `dataJson` from Vault, and an import reads
 *   no `dataJson` at all;
 * - the secret's id and `path` are `<mount>/data/<name>`.
 */
import "./server-compat";
import * as provider from "@pulumi/pulumi/provider";
import { load, log, save, str, typeFromUrn, UNKNOWN, unwrap } from "./store";

const SECRET = "vault:kv/secretV2:SecretV2";
const GET_SECRET = "vault:kv/getSecretV2:getSecretV2";

type Props = Record<string, unknown>;

function key(mount: unknown, name: unknown): string {
  return `${String(mount)}/${String(name)}`;
}

function parseId(id: string): { mount: string; name: string } {
  const m = /^(.+?)\/data\/(.+)$/.exec(id);
  if (!m) throw new Error(`invalid id "${id}": expected <mount>/data/<name>`);
  return { mount: m[1] as string, name: m[2] as string };
}

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

const standin: provider.Provider = {
  version: "7.8.0",

  check(urn: string, _olds: Props, news: Props) {
    assertType(urn);
    const plain = unwrap(news) as Props;
    const failures: provider.CheckFailure[] = [];
    for (const p of ["mount", "name"])
      if (!plain[p]) failures.push({ property: p, reason: `Missing required argument: "${p}"` });
    if (typeof plain["dataJson"] === "string" && plain["dataJson"] !== UNKNOWN) {
      try {
        JSON.parse(plain["dataJson"]);
      } catch {
        failures.push({ property: "dataJson", reason: '"data_json" contains an invalid JSON' });
      }
    }
    return Promise.resolve({ inputs: news, failures });
  },

  diff(_id: string, urn: string, olds: Props, news: Props) {
    assertType(urn);
    const o = unwrap(olds) as Props;
    const n = unwrap(news) as Props;
    const replaces = ["mount", "name"].filter((k) => n[k] !== o[k]);
    const changed = ["mount", "name", "dataJson"].filter(
      (k) => JSON.stringify(n[k] ?? null) !== JSON.stringify(o[k] ?? null),
    );
    return Promise.resolve({ changes: changed.length > 0, replaces, deleteBeforeReplace: true });
  },

  create(urn: string, inputs: Props) {
    assertType(urn);
    const plain = unwrap(inputs) as Props;
    const store = load("vault");
    const data = JSON.parse(str(plain["dataJson"], "{}")) as Record<string, string>;
    store.secrets[key(plain["mount"], plain["name"])] = data;
    save("vault", store);
    const id = `${String(plain["mount"])}/data/${String(plain["name"])}`;
    log("vault", { op: "create", id, fields: Object.keys(data).sort() });
    return Promise.resolve({ id, outs: { ...inputs, path: id, data } });
  },

  read(id: string, urn: string, props?: Props) {
    assertType(urn);
    const { mount, name } = parseId(id);
    const store = load("vault");
    const data = store.secrets[key(mount, name)];
    const importing = !props || Object.keys(props).length === 0;
    log("vault", { op: importing ? "import" : "read", id });
    if (!data) return Promise.resolve({ id: "", props: {} });
    // `data` is refreshed from Vault; `dataJson` is never set by read (it stays what state had).
    const kept = importing ? {} : { dataJson: props?.["dataJson"] };
    return Promise.resolve({
      id,
      props: { mount, name, path: id, ...kept, data },
      inputs: { mount, name, ...kept },
    });
  },

  update(id: string, urn: string, _olds: Props, news: Props) {
    assertType(urn);
    const plain = unwrap(news) as Props;
    const store = load("vault");
    const data = JSON.parse(str(plain["dataJson"], "{}")) as Record<string, string>;
    store.secrets[key(plain["mount"], plain["name"])] = data;
    save("vault", store);
    log("vault", { op: "update", id, fields: Object.keys(data).sort() });
    return Promise.resolve({ outs: { ...news, path: id, data } });
  },

  delete(id: string, urn: string) {
    assertType(urn);
    const { mount, name } = parseId(id);
    const store = load("vault");
    delete store.secrets[key(mount, name)];
    save("vault", store);
    log("vault", { op: "delete", id });
    return Promise.resolve();
  },

  invoke(token: string, inputs: Props) {
    if (token !== GET_SECRET)
      return Promise.reject(new Error(`stand-in vault provider: unknown function ${token}`));
    const { mount, name } = unwrap(inputs) as { mount: string; name: string };
    const data = load("vault").secrets[key(mount, name)];
    log("vault", { op: "invoke", token, path: key(mount, name), found: data !== undefined });
    if (!data)
      return Promise.reject(bridgeError(token, `no secret found at "${mount}/data/${name}"`));
    return Promise.resolve({
      outputs: {
        id: `${mount}/data/${name}`,
        mount,
        name,
        path: `${mount}/data/${name}`,
        data,
        dataJson: JSON.stringify(data),
        customMetadata: {},
        createdTime: "2026-06-01T00:00:00Z",
        deletionTime: "",
        destroyed: false,
        version: 1,
      },
    });
  },
};

void provider.main(standin, process.argv.slice(2));
