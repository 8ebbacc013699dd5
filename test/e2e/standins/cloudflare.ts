/**
 * Stand-in for the `cloudflare` resource plugin (the real one is downloaded from the internet),
 * for the end-to-end suite only. Cloudflare's copy of each Access object lives in
 * E2E_STANDIN_DIR/cloudflare.json (`inputs`: the fields Cloudflare holds, possibly sparse, as a
 * person would have made it in the dashboard; `computed`: ids, secrets, expiry). The rules it
 * enforces (Check, plan and diff, import, read, rotation) are in ./rules/cloudflare*.ts, each
 * citing the provider source it follows; the stand-in only wires them to the store.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { setDetailedDiff, takeReadInputs } from "./server-compat";
import * as provider from "@pulumi/pulumi/provider";
import { APPLICATION, check, POLICY, TOKEN, TYPES } from "./rules/cloudflare";
import {
  apiView,
  importState,
  liveAfterWrite,
  readState,
  stateAfterWrite,
} from "./rules/cloudflare-api";
import {
  apiRotates,
  diff,
  inputsOf,
  parseImportId,
  plan,
  refreshedInputs,
} from "./rules/cloudflare-state";
import type { Props } from "./rules/common";
import {
  load,
  log,
  save,
  str,
  typeFromUrn,
  unwrap,
  type StoreFile,
  type StoredObject,
} from "./store";

function typeOf(urn: string): string {
  const type = typeFromUrn(urn);
  if (!TYPES.includes(type))
    throw new Error(`stand-in cloudflare provider: unknown resource type ${type}`);
  return type;
}

function hours(duration: unknown): number | null {
  if (duration === "forever") return null; // 6.22.1 SDK: "the special value `forever`"
  const m = /^(\d+)h$/.exec(str(duration, "8760h"));
  return m ? Number(m[1]) : 8760;
}

function computedAtCreate(type: string, planned: Props): Props {
  if (type === APPLICATION) return { aud: randomBytes(32).toString("hex") };
  if (type !== TOKEN) return {};
  const h = hours(planned["duration"]);
  return {
    clientId: `${randomBytes(16).toString("hex")}.access`,
    clientSecret: randomBytes(32).toString("hex"),
    expiresAt: h === null ? null : new Date(Date.now() + h * 3_600_000).toISOString(),
  };
}

/** The API's view of a stored object, with reusable policies expanded from the same store. */
function apiOf(store: StoreFile, obj: StoredObject): Props {
  const lookup = (id: string) => {
    const p = store.objects[id];
    return p && p.type === POLICY ? apiView(POLICY, p.inputs, p.computed) : undefined;
  };
  return apiView(obj.type, obj.inputs, obj.computed, lookup);
}

export const standin: provider.Provider = {
  version: "6.22.1",

  check(urn: string, _olds: Props, news: Props) {
    const type = typeOf(urn);
    const failures = check(type, unwrap(news) as Props);
    // pkg/pf/tfbridge/provider_check.go (bridge of 6.22.1): Check returns the program's inputs
    // with only Pulumi-level DefaultInfo values applied; the Terraform schema's defaults
    // (client_secret_version 1, duration, session_duration, destination type) are applied in
    // the plan (rules/cloudflare-state.ts plan), never reported as inputs.
    return Promise.resolve({ inputs: news, failures });
  },

  diff(id: string, urn: string, olds: Props, news: Props) {
    const type = typeOf(urn);
    const d = diff(type, unwrap(olds) as Props, unwrap(news) as Props);
    setDetailedDiff(d.diffs, d.replaces);
    log("cloudflare", { op: "diff", type, id, diffs: d.diffs, replaces: d.replaces });
    return Promise.resolve({
      changes: d.changes,
      replaces: [...d.replaces],
      deleteBeforeReplace: d.deleteBeforeReplace,
    });
  },

  create(urn: string, inputs: Props) {
    const type = typeOf(urn);
    const plain = unwrap(inputs) as Props;
    // resource.go Create: the account when set, else the zone; with neither, the request goes
    // to /zones//access/... and Cloudflare refuses it.
    if (!plain["accountId"] && !plain["zoneId"])
      return Promise.reject(
        new Error(
          "failed to make http request: 404 Not Found: No route for that URI (neither account_id nor zone_id is set)",
        ),
      );
    const store = load("cloudflare");
    const id = randomUUID();
    const planned = plan(type, undefined, plain);
    const obj: StoredObject = {
      type,
      inputs: liveAfterWrite(type, planned),
      computed: computedAtCreate(type, planned),
    };
    store.objects[id] = obj;
    save("cloudflare", store);
    log("cloudflare", { op: "create", type, id, at: Date.now() });
    const issued = obj.computed["clientSecret"] as string | undefined;
    return Promise.resolve({
      id,
      outs: stateAfterWrite(type, planned, apiOf(store, obj), id, { issued }),
    });
  },

  read(importOrId: string, urn: string, props?: Props) {
    const type = typeOf(urn);
    const oldInputs = takeReadInputs();
    const store = load("cloudflare");
    const importing = !props || Object.keys(props).length === 0;
    const path = importing ? parseImportId(type, importOrId) : { id: importOrId };
    const obj = store.objects[path.id];
    log("cloudflare", { op: importing ? "import" : "read", type, id: path.id });
    if (!obj || obj.type !== type) return Promise.resolve({ id: "", props: {} });
    const api = apiOf(store, obj);
    const state = importing
      ? importState(type, api, path)
      : readState(type, api, unwrap(props) as Props);
    const inputs = importing
      ? inputsOf(type, state)
      : refreshedInputs(oldInputs, inputsOf(type, state));
    return Promise.resolve({ id: path.id, props: state, inputs });
  },

  update(id: string, urn: string, olds: Props, news: Props) {
    const type = typeOf(urn);
    const store = load("cloudflare");
    const obj = store.objects[id];
    if (!obj)
      return Promise.reject(
        new Error(`stand-in cloudflare provider: ${type} ${id} not found (404)`),
      );
    const state = unwrap(olds) as Props;
    const planned = plan(type, state, unwrap(news) as Props);
    const liveVersion = obj.inputs["clientSecretVersion"];
    const rotated = type === TOKEN && apiRotates(liveVersion, planned["clientSecretVersion"]);
    obj.inputs = liveAfterWrite(type, planned);
    let issued: string | undefined;
    if (type === TOKEN) {
      const sent = planned["clientSecretVersion"];
      obj.inputs["clientSecretVersion"] = rotated ? sent : (liveVersion ?? 1);
      if (rotated) {
        // Cloudflare keeps admitting the old secret until previousClientSecretExpiresAt (kept in
        // inputs); the e2e suite reads it to decide what Access admits. Never returned.
        obj.computed["previousClientSecret"] = obj.computed["clientSecret"];
        obj.computed["clientSecret"] = issued = randomBytes(32).toString("hex");
      }
    }
    save("cloudflare", store);
    log("cloudflare", { op: "update", type, id, rotated, at: Date.now() });
    const prior = state["clientSecret"];
    return Promise.resolve({
      outs: stateAfterWrite(type, planned, apiOf(store, obj), id, { issued, prior }),
    });
  },

  delete(id: string, urn: string) {
    const type = typeOf(urn);
    const store = load("cloudflare");
    delete store.objects[id];
    save("cloudflare", store);
    log("cloudflare", { op: "delete", type, id, at: Date.now() });
    return Promise.resolve();
  },
};

// Run as the plugin (bin/pulumi-resource-*); imported by the unit tests, it only exports `standin`.
if (typeof module !== "undefined" && require.main === module)
  void provider.main(standin, process.argv.slice(2));
