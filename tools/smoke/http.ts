/**
 * HTTP for the smoke probes: one request with redirects kept (a followed login redirect is the
 * incident's silent 200), how Cloudflare Access answered, and a link runner that turns network
 * failures into a failed link naming what was being done.
 */
import type { HttpOptions, LinkResult } from "./link-result";

export async function request(
  url: URL,
  headers: Record<string, string>,
  opts: HttpOptions,
  init: { method?: string; body?: string } = {},
): Promise<{ status: number; location: string | null; json: unknown; headers: Headers }> {
  const response = await fetch(url, {
    method: init.method ?? "GET",
    headers: {
      Accept: "application/json",
      ...headers,
      ...(init.body ? { "Content-Type": "application/json" } : {}),
    },
    body: init.body,
    // A followed login redirect is a 200 HTML page: the silent failure of the incident.
    redirect: "manual",
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    location: response.headers.get("location"),
    json,
    headers: response.headers,
  };
}

/** FreeScout's own refusal is JSON with a message; Access answers with its own page. */
export function fromFreeScout(json: unknown): boolean {
  return (
    typeof json === "object" &&
    json !== null &&
    typeof (json as { message?: unknown }).message === "string"
  );
}

/**
 * A request URL under the app's API URL, built from its checked origin: a path that starts with
 * `//` or `/\` would otherwise resolve to another host, and the credentials would go there.
 */
export function apiUrl(base: URL, path: string): URL {
  const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, "")}${path}`);
  if (url.origin !== base.origin) {
    throw new Error(`request URL left ${base.origin}: refused`);
  }
  return url;
}

/**
 * What Cloudflare Access itself says about a response, read status first. Access refuses with a 4xx
 * carrying `www-authenticate: Cloudflare-Access`, admits with a `CF_Authorization` cookie, and sends
 * browsers to `/cdn-cgi/access/login/…`. `cf-ray` is on every proxied response and proves nothing.
 */
export type AccessSignal =
  | { readonly kind: "challenge" }
  | { readonly kind: "admitted" }
  | { readonly kind: "login-redirect"; readonly location: string }
  | { readonly kind: "other-redirect"; readonly location: string }
  | { readonly kind: "none" };

export function accessSignal(status: number, headers: Headers): AccessSignal {
  // The status decides first. A 3xx is a redirect whatever headers it carries: Access's login
  // redirect may also carry its challenge header, and an HTTP client that follows it lands on a
  // 200 HTML page (the incident's trap), so it is never a refusal. Only a 4xx can be one.
  if (status >= 300 && status < 400) {
    const raw = headers.get("location");
    let where = "no Location";
    let login = false;
    if (raw) {
      try {
        const to = new URL(raw, "https://location.invalid");
        where = `${to.origin === "https://location.invalid" ? "" : to.origin}${to.pathname}`;
        login = to.pathname.startsWith("/cdn-cgi/access/");
      } catch {
        where = "an unreadable Location";
      }
    }
    return login
      ? { kind: "login-redirect", location: where }
      : { kind: "other-redirect", location: where };
  }
  if (
    status >= 400 &&
    status < 500 &&
    /cloudflare-access/i.test(headers.get("www-authenticate") ?? "")
  )
    return { kind: "challenge" };
  const cookies = headers.getSetCookie?.() ?? [];
  if (cookies.some((c) => /^\s*CF_Authorization=/i.test(c))) return { kind: "admitted" };
  return { kind: "none" };
}

export const CHALLENGE = "www-authenticate: Cloudflare-Access";

/** Runs a link's requests; a network failure fails the link with what was being done. */
export async function probe(
  link: string,
  what: string,
  run: () => Promise<LinkResult>,
): Promise<LinkResult> {
  try {
    return await run();
  } catch (err) {
    return { link, status: "fail", detail: `${what}: ${networkError(err)}` };
  }
}

export function networkError(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === "TimeoutError") return "no answer in time";
  return `connection failed (${e.cause?.code ?? e.name ?? "error"})`;
}
