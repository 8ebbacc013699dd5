/**
 * How Cloudflare's provider plans, reads and imports the three Access resources, and what
 * Cloudflare's API holds and returns for them. Sources (see ./cloudflare.ts for why v5.22.0):
 * terraform-provider-cloudflare v5.22.0 `internal/services/zero_trust_access_*` (schema.go,
 * plan_modifiers.go, normalizations.go, resource.go, model.go) and Cloudflare's API schema
 * (cloudflare/api-schemas openapi.json, "Access applications" / "Access policies": defaults).
 */
import {
  APPLICATION,
  APP_LAUNCHER_VISIBLE_TYPES,
  POLICY,
  SELF_HOSTED_TYPES,
  SESSION_DURATION_TYPES,
  TOKEN,
} from "./cloudflare";
import {
  asList,
  compact,
  isNull,
  isUnknown,
  kindOf,
  same,
  type DiffKind,
  type PlannedDiff,
  type Props,
} from "./common";
import { UNKNOWN } from "../store";

type Kind = "optional" | "computed" | { readonly default: unknown };

const APP_OPTIONAL = [
  ...["accountId", "zoneId", "allowAuthenticateViaWarp", "allowIframe", "appLauncherLogoUrl"],
  ...["bgColor", "customDenyMessage", "customDenyUrl", "customNonIdentityDenyUrl"],
  ...["headerBgColor", "logoUrl", "optionsPreflightBypass", "readServiceTokensFromHeader"],
  ...["sameSiteCookieAttribute", "serviceAuth401Redirect", "skipInterstitial", "allowedIdps"],
  ...["customPages", "corsHeaders", "footerLinks", "oauthConfiguration", "scimConfig"],
  ...["targetCriterias", "autoRedirectToIdentity", "enableBindingCookie", "pathCookieAttribute"],
  ...["tags", "landingPageDesign", "mfaConfig", "policies", "saasApp"],
];
const APP_COMPUTED = [
  ...["domain", "name", "type", "appLauncherVisible", "httpOnlyCookieAttribute"],
  ...["sessionDuration", "skipAppLauncherLoginPage", "selfHostedDomains", "destinations"],
];

/**
 * Each attribute's plan behaviour when the program leaves it out. v5.22.0 schema.go per resource:
 * Optional only → planned null (so a removed input shows a diff against the state's value);
 * Optional+Computed with a static Default → the default; Optional+Computed → see planComputed.
 */
const ATTRS: Readonly<Record<string, Readonly<Record<string, Kind>>>> = {
  [APPLICATION]: {
    ...Object.fromEntries(APP_OPTIONAL.map((k) => [k, "optional" as const])),
    ...Object.fromEntries(APP_COMPUTED.map((k) => [k, "computed" as const])),
  },
  [POLICY]: {
    ...Object.fromEntries(
      [
        ...["accountId", "decision", "name", "approvalRequired", "isolationRequired"],
        ...["purposeJustificationPrompt", "purposeJustificationRequired", "approvalGroups"],
        // include/require/exclude are Optional+Computed, but the resource's ModifyPlan
        // (resource.go) sets them null whenever the configuration leaves them out.
        ...["connectionRules", "mfaConfig", "excludes", "includes", "requires"],
      ].map((k) => [k, "optional" as const]),
    ),
    // "session_duration": Default stringdefault.StaticString("24h").
    sessionDuration: { default: "24h" },
  },
  // token schema.go: "client_secret_version" Default float64default.StaticFloat64(1);
  // "duration" Default stringdefault.StaticString("8760h"); "enabled" from the 6.22.1 SDK
  // (an output that is always set: computed, "Defaults to enabled when omitted on create").
  [TOKEN]: {
    accountId: "optional",
    zoneId: "optional",
    name: "optional",
    previousClientSecretExpiresAt: "optional",
    clientSecretVersion: { default: 1 },
    duration: { default: "8760h" },
    enabled: "computed",
  },
};

/** Computed-only attributes: never inputs (the bridge does not report them as inputs). */
export const COMPUTED_ONLY: Readonly<Record<string, readonly string[]>> = {
  [APPLICATION]: ["id", "aud"],
  [POLICY]: ["id"],
  [TOKEN]: ["id", "clientId", "clientSecret", "expiresAt"],
};

/** schema.go on all three: only account_id and zone_id have stringplanmodifier.RequiresReplace(). */
export const REPLACE_ON = ["accountId", "zoneId"];

/**
 * The inputs a refresh reports: pkg/tfbridge/schema.go ExtractInputsFromOutputs with isRefresh
 * (called by pkg/pf/tfbridge/provider_read.go) "only extract[s] new values for inputs that are
 * already present" in the old inputs; an input the program never sent stays absent.
 */
export function refreshedInputs(oldInputs: Props, all: Props): Props {
  const out: Props = {};
  for (const k of Object.keys(oldInputs)) if (k in all) out[k] = all[k];
  return out;
}

function byAppType(list: readonly string[], appType: unknown, yes: unknown, no: unknown) {
  return typeof appType === "string" && list.includes(appType) ? yes : no;
}

