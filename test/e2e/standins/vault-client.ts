/**
 * How terraform-provider-vault v5.8.0 talks to Vault, for the stand-in plugin: through the real
 * server's HTTP API (VAULT_ADDR, VAULT_TOKEN, as the provider reads them), with its client's
 * rules, each read from the provider at tag v5.8.0 and the client it pins (go.mod:
 * github.com/hashicorp/vault/api v1.22.0):
 * - configure (internal/provider/meta.go): `auth/token/lookup-self`, then, unless
 *   TERRAFORM_VAULT_SKIP_CHILD_TOKEN is true, `createChildToken`: POST `auth/token/create` with
 *   display name `terraform`, TTL and explicit max TTL 1200 s, not renewable; every later call
 *   uses the child token. So the policy a deploy runs under must allow `update` on
 *   `auth/token/create`, or the provider fails "failed to create limited child token".
 * - reads (api/logical.go ParseRawResponseAndCloseBody): a 404 whose body holds `data` or
 *   warnings is a secret (a soft-deleted or destroyed version: `data.data` null, its metadata
 *   set); a 404 without is "no secret" (nil, no error); any other status ≥ 400 is an error.
 * - errors (api/response.go ResponseError.Error): "Error making API request.\n\nURL: <method>
 *   <url>\nCode: <status>. Errors:\n\n" then "* <error>" per error.
 */

export interface VaultSecret {
  readonly data: Record<string, unknown>;
  readonly warnings?: readonly string[];
}

function env(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: the stand-in vault provider talks to the e2e suite's Vault server`,
    );
  return v;
}

/** The child token made from each parent token (one per plugin process in practice). */
const childTokens = new Map<string, Promise<string>>();

async function call(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; url: string; json: Record<string, unknown> | undefined }> {
  const url = `${env("VAULT_ADDR")}/v1/${path}`;
  const res = await fetch(url, {
    method,
    headers: { "X-Vault-Token": token, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    json = undefined;
  }
  return { status: res.status, url, json };
}

function responseError(method: string, url: string, status: number, json: unknown): Error {
  const errors = ((json as { errors?: unknown })?.errors ?? []) as string[];
  return new Error(
    `Error making API request.\n\nURL: ${method} ${url}\nCode: ${status}. Errors:\n\n` +
      errors.map((e) => `* ${e}`).join(""),
  );
}

/** The token every call uses: the child token the provider derives, made once per process. */
function token(): Promise<string> {
  const parent = env("VAULT_TOKEN");
  const made = childTokens.get(parent);
  if (made) return made;
  const child = (async () => {
    const self = await call("GET", "auth/token/lookup-self", parent);
    if (self.status >= 400)
      throw new Error(
        `failed to lookup token, err=${responseError("GET", self.url, self.status, self.json).message}`,
      );
    if (process.env["TERRAFORM_VAULT_SKIP_CHILD_TOKEN"] === "true") return parent;
    const created = await call("POST", "auth/token/create", parent, {
      display_name: "terraform",
      ttl: "1200s",
      explicit_max_ttl: "1200s",
      renewable: false,
    });
    if (created.status >= 400)
      throw new Error(
        `failed to create limited child token: ${responseError("POST", created.url, created.status, created.json).message}`,
      );
    const auth = (created.json?.["auth"] ?? {}) as { client_token?: string };
    if (!auth.client_token) throw new Error("failed to create limited child token: no token");
    return auth.client_token;
  })();
  childTokens.set(parent, child);
  return child;
}

/** Logical().Read / ReadWithData: undefined for "no secret", else the secret; throws on errors. */
export async function read(path: string): Promise<VaultSecret | undefined> {
  const r = await call("GET", path, await token());
  if (r.status === 404) {
    const data = r.json?.["data"];
    const warnings = (r.json?.["warnings"] ?? []) as string[];
    const hasData = data !== null && typeof data === "object" && Object.keys(data).length > 0;
    return hasData || warnings.length > 0
      ? { data: (data ?? {}) as Record<string, unknown>, warnings }
      : undefined;
  }
  if (r.status >= 400) throw responseError("GET", r.url, r.status, r.json);
  return { data: (r.json?.["data"] ?? {}) as Record<string, unknown> };
}

/** Logical().Write. */
export async function write(path: string, body: Record<string, unknown>): Promise<void> {
  const r = await call("PUT", path, await token(), body);
  if (r.status >= 400) throw responseError("PUT", r.url, r.status, r.json);
}

/** Logical().Delete. */
export async function remove(path: string): Promise<void> {
  const r = await call("DELETE", path, await token());
  if (r.status >= 400) throw responseError("DELETE", r.url, r.status, r.json);
}
