import type { StackValidationPolicy } from "@pulumi/policy";
import { credentialUrl } from "../../infra/credential-url";
import { ACCESS_APPLICATION, HEROKU_CONFIG_VARS, herokuVars } from "../lib/resources";
import { API_URL_VAR, gatedPrefixes } from "./gated-api-requires-service-token";

export interface ApiUrlOnGatedHostOptions {
  /** Hosts allowed besides the ones an Access application of the stack gates. */
  readonly allowedHosts?: readonly string[];
}

/**
 * The app sends the FreeScout API key and the service-token secret to FREESCOUT_API_URL. When the
 * stack gates a host with Access, that URL must point at a gated host (or one allowed in the
 * policy's config, mirroring the stack's freescoutAllowedHosts): the same rule the stack config
 * and the smoke check apply (infra/credential-url.ts).
 */
export function apiUrlOnGatedHost(options: ApiUrlOnGatedHostOptions = {}): StackValidationPolicy {
  return {
    name: "api-url-on-gated-host",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      `${API_URL_VAR} must point at a host an Access application of this stack gates (or one in the policy config's allowedHosts): ` +
      "the FreeScout API key and the service-token secret are sent there.",
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    configSchema: {
      properties: { allowedHosts: { type: "array", items: { type: "string" } } },
    },
    validateStack: (args, reportViolation) => {
      const configured = (args.getConfig<{ allowedHosts?: string[] }>().allowedHosts ?? []).concat(
        options.allowedHosts ?? [],
      );
      const apps = args.resources.filter((r) => r.type === ACCESS_APPLICATION);
      if (apps.length === 0) {
        args.notApplicable("no Cloudflare Access application in this stack");
        return;
      }
      const gated = apps.flatMap((a) => gatedPrefixes(a).map((p) => p.host));
      // No Access application whose hosts are known yet: nothing to hold the URL to.
      if (gated.length === 0) return;
      const wildcard = gated.filter((h) => h.startsWith("*."));
      const allowed = [...new Set([...gated.filter((h) => !h.startsWith("*.")), ...configured])];
      for (const r of args.resources.filter((x) => x.type === HEROKU_CONFIG_VARS)) {
        const view = herokuVars(r);
        // A URL not known yet or absent has no value (Known without `value`), checked as "": it is
        // refused below like a URL that is not even https, which is urls-are-https's to report.
        const url = (view.value(API_URL_VAR) as { readonly value?: string }).value;
        // Stryker disable next-line StringLiteral: equivalent, any text that is not an https URL is refused alike
        const raw = url ?? "";
        const parsed = credentialUrl(raw);
        if (!parsed.ok) continue;
        if (wildcard.some((w) => parsed.url.hostname.endsWith(w.slice(1)))) continue;
        const checked = credentialUrl(raw, allowed);
        if (!checked.ok) reportViolation(`${API_URL_VAR} on ${r.name} ${checked.problem}.`, r.urn);
      }
    },
  };
}
