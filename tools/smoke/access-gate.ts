/**
 * The Access-gate probe (a feature's `"probe": "access-gate"`): without the service-token headers
 * Access itself refuses with 401; with the app's headers it lets the request through.
 */
import type { HttpOptions, LinkResult } from "./link-result";
import { accessSignal, apiUrl, CHALLENGE, fromFreeScout, probe, request } from "./http";

/**
 * Which gate a probe passes: the path it requests under the URL var's base, the vars its token
 * comes from, and where the Access application should be. Default: FreeScout behind tickets.
 */
export interface GateTarget {
  readonly path: string;
  readonly urlVar: string;
  readonly clientIdVar: string;
  readonly clientSecretVar: string;
  /** The Access application's destination, for a person to check (like `tickets host + /api`). */
  readonly destination: string;
  /** The gate's id, for the rotation command. */
  readonly gate: string;
}

export const TICKETS_TARGET: GateTarget = {
  path: "/api/conversations?pageSize=1",
  urlVar: "FREESCOUT_API_URL",
  clientIdVar: "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
  clientSecretVar: "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
  destination: "tickets host + /api",
  gate: "tickets",
};

/** Link 2: without service-token headers Access itself refuses with 401 (not a login redirect). */
export async function gateRefusesWithoutToken(
  base: URL,
  opts: HttpOptions,
  target: GateTarget = TICKETS_TARGET,
): Promise<LinkResult> {
  const link = "gate refuses without token";
  const url = apiUrl(base, target.path);
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
        detail: `${what} -> ${r.status} redirect to ${signal.location}, not Access's login page: something in front of FreeScout redirects (http to https, a trailing slash, a proxy). Set ${target.urlVar} to the final URL.`,
      };
    }
    return {
      link,
      status: "fail",
      detail: `${what} answered ${r.status} without any service token and without Access's challenge (${CHALLENGE})${fromFreeScout(r.json) ? "; the body is FreeScout's own" : ""}: the API path is not behind Cloudflare Access. Check the Access application's destination (${target.destination}).`,
    };
  });
}

export interface Credentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly apiKey: string;
}

export const accessHeaders = (c: Credentials) => ({
  "CF-Access-Client-Id": c.clientId,
  "CF-Access-Client-Secret": c.clientSecret,
});

/** Link 3: with the app's service-token headers, Access lets the request through to FreeScout. */
export async function gateAdmitsWithToken(
  base: URL,
  creds: Credentials,
  opts: HttpOptions,
  target: GateTarget = TICKETS_TARGET,
): Promise<LinkResult> {
  const link = "gate admits with token";
  const url = apiUrl(base, target.path);
  const vars = `${target.clientIdVar.replace(/_CLIENT_ID$/, "")}_CLIENT_ID/SECRET`;
  return probe(link, `GET ${url.origin}${url.pathname}`, async () => {
    const r = await request(url, accessHeaders(creds), opts);
    const signal = accessSignal(r.status, r.headers);
    switch (signal.kind) {
      case "challenge":
        return {
          link,
          status: "fail",
          detail: `with the service-token headers Access refused (${r.status}, ${CHALLENGE}): the token is expired, revoked, or not in the application's non_identity policy. Rotate it (gates.${target.gate}.serviceTokenSecretVersion) or check the policy.`,
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
          detail: `with the service-token headers the answer is a ${r.status} redirect to ${signal.location}, not the API.`,
        };
      case "admitted":
        return {
          link,
          status: "pass",
          detail: `with ${vars} -> ${r.status}; Access admitted the token (CF_Authorization cookie)`,
        };
      case "none":
        if (r.status >= 200 && r.status < 300) {
          return {
            link,
            status: "pass",
            detail: `with ${vars} -> ${r.status} from the API (no Access challenge; the previous link showed Access gates the path)`,
          };
        }
        if ((r.status === 401 || r.status === 403) && fromFreeScout(r.json)) {
          return {
            link,
            status: "pass",
            detail: `with ${vars} -> ${r.status} from FreeScout (no Access challenge: Access let it through)`,
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
