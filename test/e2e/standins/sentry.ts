/**
 * Stand-in for the `sentry` resource plugin (@pulumiverse/sentry's is downloaded from the
 * internet), for the end-to-end suite only. Issue alerts live in E2E_STANDIN_DIR/sentry.json; the
 * id is `<organization>/<project>/<rule id>` as the real provider's, and check refuses what
 * Sentry's API refuses for an issue alert (no conditions or actions, an unknown match).
 */
import "./server-compat";
import * as provider from "@pulumi/pulumi/provider";
import { load, log, save, typeFromUrn, unwrap, type StoredObject } from "./store";

const ALERT = "sentry:index/sentryIssueAlert:SentryIssueAlert";
type Props = Record<string, unknown>;

function assertType(urn: string): void {
  const type = typeFromUrn(urn);
  if (type !== ALERT) throw new Error(`stand-in sentry provider: unknown resource type ${type}`);
}

const standin: provider.Provider = {
  version: "0.0.9",

  check(urn: string, _olds: Props, news: Props) {
    assertType(urn);
    const plain = unwrap(news) as Props;
    const failures: provider.CheckFailure[] = [];
    for (const p of ["organization", "project", "actionMatch", "filterMatch", "frequency"])
      if (plain[p] === undefined || plain[p] === "")
        failures.push({ property: p, reason: `Missing required argument: "${p}"` });
    for (const p of ["conditions", "actions"])
      if (Array.isArray(plain[p]) && (plain[p] as unknown[]).length === 0)
        failures.push({ property: p, reason: `${p}: at least one is required` });
    for (const p of ["actionMatch", "filterMatch"])
      if (typeof plain[p] === "string" && !["all", "any", "none"].includes(plain[p]))
        failures.push({ property: p, reason: `${p} must be one of all, any, none` });
    return Promise.resolve({ inputs: news, failures });
  },

  diff(_id: string, urn: string, olds: Props, news: Props) {
    assertType(urn);
    const o = unwrap(olds) as Props;
    const n = unwrap(news) as Props;
    const changed = Object.keys(n).filter((k) => JSON.stringify(n[k]) !== JSON.stringify(o[k]));
    const replaces = changed.filter((k) => k === "organization" || k === "project");
    return Promise.resolve({ changes: changed.length > 0, replaces });
  },

  create(urn: string, inputs: Props) {
    assertType(urn);
    const plain = unwrap(inputs) as Props;
    const store = load("sentry");
    const id = `${String(plain["organization"])}/${String(plain["project"])}/${Object.keys(store.objects).length + 1}`;
    const obj: StoredObject = { type: ALERT, inputs: plain, computed: {} };
    store.objects[id] = obj;
    save("sentry", store);
    log("sentry", { op: "create", type: ALERT, id, at: Date.now() });
    return Promise.resolve({ id, outs: { ...plain } });
  },

  read(id: string, urn: string) {
    assertType(urn);
    const obj = load("sentry").objects[id];
    log("sentry", { op: "read", type: ALERT, id });
    if (!obj) return Promise.resolve({ id: "", props: {} });
    return Promise.resolve({ id, props: { ...obj.inputs }, inputs: { ...obj.inputs } });
  },

  update(id: string, urn: string, _olds: Props, news: Props) {
    assertType(urn);
    const store = load("sentry");
    const obj = store.objects[id];
    if (!obj) throw new Error(`stand-in sentry provider: alert ${id} not found (404)`);
    obj.inputs = unwrap(news) as Props;
    save("sentry", store);
    log("sentry", { op: "update", type: ALERT, id, at: Date.now() });
    return Promise.resolve({ outs: { ...obj.inputs } });
  },

  delete(id: string, urn: string) {
    assertType(urn);
    const store = load("sentry");
    delete store.objects[id];
    save("sentry", store);
    log("sentry", { op: "delete", type: ALERT, id, at: Date.now() });
    return Promise.resolve();
  },
};

void provider.main(standin, process.argv.slice(2));
