import { Secret, type ResourceValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../infra/features/catalog";
import { isSecretVar, type Feature } from "../../infra/features/manifest";
import { HEROKU_CONFIG_VARS, SERVICE_TOKEN, VAULT_SECRET } from "../lib/resources";

/** Outputs that must be stored encrypted, per resource type. */
const SECRET_OUTPUTS: Record<string, readonly string[]> = {
  [HEROKU_CONFIG_VARS]: ["vars"],
  [VAULT_SECRET]: ["data", "dataJson"],
  [SERVICE_TOKEN]: ["clientSecret"],
};

// Internal names of @pulumi/policy's proxies (pinned version): how a remediation reaches the raw
// values, where a secret is still a `Secret` instance.
const IS_PROXY = "__isSpecialProxy";
/** A value not known until apply: the wire format carries no secret flag for it during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROXY_TARGET = "__getSpecialProxyTarget";

function raw(value: unknown): unknown {
  let v = value as Record<string, unknown> | undefined;
  while (v && typeof v === "object" && v[IS_PROXY] === true)
    v = v[PROXY_TARGET] as Record<string, unknown>;
  return v;
}

/**
 * Inputs that must be secret but are not, wrapped as secrets. Returns undefined when every such
 * input already is one. `props` is the remediation's secret-aware view.
 */
export function wrapPlainSecrets(
  type: string,
  props: Record<string, unknown>,
  features: readonly Feature[] = catalog(),
): Record<string, unknown> | undefined {
  const rawProps = raw(props) as Record<string, unknown>;
  if (type === HEROKU_CONFIG_VARS) {
    const vars = raw(rawProps["vars"]);
    if (vars instanceof Secret || typeof vars !== "object" || vars === null) return undefined;
    const entries = Object.entries(vars as Record<string, unknown>);
    const plain = entries.filter(
      ([k, v]) => isSecretVar(k, features) && !(v instanceof Secret) && v !== UNKNOWN,
    );
    if (plain.length === 0) return undefined;
    const next = Object.fromEntries(
      entries.map(([k, v]) => [k, plain.some(([p]) => p === k) ? new Secret(v) : v]),
    );
    return { ...rawProps, vars: next };
  }
  if (type === VAULT_SECRET) {
    const dataJson = rawProps["dataJson"];
    if (dataJson === undefined || dataJson === UNKNOWN || dataJson instanceof Secret)
      return undefined;
    return { ...rawProps, dataJson: new Secret(dataJson) };
  }
  return undefined;
}

/**
 * `features`: the catalog whose declared `secret: true` vars count as credentials, besides the
 * names that look like one (*_KEY, *_SECRET, *_TOKEN, *_PASSWORD).
 */
export function secretsStaySecret(features?: readonly Feature[]): ResourceValidationPolicy {
  return {
    name: "secrets-stay-secret",
    // Stryker disable StringLiteral: the description is prose for people (see stryker-equivalents.md)
    description:
      "Every value of a Heroku var a feature file declares secret or named *_KEY, *_SECRET, *_TOKEN or *_PASSWORD, every Vault secret's data and the service token's client secret is a Pulumi secret in inputs and in state. " +
      "Validations see secrets as plain text with no flag, so the policy decides in two places: the remediation (secret-aware view of the inputs) wraps any such input that is not a secret, " +
      "and the validation requires the resource's additionalSecretOutputs to cover the outputs that carry them (vars; data and dataJson; clientSecret). " +
      "The offline check (npm run check) reports any wrapping as a violation: fix the program rather than rely on the remediation.",
    // Stryker restore StringLiteral
    enforcementLevel: "remediate",
    remediateResource: (args) => wrapPlainSecrets(args.type, args.props, features ?? catalog()),
    validateResource: (args, reportViolation) => {
      const required = SECRET_OUTPUTS[args.type];
      if (!required) return;
      if (args.type === HEROKU_CONFIG_VARS) {
        const keys = (args.props["keys"] as string[] | undefined) ?? [];
        if (!keys.some((k) => isSecretVar(k, features ?? catalog()))) return;
      }
      const declared = new Set(args.opts.additionalSecretOutputs);
      const missing = required.filter((o) => !declared.has(o));
      if (missing.length > 0) {
        reportViolation(
          `${args.name} would store ${missing.join(", ")} in plain text in state: add ${JSON.stringify(missing)} to its additionalSecretOutputs.`,
        );
      }
    },
  };
}
