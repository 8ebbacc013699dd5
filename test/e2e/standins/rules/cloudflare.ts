/**
 * What Cloudflare's provider validates in a plan (Check), for the three Access resources the stack
 * uses. Read from the Terraform provider that @pulumi/cloudflare 6.22.1 bridges:
 *
 * - SOURCE: terraform-provider-cloudflare **v5.22.0** (github.com/cloudflare/terraform-provider-cloudflare,
 *   tag v5.22.0), `internal/services/zero_trust_access_{application,policy,service_token}/`. It is the
 *   newest tag stored where this was read (the stored pulumi-cloudflare tags stop at v6.17.0, which
 *   bridges v5.19.1). @pulumi/cloudflare 6.22.1 bridges a later v5 tag: its generated SDK
 *   (node_modules/@pulumi/cloudflare 6.22.1) has fields v5.22.0 lacks (destination types `worker`,
 *   `preview_worker`, `all_workers`, `all_preview_workers` with `workerId`; the token's `enabled`;
 *   `duration: "forever"`). Those additions are taken from the SDK's schema text and say so.
 * - Field names are the bridged SDK's camelCase (`serviceAuth401Redirect`, `includes`, ...).
 */
import { asList, isNull, isSet, isUnknown, tf, type Failure, type Props } from "./common";

export const TOKEN = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";
export const POLICY = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";
export const APPLICATION = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
export const TYPES: readonly string[] = [TOKEN, POLICY, APPLICATION];

// v5.22.0 zero_trust_access_application/schema.go, "type": stringvalidator.OneOfCaseInsensitive(...)
// (the same 14 values as the 6.22.1 SDK's doc for `type`).
export const APP_TYPES = [
  "self_hosted",
  "saas",
  "ssh",
  "vnc",
  "app_launcher",
  "warp",
  "biso",
  "bookmark",
  "dash_sso",
  "infrastructure",
  "rdp",
  "mcp",
  "mcp_portal",
  "proxy_endpoint",
] as const;

// v5.22.0 zero_trust_access_application/plan_modifiers.go, the app-type lists the schema's
// RequiresOtherStringAttributeToBeOneOf validators use (exact, case-sensitive comparison).
export const SELF_HOSTED_TYPES = ["self_hosted", "ssh", "vnc", "rdp", "mcp_portal"];
export const DESTINATION_APP_TYPES = ["self_hosted", "ssh", "vnc", "rdp", "mcp_portal", "mcp"];
export const SAAS_TYPES = ["saas", "dash_sso"];
export const APP_LAUNCHER_VISIBLE_TYPES = ["self_hosted", "ssh", "vnc", "rdp", "saas", "bookmark"];
export const TARGET_TYPES = ["rdp", "infrastructure"];
export const SESSION_DURATION_TYPES = [
  ...["saas", "dash_sso", "self_hosted", "ssh", "vnc", "rdp", "app_launcher", "warp"],
  ...["mcp_portal", "mcp", "proxy_endpoint"],
];
export const WARP_AUTH_TYPES = ["self_hosted", "ssh", "vnc", "rdp", "saas", "dash_sso"];
export const MFA_TYPES = ["self_hosted", "ssh", "vnc", "rdp"];
// v5.22.0 plan_modifiers.go durationRegex (session_duration's RegexMatches validator).
const DURATION =
  /^(?:0|[-+]?(\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)(?:(\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))*)$/;

// Destination `type`: v5.22.0 schema.go destinations.type OneOfCaseInsensitive("public", "private",
// "via_mcp_server_portal"); the 6.22.1 SDK (types/input.d.ts ZeroTrustAccessApplicationDestination)
// adds "worker", "preview_worker", "all_workers", "all_preview_workers".
export const DESTINATION_TYPES = [
  ...["public", "private", "via_mcp_server_portal"],
  ...["worker", "preview_worker", "all_workers", "all_preview_workers"],
];
// v5.22.0 schema.go decision (application policies[] and the reusable policy): OneOfCaseInsensitive.
export const DECISIONS = ["allow", "deny", "non_identity", "bypass"];

/** Per app type, which app-level attributes may be set (schema.go validators, by attribute). */
const ONLY_FOR_APP_TYPES: Readonly<Record<string, readonly string[]>> = {
  allowIframe: SELF_HOSTED_TYPES,
  corsHeaders: SELF_HOSTED_TYPES,
  enableBindingCookie: SELF_HOSTED_TYPES,
  httpOnlyCookieAttribute: SELF_HOSTED_TYPES,
  optionsPreflightBypass: SELF_HOSTED_TYPES,
  pathCookieAttribute: SELF_HOSTED_TYPES,
  readServiceTokensFromHeader: SELF_HOSTED_TYPES,
  sameSiteCookieAttribute: SELF_HOSTED_TYPES,
  selfHostedDomains: SELF_HOSTED_TYPES,
  // "service_auth_401_redirect": RequiresOtherStringAttributeToBeOneOf(type, selfHostedAppTypes...)
  serviceAuth401Redirect: SELF_HOSTED_TYPES,
  skipInterstitial: SELF_HOSTED_TYPES,
  // "app_launcher_visible": RequiresOtherStringAttributeToBeOneOf(type, appLauncherVisibleAppTypes...):
  // self-hosted types and also saas and bookmark (not ssh-only, not self-hosted-only).
  appLauncherVisible: APP_LAUNCHER_VISIBLE_TYPES,
  allowAuthenticateViaWarp: WARP_AUTH_TYPES,
  appLauncherLogoUrl: ["app_launcher"],
  bgColor: ["app_launcher"],
  headerBgColor: ["app_launcher"],
  landingPageDesign: ["app_launcher"],
  skipAppLauncherLoginPage: ["app_launcher"],
  destinations: DESTINATION_APP_TYPES,
  mfaConfig: MFA_TYPES,
  targetCriterias: TARGET_TYPES,
  saasApp: SAAS_TYPES,
  sessionDuration: SESSION_DURATION_TYPES,
};

