/** The service token's expiry link (gated stacks only), and the renewal it asks for. */
import type { LinkResult } from "./link-result";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A gate's setting as `pulumi config set` takes it (console-wiring:gates.<id>.<key>). */
export const gateSetting = (gate: string, key: string) => `--path 'gates.${gate}.${key}'`;

/** What the stack config says of a gate's service token, for the renewal the expiry link asks for. */
export interface TokenGenerations {
  /** serviceTokenGeneration: the generation whose token the app uses. */
  readonly generation: number;
  /** A previous generation still admitted (a renewal not finished yet). */
  readonly previousGeneration?: number;
  /** serviceTokenDuration (`forever`: a token created with it never expires). */
  readonly duration?: string;
}

/**
 * How to renew the token the app uses. A rotation (serviceTokenSecretVersion) changes the secret
 * and never the expiry; only a new token renews one: the next generation, admitted next to the
 * old one while Vault and Heroku move to it, then the old one retired.
 */
export function renewalSteps(token?: TokenGenerations, gate = "<gate>"): string {
  const key = (k: string) => gateSetting(gate, k);
  const next = token ? String(token.generation + 1) : "<current+1>";
  const current = token ? String(token.generation) : "<current>";
  const forever =
    token?.duration === "forever"
      ? `gates.${gate}.serviceTokenDuration is already forever: the new token will never expire.`
      : `For a token that never expires, also set ${key("serviceTokenDuration")} forever in the first step.`;
  return (
    `Renew it with a new token: pulumi config set ${key("serviceTokenGeneration")} ${next} && pulumi up (Access admits the old and the new token while Vault and Heroku move to the new one); ` +
    `once this check passes, pulumi config set ${key("serviceTokenRetiredGeneration")} ${current} && pulumi up. ${forever} ` +
    `A rotation (gates.${gate}.serviceTokenSecretVersion) does not extend the expiry.`
  );
}

/**
 * A gate's service token's expiry against the warning window. `gate` names the gate in the
 * renewal commands; `link` is the link's name (prefixed by the gate when a stack has several).
 */
export function tokenNotExpiring(
  expiresAt: string | undefined,
  days: number,
  now: number = Date.now(),
  token?: TokenGenerations,
  gate = "<gate>",
  link = "service token not expiring",
): LinkResult {
  if (!expiresAt) {
    if (token?.duration === "forever") {
      return {
        link,
        status: "pass",
        detail: `no expiry reported: gates.${gate}.serviceTokenDuration is forever (a token created with it never expires)`,
      };
    }
    return {
      link,
      status: "skip",
      detail: `expiry unknown: pass --gates "$(pulumi stack output gates --json)" (or set CONSOLE_WIRING_GATES), whose ${gate}.serviceTokenExpiresAt is the token's expiry`,
    };
  }
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at))
    return { link, status: "fail", detail: `--token-expires-at ${expiresAt} is not a date` };
  const left = Math.floor((at - now) / DAY_MS);
  if (at <= now)
    return {
      link,
      status: "fail",
      detail: `the service token expired ${-left} day(s) ago (${expiresAt}): every API call is refused. ${renewalSteps(token, gate)}`,
    };
  if (at - now < days * DAY_MS) {
    return {
      link,
      status: "fail",
      detail: `the service token expires in ${left} day(s) (${expiresAt}), within the ${days}-day window. ${renewalSteps(token, gate)}`,
    };
  }
  const previous = token?.previousGeneration;
  return {
    link,
    status: "pass",
    detail:
      `expires ${expiresAt.slice(0, 10)} (${left} days; warning at ${days})` +
      (previous === undefined
        ? ""
        : `; generation ${previous} is still admitted (a renewal in progress): once every link passes, retire it: pulumi config set ${gateSetting(gate, "serviceTokenRetiredGeneration")} ${previous} && pulumi up`),
  };
}
