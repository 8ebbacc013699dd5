import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../infra/features/catalog";
import { type Feature, gatesOf } from "../../infra/features/manifest";
import { gateOfToken } from "../lib/gates";
import { HEROKU_CONFIG_VARS, read, SERVICE_TOKEN, sourcesOf } from "../lib/resources";

export const DEFAULT_EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ServiceTokenExpiryOptions {
  /** Days before expiry at which to warn; policy config `days` overrides it. */
  readonly days?: number;
  /** Per gate id, days before expiry at which to warn (console-wiring:gates.<id>.tokenExpiryWarningDays). */
  readonly gateDays?: Readonly<Record<string, number>>;
  /** The clock, for tests. */
  readonly now?: () => number;
}

/** The stack config key of a gate's setting (console-wiring:gates.<id>.<key>). */
const gateKey = (gate: string, key: string) => `--path 'gates.${gate}.${key}'`;

/**
 * How to renew the token the app uses for a gate: a rotation changes its secret, never its
 * expiry. A token of no known gate is named `<gate>`, for a person to fill in.
 */
export function renew(gate = "<gate>"): string {
  return (
    `Renew it with a new token: pulumi config set ${gateKey(gate, "serviceTokenGeneration")} <current+1> && pulumi up (Access admits the old and the new token while Vault and Heroku move to the new one), ` +
    `then, once the smoke check passes, pulumi config set ${gateKey(gate, "serviceTokenRetiredGeneration")} <current> && pulumi up. ` +
    `Set ${gateKey(gate, "serviceTokenDuration")} forever in the first step for a token that never expires. A rotation (gates.${gate}.serviceTokenSecretVersion) does not extend the expiry.`
  );
}

/** A previous generation kept during a renewal: the app no longer uses it, so it is retired. */
export function retire(gate = "<gate>"): string {
  return (
    "No app's credentials come from it any more (a previous generation kept during a renewal): once the smoke check passes, retire it: " +
    `pulumi config set ${gateKey(gate, "serviceTokenRetiredGeneration")} <its generation> && pulumi up.`
  );
}

/**
 * Tokens whose credentials flow into a Heroku app's vars. None at all (no app wired, or values not
 * known yet) means the roles cannot be told apart: every token then counts as in use.
 */
function tokensInUse(resources: readonly PolicyResource[]): Set<PolicyResource> | undefined {
  const used = new Set<PolicyResource>();
  for (const r of resources) {
    if (r.type !== HEROKU_CONFIG_VARS) continue;
    for (const s of sourcesOf(r, "vars")) if (s.type === SERVICE_TOKEN) used.add(s);
  }
  return used.size > 0 ? used : undefined;
}

export function serviceTokenExpiry(
  options: ServiceTokenExpiryOptions = {},
  features: readonly Feature[] = catalog(),
): StackValidationPolicy {
  const now = options.now ?? Date.now;
  const gates = gatesOf(features);
  return {
    name: "service-token-expiry",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      "Warns when a Cloudflare Access service token expires within the configured number of days (default 30). " +
      "An expired token is the next silent 403, and a rotation (serviceTokenSecretVersion) does not extend it: renew with a new token " +
      "(bump console-wiring:gates.<gate>.serviceTokenGeneration, then retire the previous generation), or create that token with serviceTokenDuration forever. " +
      "A previous generation kept during a renewal is named with the command that retires it. A token not created yet has no expiry to check.",
    // Stryker restore StringLiteral
    enforcementLevel: "advisory",
    configSchema: {
      properties: { days: { type: "integer", minimum: 1, default: DEFAULT_EXPIRY_WARNING_DAYS } },
    },
    validateStack: (args, reportViolation) => {
      const configured = args.getConfig<{ days?: number }>().days;
      // Tokens whose expiry is known and readable; a token not created yet has none.
      const expiring = args.resources.flatMap((token) => {
        if (token.type !== SERVICE_TOKEN) return [];
        const expiresAt = read(() => token.props["expiresAt"] as string | undefined);
        if (!expiresAt.known) return [];
        const text = expiresAt.value ?? "";
        const at = Date.parse(text);
        return Number.isNaN(at) ? [] : [{ token, at, text }];
      });
      if (expiring.length === 0) {
        args.notApplicable("no service token with a known expiry (not created yet)");
        return;
      }
      const inUse = tokensInUse(args.resources);
      for (const { token, at, text } of expiring) {
        // Each gate's token is held to its own window: the policy config overrides every gate's.
        const gate = gateOfToken(token.name, gates)?.id;
        const days =
          configured ??
          (gate === undefined ? undefined : options.gateDays?.[gate]) ??
          options.days ??
          DEFAULT_EXPIRY_WARNING_DAYS;
        const left = Math.floor((at - now()) / DAY_MS);
        if (at - now() < days * DAY_MS) {
          reportViolation(
            `Service token ${token.name}${gate === undefined ? "" : ` (gate ${gate})`} ${left < 0 ? `expired ${-left} day(s) ago` : `expires in ${left} day(s)`} (${text}), within the ${days}-day warning window. ` +
              (inUse === undefined || inUse.has(token) ? renew(gate) : retire(gate)),
            token.urn,
          );
        }
      }
    },
  };
}
