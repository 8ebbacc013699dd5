/**
 * The compliant nodes of one more gated feature, for policy tests with two gates on one app: the
 * feature's gate gets its own token → policy → application (named as the program names them,
 * `<gate>-service-token`, ...), its own Vault secret, and the feature its own prerequisites,
 * alerts and flags, which wait for its own gate only.
 */
import { join } from "node:path";
import { defaultFeaturesDir, loadFeatureCatalog } from "../../infra/features/catalog";
import type { Feature } from "../../infra/features/manifest";
import { issueAlertArgs } from "../../infra/sentry/detection-alerts";
import { secret, T, UNKNOWN, type Node } from "./graph-fixture";

/** The project's features and the fixtures (test/fixtures/features, with its gates/). */
export function withFixtures(): Feature[] {
  return loadFeatureCatalog([defaultFeaturesDir(), join(__dirname, "..", "fixtures", "features")]);
}

/** A fixture feature by id. */
export function fixture(id: string): Feature {
  const f = withFixtures().find((x) => x.id === id);
  if (!f) throw new Error(`test/fixtures/features/${id}.json is missing`);
  return f;
}

const herokuInputs = (app: string, vars: Record<string, unknown>) => ({
  app,
  vars,
  keys: Object.keys(vars).sort(),
  providerVersion: "1",
});

/** Nodes of `feature` behind its gate on `host`, on Heroku app `app`. */
export function gatedFeatureNodes(
  feature: Feature,
  host: string,
  app = "raxx-console-prod",
): Node[] {
  const gate = feature.gate;
  if (!gate) throw new Error(`fixture: ${feature.id} has no gate`);
  const g = gate.id;
  const vars: Record<string, unknown> = {};
  for (const v of feature.requires) {
    if (v.source.kind === "manifest") continue;
    if (gate.urlVars.includes(v.name)) vars[v.name] = `https://${host}`;
    else if (v.name === gate.clientIdVar) vars[v.name] = secret("id.access");
    else if (v.source.kind === "config" && v.source.format === "https-url")
      vars[v.name] = `https://other.raxx.app`;
    else vars[v.name] = v.secret ? secret("s") : "v";
  }
  const alerts = (feature.detection ?? []).map((rule) => ({
    name: `${feature.id}-alert-${rule.id}`,
    type: T.alert,
    inputs: issueAlertArgs(rule, {
      organization: "raxx",
      project: "console",
      opsTeamId: "42",
      rules: [],
      namePrefix: app,
    }) as unknown as Record<string, unknown>,
  }));
  return [
    {
      name: `${g}-service-token`,
      type: T.token,
      inputs: { accountId: "0123456789abcdef0123456789abcdef", name: g, expiresAt: UNKNOWN },
      additionalSecretOutputs: ["clientSecret"],
    },
    {
      name: `${g}-policy`,
      type: T.policy,
      inputs: { decision: "non_identity", includes: [{ serviceToken: { tokenId: UNKNOWN } }] },
      propertyDeps: { includes: [`${g}-service-token`] },
    },
    {
      name: `${g}-application`,
      type: T.app,
      inputs: {
        type: "self_hosted",
        domain: `${host}${gate.apiPath}`,
        destinations: [{ type: "public", uri: `${host}${gate.apiPath}` }],
        policies: [{ id: UNKNOWN, precedence: 1 }],
        serviceAuth401Redirect: true,
      },
      propertyDeps: { policies: [`${g}-policy`] },
    },
    {
      name: `vault-${g}`,
      type: T.vault,
      inputs: { mount: "MooseQuest", name: `cloudflare-${g}`, dataJson: secret('{"a":"b"}') },
      propertyDeps: { dataJson: [`${g}-service-token`] },
      dependsOn: [`${g}-policy`, `${g}-application`],
      additionalSecretOutputs: ["data", "dataJson"],
    },
    {
      name: `${feature.id}-prerequisites`,
      type: T.heroku,
      inputs: herokuInputs(app, vars),
      propertyDeps: { vars: [`vault-${g}`] },
      dependsOn: [`vault-${g}`, `${g}-policy`, `${g}-application`],
      additionalSecretOutputs: ["vars"],
    },
    ...alerts,
    {
      name: `${feature.id}-flags`,
      type: T.heroku,
      inputs: herokuInputs(app, Object.fromEntries(feature.flags.map((f) => [f, "1"]))),
      dependsOn: [
        `${feature.id}-prerequisites`,
        ...alerts.map((a) => a.name),
        `${g}-application`,
        `${g}-policy`,
      ],
      additionalSecretOutputs: ["vars"],
    },
  ];
}
