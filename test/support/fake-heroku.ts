/**
 * A local fake of the Heroku Platform API's config-vars endpoints on 127.0.0.1, following the
 * official schema (test/fixtures/heroku-platform-api-schema.json, a copy of Heroku's): request
 * bodies are validated with the schema's PATCH link, responses with its target schema, errors
 * are `{ id, message }`, and every response carries RateLimit-Remaining. Faults can be queued
 * (HTTP errors, connection resets, slow responses) to test the client's retries. A request can be
 * held until the test releases it (to kill a client in the middle of a call), and every config an
 * app passes through is recorded in `history`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Ajv from "ajv-draft-04";

type Schema = Record<string, unknown>;

const schema = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "heroku-platform-api-schema.json"), "utf8"),
) as {
  definitions: Record<
    string,
    { links: { method: string; schema?: Schema; targetSchema?: Schema }[] }
  >;
};

const ajv = new Ajv({ strict: false, allErrors: true });
const configVarLinks = schema.definitions["config-var"]!.links;
const patchLink = configVarLinks.find((l) => l.method === "PATCH")!;
// Both schemas are self-contained (no $ref), so they compile on their own.
const validatePatchBody = ajv.compile(patchLink.schema!);
const validateConfigHash = ajv.compile(
  (schema.definitions["config-var"] as unknown as { definitions: { config_vars: Schema } })
    .definitions.config_vars,
);
const APP_NAME = new RegExp(
  (schema.definitions["app"] as unknown as { definitions: { name: { pattern: string } } })
    .definitions.name.pattern,
);

/**
 * A fault answered instead of the real handling. With `only`, it waits in the queue for a
 * request of that method (a PATCH fault is not spent on the client's read-back GET).
 */
export type Fault = FaultKind & { readonly only?: "GET" | "PATCH" };

type FaultKind =
  | {
      readonly kind: "status";
      readonly status: number;
      readonly id: string;
      readonly message: string;
      readonly retryAfter?: number;
      /** Retry-After sent verbatim (an HTTP-date, say) instead of `retryAfter` seconds. */
      readonly retryAfterHeader?: string;
    }
  /** A redirect, as a proxy or a login page in front of the API would answer. */
  | { readonly kind: "redirect"; readonly status: number; readonly location: string }
  /** Lets one request through untouched (to aim the next fault at a later request). */
  | { readonly kind: "pass" }
  | { readonly kind: "reset" }
  /** Applies the request, then drops the connection before answering. */
  | { readonly kind: "apply-then-reset" }
  /** Applies the request, then never answers (the client times out) and drops the connection. */
  | { readonly kind: "apply-then-hang"; readonly ms: number }
  /**
   * Calls `before` (a test changes the app: someone removes a var) just before it applies the
   * request, and answers as usual.
   */
  | { readonly kind: "before-apply"; readonly before: () => void }
  | { readonly kind: "slow"; readonly ms: number }
  /** Sends the status line and part of a body, then drops the connection. */
  | { readonly kind: "cut" }
  /** An answer that is not the Platform API's: a proxy's page, a truncated body. */
  | {
      readonly kind: "raw";
      readonly status: number;
      readonly statusText: string;
      readonly text: string;
    };

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  /** When the request arrived (ms since the epoch), to order it against other services. */
  readonly at: number;
}

export const CONFIG_LIMIT = 32 * 1024;

/** One config an app held, from the moment it was set (by a PATCH, or by the test). */
export interface AppState {
  readonly app: string;
  readonly at: number;
  readonly vars: Readonly<Record<string, string>>;
  /** What set it: a PATCH the fake applied, or the test itself. */
  readonly by: "patch" | "test";
}

/**
 * A request held on arrival. `arrived` resolves when a matching request comes in; `release`
 * lets it go on: "apply" handles it as usual (Heroku got it, whether or not the client is still
 * there to read the answer), "drop" closes the connection without applying it.
 */
export interface Hold {
  readonly arrived: Promise<RecordedCall>;
  release(how?: "apply" | "drop"): void;
}

/** The apps' configs, recording every one set into `history` (the fake's own and the test's). */
class RecordingApps extends Map<string, Record<string, string>> {
  constructor(
    private readonly history: AppState[],
    private readonly source: () => "patch" | "test",
  ) {
    super();
  }
  override set(app: string, vars: Record<string, string>): this {
    this.history.push({ app, at: Date.now(), vars: { ...vars }, by: this.source() });
    return super.set(app, vars);
  }
}

