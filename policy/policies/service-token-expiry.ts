import type { StackValidationPolicy } from "@pulumi/policy";
import { read, SERVICE_TOKEN } from "../lib/resources";

export const DEFAULT_EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ServiceTokenExpiryOptions {
  /** Days before expiry at which to warn; policy config `days` overrides it. */
  readonly days?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

export function serviceTokenExpiry(options: ServiceTokenExpiryOptions = {}): StackValidationPolicy {
  const now = options.now ?? Date.now;
  return {
    name: "service-token-expiry",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      "Warns when a Cloudflare Access service token expires within the configured number of days (default 30). " +
      "An expired token is the next silent 403: rotate it by bumping console-wiring:serviceTokenSecretVersion, or extend serviceTokenDuration. " +
      "A token not created yet has no expiry to check.",
    // Stryker restore StringLiteral
    enforcementLevel: "advisory",
    configSchema: {
      properties: { days: { type: "integer", minimum: 1, default: DEFAULT_EXPIRY_WARNING_DAYS } },
    },
    validateStack: (args, reportViolation) => {
      const days =
        args.getConfig<{ days?: number }>().days ?? options.days ?? DEFAULT_EXPIRY_WARNING_DAYS;
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
      for (const { token, at, text } of expiring) {
        const left = Math.floor((at - now()) / DAY_MS);
        if (at - now() < days * DAY_MS) {
          reportViolation(
            `Service token ${token.name} ${left < 0 ? `expired ${-left} day(s) ago` : `expires in ${left} day(s)`} (${text}), within the ${days}-day warning window. ` +
              "Rotate: pulumi config set serviceTokenSecretVersion <current+1> && pulumi config set serviceTokenPreviousSecretExpiresAt <a few hours ahead, RFC 3339 UTC> && pulumi up (Vault and Heroku follow in the same update).",
            token.urn,
          );
        }
      }
    },
  };
}
