/**
 * Heroku Platform API client for config vars; no Pulumi in here.
 *
 *   GET   /apps/{app}/config-vars  → the app's full config hash
 *   PATCH /apps/{app}/config-vars  → merge; a key set to null is deleted; answers the full hash
 *
 * Headers and error bodies follow Heroku's official schema: `Accept: application/vnd.heroku+json;
 * version=3`, `Authorization: Bearer <token>`, errors `{ id, message }`. Rate limits (429
 * `rate_limit`), 5xx, connection resets and timeouts are retried with bounded, jittered
 * exponential backoff inside a total deadline; other 4xx fail at once.
 *
 * The dynamic provider is serialized into Pulumi state with everything it references, so this file
 * holds no credential and reads none at load time: callers pass options built at call time.
 */

export type ConfigVars = Record<string, string>;
export type ConfigPatch = Record<string, string | null>;

export interface HerokuClientOptions {
  /** API origin, no trailing slash. */
  readonly baseUrl: string;
  readonly token: string;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  /** Attempts per call, including the first. */
  readonly maxAttempts: number;
  /** First backoff delay; doubles per attempt up to `maxDelayMs`, with full jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No retry starts after this much time has passed since the call began. */
  readonly deadlineMs: number;
}

export const DEFAULT_API_URL = "https://api.heroku.com";

/** A failed Platform API call. Its message names the app, method, status and Heroku's error id. */
export class HerokuApiError extends Error {
  constructor(
    message: string,
    readonly app: string,
    readonly status: number | undefined,
    readonly errorId: string | undefined,
    readonly retryable: boolean,
    /** Retry-After from the response, when it carried one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "HerokuApiError";
  }
}

/**
 * Options from the environment, read when called: HEROKU_API_KEY (required), HEROKU_API_URL
 * (https, or http only on loopback for local fakes), and HEROKU_API_* tuning knobs.
 */
export function clientOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): HerokuClientOptions {
  const token = env["HEROKU_API_KEY"];
  if (!token || token.trim() === "") {
    throw new Error(
      "HEROKU_API_KEY is not set: export a Heroku API key with access to the app (heroku authorizations:create) before pulumi up/refresh.",
    );
  }
  const baseUrl = (env["HEROKU_API_URL"] || DEFAULT_API_URL).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`HEROKU_API_URL is not a URL; unset it to use ${DEFAULT_API_URL}.`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new Error(
      "HEROKU_API_URL must use https:// (plain http is allowed only on loopback, for local fakes): the API key would travel in clear text.",
    );
  }
  const num = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number.`);
    return n;
  };
  return {
    baseUrl,
    token,
    timeoutMs: num("HEROKU_API_TIMEOUT_MS", 15_000),
    maxAttempts: Math.max(1, Math.floor(num("HEROKU_API_MAX_ATTEMPTS", 6))),
    baseDelayMs: num("HEROKU_API_RETRY_BASE_MS", 500),
    maxDelayMs: num("HEROKU_API_RETRY_MAX_MS", 15_000),
    deadlineMs: num("HEROKU_API_DEADLINE_MS", 120_000),
  };
}

export function getConfigVars(app: string, opts: HerokuClientOptions): Promise<ConfigVars> {
  return request("GET", app, undefined, opts);
}

export function patchConfigVars(
  app: string,
  patch: ConfigPatch,
  opts: HerokuClientOptions,
): Promise<ConfigVars> {
  return request("PATCH", app, patch, opts);
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/**
 * Delay before retry number `attempt` (1-based): full jitter over an exponential ceiling, but never
 * less than the server's Retry-After, and never more than `maxDelayMs`.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  opts: Pick<HerokuClientOptions, "baseDelayMs" | "maxDelayMs">,
  random: number,
): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
  return Math.min(opts.maxDelayMs, Math.max(random * ceiling, retryAfterMs ?? 0));
}

async function request(
  method: "GET" | "PATCH",
  app: string,
  body: ConfigPatch | undefined,
  opts: HerokuClientOptions,
): Promise<ConfigVars> {
  const started = Date.now();
  const path = `/apps/${encodeURIComponent(app)}/config-vars`;
  let lastError: HerokuApiError | undefined;
  for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      return await attemptOnce(method, app, path, body, opts);
    } catch (err) {
      if (!(err instanceof HerokuApiError) || !err.retryable) throw err;
      lastError = err;
      retryAfterMs = err.retryAfterMs;
    }
    if (attempt === opts.maxAttempts) break;
    const delay = retryDelay(attempt, retryAfterMs, opts, Math.random());
    if (Date.now() - started + delay > opts.deadlineMs) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  const error = lastError as HerokuApiError;
  throw new HerokuApiError(
    `${error.message} (gave up after ${Math.round((Date.now() - started) / 100) / 10}s of retries)`,
    app,
    error.status,
    error.errorId,
    false,
    error.retryAfterMs,
  );
}

async function attemptOnce(
  method: "GET" | "PATCH",
  app: string,
  path: string,
  body: ConfigPatch | undefined,
  opts: HerokuClientOptions,
): Promise<ConfigVars> {
  const what = `Heroku API ${method} ${path} for app ${app}`;
  let response: Response;
  try {
    response = await fetch(opts.baseUrl + path, {
      method,
      headers: {
        Accept: "application/vnd.heroku+json; version=3",
        Authorization: `Bearer ${opts.token}`,
        ...(body ? { "Content-Type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      redirect: "error",
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const name = (err as Error).name;
    const reason =
      name === "TimeoutError" || name === "AbortError"
        ? `no response within ${opts.timeoutMs} ms`
        : `connection failed (${networkCode(err)})`;
    throw new HerokuApiError(`${what} failed: ${reason}`, app, undefined, undefined, true);
  }

  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw new HerokuApiError(
      `${what} failed: the response was cut off (${networkCode(err)})`,
      app,
      response.status,
      undefined,
      true,
    );
  }

  if (response.ok) {
    const parsed = parseJson(text);
    if (!isConfigVars(parsed)) {
      throw new HerokuApiError(
        `${what} returned HTTP ${response.status} with a body that is not a config-var hash`,
        app,
        response.status,
        undefined,
        false,
      );
    }
    return parsed;
  }

  const parsed = parseJson(text) as { id?: unknown; message?: unknown } | undefined;
  const errorId = typeof parsed?.id === "string" ? parsed.id : undefined;
  const message = typeof parsed?.message === "string" ? parsed.message : response.statusText;
  const retryable = RETRYABLE_STATUS.has(response.status);
  const hint = HINTS[response.status] ?? "";
  const retryAfter = Number(response.headers.get("Retry-After"));
  throw new HerokuApiError(
    `${what} failed: HTTP ${response.status}${errorId ? ` ${errorId}` : ""}: ${message}${hint}`,
    app,
    response.status,
    errorId,
    retryable,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  );
}

const HINTS: Record<number, string> = {
  401: " (check HEROKU_API_KEY: it is missing, expired or revoked)",
  403: " (the API key's account cannot change this app's config vars; it needs the deploy or operate permission)",
  404: " (no app with this name is visible to the API key; check console-wiring:herokuApp)",
  422: " (Heroku rejected the config change; key names must match ^\\w+$ and values must be strings)",
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isConfigVars(value: unknown): value is ConfigVars {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "string")
  );
}

function networkCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return cause.code;
  return (err as Error).name || "error";
}
