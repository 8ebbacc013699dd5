/**
 * Stand-in for the `vault` resource plugin (the real one is downloaded from the internet), for
 * the end-to-end suite only. KV v2 secrets live in E2E_STANDIN_DIR/vault.json as `<mount>/<name>`
 * → data. The provider's rules (Check, Diff, what Read sets) are in ./rules/vault.ts, each citing
 * terraform-provider-vault v5.8.0; here they are wired to the store:
 * - `vault:kv/getSecretV2:getSecretV2` on a missing secret fails with the provider's multi-line
 *   error (`1 error occurred:` then `\t* no secret found at "<mount>/data/<name>"`);
 * - `SecretV2` read sets `data` to `{}` and never sets `dataJson` from Vault; an import has none;
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
import { load, log, save, secret, typeFromUrn, unwrap } from "./store";

function key(mount: unknown, name: unknown): string {
  return `${String(mount)}/${String(name)}`;
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

/** Outputs with data_json kept secret (the schema marks it Sensitive). */
function outputs(state: Props): Props {
  return state["dataJson"] === undefined
    ? state
    : { ...state, dataJson: secret(state["dataJson"]) };
}

function write(plain: Props, op: "create" | "update", id: string): Props {
  const store = load("vault");
  const data = dataToWrite(plain);
  store.secrets[key(plain["mount"], plain["name"])] = data;
  save("vault", store);
  // `at`: the e2e suite orders writes across the stand-ins and the Heroku fake (rotation.e2e).
  log("vault", { op, id, fields: Object.keys(data).sort(), at: Date.now() });
  // kvSecretV2Write ends with kvSecretV2Read.
  return outputs(readState(id, plain));
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

  create(urn: string, inputs: Props) {
    assertType(urn);
    const plain = unwrap(inputs) as Props;
    const id = idOf(plain["mount"], plain["name"]);
    return Promise.resolve({ id, outs: write(plain, "create", id) });
  },

  read(id: string, urn: string, props?: Props) {
    assertType(urn);
    const { mount, name } = parseId(id);
    const importing = !props || Object.keys(props).length === 0;
    log("vault", { op: importing ? "import" : "read", id });
    if (!load("vault").secrets[key(mount, name)]) return Promise.resolve({ id: "", props: {} });
    const state = readState(id, importing ? undefined : (unwrap(props) as Props));
    const { mount: m, name: n, dataJson } = state;
    return Promise.resolve({
      id,
      props: outputs(state),
      inputs: outputs(
        dataJson === undefined ? { mount: m, name: n } : { mount: m, name: n, dataJson },
      ),
    });
  },

  update(id: string, urn: string, _olds: Props, news: Props) {
    assertType(urn);
    const plain = unwrap(news) as Props;
    return Promise.resolve({ outs: write(plain, "update", idOf(plain["mount"], plain["name"])) });
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
    if (!data) return Promise.reject(bridgeError(token, notFoundReason(mount, name)));
    return Promise.resolve({
      outputs: {
        id: idOf(mount, name),
        mount,
        name,
        path: idOf(mount, name),
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

// Run as the plugin (bin/pulumi-resource-*); imported by the unit tests, it only exports `standin`.
if (typeof module !== "undefined" && require.main === module)
  void provider.main(standin, process.argv.slice(2));
