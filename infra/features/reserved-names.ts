/**
 * Config var names a feature file may never declare, as a flag or as a prerequisite. Each belongs
 * to someone else on the app: Heroku sets it, an add-on writes it, or the app's runtime reads it
 * for its own purpose. A feature declaring one would have the stack take the key over (write its
 * value, and remove it again when the feature goes), which breaks the app far from the feature.
 *
 * Sources (Heroku Dev Center):
 * - https://devcenter.heroku.com/articles/config-vars ("Config var policies": keys should not
 *   begin with HEROKU_ unless Heroku sets them; Heroku's own and add-on vars live here too)
 * - https://devcenter.heroku.com/articles/dyno-metadata (HEROKU_APP_ID, HEROKU_APP_NAME,
 *   HEROKU_DYNO_ID, HEROKU_RELEASE_CREATED_AT, HEROKU_RELEASE_VERSION, HEROKU_SLUG_COMMIT,
 *   HEROKU_SLUG_DESCRIPTION)
 * - https://devcenter.heroku.com/articles/dynos ("Local environment variables": DYNO, PORT)
 * - https://devcenter.heroku.com/articles/heroku-postgresql (DATABASE_URL, and
 *   HEROKU_POSTGRESQL_<COLOR>_URL; an attachment named FOO writes FOO_DATABASE_URL or FOO_URL)
 * - https://devcenter.heroku.com/articles/heroku-redis (REDIS_URL, REDIS_TLS_URL)
 * - https://devcenter.heroku.com/articles/memcachier (MEMCACHIER_SERVERS, _USERNAME, _PASSWORD)
 * - https://devcenter.heroku.com/articles/papertrail (PAPERTRAIL_API_TOKEN)
 * - https://devcenter.heroku.com/articles/cloudamqp (CLOUDAMQP_URL)
 * - https://devcenter.heroku.com/articles/sendgrid (SENDGRID_*)
 * - https://devcenter.heroku.com/articles/mailgun (MAILGUN_*)
 * - https://devcenter.heroku.com/articles/newrelic (NEW_RELIC_*)
 * - https://devcenter.heroku.com/articles/node-concurrency (WEB_CONCURRENCY, WEB_MEMORY,
 *   MEMORY_AVAILABLE, set by the Node.js buildpack)
 *
 * A name an add-on attaches under an alias of the operator's choosing (FOO_URL) cannot be listed;
 * the patterns cover the documented defaults and prefixes.
 */

/** Exact names, each with whose it is (said in the refusal). */
const EXACT: Readonly<Record<string, string>> = {
  // Set by Heroku on every dyno.
  DYNO: "Heroku's dyno name",
  PORT: "the port Heroku tells the web dyno to listen on",
  // Add-ons.
  DATABASE_URL: "the Heroku Postgres add-on's",
  REDIS_URL: "the Heroku Key-Value Store (Redis) add-on's",
  REDIS_TLS_URL: "the Heroku Key-Value Store (Redis) add-on's",
  CLOUDAMQP_URL: "the CloudAMQP add-on's",
  REDISCLOUD_URL: "the Redis Cloud add-on's",
  // The runtime's and the buildpack's.
  WEB_CONCURRENCY: "the Node.js buildpack's (and the app's process count)",
  WEB_MEMORY: "the Node.js buildpack's",
  MEMORY_AVAILABLE: "the Node.js buildpack's",
  NODE_ENV: "the app runtime's",
  NODE_OPTIONS: "the app runtime's",
  NPM_CONFIG_PRODUCTION: "the Node.js buildpack's",
  NODE_MODULES_CACHE: "the Node.js buildpack's",
  PATH: "the operating system's",
  HOME: "the operating system's",
  LANG: "the operating system's",
  TZ: "the operating system's",
  PWD: "the operating system's",
  SHELL: "the operating system's",
  LD_LIBRARY_PATH: "the operating system's",
  STACK: "Heroku's build environment's",
  SOURCE_VERSION: "Heroku's build environment's",
  CI: "Heroku CI's",
};

/** Prefixes and suffixes, each with whose names they are. */
const PATTERNS: readonly { readonly test: RegExp; readonly owner: string }[] = [
  { test: /^HEROKU_/, owner: "Heroku's (dyno metadata, add-ons, review apps, CI)" },
  { test: /_DATABASE_URL$/, owner: "a Heroku Postgres attachment's" },
  { test: /^MEMCACHIER_/, owner: "the MemCachier add-on's" },
  { test: /^PAPERTRAIL_/, owner: "the Papertrail add-on's" },
  { test: /^CLOUDAMQP_/, owner: "the CloudAMQP add-on's" },
  { test: /^SENDGRID_/, owner: "the SendGrid add-on's" },
  { test: /^MAILGUN_/, owner: "the Mailgun add-on's" },
  { test: /^NEW_RELIC_/, owner: "the New Relic add-on's" },
  { test: /^REDISCLOUD_/, owner: "the Redis Cloud add-on's" },
];

/** Whose the name is when a feature may not declare it; undefined when it is free. */
export function reservedOwner(name: string): string | undefined {
  // Not Object.hasOwn: the policy pack loads this file through ts-node under an older lib.
  if (Object.prototype.hasOwnProperty.call(EXACT, name)) return EXACT[name];
  return PATTERNS.find((p) => p.test.test(name))?.owner;
}

/** The exact names and the patterns, for the README and tests. */
export const RESERVED_NAMES: readonly string[] = Object.keys(EXACT);
export const RESERVED_PATTERNS: readonly string[] = PATTERNS.map((p) => p.test.source);
