/**
 * Stand-in for the `cloudflare` resource plugin (the real one is downloaded from the internet),
 * for the end-to-end suite only. It keeps Access objects in E2E_STANDIN_DIR/cloudflare.json and
 * answers as the Terraform-bridged provider does where the stack depends on it:
 * - ids are UUIDs; a service token returns `clientId`, `clientSecret` and `expiresAt` at create;
 * - read and import return a token's `clientSecret` as null: Cloudflare never returns it again;
 * - `clientSecretVersion` requires `previousClientSecretExpiresAt` (provider v5.12 and later);
 * - an import reads the live object: its inputs are Cloudflare's, not the program's.
 */
import { randomBytes, randomUUID } from "node:crypto";
import "./server-compat";
import * as provider from "@pulumi/pulumi/provider";
import { load, log, save, str, typeFromUrn, unwrap, type StoredObject } from "./store";

const TOKEN = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";
const POLICY = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";
const APPLICATION = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
const TYPES = [TOKEN, POLICY, APPLICATION];
/** Fields that move an object to another account: the real provider replaces on them. */
const REPLACE_ON = ["accountId", "zoneId"];

type Props = Record<string, unknown>;

function typeOf(urn: string): string {
  const type = typeFromUrn(urn);
  if (!TYPES.includes(type))
    throw new Error(`stand-in cloudflare provider: unknown resource type ${type}`);
  return type;
}

function failuresFor(type: string, news: Props): provider.CheckFailure[] {
  const failures: provider.CheckFailure[] = [];
  const need = (p: string) => {
    if (news[p] === undefined || news[p] === null || news[p] === "")
      failures.push({
        property: p,
        reason: `Missing required argument: The argument "${p}" is required, but no definition was found.`,
      });
  };
  if (!news["accountId"] && !news["zoneId"])
    failures.push({
      property: "accountId",
      reason: "Invalid Attribute Combination: one of `account_id,zone_id` must be specified",
    });
  need("name");
  if (
    type === TOKEN &&
    news["clientSecretVersion"] !== undefined &&
    news["previousClientSecretExpiresAt"] === undefined
  ) {
    failures.push({
      property: "clientSecretVersion",
      reason:
        "Invalid Attribute Combination: These attributes must be configured together: [client_secret_version,previous_client_secret_expires_at]",
    });
  }
  if (type === POLICY) {
    need("decision");
    const decision = news["decision"];
    if (
      typeof decision === "string" &&
      !["allow", "deny", "non_identity", "bypass"].includes(decision)
    )
      failures.push({
        property: "decision",
        reason: `Invalid Attribute Value Match: value must be one of: ["allow" "deny" "non_identity" "bypass"], got: "${decision}"`,
      });
  }
  if (type === APPLICATION) need("type");
  return failures;
}

function hours(duration: unknown): number {
  const m = /^(\d+)h$/.exec(str(duration, "8760h"));
  return m ? Number(m[1]) : 8760;
}

function computedAtCreate(type: string, inputs: Props): Props {
  if (type !== TOKEN) return {};
  return {
    clientId: `${randomBytes(16).toString("hex")}.access`,
    clientSecret: randomBytes(32).toString("hex"),
    expiresAt: new Date(Date.now() + hours(inputs["duration"]) * 3_600_000).toISOString(),
  };
}

/** What the provider reports for a stored object; a token's secret only when `withSecret`. */
function outputs(id: string, obj: StoredObject, secretFromState?: unknown): Props {
  const out: Props = { id, ...obj.inputs, ...obj.computed };
  if (obj.type === TOKEN) out["clientSecret"] = secretFromState ?? null;
  return out;
}

const standin: provider.Provider = {
  version: "6.22.1",

  check(urn: string, _olds: Props, news: Props) {
    const type = typeOf(urn);
    return Promise.resolve({ inputs: news, failures: failuresFor(type, unwrap(news) as Props) });
  },

  diff(_id: string, urn: string, olds: Props, news: Props) {
    typeOf(urn);
    const plainOld = unwrap(olds) as Props;
    const plainNew = unwrap(news) as Props;
    const changed = Object.keys(plainNew).filter(
      (k) => JSON.stringify(plainNew[k]) !== JSON.stringify(plainOld[k]),
    );
    const replaces = changed.filter((k) => REPLACE_ON.includes(k));
    return Promise.resolve({ changes: changed.length > 0, replaces, deleteBeforeReplace: false });
  },

  create(urn: string, inputs: Props) {
    const type = typeOf(urn);
    const store = load("cloudflare");
    const id = randomUUID();
    const plain = unwrap(inputs) as Props;
    const obj: StoredObject = { type, inputs: plain, computed: computedAtCreate(type, plain) };
    store.objects[id] = obj;
    save("cloudflare", store);
    log("cloudflare", { op: "create", type, id });
    return Promise.resolve({ id, outs: { ...outputs(id, obj, obj.computed["clientSecret"]) } });
  },

  read(importOrId: string, urn: string, props?: Props) {
    const type = typeOf(urn);
    const store = load("cloudflare");
    // Import ids name the account (`accounts/<account>/<id>` or `<account>/<id>`); the id after
    // import is the object's own UUID, as the real provider reports it.
    const id = importOrId.split("/").pop() ?? importOrId;
    const obj = store.objects[id];
    log("cloudflare", { op: props && Object.keys(props).length > 0 ? "read" : "import", type, id });
    if (!obj || obj.type !== type) return Promise.resolve({ id: "", props: {} });
    // Cloudflare never returns a token's secret after create: read and import give null.
    return Promise.resolve({ id, props: outputs(id, obj, null), inputs: { ...obj.inputs } });
  },

  update(id: string, urn: string, olds: Props, news: Props) {
    const type = typeOf(urn);
    const store = load("cloudflare");
    const obj = store.objects[id];
    if (!obj) throw new Error(`stand-in cloudflare provider: ${type} ${id} not found (404)`);
    const plain = unwrap(news) as Props;
    const rotated =
      type === TOKEN && plain["clientSecretVersion"] !== obj.inputs["clientSecretVersion"];
    obj.inputs = plain;
    let secretOut = (unwrap(olds) as Props)["clientSecret"] ?? null;
    if (rotated) {
      secretOut = randomBytes(32).toString("hex");
      obj.computed["clientSecret"] = secretOut;
    }
    save("cloudflare", store);
    log("cloudflare", { op: "update", type, id, rotated });
    return Promise.resolve({ outs: outputs(id, obj, secretOut) });
  },

  delete(id: string, urn: string) {
    const type = typeOf(urn);
    const store = load("cloudflare");
    delete store.objects[id];
    save("cloudflare", store);
    log("cloudflare", { op: "delete", type, id });
    return Promise.resolve();
  },
};

void provider.main(standin, process.argv.slice(2));
