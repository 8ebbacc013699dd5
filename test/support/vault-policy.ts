/**
 * What a stack's Vault token must be allowed, derived from the stack itself (its selected
 * features' Vault paths and its gates' vaultPaths under vaultMount), and a reader for the
 * policies in ops/vault/*.hcl, so a test can hold the two side by side.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../infra/config";
import { vaultPaths } from "../../infra/features/manifest";
import { loadStackFiles, projectConfig } from "../../tools/stack-files";

export const ROOT = join(__dirname, "..", "..");

export type Policy = Record<string, readonly string[]>;

/**
 * The paths and capabilities a stack's deploy (`write`) or preview/drift token needs: the Vault
 * provider's child token; read on each selected feature's secret; on each gate's secret, read
 * (and for a deploy create, update and delete) plus read on its metadata.
 */
export function neededPolicy(stack: string, write: boolean): Policy {
  const config = parseConfig(projectConfig(loadStackFiles(stack, ROOT)), undefined, stack);
  const mount = config.vaultMount;
  const policy: Record<string, string[]> = { "auth/token/create": ["update"] };
  for (const path of vaultPaths(config.features)) policy[`${mount}/data/${path}`] = ["read"];
  for (const gate of Object.values(config.gates)) {
    policy[`${mount}/data/${gate.vaultPath}`] = write
      ? ["create", "delete", "read", "update"]
      : ["read"];
    policy[`${mount}/metadata/${gate.vaultPath}`] = ["read"];
  }
  return policy;
}

/** The `path "…" { capabilities = [...] }` blocks of an HCL policy file (comments skipped). */
export function readPolicy(file: string): Policy {
  const text = readFileSync(join(ROOT, file), "utf8").replace(/^\s*#.*$/gm, "");
  const policy: Record<string, string[]> = {};
  const block = /path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g;
  for (const m of text.matchAll(block)) {
    const caps = [...(m[2] ?? "").matchAll(/"([^"]+)"/g)].map((c) => c[1] as string).sort();
    policy[m[1] as string] = caps;
  }
  const rest = text.replace(block, "").trim();
  if (rest !== "") throw new Error(`${file}: cannot read "${rest.slice(0, 80)}"`);
  return policy;
}