export class FakeHeroku {
  /** Every config each app passed through, in order (see `statesOf`). */
  readonly history: AppState[] = [];
  private patching = false;
  readonly apps: Map<string, Record<string, string>> = new RecordingApps(this.history, () =>
    this.patching ? "patch" : "test",
  );
  readonly calls: RecordedCall[] = [];
  /** Every injected status fault as it was answered: the call, the status, its headers and when. */
  readonly served: {
    readonly call: RecordedCall;
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly at: number;
  }[] = [];
  /** Apps the token can see but not change (403). */
  readonly readOnlyApps = new Set<string>();
  private readonly faults: Fault[] = [];
  private readonly holds: {
    readonly matches: (call: RecordedCall) => boolean;
    readonly arrive: (call: RecordedCall) => void;
    readonly released: Promise<"apply" | "drop">;
    readonly release: (how: "apply" | "drop") => void;
  }[] = [];
  private readonly activeHolds = new Set<(how: "apply" | "drop") => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  rateLimitRemaining = 4500;
  /** Answers the next PATCH with 200 and the config unchanged (an API that loses a write). */
  ignoreNextPatch = false;
  /**
   * Called as each request arrives, before it is applied: a test looks at the app and at the
   * other services at that very moment (what Access admits while the app's credentials change).
   */
  onRequest: ((call: RecordedCall) => void) | undefined;

  constructor(readonly token: string) {}

  /** Queue faults answered, in order, to the next requests instead of the real handling. */
  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /**
   * Holds the next request that `matches` (checked as it arrives, before faults) until released.
   * The client sees no answer meanwhile: a test kills it there, then releases the request.
   */
  hold(matches: (call: RecordedCall) => boolean): Hold {
    let arrive!: (call: RecordedCall) => void;
    let release!: (how: "apply" | "drop") => void;
    const arrived = new Promise<RecordedCall>((resolve) => (arrive = resolve));
    const released = new Promise<"apply" | "drop">((resolve) => (release = resolve));
    this.holds.push({ matches, arrive, released, release });
    return { arrived, release: (how = "apply") => release(how) };
  }

  /** The configs `app` passed through, oldest first. */
  statesOf(app: string): AppState[] {
    return this.history.filter((s) => s.app === app);
  }

