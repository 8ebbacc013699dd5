/**
 * The Heroku client's errors; no Pulumi in here. Serialized with the provider: plain functions.
 */

/**
 * A failed Platform API call: an `Error` whose message names the app, method, status and Heroku's
 * error id, with the facts the retry loop needs as plain properties.
 *
 * Not a `class … extends Error`: the provider is serialized into state and reloaded by Pulumi's
 * dynamic-provider host, where a captured subclass of Error no longer makes Errors.
 */
export interface HerokuApiError extends Error {
  readonly herokuApiError: true;
  readonly app: string;
  readonly status: number | undefined;
  readonly errorId: string | undefined;
  readonly retryable: boolean;
  /** What the server asked to wait (Retry-After), when it said so. */
  readonly retryAfterMs: number | undefined;
}

export function herokuApiError(
  message: string,
  fields: Omit<HerokuApiError, "herokuApiError" | keyof Error>,
): HerokuApiError {
  return Object.assign(new Error(message), {
    name: "HerokuApiError",
    herokuApiError: true as const,
    ...fields,
  });
}

export function isHerokuApiError(err: unknown): err is HerokuApiError {
  return err instanceof Error && (err as Partial<HerokuApiError>).herokuApiError === true;
}

/** Replaces every occurrence of the API key in a text (Heroku's messages may echo it). */
export function redactToken(text: string, token: string): string {
  return token.length >= 4 ? text.split(token).join("[redacted]") : text;
}
