import { afterEach, describe, expect, it } from "vitest";
import {
  accessSignal,
  apiUrl,
  checkUrl,
  gateRefusesWithoutToken,
  mailboxExists,
} from "../tools/smoke/links";
import { FakeTickets, type TicketsOptions } from "./support/fake-tickets";

// What the review found in the smoke check's links (issue 9, items 17-21), each pinned here.
const CREDS = { clientId: "id.access", clientSecret: "client-secret-x", apiKey: "api-key-x" };
const HTTP = { timeoutMs: 2_000 };
let tickets: FakeTickets | undefined;
afterEach(async () => {
  await tickets?.stop();
  tickets = undefined;
});

async function start(options: Partial<TicketsOptions> = {}): Promise<URL> {
  tickets = new FakeTickets({ gate: "401", mailboxes: [1], ...CREDS, ...options });
  return new URL(await tickets.start());
}

describe("request URLs stay on the checked origin", () => {
  it("a path starting with // cannot move the request to another host", () => {
    const url = apiUrl(
      checkUrl("https://tickets.raxx.app//evil.example/x", "FREESCOUT_API_URL"),
      "/api/conversations",
    );
    expect(url.host).toBe("tickets.raxx.app");
    expect(url.pathname).toBe("//evil.example/x/api/conversations");
  });

  it.each([
    ["a backslash path", "https://tickets.raxx.app/\\evil.example"],
    ["a backslash before @", "https://evil.example\\@tickets.raxx.app"],
    ["a space", "https://tickets.raxx.app /api"],
    ["a tab", "https://tickets.raxx.app\t"],
    ["a line break", "https://tickets.raxx.app\n"],
  ])("refuses %s before parsing, without echoing the value", (_name, raw) => {
    expect(() => checkUrl(raw, "FREESCOUT_API_URL")).toThrow(
      "FREESCOUT_API_URL on the app contains whitespace, a control character or a backslash: refused (value not shown)",
    );
  });

  it("refuses a host the stack does not allow, before any request", () => {
    expect(() =>
      checkUrl("https://evil.example/api", "FREESCOUT_API_URL", ["tickets.raxx.app"]),
    ).toThrow(
      "FREESCOUT_API_URL on the app must point at tickets.raxx.app (it points at evil.example): another host would receive the FreeScout API key and the service-token secret: refused (value not shown)",
    );
    expect(
      checkUrl("https://tickets.raxx.app/api", "FREESCOUT_API_URL", ["tickets.raxx.app"]).host,
    ).toBe("tickets.raxx.app");
  });

  it("accepts loopback only when told to (the smoke check's --allow-loopback)", () => {
    for (const raw of ["http://127.0.0.1:8080/api", "https://localhost/api", "http://[::1]:9"]) {
      expect(() => checkUrl(raw, "FREESCOUT_API_URL", ["tickets.raxx.app"])).toThrow(
        "FREESCOUT_API_URL on the app",
      );
      expect(checkUrl(raw, "FREESCOUT_API_URL", ["tickets.raxx.app"], true).href).toBe(
        new URL(raw).href,
      );
    }
    expect(() => checkUrl("http://127.0.0.2/api", "FREESCOUT_API_URL", undefined, true)).toThrow(
      "FREESCOUT_API_URL on the app must be https://",
    );
  });

  it("refuses credentials in the URL", () => {
    expect(() => checkUrl("https://user:pw@tickets.raxx.app", "FREESCOUT_API_URL")).toThrow(
      "FREESCOUT_API_URL on the app must not carry credentials in the URL: refused (value not shown)",
    );
  });
});

