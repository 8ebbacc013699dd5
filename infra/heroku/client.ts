/**
 * Heroku Platform API client for config vars; no Pulumi in here.
 *
 *   GET   /apps/{app}/config-vars  → the app's full config hash
 *   PATCH /apps/{app}/config-vars  → merge; a key set to null is deleted; answers the full hash
 *
 * Headers and error bodies follow Heroku's official schema: `Accept: application/vnd.heroku+json;
 * version=3`, `Authorization: Bearer <token>`, errors `{ id, message }`. Rate limits (429
 * `rate_limit`), 5xx, connection resets and timeouts are retried with bounded, jittered
 * exponential backoff inside a total deadline; other 4xx fail at once. A PATCH whose answer was
 * lost (reset, timeout, cut-off body, 5xx) may have been applied: before sending it again the
 * client reads the app (GET), and sends it again only if the app does not hold it, so Heroku
 * makes one release, not two. A call is cancelled by its
 * options' `signal`, or else by SIGINT/SIGTERM to the process (cancel.ts): no further attempt is
 * sent, the one in flight is aborted.
 *
 * The dynamic provider is serialized into Pulumi state with everything it references, so this file
 * holds no credential and reads none at load time: callers pass options built at call time.
 */

import { cancelled, cancelOnStopSignal, pause } from "./cancel";
import { herokuApiError, isHerokuApiError, redactToken, type HerokuApiError } from "./errors";

export { herokuApiError, isHerokuApiError, redactToken, type HerokuApiError } from "./errors";

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
  /**
   * Cancels the call: the attempt in flight is aborted and no other is sent. Without it, SIGINT
   * or SIGTERM to the process cancels the call (and is delivered again once it has settled).
   */
  readonly signal?: AbortSignal;
}

export const DEFAULT_API_URL = "https://api.heroku.com";

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
  return request("GET", app, configVarsPath(app), undefined, opts, isConfigVars);
}

export function patchConfigVars(
  app: string,
  patch: ConfigPatch,
  opts: HerokuClientOptions,
): Promise<ConfigVars> {
  // Read first, then resend only if needed: a PATCH sent twice is two releases and two restarts.
  const landed = async (signal: AbortSignal): Promise<ConfigVars | undefined> => {
    const now = await getConfigVars(app, { ...opts, signal });
    return patchApplied(now, patch) ? now : undefined;
  };
  return request("PATCH", app, configVarsPath(app), patch, opts, isConfigVars, landed);
}

/** Whether `config` holds what `patch` asks: each value set, each `null` key absent. */
export function patchApplied(config: Readonly<ConfigVars>, patch: ConfigPatch): boolean {
  return Object.entries(patch).every(([k, v]) =>
    v === null ? !Object.hasOwn(config, k) : Object.hasOwn(config, k) && config[k] === v,
  );
}

/** The app's identity: `GET /apps/{app}` with a name or a UUID answers the same `id`. */
export function getApp(
  app: string,
  opts: HerokuClientOptions,
): Promise<{ readonly id: string; readonly name: string }> {
  return request("GET", app, `/apps/${encodeURIComponent(app)}`, undefined, opts, isAppInfo);
}

function configVarsPath(app: string): string {
  return `/apps/${encodeURIComponent(app)}/config-vars`;
}

/** Statuses worth another attempt. A plain array: a captured `Set` loses its contents when serialized. */
const RETRYABLE_STATUS: readonly number[] = [429, 500, 502, 503, 504];

