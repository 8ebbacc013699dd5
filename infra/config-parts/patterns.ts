/** The project's config namespace and the value shapes stack config is checked against. */
export const PROJECT = "console-wiring";

export const HEROKU_APP = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/;
export const ACCOUNT_ID = /^[0-9a-f]{32}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const URL_PATH = /^\/(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)?$/;
// No "." or ".." segment: `x/../freescout` would write where a feature reads `freescout`.
export const VAULT_PATH =
  /^(?!\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._-]+)*$/;
// A Go duration, or `forever` (Cloudflare's provider accepts it since v5.23).
export const TOKEN_DURATION = /^(?:forever|(?:\d+(?:ns|us|µs|ms|s|m|h))+)$/;