/** Optional+Computed attributes the program left out (plan_modifiers.go modifyPlan). */
function planComputed(type: string, planned: Props, state: Props | undefined, changed: boolean) {
  const keep = (k: string) => (state && !changed ? state[k] : UNKNOWN);
  if (type !== APPLICATION) {
    for (const k of ["enabled"]) if (planned[k] === UNKNOWN) planned[k] = state?.[k] ?? UNKNOWN;
    return;
  }
  const t = planned["type"] === UNKNOWN ? state?.["type"] : planned["type"];
  const unset = (k: string) => planned[k] === UNKNOWN;
  // "name": UseStateForUnknown.
  if (unset("name")) planned["name"] = state?.["name"] ?? UNKNOWN;
  if (unset("type")) planned["type"] = keep("type");
  // modifyPlanForDomains: domain, self_hosted_domains and destinations are tied together; when
  // none of the configured ones changed from the state, all three are copied from the state.
  const domains = ["domain", "selfHostedDomains", "destinations"];
  const domainsChanged = !state || domains.some((k) => !unset(k) && !same(planned[k], state[k]));
  for (const k of domains)
    if (unset(k) || !domainsChanged) planned[k] = domainsChanged ? UNKNOWN : state?.[k];
  // setDefaultAccordingToAppTypes, applied only to values still unknown (i.e. when the resource
  // has changes; with none, the framework keeps the state's values).
  const typed: [string, readonly string[], unknown][] = [
    ["httpOnlyCookieAttribute", [...SELF_HOSTED_TYPES, "mcp"], true],
    ["appLauncherVisible", APP_LAUNCHER_VISIBLE_TYPES, true],
    ["skipAppLauncherLoginPage", ["app_launcher"], false],
    ["sessionDuration", SESSION_DURATION_TYPES, "24h"],
  ];
  for (const [k, list, dflt] of typed)
    if (unset(k)) planned[k] = state && !changed ? state[k] : byAppType(list, t, dflt, null);
}

/** The planned state for `news` against `state` (undefined: a create). */
export function plan(type: string, state: Props | undefined, news: Props): Props {
  const attrs = ATTRS[type] ?? {};
  const planned: Props = {};
  for (const [k, kind] of Object.entries(attrs)) {
    if (!isNull(news[k])) planned[k] = news[k];
    else if (kind === "computed") planned[k] = UNKNOWN;
    else if (typeof kind === "object") planned[k] = kind.default;
  }
  // modifyNestedPoliciesPlan: a policy's unknown precedence is the previous one's plus one.
  if (type === APPLICATION && Array.isArray(planned["policies"])) {
    let last = 0;
    planned["policies"] = asList(planned["policies"]).map((p) => {
      const precedence = typeof p["precedence"] === "number" ? p["precedence"] : last + 1;
      last = precedence;
      return { ...p, precedence };
    });
  }
  const changed =
    !state || Object.keys(attrs).some((k) => planned[k] !== UNKNOWN && !same(planned[k], state[k]));
  planComputed(type, planned, state, changed);
  return planned;
}

/** What Diff reports: the planned values that differ from the state, and the replacement keys. */
export function diff(type: string, state: Props, news: Props): PlannedDiff {
  const planned = plan(type, state, news);
  const diffs: Record<string, DiffKind> = {};
  for (const k of Object.keys(ATTRS[type] ?? {})) {
    // A configured value not known yet (preview) is a change; a computed one the plan left
    // unknown ("known after apply") is only a consequence of the other changes.
    const kind = isUnknown(planned[k])
      ? isUnknown(news[k])
        ? "update"
        : null
      : kindOf(state[k], planned[k]);
    if (kind) diffs[k] = kind;
  }
  const replaces = Object.keys(diffs).filter((k) => REPLACE_ON.includes(k));
  // A bridged replacement is create-before-delete: the provider never asks for delete-first.
  return { changes: Object.keys(diffs).length > 0, diffs, replaces, deleteBeforeReplace: false };
}

/**
 * token plan_modifiers.go modifyPlan: a planned client_secret_version that differs from the
 * state's (null included) plans a new client_secret.
 */
export function plansNewSecret(state: Props | undefined, planned: Props): boolean {
  return !!state && !same(state["clientSecretVersion"], planned["clientSecretVersion"]);
}

/**
 * Whether Cloudflare issues a new secret for an update sending `sent`: only a version above the
 * one it holds rotates ("Incrementing it triggers a rotation": the field's doc in the API schema
 * and the 6.22.1 SDK). So sending 1 to a token created without a version rotates nothing.
 */
export function apiRotates(liveVersion: unknown, sent: unknown): boolean {
  return typeof sent === "number" && sent > (typeof liveVersion === "number" ? liveVersion : 1);
}

export function inputsOf(type: string, state: Props): Props {
  const drop = COMPUTED_ONLY[type] ?? [];
  return compact(Object.fromEntries(Object.entries(state).filter(([k]) => !drop.includes(k))));
}

/** importpath.ParseImportID formats, per resource.go ImportState. */
export function parseImportId(
  type: string,
  importId: string,
): { id: string; accountId?: string; zoneId?: string } {
  const parts = importId.split("/");
  if (type === POLICY) {
    // "<account_id>/<policy_id>"
    if (parts.length !== 2 || !parts[0] || !parts[1])
      throw new Error(`invalid ID "${importId}": expected <account_id>/<policy_id>`);
    return { accountId: parts[0], id: parts[1] };
  }
  // "<{accounts|zones}/{account_id|zone_id}>/<app_id|service_token_id>"
  const [scope, owner, id] = parts;
  if (parts.length !== 3 || !owner || !id || (scope !== "accounts" && scope !== "zones"))
    throw new Error(
      `invalid discriminator segment - <{accounts|zones}/{account_id|zone_id}> in "${importId}": expected discriminator to be one of {accounts|zones}`,
    );
  return scope === "accounts" ? { accountId: owner, id } : { zoneId: owner, id };
}