describe("Access is told apart from the origin by Access's own signals", () => {
  it("reads the challenge, the admission cookie, and where a redirect goes", () => {
    expect(accessSignal(401, new Headers({ "www-authenticate": "Cloudflare-Access" }))).toEqual({
      kind: "challenge",
    });
    const admitted = new Headers();
    admitted.append("set-cookie", "CF_Authorization=abc; Path=/");
    expect(accessSignal(200, admitted)).toEqual({ kind: "admitted" });
    expect(
      accessSignal(
        302,
        new Headers({ location: "https://raxx.cloudflareaccess.com/cdn-cgi/access/login/x?y=1" }),
      ),
    ).toEqual({
      kind: "login-redirect",
      location: "https://raxx.cloudflareaccess.com/cdn-cgi/access/login/x",
    });
    expect(accessSignal(301, new Headers({ location: "https://tickets.raxx.app/api/" }))).toEqual({
      kind: "other-redirect",
      location: "https://tickets.raxx.app/api/",
    });
    // cf-ray is on every proxied response: it proves nothing.
    expect(accessSignal(401, new Headers({ "cf-ray": "1-LHR" }))).toEqual({ kind: "none" });
  });

  it("decides by status first: a redirect carrying Access's challenge is still a redirect", () => {
    const challenge = { "www-authenticate": "Cloudflare-Access" };
    expect(
      accessSignal(
        302,
        new Headers({
          ...challenge,
          location: "https://raxx.cloudflareaccess.com/cdn-cgi/access/login/tickets.raxx.app",
        }),
      ),
    ).toEqual({
      kind: "login-redirect",
      location: "https://raxx.cloudflareaccess.com/cdn-cgi/access/login/tickets.raxx.app",
    });
    expect(
      accessSignal(307, new Headers({ ...challenge, location: "https://tickets.raxx.app/api/" })),
    ).toEqual({ kind: "other-redirect", location: "https://tickets.raxx.app/api/" });
    expect(accessSignal(300, new Headers(challenge))).toEqual({
      kind: "other-redirect",
      location: "no Location",
    });
    expect(accessSignal(399, new Headers(challenge))).toEqual({
      kind: "other-redirect",
      location: "no Location",
    });
  });

  it("takes the challenge header as a refusal only on a 4xx", () => {
    const challenge = new Headers({ "www-authenticate": "Cloudflare-Access" });
    expect(accessSignal(400, challenge)).toEqual({ kind: "challenge" });
    expect(accessSignal(403, challenge)).toEqual({ kind: "challenge" });
    expect(accessSignal(499, challenge)).toEqual({ kind: "challenge" });
    expect(accessSignal(200, challenge)).toEqual({ kind: "none" });
    expect(accessSignal(299, challenge)).toEqual({ kind: "none" });
    expect(accessSignal(500, challenge)).toEqual({ kind: "none" });
  });

  it("fails the link on Access's login redirect even when it carries the challenge header", async () => {
    const base = await start({ gate: "redirect", redirectChallenge: true });
    const result = await gateRefusesWithoutToken(base, HTTP);
    expect(result).toEqual({
      link: "gate refuses without token",
      status: "fail",
      detail: `GET ${base.origin}/api/conversations -> 302 redirect to Access's login page (Location https://raxx.cloudflareaccess.com/cdn-cgi/access/login/tickets.raxx.app): a client that follows it sees a 200 HTML page. Set serviceAuth401Redirect on the Access application (re-running deploy.yml restores it: its pulumi up --refresh reads the application first).`,
    });
  });

  it("an ungated origin refusing with an HTML 401 is not taken for Access", async () => {
    const base = await start({ gate: "off", originRefusal: "html" });
    const result = await gateRefusesWithoutToken(base, HTTP);
    expect(result.status).toBe("fail");
    expect(result.detail).toContain(
      "without Access's challenge (www-authenticate: Cloudflare-Access)",
    );
    expect(result.detail).toContain("the API path is not behind Cloudflare Access");
  });

  it("Access refusing with a JSON body is still Access", async () => {
    const base = await start({ accessBody: "json" });
    const result = await gateRefusesWithoutToken(base, HTTP);
    expect(result).toMatchObject({ status: "pass" });
    expect(result.detail).toContain("-> 401 from Access (www-authenticate: Cloudflare-Access)");
  });

  it("a redirect that is not Access's login page is named as what it is", async () => {
    const base = await start({ gate: "off", originRedirect: "https://tickets.raxx.app/api/" });
    const result = await gateRefusesWithoutToken(base, HTTP);
    expect(result.status).toBe("fail");
    expect(result.detail).toContain(
      "-> 301 redirect to https://tickets.raxx.app/api/, not Access's login page: something in front of FreeScout redirects",
    );
  });
});

describe("the mailbox search", () => {
  const many = Array.from({ length: 45 }, (_, i) => 1000 + i);

  it("follows every page FreeScout reports, past 20", async () => {
    const base = await start({ mailboxes: many });
    const result = await mailboxExists(base, CREDS, "1044", HTTP);
    expect(result).toEqual({
      link: "mailbox exists",
      status: "pass",
      detail:
        "FREESCOUT_OPERATIONS_MAILBOX_ID found on page 23 of /api/mailboxes (value not shown)",
    });
  });

  it("fails clearly when its page limit is hit, rather than calling the mailbox missing", async () => {
    const base = await start({ mailboxes: many });
    const result = await mailboxExists(base, CREDS, "1044", HTTP, 5);
    expect(result.status).toBe("fail");
    expect(result.detail).toBe(
      "FreeScout reports 23 pages of mailboxes; the check stopped after 5 without finding FREESCOUT_OPERATIONS_MAILBOX_ID, so it cannot say whether the mailbox exists.",
    );
  });

  it("never prints the mailbox id, which the manifest marks secret", async () => {
    const base = await start({ mailboxes: [918273] });
    for (const id of ["918273", "564738"]) {
      const result = await mailboxExists(base, CREDS, id, HTTP);
      expect(result.detail).not.toContain(id);
    }
  });
});
