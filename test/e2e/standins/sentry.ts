/**
 * Stand-in for the `sentry` resource plugin (@pulumiverse/sentry's is downloaded from the
 * internet), for the end-to-end suite only. Issue and metric alerts live in
 * E2E_STANDIN_DIR/sentry.json; the id is `<organization>/<project>/<rule id>` as the real
 * provider's. Check enforces the provider's schema; create and update refuse what Sentry's API
 * refuses (so, as with the real provider, a value Sentry refuses passes preview and fails `up`).
 * The rules, each citing its source, are in ./rules/sentry*.ts.
 */
import { setDetailedDiff } from "./server-compat";
import * as provider from "@pulumi/pulumi/provider";
import type { Failure, Props } from "./rules/common";
import {
  apiError,
  autoName,
  checkIssueAlert,
  ISSUE_ALERT,
  issueAlertApiErrors,
} from "./rules/sentry";
import { diffAlert } from "./rules/sentry-diff";
import { checkMetricAlert, METRIC_ALERT, metricAlertApiErrors } from "./rules/sentry-metric";
import { load, log, save, typeFromUrn, unwrap, type StoredObject } from "./store";

function typeOf(urn: string): string {
  const type = typeFromUrn(urn);
  if (type !== ISSUE_ALERT && type !== METRIC_ALERT)
    throw new Error(`stand-in sentry provider: unknown resource type ${type}`);
  return type;
}

/** Sentry's API: the refusal of a write, as the provider reports it (nothing is written). */
function refusal(type: string, method: string, plain: Props): Error | undefined {
  const errors = type === ISSUE_ALERT ? issueAlertApiErrors(plain) : metricAlertApiErrors(plain);
  if (Object.keys(errors).length === 0) return undefined;
  const kind = type === ISSUE_ALERT ? "rules" : "alert-rules";
  const path = `projects/${String(plain["organization"])}/${String(plain["project"])}/${kind}/`;
  log("sentry", { op: "refused", type, errors, at: Date.now() });
  return apiError(method, path, errors);
}

export const standin: provider.Provider = {
  version: "0.0.9",

  check(urn: string, olds: Props, news: Props) {
    const type = typeOf(urn);
    const inputs = { ...news };
    if (inputs["name"] === undefined) inputs["name"] = autoName(urn, unwrap(olds) as Props);
    const plain = unwrap(inputs) as Props;
    const failures: Failure[] =
      type === ISSUE_ALERT ? checkIssueAlert(plain) : checkMetricAlert(plain);
    return Promise.resolve({ inputs, failures });
  },

  diff(id: string, urn: string, olds: Props, news: Props) {
    const type = typeOf(urn);
    const d = diffAlert(type, unwrap(olds) as Props, unwrap(news) as Props);
    setDetailedDiff(d.diffs, d.replaces);
    return Promise.resolve({ changes: d.changes, replaces: [], deleteBeforeReplace: false });
  },

  create(urn: string, inputs: Props) {
    const type = typeOf(urn);
    const plain = unwrap(inputs) as Props;
    const refused = refusal(type, "POST", plain);
    if (refused) return Promise.reject(refused);
    const store = load("sentry");
    const id = `${String(plain["organization"])}/${String(plain["project"])}/${Object.keys(store.objects).length + 1}`;
    const obj: StoredObject = { type, inputs: plain, computed: {} };
    store.objects[id] = obj;
    save("sentry", store);
    log("sentry", { op: "create", type, id, at: Date.now() });
    return Promise.resolve({ id, outs: { ...plain } });
  },

  read(id: string, urn: string) {
    const type = typeOf(urn);
    const obj = load("sentry").objects[id];
    log("sentry", { op: "read", type, id });
    if (!obj || obj.type !== type) return Promise.resolve({ id: "", props: {} });
    return Promise.resolve({ id, props: { ...obj.inputs }, inputs: { ...obj.inputs } });
  },

  update(id: string, urn: string, _olds: Props, news: Props) {
    const type = typeOf(urn);
    const store = load("sentry");
    const obj = store.objects[id];
    if (!obj)
      return Promise.reject(new Error(`stand-in sentry provider: alert ${id} not found (404)`));
    const plain = unwrap(news) as Props;
    const refused = refusal(type, "PUT", plain);
    if (refused) return Promise.reject(refused);
    obj.inputs = plain;
    save("sentry", store);
    log("sentry", { op: "update", type, id, at: Date.now() });
    return Promise.resolve({ outs: { ...obj.inputs } });
  },

  delete(id: string, urn: string) {
    const type = typeOf(urn);
    const store = load("sentry");
    delete store.objects[id];
    save("sentry", store);
    log("sentry", { op: "delete", type, id, at: Date.now() });
    return Promise.resolve();
  },
};

// Run as the plugin (bin/pulumi-resource-*); imported by the unit tests, it only exports `standin`.
if (typeof module !== "undefined" && require.main === module)
  void provider.main(standin, process.argv.slice(2));
