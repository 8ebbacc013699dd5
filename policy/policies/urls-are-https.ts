import type { ResourceValidationPolicy } from "@pulumi/policy";
import { httpsUrlProblem } from "../../infra/config";
import { catalog } from "../../infra/features/catalog";
import { allRequiredVars, type Feature } from "../../infra/features/manifest";
import { HEROKU_CONFIG_VARS, herokuVars } from "../lib/resources";

export function urlsAreHttps(features: readonly Feature[] = catalog()): ResourceValidationPolicy {
  const urlVars = allRequiredVars(features)
    .filter((v) => v.source.kind === "config" && v.source.format === "https-url")
    .map((v) => v.name);
  return {
    name: "urls-are-https",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description: `${urlVars.join(" and ")} on a Heroku app must be https:// URLs without credentials: the API key and service-token headers travel with every call.`,
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      if (args.type !== HEROKU_CONFIG_VARS) return;
      const view = herokuVars(args);
      for (const name of urlVars) {
        const value = view.value(name);
        if (!value.known || value.value === undefined) continue;
        const problem = httpsUrlProblem(value.value);
        if (problem) reportViolation(`${name} on ${args.name} ${problem}.`);
      }
    },
  };
}
