/**
 * A local stand-in for tickets.raxx.app on 127.0.0.1: Cloudflare Access in front of FreeScout's
 * API module. The gate checks CF-Access-Client-Id/Secret on /api/* and refuses with a 401
 * carrying Access's challenge `www-authenticate: Cloudflare-Access` (serviceAuth401Redirect on),
 * with a redirect into `/cdn-cgi/access/login/…` (off), or is absent; an admitted request gets a
 * `CF_Authorization` cookie. Every response carries `cf-ray`, as behind Cloudflare it would. FreeScout
 * checks X-FreeScout-API-Key (bad key: 401 {"message":"Not Authorized"}), lists conversations
 * and mailboxes (HAL), and creates conversations (201 + Resource-ID).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TicketsOptions {
  gate: "401" | "redirect" | "off";
  /**
   * With `gate: "redirect"`, Access's login redirect also carries its challenge header
   * `www-authenticate: Cloudflare-Access`: a 302 that a status-blind check takes for a refusal.
   */
  redirectChallenge?: boolean;
  /** Body of Access's 401 (its challenge header is sent either way). @default "html" */
  accessBody?: "html" | "json";
  /** How the origin refuses a request without a key. @default "json" (FreeScout's own) */
  originRefusal?: "json" | "html";
  /** A redirect from the origin itself (not Access), e.g. a proxy sending http to https. */
  originRedirect?: string;
  clientId: string;
  clientSecret: string;
  apiKey: string;
  mailboxes: number[];
}

export interface TicketsCall {
  method: string;
  path: string;
  hadAccessHeaders: boolean;
  hadApiKey: boolean;
  body: unknown;
}

const PAGE_SIZE = 2;

export class FakeTickets {
  readonly calls: TicketsCall[] = [];
  readonly conversations: { id: number; subject: string; mailboxId: number }[] = [];
  private server: Server | undefined;

  constructor(readonly options: TicketsOptions) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://tickets.local");
    const id = req.headers["cf-access-client-id"];
    const secret = req.headers["cf-access-client-secret"];
    const key = req.headers["x-freescout-api-key"];
    this.calls.push({
      method: req.method ?? "",
      path: url.pathname,
      hadAccessHeaders: id !== undefined || secret !== undefined,
      hadApiKey: key !== undefined,
      body: raw ? (JSON.parse(raw) as unknown) : undefined,
    });

    res.setHeader("cf-ray", "0000000000000000-LHR");
    if (url.pathname.startsWith("/api/") && this.options.gate !== "off") {
      const admitted = id === this.options.clientId && secret === this.options.clientSecret;
      if (!admitted) {
        if (this.options.gate === "redirect") {
          res.writeHead(302, {
            Location: "https://raxx.cloudflareaccess.com/cdn-cgi/access/login/tickets.raxx.app",
            ...(this.options.redirectChallenge ? { "www-authenticate": "Cloudflare-Access" } : {}),
          });
          res.end();
        } else if (this.options.accessBody === "json") {
          this.json(
            res,
            401,
            { message: "Unauthorized" },
            { "www-authenticate": "Cloudflare-Access" },
          );
        } else {
          res.writeHead(401, {
            "Content-Type": "text/html",
            "www-authenticate": "Cloudflare-Access",
          });
          res.end("<html><body>Unauthorized: Cloudflare Access</body></html>");
        }
        return;
      }
      res.setHeader("Set-Cookie", "CF_Authorization=e2e.jwt.value; Path=/; Secure; HttpOnly");
    }
    if (this.options.originRedirect) {
      res.writeHead(301, { Location: this.options.originRedirect });
      res.end();
      return;
    }
    if (!url.pathname.startsWith("/api/")) return this.json(res, 404, { message: "Not found" });
    if (key !== this.options.apiKey) {
      if (this.options.originRefusal === "html") {
        res.writeHead(401, { "Content-Type": "text/html" });
        res.end("<html><body>401 Unauthorized</body></html>");
        return;
      }
      return this.json(res, 401, { message: "Not Authorized" });
    }

    if (req.method === "GET" && url.pathname === "/api/conversations") {
      return this.json(res, 200, {
        _embedded: { conversations: [] },
        page: { size: 1, totalElements: 0, totalPages: 0, number: 1 },
      });
    }
    if (req.method === "GET" && url.pathname === "/api/mailboxes") {
      const page = Number(url.searchParams.get("page") ?? "1");
      const all = this.options.mailboxes;
      const slice = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
      return this.json(res, 200, {
        _embedded: {
          mailboxes: slice.map((m) => ({
            id: m,
            name: `Mailbox ${m}`,
            email: `m${m}@example.invalid`,
          })),
        },
        page: {
          size: PAGE_SIZE,
          totalElements: all.length,
          totalPages: Math.ceil(all.length / PAGE_SIZE),
          number: page,
        },
      });
    }
    if (req.method === "POST" && url.pathname === "/api/conversations") {
      const body = (raw ? JSON.parse(raw) : {}) as {
        type?: string;
        mailboxId?: number;
        subject?: string;
        customer?: { email?: string };
        threads?: unknown[];
      };
      if (!body.type || !body.subject || !body.customer?.email || !body.threads?.length) {
        return this.json(res, 400, { message: "The given data was invalid." });
      }
      if (!this.options.mailboxes.includes(Number(body.mailboxId))) {
        return this.json(res, 400, { message: "Mailbox not found." });
      }
      const created = {
        id: 26 + this.conversations.length,
        subject: body.subject,
        mailboxId: Number(body.mailboxId),
      };
      this.conversations.push(created);
      return this.json(res, 201, {}, { "Resource-ID": String(created.id) });
    }
    return this.json(res, 404, { message: "Not found" });
  }
}
