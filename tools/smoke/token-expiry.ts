/** The service token's expiry link (gated stacks only), and the renewal it asks for. */
import type { LinkResult } from "./links";

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the stack config says of the service token, for the renewal the expiry link asks for. */
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
export function renewalSteps(token?: TokenGenerations): string {
  const next = token ? String(token.generation + 1) : "<current+1>";
  const current = token ? String(token.generation) : "<current>";
  const forever =
    token?.duration === "forever"
      ? "serviceTokenDuration is already forever: the new token will never expire."
      : "For a token that never expires, also set serviceTokenDuration forever in the first step.";
  return (
    `Renew it with a new token: pulumi config set serviceTokenGeneration ${next} && pulumi up (Access admits the old and the new token while Vault and Heroku move to the new one); ` +
    `once this check passes, pulumi config set serviceTokenRetiredGeneration ${current} && pulumi up. ${forever} ` +
    "A rotation (serviceTokenSecretVersion) does not extend the expiry."
  );
}

/** The service token's expiry against the warning window. */
export function tokenNotExpiring(
  expiresAt: string | undefined,
  days: number,
  now: number = Date.now(),
  token?: TokenGenerations,
): LinkResult {
  const link = "service token not expiring";
  if (!expiresAt) {
    if (token?.duration === "forever") {
      return {
        link,
        status: "pass",
        detail:
          "no expiry reported: serviceTokenDuration is forever (a token created with it never expires)",
      };
    }
    return {
      link,
      status: "skip",
      detail:
        'expiry unknown: pass --token-expires-at "$(pulumi stack output serviceTokenExpiresAt)" (the CI jobs do)',
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
      detail: `the service token expired ${-left} day(s) ago (${expiresAt}): every API call is refused. ${renewalSteps(token)}`,
    };
  if (at - now < days * DAY_MS) {
    return {
      link,
      status: "fail",
      detail: `the service token expires in ${left} day(s) (${expiresAt}), within the ${days}-day window. ${renewalSteps(token)}`,
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
        : `; generation ${previous} is still admitted (a renewal in progress): once every link passes, retire it: pulumi config set serviceTokenRetiredGeneration ${previous} && pulumi up`),
  };
}
