/**
 * The part of Cloudflare's API v4 that `npm run recover` calls, on 127.0.0.1, over the e2e
 * Cloudflare stand-in's store (E2E_STANDIN_DIR/cloudflare.json), so that the tool and the
 * stand-in plugin see one "Cloudflare":
 *
 *   GET    /accounts/{account}/access/service_tokens?name=&page=&per_page=  (no secrets answered)
 *   DELETE /accounts/{account}/access/service_tokens/{id}
 *
 * Answers use the API's envelope ({ success, errors, messages, result, result_info }); a request
 * without `Authorization: Bearer <token>` gets 403 with Cloudflare's error shape.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

const TOKEN_TYPE = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";

interface Store {
  objects: Record<
    string,
    { type: string; inputs: Record<string, unknown>; computed: Record<string, unknown> }
  >;
  secrets: Record<string, unknown>;
}

export class FakeCloudflareApi {
  readonly calls: { method: string; path: string }[] = [];
  private server: Server | undefined;

  constructor(
    private readonly standinDir: string,
    readonly token: string,
  ) {}

  private load(): Store {
    const file = join(this.standinDir, "cloudflare.json");
    if (!existsSync(file)) return { objects: {}, secrets: {} };
    return JSON.parse(readFileSync(file, "utf8")) as Store;
  }

  private save(store: Store): void {
    const file = join(this.standinDir, "cloudflare.json");
    writeFileSync(`${file}.api.tmp`, JSON.stringify(store, null, 2));
    renameSync(`${file}.api.tmp`, file);
  }

  /** When each token was created, from the stand-in's log. */
  private createdAt(id: string): string | undefined {
    const file = join(this.standinDir, "cloudflare.log.jsonl");
    if (!existsSync(file)) return undefined;
    const entry = readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { op: string; id?: string; at?: number })
      .find((e) => e.op === "create" && e.id === id);
    return entry?.at === undefined ? undefined : new Date(entry.at).toISOString();
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      this.calls.push({ method: req.method ?? "", path: url.pathname });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.headers["authorization"] !== `Bearer ${this.token}`) {
        return send(403, {
          success: false,
          errors: [{ code: 10000, message: "Authentication error" }],
          messages: [],
          result: null,
        });
      }
      const list = /^\/accounts\/([0-9a-f]{32})\/access\/service_tokens$/.exec(url.pathname);
      const one = /^\/accounts\/([0-9a-f]{32})\/access\/service_tokens\/([^/]+)$/.exec(
        url.pathname,
      );
      const store = this.load();
      const tokens = Object.entries(store.objects).filter(([, o]) => o.type === TOKEN_TYPE);
      if (list && req.method === "GET") {
        const name = url.searchParams.get("name");
        const result = tokens
          .filter(
            ([, o]) => o.inputs["accountId"] === list[1] || o.inputs["accountId"] === undefined,
          )
          .filter(([, o]) => name === null || o.inputs["name"] === name)
          .map(([id, o]) => ({
            id,
            name: o.inputs["name"],
            client_id: o.computed["clientId"],
            created_at: this.createdAt(id) ?? null,
            updated_at: null,
            expires_at: o.computed["expiresAt"] ?? null,
            duration: o.inputs["duration"] ?? "8760h",
          }));
        return send(200, {
          success: true,
          errors: [],
          messages: [],
          result,
          result_info: {
            page: 1,
            per_page: result.length,
            count: result.length,
            total_count: result.length,
            total_pages: 1,
          },
        });
      }
      if (one && req.method === "DELETE") {
        const id = decodeURIComponent(one[2]!);
        if (!tokens.some(([t]) => t === id)) {
          return send(404, {
            success: false,
            errors: [{ code: 12130, message: "access.api.error.service_token_not_found" }],
            messages: [],
            result: null,
          });
        }
        delete store.objects[id];
        this.save(store);
        appendFileSync(
          join(this.standinDir, "cloudflare.log.jsonl"),
          JSON.stringify({ op: "delete", type: TOKEN_TYPE, id, at: Date.now(), by: "api" }) + "\n",
        );
        return send(200, { success: true, errors: [], messages: [], result: { id } });
      }
      return send(404, {
        success: false,
        errors: [{ code: 7003, message: "No route for that URI" }],
        messages: [],
        result: null,
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
