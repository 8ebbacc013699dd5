/**
 * What Cloudflare's API returns for an Access object, and how the provider turns that into state
 * on import, on read and after a write. Sources:
 * - API defaults: Cloudflare's API schema (cloudflare/api-schemas openapi.json; "Access
 *   applications" self_hosted variant and "Access policies": the `default:` of each field);
 * - terraform-provider-cloudflare v5.22.0 `internal/services/zero_trust_access_*`: resource.go
 *   (ImportState, Read, Create, Update), normalizations.go, model.go (`no_refresh` tags), and
 *   internal/apijson/decoder.go (a `no_refresh` field is skipped by Unmarshal, i.e. on read/import).
 */
import {
  APP_LAUNCHER_VISIBLE_TYPES,
  DESTINATION_APP_TYPES,
  POLICY,
  SELF_HOSTED_TYPES,
  SESSION_DURATION_TYPES,
  TOKEN,
} from "./cloudflare";
import { COMPUTED_ONLY } from "./cloudflare-state";
import { asList, compact, isNull, isUnknown, type Props } from "./common";

const RULES = ["includes", "requires", "excludes"];

function setDefault(out: Props, key: string, value: unknown): void {
  if (isNull(out[key])) out[key] = value;
}

function has(list: readonly string[], value: unknown): boolean {
  return typeof value === "string" && list.includes(value);
}

/**
 * The object as Cloudflare's API returns it (GET), from what it holds (`live`: the fields it was
 * given, possibly sparse, e.g. an app made in the dashboard) and its computed fields. A reusable
 * policy referenced by an application is expanded, as the API does (`lookup` finds it).
 */
export function apiView(
  type: string,
  live: Props,
  computed: Props,
  lookup: (id: string) => Props | undefined = () => undefined,
): Props {
  const out: Props = { ...live };
  if (type === TOKEN) {
    for (const k of ["clientId", "expiresAt"]) out[k] = computed[k] ?? null;
    setDefault(out, "duration", "8760h"); // API: duration default "8760h"
    setDefault(out, "clientSecretVersion", 1); // the token's current secret version
    setDefault(out, "enabled", true); // 6.22.1 SDK: "Defaults to enabled when omitted on create"
    delete out["clientSecret"]; // never returned after create
    return out;
  }
  if (type === POLICY) {
    // API schema, Access policies: session_duration "24h"; approval_required,
    // isolation_required, purpose_justification_required default false.
    setDefault(out, "sessionDuration", "24h");
    for (const k of ["approvalRequired", "isolationRequired", "purposeJustificationRequired"])
      setDefault(out, k, false);
    return out;
  }
  const t = live["type"];
  // API schema, Access applications (self_hosted variant) defaults.
  if (has(SELF_HOSTED_TYPES, t)) {
    setDefault(out, "autoRedirectToIdentity", false);
    setDefault(out, "enableBindingCookie", false);
    setDefault(out, "httpOnlyCookieAttribute", true);
    setDefault(out, "optionsPreflightBypass", false);
    setDefault(out, "pathCookieAttribute", false);
  }
  if (has(APP_LAUNCHER_VISIBLE_TYPES, t)) setDefault(out, "appLauncherVisible", true);
  if (has(SESSION_DURATION_TYPES, t)) setDefault(out, "sessionDuration", "24h");
  if (has(DESTINATION_APP_TYPES, t)) {
    // domain, self_hosted_domains and destinations describe the same thing to the API.
    const domain = isNull(live["domain"]) ? undefined : String(live["domain"]);
    const given = isNull(live["destinations"]) && domain ? [{ uri: domain }] : live["destinations"];
    const dests: Props[] = asList(given).map((d) => ({ type: "public", ...d }));
    const publicUris = dests.filter((d) => d["type"] === "public").map((d) => d["uri"]);
    out["destinations"] = dests;
    setDefault(out, "domain", publicUris[0] ?? null);
    setDefault(out, "selfHostedDomains", publicUris);
  }
  setDefault(out, "allowedIdps", []);
  setDefault(out, "tags", []);
  out["policies"] = asList(live["policies"]).map((p) => {
    const reusable = typeof p["id"] === "string" ? lookup(p["id"]) : undefined;
    if (!reusable) return p;
    const { name, decision, includes, requires, excludes } = reusable;
    return compact({ name, decision, includes, requires, excludes, ...p });
  });
  out["aud"] = computed["aud"] ?? null;
  return out;
}

function dropEmpty(out: Props, keys: readonly string[]): void {
  for (const k of keys) if (Array.isArray(out[k]) && out[k].length === 0) delete out[k];
}

/** State after `pulumi import` / the `import` option: ImportState, which has no prior state. */
export function importState(type: string, api: Props, path: Props): Props {
  const out: Props = { ...api, ...compact(path) };
  if (type === TOKEN) {
    // model.go: client_secret, client_secret_version, previous_client_secret_expires_at are
    // `no_refresh`: Unmarshal skips them, and import has no state: all three are null.
    for (const k of ["clientSecret", "clientSecretVersion", "previousClientSecretExpiresAt"])
      delete out[k];
    return withSecretAttribute(type, compact(out));
  } else if (type === POLICY) {
    dropEmpty(out, RULES); // normalizeImportZeroTrustAccessPolicyAPIData
  } else {
    // normalizeImportZeroTrustAccessApplicationAPIData: empty lists become null, and a policy
    // referenced by id keeps only id and precedence (the reusable policy owns the rest).
    dropEmpty(out, ["allowedIdps", "policies", "tags"]);
    if (Array.isArray(out["policies"]))
      out["policies"] = asList(out["policies"]).map((p) => {
        if (!isNull(p["id"])) return compact({ id: p["id"], precedence: p["precedence"] });
        const q = { ...p };
        dropEmpty(q, RULES);
        return q;
      });
  }
  return compact(out);
}

