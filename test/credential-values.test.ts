import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../infra/config";
import { credentialShapes } from "../infra/credential-values";
import { defaultFeaturesDir, loadFeatureCatalog } from "../infra/features/catalog";
import { scanForCredentials } from "../tools/credential-scan";

// Made-up credentials, each assembled here so the repository holds no credential-shaped string.
const j = (...parts: string[]) => parts.join("");
const ALNUM = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0";
const SAMPLES: readonly [string, string][] = [
  [
    j("postgres://u", ":pw", "@db.example/app"),
    "a URL with a password (scheme://user:password@host)",
  ],
  [
    j("redis://", ":pw", "@cache.example:6379"),
    "a URL with a password (scheme://user:password@host)",
  ],
  [
    j("sk_", "live_", ALNUM.slice(0, 24)),
    "a Stripe secret, restricted or webhook key (sk_, rk_, whsec_)",
  ],
  [
    j("sk_", "test_", ALNUM.slice(0, 24)),
    "a Stripe secret, restricted or webhook key (sk_, rk_, whsec_)",
  ],
  [
    j("rk_", "live_", ALNUM.slice(0, 24)),
    "a Stripe secret, restricted or webhook key (sk_, rk_, whsec_)",
  ],
  [
    j("whsec", "_", ALNUM.slice(0, 32)),
    "a Stripe secret, restricted or webhook key (sk_, rk_, whsec_)",
  ],
  [j("ghp", "_", ALNUM.slice(0, 36)), "a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)"],
  [j("ghs", "_", ALNUM.slice(0, 36)), "a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)"],
  [
    j("github", "_pat_", ALNUM.slice(0, 22), "_", ALNUM),
    "a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
  ],
  [
    j("xoxb", "-1234567890-1234567890-", ALNUM.slice(0, 24)),
    "a Slack token (xoxb-, xoxp-, xapp-, xoxe)",
  ],
  [j("xapp", "-1-A0123456789-", ALNUM.slice(0, 20)), "a Slack token (xoxb-, xoxp-, xapp-, xoxe)"],
  [j("AKIA", "IOSFODNN7EXAMPL0"), "an AWS access key id (AKIA, ASIA)"],
  [j("glpat", "-", ALNUM.slice(0, 20)), "a GitLab token (glpat-, gldt-, glrt-)"],
  [j("npm", "_", ALNUM.slice(0, 36)), "an npm token (npm_)"],
  [j("sntrys", "_", ALNUM), "a Sentry auth token (sntrys_, sntryu_)"],
];

describe("credentialShapes", () => {
  it.each(SAMPLES)("names %j", (value, rule) => {
    expect(credentialShapes(value)).toEqual([rule]);
    expect(credentialShapes(`prefix ${value} suffix`)).toEqual([rule]);
  });

  it("passes what is not a credential", () => {
    for (const value of [
      "https://tickets.raxx.app/api",
      "https://tickets.raxx.app:8443/api",
      // A user name alone is no password (a Sentry DSN's public key).
      "https://0123456789abcdef@o1.ingest.sentry.io/1",
      "mailto:ops@raxx.app",
      "archive-bucket",
      // A word that only contains a prefix, and prefixes with too little after them.
      j("task_", "test_runner_", "abcdefgh"),
      j("sk_", "live_"),
      j("AKIA", "SHORT"),
      j("AKIA", "IOSFODNN7EXAMPL0", "X"),
      "console-investigate-tickets-g2",
    ]) {
      expect(credentialShapes(value)).toEqual([]);
    }
  });
});

describe("the stack file scan", () => {
  it("finds a URL password and a known key prefix in plain config values, naming only the rule", () => {
    const url = j("postgres://u", ":pw", "@db.example/app");
    const key = j("sk_", "live_", ALNUM.slice(0, 24));
    const findings = scanForCredentials(
      [
        "config:",
        `  console-wiring:databaseUrl: ${url}`,
        `  console-wiring:stripeLiveCredential: "${key}"`,
      ].join("\n"),
    );
    expect(findings).toEqual([
      { line: 2, rule: "a URL with a password (scheme://user:password@host)" },
      { line: 3, rule: "a Stripe secret, restricted or webhook key (sk_, rk_, whsec_)" },
    ]);
  });
});

describe("parseConfig refuses a credential in a feature's plain config value", () => {
  const features = loadFeatureCatalog([
    defaultFeaturesDir(),
    join(__dirname, "fixtures", "features"),
  ]);
  const raw = (bucket: string) => ({
    features: '{"audit-export":true}',
    herokuApp: "raxx-console-fixture",
    vaultMount: "FixtureMount",
    auditExportBucket: bucket,
  });
  const problems = (bucket: string): readonly string[] => {
    try {
      parseConfig(raw(bucket), features);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  };

  it("accepts a plain value", () => {
    expect(problems("archive-bucket")).toEqual([]);
  });

  it("names the key, the var, what it looks like and the fix, never the value", () => {
    const value = j("s3://AKIA", "IOSFODNN7EXAMPL0", ":pw@archive");
    const found = problems(value);
    expect(found).toEqual([
      "console-wiring:auditExportBucket (AUDIT_EXPORT_BUCKET on the app) holds what looks like a credential (a URL with a password (scheme://user:password@host); an AWS access key id (AKIA, ASIA)): a config value is stored in plain text. Keep it in Vault, read it there (a vault source in the feature file), and rotate it if it was real: pulumi config rm auditExportBucket",
    ]);
    expect(found.join("\n")).not.toContain(value);
  });
});