  /** Drops faults still queued (after a scenario that queued more than it used). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** The app a name or UUID identifies, if any. */
  resolve(identity: string): string | undefined {
    if (this.apps.has(identity)) return identity;
    return [...this.apps.keys()].find((name) => appId(name) === identity);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.holds.length = 0;
    for (const release of this.activeHolds) release("drop");
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (status < 300 && !validateConfigHash(body)) {
      throw new Error(
        `fake answered a body the schema rejects: ${ajv.errorsText(validateConfigHash.errors)}`,
      );
    }
    res.writeHead(status, {
      "Content-Type": "application/json",
      "RateLimit-Remaining": String(this.rateLimitRemaining),
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  private error(
    res: ServerResponse,
    status: number,
    id: string,
    message: string,
    headers?: Record<string, string>,
  ) {
    this.send(res, status, { id, message }, headers);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = raw ? (JSON.parse(raw) as unknown) : undefined;
    } catch {
      body = raw;
    }
    const path = req.url ?? "";
    const call = { method: req.method ?? "", path, body, at: Date.now() };
    this.calls.push(call);
    this.onRequest?.(call);

    const hold = this.holds.find((h) => h.matches(call));
    if (hold) {
      this.holds.splice(this.holds.indexOf(hold), 1);
      this.activeHolds.add(hold.release);
      hold.arrive(call);
      const how = await hold.released;
      this.activeHolds.delete(hold.release);
      if (how === "drop") {
        req.socket.destroy();
        return;
      }
    }

    const next = this.faults[0];
    const fault =
      next !== undefined && (next.only === undefined || next.only === call.method)
        ? this.faults.shift()
        : undefined;
    if (fault?.kind === "before-apply") fault.before();
    if (fault?.kind === "apply-then-hang") {
      const swallow = { writeHead: () => swallow, end: () => swallow, destroyed: false };
      this.respond(req, swallow as unknown as ServerResponse, path, body);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        req.socket.destroy();
      }, fault.ms);
      this.timers.add(timer);
      return;
    }
    if (fault?.kind === "apply-then-reset") {
      const swallow = { writeHead: () => swallow, end: () => swallow, destroyed: false };
      this.respond(req, swallow as unknown as ServerResponse, path, body);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "redirect") {
      res.writeHead(fault.status, { Location: fault.location, "Content-Type": "text/html" });
      res.end("<html>Moved</html>");
      return;
    }
    if (fault?.kind === "cut") {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "1000" });
      res.write('{"A": "');
      setImmediate(() => req.socket.destroy());
      return;
    }
    if (fault?.kind === "raw") {
      res.writeHead(fault.status, fault.statusText, { "Content-Type": "text/plain" });
      res.end(fault.text);
      return;
    }
    if (fault?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "slow") {
      // Answers eventually (bounded), long after the client's timeout.
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!res.destroyed) this.error(res, 503, "unavailable", "late answer");
      }, fault.ms);
      this.timers.add(timer);
      return;
    }
    if (fault?.kind === "status") {
      if (fault.status === 429) this.rateLimitRemaining = 0;
      const headers: Record<string, string> =
        fault.retryAfterHeader !== undefined
          ? { "Retry-After": fault.retryAfterHeader }
          : fault.retryAfter
            ? { "Retry-After": String(fault.retryAfter) }
            : {};
      this.served.push({ call, status: fault.status, headers, at: Date.now() });
      this.error(res, fault.status, fault.id, fault.message, headers);
      this.rateLimitRemaining = 4500;
      return;
    }

    this.respond(req, res, path, body);
  }

  private respond(req: IncomingMessage, res: ServerResponse, path: string, body: unknown): void {
    if (req.headers["accept"] !== "application/vnd.heroku+json; version=3") {
      return this.error(res, 400, "bad_request", "Accept header must name version 3.");
    }
    if (req.headers["authorization"] !== `Bearer ${this.token}`) {
      return this.error(res, 401, "unauthorized", "Invalid credentials provided.");
    }
    // An app is named by its name or its UUID (`app_identity` in the schema).
    const match = /^\/apps\/([^/]+)(\/config-vars)?$/.exec(path);
    const identity = match ? decodeURIComponent(match[1]!) : undefined;
    const app = identity === undefined ? undefined : this.resolve(identity);
    if (!app || !APP_NAME.test(app))
      return this.error(res, 404, "not_found", "Couldn't find that app.");
    const config = this.apps.get(app);
    if (!config) return this.error(res, 404, "not_found", "Couldn't find that app.");
    if (!match![2]) {
      if (req.method !== "GET")
        return this.error(res, 405, "method_not_allowed", "Method not allowed.");
      res.writeHead(200, { "Content-Type": "application/json", "RateLimit-Remaining": "4500" });
      res.end(JSON.stringify({ id: appId(app), name: app }));
      return;
    }

    if (req.method === "GET") return this.send(res, 200, { ...config });
    if (req.method !== "PATCH")
      return this.error(res, 405, "method_not_allowed", "Method not allowed.");
    if (this.readOnlyApps.has(app)) {
      return this.error(
        res,
        403,
        "forbidden",
        "You do not have access to the app raxx-console-prod.",
      );
    }
    if (req.headers["content-type"] !== "application/json") {
      return this.error(res, 400, "bad_request", "Content-Type must be application/json.");
    }
    if (!validatePatchBody(body)) {
      return this.error(
        res,
        422,
        "invalid_params",
        `Invalid config vars: ${ajv.errorsText(validatePatchBody.errors)}`,
      );
    }
    if (this.ignoreNextPatch) {
      this.ignoreNextPatch = false;
      return this.send(res, 200, { ...config });
    }
    const next = { ...config };
    for (const [k, v] of Object.entries(body as Record<string, string | null>)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    const size = Object.entries(next).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
      0,
    );
    if (size > CONFIG_LIMIT) {
      return this.error(res, 422, "invalid_params", "Config vars cannot exceed 32kB.");
    }
    this.patching = true;
    try {
      this.apps.set(app, next);
    } finally {
      this.patching = false;
    }
    return this.send(res, 200, { ...next });
  }
}

/** The fake's stable UUID for an app name. */
export function appId(name: string): string {
  const h = createHash("sha256").update(name).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** 50 vars that belong to other owners (add-ons, people), each with a distinctive value. */
export function unrelatedVars(n = 50): Record<string, string> {
  const vars: Record<string, string> = {
    DATABASE_URL: "postgres://u:p@db.internal:5432/console",
    REDIS_URL: "rediss://:secret@redis.internal:6380",
  };
  for (let i = Object.keys(vars).length; i < n; i++) {
    vars[`OTHER_VAR_${String(i).padStart(2, "0")}`] =
      `value-${i}-${"x".repeat(i % 7)} with spaces & symbols=;${i}`;
  }
  return vars;
}
