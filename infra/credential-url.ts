/**
 * The rule for a URL the console app (and the smoke check) sends credentials to: the FreeScout
 * API key and the Access service-token secret travel with every call to FREESCOUT_API_URL. One
 * parse, one rule, used by the stack config, the policy pack and the smoke check.
 */

export type CredentialUrl =
  | { readonly ok: true; readonly url: URL; readonly normalized: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks `raw` and, when `allowedHosts` is given, that its host is one of them. Anything a URL
 * parser might read two ways is refused before parsing (whitespace, control characters,
 * backslashes). `normalized` is origin + path without a trailing slash.
 */
export function credentialUrl(raw: string, allowedHosts?: readonly string[]): CredentialUrl {
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f\\]/.test(raw)) {
    return { ok: false, problem: "contains whitespace, a control character or a backslash" };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: "is not a URL" };
  }
  if (url.protocol !== "https:") {
    return { ok: false, problem: `must use https:// (it uses ${url.protocol}//)` };
  }
  if (url.username || url.password)
    return { ok: false, problem: "must not carry credentials in the URL" };
  // `https:evil.example` parses as https://evil.example: only the plain form is accepted.
  if (!/^https:\/\/[^/@]+(\/|$)/i.test(raw)) {
    return { ok: false, problem: "must be written https://<host>/<path>" };
  }
  if (url.search || url.hash) return { ok: false, problem: "must not have a query or fragment" };
  if (allowedHosts !== undefined) {
    const hosts = allowedHosts.map((h) => h.toLowerCase());
    if (!hosts.includes(url.hostname)) {
      return {
        ok: false,
        problem: `must point at ${hosts.join(" or ")} (it points at ${url.hostname}): another host would receive the FreeScout API key and the service-token secret`,
      };
    }
  }
  return { ok: true, url, normalized: `${url.origin}${url.pathname.replace(/\/+$/, "")}` };
}
