/**
 * Finds values that look like credentials in a stack file's text. Stack files of this project
 * hold no secret at all (not even `secure:` ciphertext): credentials come from the environment
 * and values from Vault. Besides the rules here, every shape of infra/credential-values.ts (a URL
 * with a password, keys with a known prefix) counts, the same ones parseConfig refuses.
 */
import { CREDENTIAL_SHAPES } from "../infra/credential-values";

export interface CredentialFinding {
  readonly line: number;
  readonly rule: string;
}

const RULES: readonly { rule: string; pattern: RegExp }[] = [
  // Every pattern is linear: no two unbounded quantifiers that can match the same characters.
  { rule: "a secure: (encrypted secret) value", pattern: /^[^#]*\bsecure\s*:/ },
  { rule: "a Heroku API key (HRKU-...)", pattern: /HRKU-[A-Za-z0-9_-]{10,}/ },
  {
    rule: "a Heroku API key (UUID-style) under a key/token name",
    pattern: /(key|token)\s*:\s*["']?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
  },
  {
    rule: "a Vault token (hvs./hvb./s.)",
    pattern: /\b(hvs|hvb)\.[A-Za-z0-9_-]{20,}|\bs\.[A-Za-z0-9]{24}\b/,
  },
  { rule: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { rule: "a Cloudflare service token client id", pattern: /\b[0-9a-f]{32}\.access\b/ },
  {
    // The key's last word names a secret (`cloudflareApiToken`), not a setting about one
    // (`serviceTokenName`, `serviceTokenDuration`).
    rule: "a non-empty value under a secret-sounding key",
    pattern:
      /^ *[\w:.-]*?(secret|password|passwd|token|api[_-]?key|private[_-]?key) *: *["']?[^\s"'#{}[\]]{6,}/i,
  },
  {
    rule: "a long opaque string (40+ base64/hex characters)",
    pattern: /["'\s:][A-Za-z0-9+/_-]{40,}={0,2}(\s|$|["'])/,
  },
  ...CREDENTIAL_SHAPES,
];

export function scanForCredentials(text: string): CredentialFinding[] {
  const findings: CredentialFinding[] = [];
  text.split("\n").forEach((line, i) => {
    if (/^\s*#/.test(line)) return;
    for (const { rule, pattern } of RULES) {
      if (pattern.test(line)) findings.push({ line: i + 1, rule });
    }
  });
  return findings;
}
