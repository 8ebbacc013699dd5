/**
 * The two Cloudflare API calls recovery needs: list an account's Access service tokens (to find
 * a token an interrupted create left behind, by name) and delete one. API v4:
 *
 *   GET    /accounts/{account_id}/access/service_tokens?name=…&page=…&per_page=…
 *   DELETE /accounts/{account_id}/access/service_tokens/{id}
 *
 * Credentials from the environment at call time: CLOUDFLARE_API_TOKEN (the deploy's), and
 * CLOUDFLARE_API_URL to point elsewhere (https, or http on loopback only: the e2e suite's fake).
 * The list answer holds no client secret; nothing from it but ids, names and times is kept.
 */

export interface ServiceToken {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string | undefined;
}

export interface CloudflareTokens {
  list(accountId: string, name: string): Promise<ServiceToken[]>;
  remove(accountId: string, id: string): Promise<void>;
}

export const DEFAULT_CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";
const PER_PAGE = 100;
const MAX_PAGES = 50;

export function cloudflareFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 15_000,
): CloudflareTokens {
  const token = env["CLOUDFLARE_API_TOKEN"];
  if (!token) {
    throw new Error(
      "CLOUDFLARE_API_TOKEN is not set: the orphan check lists the account's Access service tokens (Access: Service Tokens Read; Edit to delete one)",
    );
  }
  const base = (env["CLOUDFLARE_API_URL"] || DEFAULT_CLOUDFLARE_API).replace(/\/+$/, "");
  const url = new URL(base);
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new Error(
      "CLOUDFLARE_API_URL must use https:// (plain http only on loopback, for local fakes)",
    );
  }
  const call = async (method: "GET" | "DELETE", path: string): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Error(`Cloudflare API ${method} ${path} failed: ${(err as Error).name}`);
    }
    const body = (await response.json().catch(() => undefined)) as
      { success?: unknown; errors?: { message?: unknown }[] } | undefined;
    if (!response.ok || body?.success !== true) {
      const why = body?.errors
        ?.map((e) => (typeof e.message === "string" ? e.message : ""))
        .filter(Boolean)
        .join("; ");
      throw new Error(
        `Cloudflare API ${method} ${path} failed: HTTP ${response.status}${why ? `: ${why}` : ""}`
          .split(token)
          .join("[redacted]"),
      );
    }
    return body;
  };
  return {
    async list(accountId, name) {
      const out: ServiceToken[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const query = new URLSearchParams({ name, page: String(page), per_page: String(PER_PAGE) });
        const body = (await call(
          "GET",
          `/accounts/${encodeURIComponent(accountId)}/access/service_tokens?${query.toString()}`,
        )) as { result?: unknown; result_info?: { total_pages?: unknown } };
        const result = Array.isArray(body.result) ? body.result : [];
        for (const t of result as Record<string, unknown>[]) {
          if (typeof t["id"] !== "string" || typeof t["name"] !== "string") continue;
          out.push({
            id: t["id"],
            name: t["name"],
            createdAt: typeof t["created_at"] === "string" ? t["created_at"] : undefined,
          });
        }
        const pages = Number(body.result_info?.total_pages ?? 1);
        if (!(page < pages) || result.length === 0) break;
      }
      // The API's `name` filter is a convenience; only an exact match counts.
      return out.filter((t) => t.name === name);
    },
    async remove(accountId, id) {
      await call(
        "DELETE",
        `/accounts/${encodeURIComponent(accountId)}/access/service_tokens/${encodeURIComponent(id)}`,
      );
    },
  };
}
