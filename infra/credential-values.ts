/**
 * Values that are credentials by their shape, wherever they appear: a URL that carries a
 * password, and keys whose issuer gives them a fixed prefix so they can be recognized. Plain
 * config values are stored and shown in plain text (stack files, state, the plan), so the stack
 * file scan (tools/credential-scan.ts) and parseConfig (infra/config.ts) refuse these.
 *
 * Every pattern is linear (no two unbounded quantifiers that can match the same characters) and
 * starts where no letter, digit or `_` precedes it, so a word that merely contains a prefix
 * (`task_test_runner`) is not a key.
 */

export interface CredentialShape {
  /** What the value is, for a message (never the value). */
  readonly rule: string;
  readonly pattern: RegExp;
}

const START = "(?<![A-Za-z0-9_])";
const shape = (rule: string, source: string): CredentialShape => ({
  rule,
  pattern: new RegExp(`${START}(?:${source})`),
});

export const CREDENTIAL_SHAPES: readonly CredentialShape[] = [
  // RFC 3986 §3.2.1 user-info with a password (`postgres://u:pw@host`, `redis://:pw@host`); the
  // RFC deprecates `user:password` in URIs. A user name alone (a Sentry DSN's public key) is not
  // a password and passes.
  shape(
    "a URL with a password (scheme://user:password@host)",
    "[A-Za-z][A-Za-z0-9+.-]*://[^\\s/?#@:'\"]*:[^\\s/?#@'\"]+@",
  ),
  // Stripe: secret keys sk_live_/sk_test_ and restricted keys rk_live_/rk_test_
  // (https://docs.stripe.com/keys); webhook signing secrets whsec_ (stripe-node's README, "Webhook
  // signing"; https://docs.stripe.com/webhooks).
  shape(
    "a Stripe secret, restricted or webhook key (sk_, rk_, whsec_)",
    "[sr]k_(?:live|test)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9]{8,}",
  ),
  // GitHub: ghp_ (personal), gho_ (OAuth), ghu_/ghs_ (GitHub App user/server), ghr_ (refresh)
  // (https://github.blog/changelog/2021-03-31-authentication-token-format-updates-are-generally-available);
  // github_pat_ (fine-grained personal access tokens, "Managing your personal access tokens",
  // https://docs.github.com/en/authentication/keeping-your-account-and-data-secure).
  shape(
    "a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
    "gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}",
  ),
  // Slack: xoxb- (bot), xoxp- (user), xapp- (app-level), xoxe (configuration and refresh)
  // (https://docs.slack.dev/authentication/tokens).
  shape(
    "a Slack token (xoxb-, xoxp-, xapp-, xoxe)",
    "xox[bp]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|xoxe[.-][A-Za-z0-9.-]{10,}",
  ),
  // AWS access key ids: AKIA (long-term), ASIA (temporary, from STS), 20 characters
  // (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html).
  shape("an AWS access key id (AKIA, ASIA)", "A[KS]IA[0-9A-Z]{16}(?![0-9A-Za-z])"),
  // GitLab: glpat- (personal, project and group access tokens, gitlab-org/gitlab#342327), gldt-
  // (deploy tokens, gitlab-org/gitlab!138438), glrt- (runner authentication tokens,
  // gitlab-org/gitlab#383198); https://docs.gitlab.com/security/tokens/ lists them.
  shape("a GitLab token (glpat-, gldt-, glrt-)", "gl(?:pat|dt|rt)-[A-Za-z0-9_-]{20,}"),
  // npm access tokens: npm_ and 36 characters (GitHub changelog, 2021-09-23, "npm has a new
  // access token format").
  shape("an npm token (npm_)", "npm_[A-Za-z0-9]{36}"),
  // Sentry: sntrys_ (organization auth tokens), sntryu_ (personal tokens)
  // (https://docs.sentry.io/security-legal-pii/security/token-formats/). SENTRY_AUTH_TOKEN of
  // this project's CI is one.
  shape("a Sentry auth token (sntrys_, sntryu_)", "sntry[su]_[A-Za-z0-9+/=_-]{20,}"),
];

/** What each credential shape found in `value` is (empty: none). */
export function credentialShapes(value: string): string[] {
  return CREDENTIAL_SHAPES.filter((s) => s.pattern.test(value)).map((s) => s.rule);
}
