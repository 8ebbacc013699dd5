/**
 * The smoke check's links, each a small function: what the console app itself will do, checked
 * through the Cloudflare Access gate in front of FreeScout. Read-only unless a ticket is asked for.
 *
 *   config vars present → gate refuses without token → gate admits with token →
 *   FreeScout accepts key → mailbox exists → (ticket created) ; token not expiring
 *
 * Only the app's URLs and key names are ever printed; no credential leaves this module.
 */
import { credentialUrl } from "../../infra/credential-url";
import { catalog } from "../../infra/features/catalog";
import { type Feature } from "../../infra/features/manifest";

export type Status = "pass" | "fail" | "skip";

export interface LinkResult {
  readonly link: string;
  readonly status: Status;
  readonly detail: string;
}

export interface HttpOptions {
  readonly timeoutMs: number;
}

const FLAG_OFF = new Set(["", "0", "false", "off", "no"]);
const isOn = (v: string | undefined) => v !== undefined && !FLAG_OFF.has(v.trim().toLowerCase());

/**
 * The app's FREESCOUT_API_URL, checked with the stack's rule before any credential is sent:
 * https to ticketsHost or a host on freescoutAllowedHosts (infra/credential-url.ts). Loopback is
 * also allowed, over http too, for local stand-ins. Errors never echo the value.
 */
export function checkUrl(raw: string, name: string, allowedHosts?: readonly string[]): URL {
  let loopback: URL | undefined;
  try {
    const url = new URL(raw);
    const local = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    if (local && (url.protocol === "http:" || url.protocol === "https:")) loopback = url;
  } catch {
    loopback = undefined;
  }
  const checked = credentialUrl(
    loopback ? raw.replace(/^http:/i, "https:") : raw,
    loopback ? undefined : allowedHosts,
  );
  if (!checked.ok) {
    const why = checked.problem.startsWith("must use https")
      ? "must be https:// (the API key and service-token headers travel with every call)"
      : `${checked.problem}: refused (value not shown)`;
    throw new Error(`${name} on the app ${why}`);
  }
  return loopback ?? checked.url;
}

/**
 * Link 0: the flags on the app are the ones the stack turns on. A flag the stack wants on but the
 * app has off (or on by hand while the stack has it off) means the last deploy did not land, or
 * someone changed the app: every later link would check the wrong thing.
 */
export function flagsMatchStack(
  vars: Readonly<Record<string, string>>,
  desired: Readonly<Record<string, boolean>>,
  features: readonly Feature[] = catalog(),
): LinkResult {
  const link = "flags as the stack wants";
  const all = features.flatMap((f) => f.flags);
  const wantedOn = all.filter((f) => desired[f] === true);
  const offAtApp = wantedOn.filter((f) => !isOn(vars[f]));
  const onByHand = all.filter((f) => desired[f] !== true && isOn(vars[f]));
  const problems: string[] = [];
  if (offAtApp.length > 0)
    problems.push(`on in the stack but off or absent on the app: ${offAtApp.join(", ")}`);
  if (onByHand.length > 0)
    problems.push(`on at the app but not in the stack: ${onByHand.join(", ")}`);
  if (problems.length > 0) {
    return {
      link,
      status: "fail",
      detail: `${problems.join("; ")}. Re-run deploy.yml so the app matches the stack (its pulumi up --refresh reads the app first; a plain pulumi up compares with state and may send nothing), or change the stack's flags.`,
    };
  }
  return {
    link,
    status: "pass",
    detail:
      wantedOn.length > 0
        ? `on at the app as in the stack: ${wantedOn.join(", ")}`
        : "no flag on, in the stack or at the app",
  };
}

/** Link 1: every var the app's enabled features need is set, non-empty. */
export function configVarsPresent(
  vars: Readonly<Record<string, string>>,
  features: readonly Feature[] = catalog(),
): LinkResult {
  const link = "config vars present";
  const on = features.filter((f) => f.flags.some((flag) => isOn(vars[flag])));
  if (on.length === 0) {
    return {
      link,
      status: "skip",
      detail: "no feature flag is on at the app: nothing the console would call",
    };
  }
  const needed = on.flatMap((f) => f.requires);
  const missing = needed.filter((v) => (vars[v.name] ?? "").trim() === "").map((v) => v.name);
  const flags = on.flatMap((f) => f.flags.filter((flag) => isOn(vars[flag])));
  const scope = `flags on: ${flags.join(", ")}`;
  if (missing.length > 0) {
    return {
      link,
      status: "fail",
      detail: `${scope}; missing or empty on the app: ${[...new Set(missing)].join(", ")}. Re-run deploy.yml (its pulumi up --refresh reads the app and puts them back; a plain pulumi up compares with state and sends nothing), and check who removed them (drift job).`,
    };
  }
  return {
    link,
    status: "pass",
    detail: `${scope}; ${new Set(needed.map((v) => v.name)).size} required vars set`,
  };
}