function quoted(values: readonly string[], sep: string): string {
  return values.map((v) => `"${v}"`).join(sep);
}

function missing(property: string): Failure {
  return {
    property,
    reason: `Missing required argument: The argument "${tf(property)}" is required, but no definition was found.`,
  };
}

/** terraform-plugin-framework-validators OneOfCaseInsensitive's diagnostic. */
function oneOfCaseInsensitive(
  property: string,
  value: unknown,
  allowed: readonly string[],
): Failure | undefined {
  // terraform-plugin-framework-validators stringvalidator/one_of_case_insensitive.go returns at
  // once on a null or unknown value: a decision computed from a resource not created yet passes
  // the plan and is checked at apply.
  if (typeof value !== "string" || isUnknown(value) || allowed.includes(value.toLowerCase()))
    return undefined;
  return {
    property,
    reason: `Invalid Attribute Value Match: Attribute ${tf(property)} value must be one of: [${quoted(allowed, " ")}], got: "${value}"`,
  };
}

/** internal/customvalidator RequiresOtherStringAttributeToBeOneOf: any set value, even `false`. */
function requiresType(
  property: string,
  value: unknown,
  other: string,
  otherValue: unknown,
  allowed: readonly string[],
): Failure | undefined {
  if (!isSet(value) || isUnknown(otherValue)) return undefined;
  if (typeof otherValue === "string" && allowed.includes(otherValue)) return undefined;
  return {
    property,
    reason: `Invalid Attribute Combination: "${tf(property)}" can only be set if "${other}" is one of: ${quoted(allowed, ", ")}`,
  };
}

/** terraform-plugin-framework-validators AlsoRequires' diagnostic. */
function alsoRequires(property: string, props: Props, other: string): Failure | undefined {
  if (!isSet(props[property]) || !isNull(props[other])) return undefined;
  return {
    property,
    reason: `Invalid Attribute Combination: Attribute "${tf(other)}" must be specified when "${tf(property)}" is specified`,
  };
}

function present<T>(xs: (T | undefined)[]): T[] {
  return xs.filter((x): x is T => x !== undefined);
}

function checkDestination(d: Props, i: number, appType: unknown): Failure[] {
  const at = (k: string) => `destinations[${i}].${k}`;
  const dType = isNull(d["type"]) ? null : d["type"];
  const onlyFor = (k: string, types: readonly string[], nullOk = false) =>
    isSet(d[k]) &&
    !isUnknown(dType) &&
    !(nullOk && dType === null) &&
    !types.includes(String(dType))
      ? {
          property: at(k),
          reason: `Invalid Attribute Combination: "${at(tf(k))}" can only be set if "type" is one of: ${quoted(types, ", ")}${nullOk ? ", <null>" : ""}`,
        }
      : undefined;
  return present([
    oneOfCaseInsensitive(at("type"), dType, DESTINATION_TYPES),
    // "uri": RequiresOtherStringAttributeToNullOrBeOneOf(type, "public") — uri only on public ones.
    onlyFor("uri", ["public"], true),
    // "cidr", "hostname", "l4_protocol", "port_range", "vnet_id": only with type "private".
    ...["cidr", "hostname", "l4Protocol", "portRange", "vnetId"].map((k) =>
      onlyFor(k, ["private"]),
    ),
    oneOfCaseInsensitive(at("l4Protocol"), d["l4Protocol"], ["tcp", "udp"]),
    // "mcp_server_id": only with, and required with, via_mcp_server_portal; app type "mcp".
    onlyFor("mcpServerId", ["via_mcp_server_portal"]),
    requiresType(at("mcpServerId"), d["mcpServerId"], "type", appType, ["mcp"]),
    dType === "via_mcp_server_portal" && isNull(d["mcpServerId"])
      ? missing(at("mcpServerId"))
      : undefined,
    // 6.22.1 SDK: `workerId` "Required when type is `worker` or `previewWorker`".
    (dType === "worker" || dType === "preview_worker") && isNull(d["workerId"])
      ? missing(at("workerId"))
      : undefined,
  ]);
}

