import type { StackValidationPolicy } from "@pulumi/policy";
import { ACCESS_APPLICATION, ACCESS_POLICY, read } from "../lib/resources";

export function serviceAuthReturns401(): StackValidationPolicy {
  return {
    name: "service-auth-returns-401",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      "An Access application whose policies are all non_identity (service clients only) must set serviceAuth401Redirect: true. " +
      "Otherwise a blocked service request is redirected to the login page, which an HTTP client follows into a 200 HTML page: a failure that looks like success. " +
      "Policies are read from the graph (reusable policies the application references) and from inline policies with a decision.",
    // Stryker restore StringLiteral
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      if (!args.resources.some((r) => r.type === ACCESS_APPLICATION)) {
        args.notApplicable("no Access application in this stack");
        return;
      }
      for (const app of args.resources) {
        if (app.type !== ACCESS_APPLICATION) continue;
        const decisions: (string | undefined)[] = [];
        for (const policy of app.propertyDependencies["policies"] ?? []) {
          if (policy.type !== ACCESS_POLICY) continue;
          const d = read(() => policy.props["decision"] as string | undefined);
          decisions.push(d.known ? d.value : undefined);
        }
        const inline = read(() => app.props["policies"] as { decision?: string }[] | undefined);
        // Each entry's decision is read on its own: on a stack that exists this is the output,
        // where one entry's decision can be unknown while the list is known.
        if (inline.known)
          for (const p of inline.value ?? []) {
            const d = read(() => p.decision);
            if (!d.known) decisions.push(undefined);
            else if (d.value) decisions.push(d.value);
          }
        if (decisions.length === 0 || !decisions.every((d) => d === "non_identity")) continue;
        const redirect = read(() => app.props["serviceAuth401Redirect"] as boolean | undefined);
        if (redirect.known && redirect.value !== true) {
          reportViolation(
            `Access application ${app.name} admits only service tokens (non_identity) but serviceAuth401Redirect is ${String(redirect.value ?? "unset")}: ` +
              "set serviceAuth401Redirect: true so a refused service call gets a 401, not a login page.",
            app.urn,
          );
        }
      }
    },
  };
}