async function request(
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
function fromFreeScout(json: unknown): boolean {
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

const CHALLENGE = "www-authenticate: Cloudflare-Access";

/** Runs a link's requests; a network failure fails the link with what was being done. */
async function probe(
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

function networkError(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === "TimeoutError") return "no answer in time";
  return `connection failed (${e.cause?.code ?? e.name ?? "error"})`;
}

/** Link 2: without service-token headers Access itself refuses with 401 (not a login redirect). */
export async function gateRefusesWithoutToken(base: URL, opts: HttpOptions): Promise<LinkResult> {
  const link = "gate refuses without token";
  const url = apiUrl(base, "/api/conversations?pageSize=1");
  const what = `GET ${url.origin}${url.pathname}`;
  return probe(link, what, async () => {
    const r = await request(url, {}, opts);
    const signal = accessSignal(r.status, r.headers);
    if (signal.kind === "challenge") {
      return {
        link,
        status: "pass",
        detail: `${what} without headers -> ${r.status} from Access (${CHALLENGE})`,
      };
    }
    if (signal.kind === "login-redirect") {
      return {
        link,
        status: "fail",
        detail: `${what} -> ${r.status} redirect to Access's login page (Location ${signal.location}): a client that follows it sees a 200 HTML page. Set serviceAuth401Redirect on the Access application (re-running deploy.yml restores it: its pulumi up --refresh reads the application first).`,
      };
    }
    if (signal.kind === "other-redirect") {
      return {
        link,
        status: "fail",
        detail: `${what} -> ${r.status} redirect to ${signal.location}, not Access's login page: something in front of FreeScout redirects (http to https, a trailing slash, a proxy). Set FREESCOUT_API_URL to the final URL.`,
      };
    }
    return {
      link,
      status: "fail",
      detail: `${what} answered ${r.status} without any service token and without Access's challenge (${CHALLENGE})${fromFreeScout(r.json) ? "; the body is FreeScout's own" : ""}: the API path is not behind Cloudflare Access. Check the Access application's destination (tickets host + /api).`,
    };
  });
}

export interface Credentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly apiKey: string;
}

const accessHeaders = (c: Credentials) => ({
  "CF-Access-Client-Id": c.clientId,
  "CF-Access-Client-Secret": c.clientSecret,
});

/** Link 3: with the app's service-token headers, Access lets the request through to FreeScout. */
export async function gateAdmitsWithToken(
  base: URL,
  creds: Credentials,
  opts: HttpOptions,
): Promise<LinkResult> {
  const link = "gate admits with token";
  const url = apiUrl(base, "/api/conversations?pageSize=1");
  return probe(link, `GET ${url.origin}${url.pathname}`, async () => {
    const r = await request(url, accessHeaders(creds), opts);
    const signal = accessSignal(r.status, r.headers);
    switch (signal.kind) {
      case "challenge":
        return {
          link,
          status: "fail",
          detail: `with the service-token headers Access refused (${r.status}, ${CHALLENGE}): the token is expired, revoked, or not in the application's non_identity policy. Rotate it (serviceTokenSecretVersion) or check the policy.`,
        };
      case "login-redirect":
        return {
          link,
          status: "fail",
          detail: `with the service-token headers Access still redirects (${r.status}) to its login page (Location ${signal.location}): the token is not admitted.`,
        };
      case "other-redirect":
        return {
          link,
          status: "fail",
          detail: `with the service-token headers the answer is a ${r.status} redirect to ${signal.location}, not FreeScout's API.`,
        };
      case "admitted":
        return {
          link,
          status: "pass",
          detail: `with CF_ACCESS_SVC_TICKETS_CLIENT_ID/SECRET -> ${r.status}; Access admitted the token (CF_Authorization cookie)`,
        };
      case "none":
        if (r.status >= 200 && r.status < 300) {
          return {
            link,
            status: "pass",
            detail: `with CF_ACCESS_SVC_TICKETS_CLIENT_ID/SECRET -> ${r.status} from the API (no Access challenge; the previous link showed Access gates the path)`,
          };
        }
        if ((r.status === 401 || r.status === 403) && fromFreeScout(r.json)) {
          return {
            link,
            status: "pass",
            detail: `with CF_ACCESS_SVC_TICKETS_CLIENT_ID/SECRET -> ${r.status} from FreeScout (no Access challenge: Access let it through)`,
          };
        }
        return {
          link,
          status: "fail",
          detail: `with the service-token headers -> ${r.status}, with neither Access's challenge nor its admission cookie: cannot tell who refused.`,
        };
    }
  });
}

/** Link 4: FreeScout accepts FREESCOUT_API_KEY (sent as X-FreeScout-API-Key). */
export async function freescoutAcceptsKey(
  base: URL,
  creds: Credentials,
  opts: HttpOptions,
): Promise<LinkResult> {
  const link = "FreeScout accepts key";
  const url = apiUrl(base, "/api/conversations?pageSize=1");
  return probe(link, `GET ${url.origin}${url.pathname}`, async () => {
    const r = await request(
      url,
      { ...accessHeaders(creds), "X-FreeScout-API-Key": creds.apiKey },
      opts,
    );
    if (r.status >= 200 && r.status < 300)
      return {
        link,
        status: "pass",
        detail: `GET ${url.pathname} with X-FreeScout-API-Key -> ${r.status}`,
      };
    if (accessSignal(r.status, r.headers).kind === "challenge") {
      return {
        link,
        status: "fail",
        detail: `Access refused the request (${r.status}, ${CHALLENGE}) before FreeScout saw the key: the service token stopped being admitted.`,
      };
    }
    if (r.status === 401 || r.status === 403) {
      return {
        link,
        status: "fail",
        detail: `FreeScout refused FREESCOUT_API_KEY (${r.status}): the key in Vault (<mount>/freescout) is wrong or was revoked in FreeScout's API module; fix it there and run pulumi up.`,
      };
    }
    return {
      link,
      status: "fail",
      detail: `GET ${url.pathname} with X-FreeScout-API-Key -> ${r.status}`,
    };
  });
}

/** Pages of /api/mailboxes the smoke check reads at most (FreeScout says how many there are). */
export const MAILBOX_PAGE_LIMIT = 500;

/** Link 5: the operations mailbox exists (GET /api/mailboxes, every HAL page FreeScout reports). */
export async function mailboxExists(
  base: URL,
  creds: Credentials,
  mailboxId: string,
  opts: HttpOptions,
  pageLimit: number = MAILBOX_PAGE_LIMIT,
): Promise<LinkResult> {
  const link = "mailbox exists";
  const headers = { ...accessHeaders(creds), "X-FreeScout-API-Key": creds.apiKey };
  // The id is marked secret in the manifest: it is never printed.
  return probe(link, `GET /api/mailboxes`, async () => {
    let totalPages = 1;
    for (let page = 1; page <= totalPages; page++) {
      if (page > pageLimit) {
        return {
          link,
          status: "fail",
          detail: `FreeScout reports ${totalPages} pages of mailboxes; the check stopped after ${pageLimit} without finding FREESCOUT_OPERATIONS_MAILBOX_ID, so it cannot say whether the mailbox exists.`,
        };
      }
      const url = apiUrl(base, `/api/mailboxes?page=${page}`);
      const r = await request(url, headers, opts);
      if (r.status !== 200)
        return { link, status: "fail", detail: `GET /api/mailboxes?page=${page} -> ${r.status}` };
      const body = r.json as
        | { _embedded?: { mailboxes?: { id?: unknown }[] }; page?: { totalPages?: unknown } }
        | undefined;
      const ids = (body?._embedded?.mailboxes ?? []).map((m) => String(m.id));
      if (ids.includes(mailboxId))
        return {
          link,
          status: "pass",
          detail: `FREESCOUT_OPERATIONS_MAILBOX_ID found on page ${page} of /api/mailboxes (value not shown)`,
        };
      const reported = body?.page?.totalPages;
      if (typeof reported === "number" && Number.isInteger(reported)) totalPages = reported;
    }
    return {
      link,
      status: "fail",
      detail: `FREESCOUT_OPERATIONS_MAILBOX_ID is not among the mailboxes the API key can see (${totalPages} page(s) read): conversations cannot be created. Fix the id in Vault (<mount>/freescout) and run pulumi up.`,
    };
  });
}

/** Optional link 6: file a clearly marked, closed test conversation like the incident's manual E2E. */
export async function ticketCreated(
  base: URL,
  creds: Credentials,
  mailboxId: string,
  opts: HttpOptions,
  now: Date = new Date(),
): Promise<LinkResult> {
  const link = "ticket created";
  const url = apiUrl(base, "/api/conversations");
  const body = {
    type: "email",
    mailboxId: Number(mailboxId),
    subject: `[console-wiring smoke test] ${now.toISOString()} - safe to ignore`,
    status: "closed",
    customer: { email: "console-wiring-smoke@example.invalid" },
    threads: [
      {
        type: "customer",
        text: "Automated smoke test of the Console Investigate path (console-wiring). No action needed.",
        customer: { email: "console-wiring-smoke@example.invalid" },
      },
    ],
  };
  return probe(link, `POST /api/conversations`, async () => {
    const r = await request(
      url,
      { ...accessHeaders(creds), "X-FreeScout-API-Key": creds.apiKey },
      opts,
      {
        method: "POST",
        body: JSON.stringify(body),
      },
    );
    if (r.status === 201) {
      return {
        link,
        status: "pass",
        detail: `POST /api/conversations -> 201, conversation ${r.headers.get("resource-id") ?? "(no Resource-ID)"}`,
      };
    }
    return {
      link,
      status: "fail",
      detail: `POST /api/conversations -> ${r.status}${fromFreeScout(r.json) ? ` (${(r.json as { message: string }).message})` : ""}`,
    };
  });
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the stack config says of the service token, for the renewal the expiry link asks for. */
export interface TokenGenerations {
  /** serviceTokenGeneration: the generation whose token the app uses. */
  readonly generation: number;
  /** A previous generation still admitted (a renewal not finished yet). */
  readonly previousGeneration?: number;
  /** serviceTokenDuration (`forever`: a token created with it never expires). */
  readonly duration?: string;
}

/**
 * How to renew the token the app uses. A rotation (serviceTokenSecretVersion) changes the secret
 * and never the expiry; only a new token renews one: the next generation, admitted next to the
 * old one while Vault and Heroku move to it, then the old one retired.
 */
export function renewalSteps(token?: TokenGenerations): string {
  const next = token ? String(token.generation + 1) : "<current+1>";
  const current = token ? String(token.generation) : "<current>";
  const forever =
    token?.duration === "forever"
      ? "serviceTokenDuration is already forever: the new token will never expire."
      : "For a token that never expires, also set serviceTokenDuration forever in the first step.";
  return (
    `Renew it with a new token: pulumi config set serviceTokenGeneration ${next} && pulumi up (Access admits the old and the new token while Vault and Heroku move to the new one); ` +
    `once this check passes, pulumi config set serviceTokenRetiredGeneration ${current} && pulumi up. ${forever} ` +
    "A rotation (serviceTokenSecretVersion) does not extend the expiry."
  );
}

/** The service token's expiry against the warning window. */
export function tokenNotExpiring(
  expiresAt: string | undefined,
  days: number,
  now: number = Date.now(),
  token?: TokenGenerations,
): LinkResult {
  const link = "service token not expiring";
  if (!expiresAt) {
    if (token?.duration === "forever") {
      return {
        link,
        status: "pass",
        detail:
          "no expiry reported: serviceTokenDuration is forever (a token created with it never expires)",
      };
    }
    return {
      link,
      status: "skip",
      detail:
        'expiry unknown: pass --token-expires-at "$(pulumi stack output serviceTokenExpiresAt)" (the CI jobs do)',
    };
  }
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at))
    return { link, status: "fail", detail: `--token-expires-at ${expiresAt} is not a date` };
  const left = Math.floor((at - now) / DAY_MS);
  if (at <= now)
    return {
      link,
      status: "fail",
      detail: `the service token expired ${-left} day(s) ago (${expiresAt}): every API call is refused. ${renewalSteps(token)}`,
    };
  if (at - now < days * DAY_MS) {
    return {
      link,
      status: "fail",
      detail: `the service token expires in ${left} day(s) (${expiresAt}), within the ${days}-day window. ${renewalSteps(token)}`,
    };
  }
  const previous = token?.previousGeneration;
  return {
    link,
    status: "pass",
    detail:
      `expires ${expiresAt.slice(0, 10)} (${left} days; warning at ${days})` +
      (previous === undefined
        ? ""
        : `; generation ${previous} is still admitted (a renewal in progress): once every link passes, retire it: pulumi config set serviceTokenRetiredGeneration ${previous} && pulumi up`),
  };
}
