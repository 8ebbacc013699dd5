/**
 * ops/vault loaded into the e2e suite's real Vault, and GitHub-shaped OIDC tokens minted here:
 * the policies (ops/vault/policy-*.hcl), JWT auth configured as ops/vault/jwt-auth-config.json
 * says but with a local RSA key in place of GitHub's discovery URL (nothing leaves 127.0.0.1),
 * and the roles (ops/vault/jwt-role-<environment>.json, named console-wiring-<environment>).
 */
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./harness";
import type { VaultServer } from "./vault-server";

export const ENVIRONMENTS = ["production", "preview", "drift"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The claims GitHub's OIDC token carries for one of the workflows' jobs. */
export interface Claims {
  readonly [claim: string]: string | number;
}

const readJson = (file: string) =>
  JSON.parse(readFileSync(join(REPO, "ops", "vault", file), "utf8")) as Record<string, unknown>;

export function issuer(): string {
  return String(readJson("jwt-auth-config.json")["bound_issuer"]);
}

/** The claims of a real run of `workflow` on `ref` in `environment` (GitHub's documented shape). */
export function githubClaims(environment: string, workflow: string, ref: string): Claims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer(),
    aud: "console-wiring-vault",
    sub: `repo:raxx-app/console-wiring:environment:${environment}`,
    repository: "raxx-app/console-wiring",
    repository_owner: "raxx-app",
    environment,
    ref,
    job_workflow_ref: `raxx-app/console-wiring/.github/workflows/${workflow}@${ref}`,
    iat: now,
    nbf: now - 5,
    exp: now + 600,
  };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** An RS256 JWT over `claims`, signed with `key`. */
export function mintJwt(claims: Claims, key: KeyObject): string {
  const head = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: "e2e" }));
  const body = b64url(JSON.stringify(claims));
  const signature = sign("sha256", Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${b64url(signature)}`;
}

export function rsaKey(): { privateKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { privateKey, publicPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

async function must(vault: VaultServer, method: string, path: string, body: unknown) {
  const answer = await vault.api(method, path, body);
  if (answer.status >= 300)
    throw new Error(
      `loading ops/vault: ${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`,
    );
}

/** Loads ops/vault's policies, JWT auth (keyed to `publicPem`) and roles into `vault`. */
export async function loadOpsVault(vault: VaultServer, publicPem: string): Promise<void> {
  for (const name of ["console-wiring-production", "console-wiring-read"]) {
    const policy = readFileSync(join(REPO, "ops", "vault", `policy-${name}.hcl`), "utf8");
    await must(vault, "PUT", `sys/policies/acl/${name}`, { policy });
  }
  await must(vault, "POST", "sys/auth/jwt", { type: "jwt" });
  const { oidc_discovery_url: _discovery, ...config } = readJson("jwt-auth-config.json");
  await must(vault, "POST", "auth/jwt/config", { ...config, jwt_validation_pubkeys: [publicPem] });
  for (const env of ENVIRONMENTS)
    await must(
      vault,
      "POST",
      `auth/jwt/role/console-wiring-${env}`,
      readJson(`jwt-role-${env}.json`),
    );
}

/** Vault's JWT login: the token, or Vault's status and errors. */
export async function login(
  vault: VaultServer,
  role: string,
  jwt: string,
): Promise<{ token?: string; status: number; errors: string[] }> {
  const answer = await vault.api("POST", "auth/jwt/login", { role, jwt }, "");
  const auth = answer.body["auth"] as { client_token?: string } | undefined;
  return {
    ...(auth?.client_token ? { token: auth.client_token } : {}),
    status: answer.status,
    errors: (answer.body["errors"] ?? []) as string[],
  };
}

/** What `token` may do on each path (Vault's sys/capabilities-self). */
export async function capabilities(
  vault: VaultServer,
  token: string,
  paths: readonly string[],
): Promise<Record<string, string[]>> {
  const answer = await vault.api("POST", "sys/capabilities-self", { paths }, token);
  if (answer.status !== 200) throw new Error(`capabilities-self: ${JSON.stringify(answer.body)}`);
  return Object.fromEntries(
    paths.map((p) => [p, [...((answer.body[p] ?? []) as string[])].sort()]),
  );
}
