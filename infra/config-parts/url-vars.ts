/**
 * The host rule for the URL values features take from stack config (https-url config keys), and
 * the check that a gate's Vault secret is not one a feature reads. A URL var that a gate lists
 * (the gate's urlVars) must point at that gate's host or its allowedHosts: the app sends the
 * gate's service token there. Any other URL var is checked as a credential URL (https, no
 * credentials, no query) and never against a gate's host: it belongs to its own feature.
 */
import { credentialUrl } from "../credential-url";
import { gateOfVar, vaultPaths, type Feature } from "../features/manifest";
import type { GateConfig } from "./gates";
import { PROJECT } from "./patterns";

/** The selected features that take a var from config key `key`, and the var's name. */
function usersOf(key: string, features: readonly Feature[]) {
  return features.flatMap((f) =>
    f.requires
      .filter((v) => v.source.kind === "config" && v.source.key === key)
      .map((v) => ({ feature: f, name: v.name })),
  );
}

/** Checks one https-url config value; returns its normalized form or one problem. */
export function checkUrlValue(
  key: string,
  value: string,
  features: readonly Feature[],
  gates: Readonly<Record<string, GateConfig>>,
): { readonly normalized: string; readonly problem?: undefined } | { readonly problem: string } {
  const users = usersOf(key, features);
  const varName = users[0]?.name ?? key;
  const owners = [...new Set(users.map((u) => u.feature.id))].join(", ");
  const what = `${PROJECT}:${key} (${varName} on the app, feature ${owners || "?"})`;
  const gate = gateOfVar(varName, features);
  const gateConfig = gate && gate.urlVars.includes(varName) ? gates[gate.id] : undefined;
  const checked = credentialUrl(value);
  if (!checked.ok) {
    const host = gateConfig?.host || "api.example.com";
    return {
      problem: `${what} ${checked.problem}. Example: pulumi config set ${key} https://${host}`,
    };
  }
  if (gate && gate.urlVars.includes(varName)) {
    // The gate's own host problem is reported on its key; the host rule waits for a good one.
    if (gateConfig === undefined || gateConfig.allowedHosts.length === 0) {
      return { normalized: checked.normalized };
    }
    const hosts = gateConfig.allowedHosts;
    if (!hosts.includes(checked.url.hostname)) {
      return {
        problem:
          `${what} must point at gate ${gate.id}'s host ${hosts.join(" or ")} (it points at ${checked.url.hostname}): the app sends gate ${gate.id}'s service token there. ` +
          `Fix: pulumi config set ${key} https://${gateConfig.host}, or, if ${checked.url.hostname} is behind the same gate: pulumi config set --path 'gates.${gate.id}.allowedHosts[${hosts.length - 1}]' ${checked.url.hostname}`,
      };
    }
  }
  return { normalized: checked.normalized };
}

/** A gate's Vault secret (written by the stack) must not be a secret a feature reads. */
export function gateVaultPathProblems(
  gates: Readonly<Record<string, GateConfig>>,
  features: readonly Feature[],
  problems: string[],
): void {
  const owner = new Map<string, string>();
  for (const gate of Object.values(gates)) {
    if (gate.vaultPath === "") continue;
    const reader = features.find((f) => vaultPaths([f]).includes(gate.vaultPath));
    if (reader) {
      // The example is a path no selected feature reads and no other gate writes, never the value refused.
      const taken = new Set([
        ...vaultPaths(features),
        ...Object.values(gates).map((g) => g.vaultPath),
      ]);
      const example =
        [`${gate.id}-access`, `${gate.id}-service-token`, `console-wiring-${gate.id}`].find(
          (p) => !taken.has(p),
        ) ?? "<a path no feature reads>";
      problems.push(
        `${PROJECT}:gates.${gate.id}.vaultPath is ${gate.vaultPath}, a secret feature ${reader.id} reads (infra/features/data/${reader.id}.json): the stack writes this one and only reads those. Use a path of the gate's own: pulumi config set --path 'gates.${gate.id}.vaultPath' ${example}`,
      );
    }
    const other = owner.get(gate.vaultPath);
    if (other !== undefined) {
      problems.push(
        `${PROJECT}:gates.${gate.id}.vaultPath is ${gate.vaultPath}, the Vault secret of gate ${other} too: each gate's token needs a secret of its own. Fix: pulumi config set --path 'gates.${gate.id}.vaultPath' ${gate.id}-access`,
      );
    }
    owner.set(gate.vaultPath, gate.id);
  }
}