/**
 * Delay before retry number `attempt` (1-based): full jitter over an exponential ceiling capped at
 * `maxDelayMs`, but never less than what the server asked for with Retry-After. The caller's
 * deadline, not `maxDelayMs`, bounds a long Retry-After.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  opts: Pick<HerokuClientOptions, "baseDelayMs" | "maxDelayMs">,
  random: number,
): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
  return Math.max(random * ceiling, retryAfterMs ?? 0);
}

/**
 * Retry-After in milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when
 * absent or unreadable; a date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

async function request<T>(
  method: "GET" | "PATCH",
  app: string,
  path: string,
  body: ConfigPatch | undefined,
  opts: HerokuClientOptions,
  isValid: (value: unknown) => value is T,
  landed?: (signal: AbortSignal) => Promise<T | undefined>,
): Promise<T> {
  const cancellation = opts.signal === undefined ? cancelOnStopSignal() : undefined;
  const signal = opts.signal ?? cancellation!.signal;
  try {
    return await attempts(method, app, path, body, opts, isValid, signal, landed);
  } finally {
    cancellation?.dispose();
  }
}

async function attempts<T>(
  method: "GET" | "PATCH",
  app: string,
  path: string,
  body: ConfigPatch | undefined,
  opts: HerokuClientOptions,
  isValid: (value: unknown) => value is T,
  signal: AbortSignal,
  landed?: (signal: AbortSignal) => Promise<T | undefined>,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw cancelled(method, path, app, signal, attempt - 1);
    let error: HerokuApiError;
    try {
      return await attemptOnce(method, app, path, body, opts, isValid, signal);
    } catch (err) {
      if (signal.aborted) throw cancelled(method, path, app, signal, attempt);
      if (!isHerokuApiError(err) || !err.retryable) throw err;
      error = err;
    }
    const elapsed = Date.now() - started;
    const delay = retryDelay(attempt, error.retryAfterMs, opts, Math.random());
    const why =
      attempt >= opts.maxAttempts
        ? `gave up after ${attempt} attempts in ${seconds(elapsed)}`
        : elapsed + delay > opts.deadlineMs
          ? error.retryAfterMs !== undefined && error.retryAfterMs >= delay
            ? `gave up: Heroku asked to wait ${seconds(error.retryAfterMs)} (Retry-After), past the ${seconds(opts.deadlineMs)} deadline (HEROKU_API_DEADLINE_MS)`
            : `gave up after ${attempt} attempts in ${seconds(elapsed)}: the next retry would pass the ${seconds(opts.deadlineMs)} deadline (HEROKU_API_DEADLINE_MS)`
          : undefined;
    if (why !== undefined) {
      throw herokuApiError(`${error.message} (${why})`, {
        app,
        status: error.status,
        errorId: error.errorId,
        retryable: false,
        retryAfterMs: error.retryAfterMs,
      });
    }
    if (!(await pause(delay, signal))) throw cancelled(method, path, app, signal, attempt);
    // A 429 was refused before it was applied; any other failure may have lost the answer only.
    if (landed !== undefined && error.status !== 429) {
      const applied = await readBack(landed, signal, method, path, app, error, attempt);
      if (applied !== undefined) return applied;
    }
  }
}

/** What `landed` finds, or an error saying the write's outcome is unknown. */
async function readBack<T>(
  landed: (signal: AbortSignal) => Promise<T | undefined>,
  signal: AbortSignal,
  method: "GET" | "PATCH",
  path: string,
  app: string,
  error: HerokuApiError,
  sent: number,
): Promise<T | undefined> {
  try {
    return await landed(signal);
  } catch (err) {
    // Cancelled while reading: the write's error (outcome unknown), not the read's.
    if (signal.aborted) throw cancelled(method, path, app, signal, sent);
    const why = err instanceof Error ? err.message : String(err);
    throw herokuApiError(
      `Heroku API ${method} ${path} for app ${app}: ${error.message}; reading the app to see whether it was applied failed too (${why}), so it was not sent again. Whether Heroku applied it is unknown; the next pulumi up --refresh reads the app and converges.`,
      {
        app,
        status: error.status,
        errorId: error.errorId,
        retryable: false,
        retryAfterMs: undefined,
      },
    );
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

async function attemptOnce<T>(
  method: "GET" | "PATCH",
  app: string,
  path: string,
  body: ConfigPatch | undefined,
  opts: HerokuClientOptions,
  isValid: (value: unknown) => value is T,
  cancel: AbortSignal,
): Promise<T> {
  const what = `Heroku API ${method} ${path} for app ${app}`;
  const fail = (
    message: string,
    status: number | undefined,
    retryable: boolean,
    errorId?: string,
    retryAfterMs?: number,
  ) =>
    herokuApiError(redactToken(message, opts.token), {
      app,
      status,
      errorId,
      retryable,
      retryAfterMs,
    });
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
      // A redirect is never followed (it would carry the API key elsewhere); it is reported below.
      redirect: "manual",
      signal: AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), cancel]),
    });
  } catch (err) {
    const name = (err as Error).name;
    const reason =
      name === "TimeoutError" || name === "AbortError"
        ? `no response within ${opts.timeoutMs} ms`
        : `connection failed (${networkCode(err)})`;
    throw fail(`${what} failed: ${reason}`, undefined, true);
  }

  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get("Location");
    let where = "no Location";
    if (location) {
      try {
        const to = new URL(location, opts.baseUrl);
        where = `Location ${to.origin}${to.pathname}`;
      } catch {
        where = "an unreadable Location";
      }
    }
    await response.body?.cancel();
    throw fail(
      `${what} failed: HTTP ${response.status} redirect (${where}). The Platform API does not redirect: ` +
        "HEROKU_API_URL points at something else (a proxy or a login page). Not retried, not followed.",
      response.status,
      false,
    );
  }

  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw fail(
      `${what} failed: the response was cut off (${networkCode(err)})`,
      response.status,
      true,
    );
  }

  if (response.ok) {
    const parsed = parseJson(text);
    if (!isValid(parsed)) {
      throw fail(
        `${what} returned HTTP ${response.status} with a body that is not what the Platform API answers`,
        response.status,
        false,
      );
    }
    return parsed;
  }

  const parsed = parseJson(text) as { id?: unknown; message?: unknown } | undefined;
  const errorId = typeof parsed?.id === "string" ? parsed.id : undefined;
  const message = typeof parsed?.message === "string" ? parsed.message : response.statusText;
  const hint = Object.hasOwn(HINTS, response.status) ? HINTS[response.status] : "";
  throw fail(
    `${what} failed: HTTP ${response.status}${errorId ? ` ${errorId}` : ""}: ${message}${hint}`,
    response.status,
    RETRYABLE_STATUS.includes(response.status),
    errorId,
    parseRetryAfter(response.headers.get("Retry-After"), Date.now()),
  );
}

const HINTS: Readonly<Record<number, string>> = {
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

function isAppInfo(value: unknown): value is { id: string; name: string } {
  const v = value as { id?: unknown; name?: unknown } | null;
  return (
    typeof v === "object" && v !== null && typeof v.id === "string" && typeof v.name === "string"
  );
}

function networkCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return cause.code;
  return (err as Error).name || "error";
}