/** normalizeFalseAndNullBool: false and null mean the same; the state's spelling wins. */
function falseOrNull(out: Props, state: Props, k: string): void {
  if (out[k] === true || state[k] === true) return;
  if (isNull(state[k])) delete out[k];
  else out[k] = state[k];
}

/** normalizeTrueAndNullBool: true and null mean the same; the state's spelling wins. */
function trueOrNull(out: Props, state: Props, k: string): void {
  if (out[k] === false || state[k] === false || isUnknown(state[k])) return;
  if (isNull(state[k])) delete out[k];
  else out[k] = state[k];
}

/** normalizeEmptyAndNullSlice: [] and null mean the same; the state's spelling wins. */
function emptyOrNull(out: Props, state: Props, k: string): void {
  const empty = (v: unknown) => isNull(v) || (Array.isArray(v) && v.length === 0);
  if (!empty(out[k]) || !empty(state[k])) return;
  if (isNull(state[k])) delete out[k];
  else out[k] = state[k];
}

/** State after a refresh (Read): the API's object, normalized against the state. */
export function readState(type: string, api: Props, state: Props): Props {
  const path = { id: state["id"], accountId: state["accountId"], zoneId: state["zoneId"] };
  const out: Props = { ...api, ...compact(path) };
  if (type === TOKEN) {
    // resource.go Read: `data.ClientSecret = secret` (the state's); the other `no_refresh`
    // fields keep the state's values too.
    for (const k of ["clientSecret", "clientSecretVersion", "previousClientSecretExpiresAt"])
      out[k] = state[k] ?? null;
    return withSecretAttribute(type, compact(out));
  }
  if (type === POLICY) {
    for (const k of ["approvalRequired", "isolationRequired", "purposeJustificationRequired"])
      falseOrNull(out, state, k);
    for (const k of RULES) if (isNull(state[k])) emptyOrNull(out, state, k);
    emptyOrNull(out, state, "approvalGroups");
    return compact(out);
  }
  for (const k of ["allowedIdps", "policies", "tags"]) emptyOrNull(out, state, k);
  for (const k of [
    ...["serviceAuth401Redirect", "enableBindingCookie", "optionsPreflightBypass"],
    "autoRedirectToIdentity",
  ])
    falseOrNull(out, state, k);
  if (has(SELF_HOSTED_TYPES, out["type"])) {
    trueOrNull(out, state, "httpOnlyCookieAttribute");
    for (const k of ["skipInterstitial", "allowIframe", "pathCookieAttribute"])
      falseOrNull(out, state, k);
  }
  // normalizeZeroTrustApplicationPolicyAPIData: persistNullFromState per policy.
  const statePolicies = asList(state["policies"]);
  if (Array.isArray(out["policies"]))
    out["policies"] = asList(out["policies"]).map((p, i) => {
      const s = statePolicies[i];
      if (!s) return p;
      const kept = Object.entries(p).filter(([k]) => k === "precedence" || !isNull(s[k]));
      return Object.fromEntries(kept);
    });
  return compact(out);
}

/**
 * State after Create or Update (apijson.UnmarshalComputed): the plan, with what it left unknown
 * filled from the API's answer, and the computed-only fields. A token's secret is the new one
 * when the API returned one, else the state's (Update: "Preserve the old client_secret if the API
 * didn't return a new one").
 */
export function stateAfterWrite(
  type: string,
  planned: Props,
  api: Props,
  id: string,
  secret?: { readonly issued?: string; readonly prior?: unknown },
): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(planned)) out[k] = isUnknown(v) ? api[k] : v;
  for (const k of COMPUTED_ONLY[type] ?? []) if (k !== "clientSecret") out[k] = api[k];
  out["id"] = id;
  if (type === TOKEN) out["clientSecret"] = secret?.issued ?? secret?.prior ?? null;
  return withSecretAttribute(type, compact(out));
}

/**
 * The bridge's outputs carry every attribute of the schema, a null one as null
 * (pkg/pf/tfbridge/resource_state.go: upgradedResourceState.ToPropertyMap runs
 * convert.DecodePropertyMap on the whole Terraform object, null attributes included). The
 * stand-in keeps its stores sparse, but the client secret must be there as null when Cloudflare
 * never returned it (an imported token): the Node.js SDK reads an absent output as unknown in a
 * preview, a null one as known, and the program's Vault and Heroku values depend on it.
 */
export function withSecretAttribute(type: string, state: Props): Props {
  return type === TOKEN ? { ...state, clientSecret: state["clientSecret"] ?? null } : state;
}

/** What Cloudflare holds after a write: the planned values it was sent (PUT replaces). */
export function liveAfterWrite(type: string, planned: Props): Props {
  const drop = [...(COMPUTED_ONLY[type] ?? []), "accountId", "zoneId"];
  return compact(
    Object.fromEntries(
      Object.entries(planned).filter(([k, v]) => !drop.includes(k) && !isUnknown(v)),
    ),
  );
}
