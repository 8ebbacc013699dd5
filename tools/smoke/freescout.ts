/**
 * The FreeScout probe (a feature's `"probe": "freescout-api"`): the API key is accepted, the
 * mailbox exists, and on request a marked test conversation is filed. Through the Access gate,
 * with the credentials of the feature's access-gate probe.
 */
import { accessHeaders, type Credentials } from "./access-gate";
import type { HttpOptions, LinkResult } from "./link-result";
import { accessSignal, apiUrl, CHALLENGE, fromFreeScout, probe, request } from "./http";

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