function checkAppPolicy(p: Props, i: number): Failure[] {
  const at = (k: string) => `policies[${i}].${k}`;
  const out: Failure[] = [];
  // "id": stringvalidator.ExactlyOneOf(include): a policy is referenced by id or written inline.
  const byId = !isNull(p["id"]);
  const inline = !isNull(p["includes"]);
  if (!isUnknown(p["id"]) && byId === inline)
    out.push({
      property: at("id"),
      reason: `Invalid Attribute Combination: ${byId ? "2 attributes specified" : "No attribute specified"} when one (and only one) of [${at("id")},${at("include")}] is required`,
    });
  // "precedence": int64validator.AtLeast(1).
  const precedence = p["precedence"];
  if (typeof precedence === "number" && precedence < 1)
    out.push({
      property: at("precedence"),
      reason: `Invalid Attribute Value: Attribute ${at("precedence")} value must be at least 1, got: ${precedence}`,
    });
  // "decision": OneOfCaseInsensitive + AlsoRequires(include); "include": AlsoRequires(decision).
  const d = oneOfCaseInsensitive(at("decision"), p["decision"], DECISIONS);
  if (d) out.push(d);
  if (isSet(p["decision"]) && !inline)
    out.push({
      property: at("decision"),
      reason: `Invalid Attribute Combination: Attribute "${at("include")}" must be specified when "${at("decision")}" is specified`,
    });
  if (inline && isNull(p["decision"]))
    out.push({
      property: at("includes"),
      reason: `Invalid Attribute Combination: Attribute "${at("decision")}" must be specified when "${at("include")}" is specified`,
    });
  return out;
}

export function checkApplication(news: Props): Failure[] {
  const appType = news["type"];
  const out: Failure[] = present([oneOfCaseInsensitive("type", appType, APP_TYPES)]);
  // "name" is Optional+Computed (UseStateForUnknown): not required, unlike the policy's and token's.
  for (const [k, types] of Object.entries(ONLY_FOR_APP_TYPES)) {
    const f = requiresType(k, news[k], "type", appType, types);
    if (f) out.push(f);
  }
  const sd = news["sessionDuration"];
  if (typeof sd === "string" && !isUnknown(sd) && !DURATION.test(sd))
    out.push({
      property: "sessionDuration",
      reason: `Invalid Attribute Value Match: "session_duration" only supports "ns", "us" (or "µs"), "ms", "s", "m", or "h" as valid units`,
    });
  // "destinations": listvalidator.ConflictsWith(self_hosted_domains).
  if (isSet(news["destinations"]) && isSet(news["selfHostedDomains"]))
    out.push({
      property: "destinations",
      reason: `Invalid Attribute Combination: Attribute "self_hosted_domains" cannot be specified when "destinations" is specified`,
    });
  asList(news["destinations"]).forEach((d, i) => out.push(...checkDestination(d, i, appType)));
  asList(news["policies"]).forEach((p, i) => out.push(...checkAppPolicy(p, i)));
  // "saas_app": RequiredWhenOtherStringIsOneOf(type, saasAppTypes...).
  if (typeof appType === "string" && SAAS_TYPES.includes(appType) && isNull(news["saasApp"]))
    out.push(missing("saasApp"));
  return out;
}

export function checkPolicy(news: Props): Failure[] {
  // v5.22.0 zero_trust_access_policy/schema.go: account_id, decision, name are Required; the
  // reusable policy is account-scoped: the schema has no zone_id attribute at all.
  const out = ["accountId", "decision", "name"].filter((k) => isNull(news[k])).map(missing);
  if (!isNull(news["zoneId"]))
    out.push({
      property: "zoneId",
      reason: `Unsupported argument: An argument named "zone_id" is not expected here (zero_trust_access_policy is account-scoped).`,
    });
  // "decision": stringvalidator.OneOfCaseInsensitive — "NON_IDENTITY" passes, as in Terraform.
  const d = oneOfCaseInsensitive("decision", news["decision"], DECISIONS);
  if (d) out.push(d);
  return out;
}

// A Go time.RFC3339 timestamp (timetypes.RFC3339 custom type of previous_client_secret_expires_at).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function checkToken(news: Props): Failure[] {
  // v5.22.0 zero_trust_access_service_token/schema.go: "name" Required.
  const out = isNull(news["name"]) ? [missing("name")] : [];
  // "previous_client_secret_expires_at": AlsoRequires(client_secret_version), and
  // "client_secret_version": AlsoRequires(previous_client_secret_expires_at) — on the
  // configuration only: the version's default (1) does not count as configured.
  out.push(
    ...present([
      alsoRequires("clientSecretVersion", news, "previousClientSecretExpiresAt"),
      alsoRequires("previousClientSecretExpiresAt", news, "clientSecretVersion"),
    ]),
  );
  const at = news["previousClientSecretExpiresAt"];
  if (typeof at === "string" && !isUnknown(at) && !RFC3339.test(at))
    out.push({
      property: "previousClientSecretExpiresAt",
      reason: `Invalid RFC3339 String Value: A string value was provided that is not valid RFC3339 string format. Given Value: ${at}`,
    });
  return out;
}

export function check(type: string, news: Props): Failure[] {
  if (type === APPLICATION) return checkApplication(news);
  if (type === POLICY) return checkPolicy(news);
  return checkToken(news);
}
