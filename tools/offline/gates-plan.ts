/**
 * The plan's gate section: each Access gate the stack builds (a component of type AccessGate, or
 * TicketsAccess for prod's tickets), with the host and path its application guards, its policy,
 * its service token(s) and the Vault secret the token is written to, read from the graph.
 */
import type { Captured } from "./run-program";

const GATE_COMPONENTS = new Set([
  "console-wiring:cloudflare:AccessGate",
  "console-wiring:cloudflare:TicketsAccess",
]);
const APPLICATION = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
const POLICY = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";
const TOKEN = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";
const VAULT_SECRET = "vault:kv/secretV2:SecretV2";

const text = (v: unknown, unknown = "(unknown until apply)") =>
  typeof v === "string" && v !== "" ? v : unknown;

/** One line per gate, or one saying there is none. */
export function gateLines(resources: readonly Captured[]): string[] {
  const gates = resources.filter((r) => !r.custom && GATE_COMPONENTS.has(r.type));
  if (gates.length === 0) return ["Gates: none (no selected feature passes an Access gate)"];
  const lines = [`Gates (${gates.length})`];
  for (const g of gates) {
    const children = resources.filter((r) => r.parent === g.urn && r.custom);
    const names = (type: string) =>
      children
        .filter((r) => r.type === type)
        .map((r) => r.name)
        .join(", ") || "none";
    const app = children.find((r) => r.type === APPLICATION);
    const tokens = new Set(children.filter((r) => r.type === TOKEN).map((r) => r.urn));
    const secrets = resources
      .filter(
        (r) =>
          r.type === VAULT_SECRET &&
          Object.values(r.propertyDependencies).some((urns) => urns.some((u) => tokens.has(u))),
      )
      .map((r) => `${text(r.inputs["mount"], "?")}/${text(r.inputs["name"], "?")}`);
    lines.push(
      `  ${g.name}: Access application ${names(APPLICATION)} on ${text(app?.inputs["domain"])}, ` +
        `policy ${names(POLICY)}, service token ${names(TOKEN)}, written to Vault ${secrets.join(", ") || "(no secret in this stack)"}`,
    );
  }
  return lines;
}
