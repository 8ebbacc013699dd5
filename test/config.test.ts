import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig as parseStackConfig } from "../infra/config";
import { problemsOf as problemsOfRaw, prod } from "./support/config-problems";
import { inGate } from "./support/stack-config";

// The gate settings are written by their one-gate names and land in gates.tickets (inGate);
// test/config-gates.test.ts pins the refusal of those names at top level.
const problemsOf = (raw: Record<string, string | undefined>) => problemsOfRaw(inGate(raw));
const parseConfig = (
  raw: Record<string, string | undefined>,
  ...rest: Parameters<typeof parseStackConfig> extends [unknown, ...infer R] ? R : never
) => parseStackConfig(inGate(raw), ...rest);
import type { Feature } from "../infra/features/manifest";
import { investigate } from "./support/investigate";

describe("parseConfig", () => {
  it("accepts the prod stack with its declared defaults", () => {
    const config = parseConfig(prod());
    expect(config.herokuApp).toBe("raxx-console-prod");
    expect(config.gates["tickets"]).toMatchObject({
      host: "tickets.raxx.app",
      apiPath: "/api",
      vaultPath: "cloudflare",
      allowedHosts: ["tickets.raxx.app"],
      serviceToken: {
        name: "console-investigate-tickets",
        duration: "8760h",
        secretVersion: 0,
        generation: 1,
        expiryWarningDays: 30,
      },
      adopt: { vaultSecret: true },
    });
    expect(config.vaultMount).toBe("MooseQuest");
    expect(config.features.map((f) => f.id)).toEqual(["investigate"]);
    expect(config.gated).toBe(true);
    expect(config.manifestValues).toEqual({
      freescoutApiUrl: "https://tickets.raxx.app",
      freescoutInstanceUrl: "https://tickets.raxx.app",
    });
    expect(config.flags).toEqual({
      FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: true,
      FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: true,
    });
    expect(config.gates["tickets"]!.serviceToken).toEqual({
      name: "console-investigate-tickets",
      duration: "8760h",
      secretVersion: 0,
      rotation: undefined,
      generation: 1,
      previousGeneration: undefined,
      expiryWarningDays: 30,
    });
    expect(config.gates["tickets"]!.adopt).toEqual({
      accessApplicationId: undefined,
      accessPolicyId: undefined,
      serviceTokenId: undefined,
      vaultSecret: true,
    });
  });

  it("treats a flag absent from config as off", () => {
    const config = parseConfig({
      ...prod(),
      flags: '{"FLAG_CONSOLE_INVESTIGATE_FROM_STATUS":true}',
    });
    expect(config.flags["FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET"]).toBe(false);
  });

  it("names a missing key and how to set it", () => {
    expect(problemsOf({ ...prod(), herokuApp: undefined })).toEqual([
      "console-wiring:herokuApp is missing. Set it: pulumi config set herokuApp raxx-console-prod",
    ]);
  });

  it("names an empty key", () => {
    expect(problemsOf({ ...prod(), vaultMount: "  " })).toEqual([
      "console-wiring:vaultMount is empty. Set it: pulumi config set vaultMount MooseQuest",
    ]);
  });

  it("rejects http:// for FREESCOUT_API_URL's config key", () => {
    expect(problemsOf({ ...prod(), freescoutApiUrl: "http://tickets.raxx.app" })).toEqual([
      "console-wiring:freescoutApiUrl (FREESCOUT_API_URL on the app, feature investigate) must use https:// (it uses http://). Example: pulumi config set freescoutApiUrl https://tickets.raxx.app",
    ]);
  });

  it.each([
    [
      "another host",
      "https://evil.example",
      "must point at gate tickets's host tickets.raxx.app (it points at evil.example): the app sends gate tickets's service token there. Fix: pulumi config set freescoutApiUrl https://tickets.raxx.app, or, if evil.example is behind the same gate: pulumi config set --path 'gates.tickets.allowedHosts[0]' evil.example",
    ],
    ["no slashes after the scheme", "https:evil.example", "must be written https://<host>/<path>"],
    [
      "a backslash before @",
      "https://evil.example\\@tickets.raxx.app",
      "contains whitespace, a control character or a backslash",
    ],
    [
      "a space",
      "https://tickets.raxx.app /api",
      "contains whitespace, a control character or a backslash",
    ],
    [
      "a tab",
      "https://tickets.raxx.app\t",
      "contains whitespace, a control character or a backslash",
    ],
    [
      "a line break",
      "https://tickets.raxx.app\n",
      "contains whitespace, a control character or a backslash",
    ],
  ])("refuses freescoutApiUrl with %s, naming the key and the fix", (_name, url, problem) => {
    expect(problemsOf({ ...prod(), freescoutApiUrl: url })).toEqual([
      `console-wiring:freescoutApiUrl (FREESCOUT_API_URL on the app, feature investigate) ${problem}${problem.startsWith("must point") ? "" : ". Example: pulumi config set freescoutApiUrl https://tickets.raxx.app"}`,
    ]);
  });

  it("accepts a host on freescoutAllowedHosts, and stores the URL normalized", () => {
    const config = parseConfig({
      ...prod(),
      freescoutAllowedHosts: '["tickets-eu.raxx.app"]',
      freescoutApiUrl: "https://TICKETS-EU.raxx.app/",
    });
    expect(config.manifestValues["freescoutApiUrl"]).toBe("https://tickets-eu.raxx.app");
    expect(config.gates["tickets"]!.allowedHosts).toEqual([
      "tickets.raxx.app",
      "tickets-eu.raxx.app",
    ]);
  });

  it("refuses a malformed freescoutAllowedHosts", () => {
    expect(problemsOf({ ...prod(), freescoutAllowedHosts: '["https://x.example/"]' })).toEqual([
      "console-wiring:gates.tickets.allowedHosts must be a list of bare lowercase hostnames. Example: pulumi config set --path 'gates.tickets.allowedHosts[0]' tickets-eu.raxx.app",
    ]);
  });

  it("rejects a URL carrying credentials without echoing them", () => {
    const problems = problemsOf({
      ...prod(),
      freescoutInstanceUrl: "https://user:hunter2@tickets.raxx.app",
    });
    expect(problems).toEqual([
      "console-wiring:freescoutInstanceUrl (FREESCOUT_INSTANCE_URL on the app, feature investigate) must not carry credentials in the URL. Example: pulumi config set freescoutInstanceUrl https://api.example.com",
    ]);
    expect(problems.join()).not.toContain("hunter2");
  });

  it("rejects a flag value that is not a boolean", () => {
    expect(
      problemsOf({ ...prod(), flags: '{"FLAG_CONSOLE_INVESTIGATE_FROM_STATUS":"1"}' }),
    ).toEqual([
      "console-wiring:flags.FLAG_CONSOLE_INVESTIGATE_FROM_STATUS must be true or false (a YAML boolean, not a string or number). Fix: pulumi config set --path 'flags.FLAG_CONSOLE_INVESTIGATE_FROM_STATUS' true",
    ]);
  });

  it("rejects an unknown flag name", () => {
    expect(problemsOf({ ...prod(), flags: '{"FLAG_CONSOLE_INVESTIGATE":true}' })).toEqual([
      "console-wiring:flags.FLAG_CONSOLE_INVESTIGATE is not a flag of any selected feature (known: FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET; the flags are in infra/features/data/*.json).",
    ]);
  });

  it("rejects flags that are not a map", () => {
    expect(problemsOf({ ...prod(), flags: '["FLAG_CONSOLE_INVESTIGATE_FROM_STATUS"]' })).toEqual([
      "console-wiring:flags must be a map of flag var to true/false. Example: pulumi config set --path 'flags.FLAG_CONSOLE_INVESTIGATE_FROM_STATUS' true",
    ]);
  });

  it.each([
    ["Raxx-Console", "uppercase"],
    ["raxx_console", "underscore"],
    ["ab", "too short"],
    ["raxx-console-prod-", "trailing dash"],
    ["a".repeat(31), "too long"],
  ])("rejects the Heroku app name %s (%s)", (app) => {
    expect(problemsOf({ ...prod(), herokuApp: app })).toEqual([
      "console-wiring:herokuApp is not a Heroku app name (3-30 characters: lowercase letters, digits and dashes, starting with a letter, not ending with a dash). Example: pulumi config set herokuApp raxx-console-prod",
    ]);
  });

  it("rejects a ticketsHost with a scheme", () => {
    expect(problemsOf({ ...prod(), ticketsHost: "https://tickets.raxx.app" })).toEqual([
      "console-wiring:gates.tickets.host must be a bare lowercase hostname (no scheme, no path). Example: pulumi config set --path 'gates.tickets.host' tickets.raxx.app",
    ]);
  });

  it("rejects an adopt id that is not a UUID", () => {
    expect(problemsOf({ ...prod(), adoptAccessApplicationId: "ca6fd315" })).toEqual([
      "console-wiring:gates.tickets.adoptAccessApplicationId must be the Access application's UUID (lowercase, 8-4-4-4-12 hex), or empty to create a new one.",
    ]);
  });

  it("rejects writing the service token to a Vault path a selected feature reads", () => {
    expect(problemsOf({ ...prod(), vaultCloudflarePath: "freescout" })).toEqual([
      "console-wiring:gates.tickets.vaultPath is freescout, a secret feature investigate reads (infra/features/data/investigate.json): the stack writes this one and only reads those. Use a path of the gate's own: pulumi config set --path 'gates.tickets.vaultPath' tickets-access",
    ]);
  });

  it("the fix for a written path a feature reads never repeats the refused value", () => {
    const reads = (...paths: string[]): Feature => ({
      ...investigate(),
      requires: [
        ...investigate().requires,
        ...paths.map((path, i) => ({
          name: `EXTRA_${i}`,
          secret: true,
          source: { kind: "vault" as const, path, field: "F" },
          purpose: "p",
        })),
      ],
    });
    const problems = (feature: Feature) => {
      try {
        parseConfig(prod(), [feature]);
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    };
    expect(problems(reads("cloudflare"))).toEqual([
      expect.stringMatching(
        /^console-wiring:gates\.tickets\.vaultPath is cloudflare, a secret feature investigate reads .*Use a path of the gate's own: pulumi config set --path 'gates\.tickets\.vaultPath' tickets-access$/,
      ),
    ]);
    expect(problems(reads("cloudflare", "tickets-access"))[0]).toMatch(
      /set --path 'gates\.tickets\.vaultPath' tickets-service-token$/,
    );
  });

  it("rejects an unknown key in the namespace (a typo)", () => {
    const problems = problemsOf({ ...prod(), herokuAPP: "raxx-console-prod" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^console-wiring:herokuAPP is not a setting of this project \(known: .*herokuApp.*\)\. Remove it: pulumi config rm herokuAPP$/,
    );
  });

  it.each(["1e3", "0x10", "2.0", " 2"])(
    "takes serviceTokenSecretVersion %j as malformed, not as a number",
    (raw) => {
      expect(problemsOf({ ...prod(), serviceTokenSecretVersion: raw })).toEqual([
        "console-wiring:gates.tickets.serviceTokenSecretVersion must be a whole number of at least 0. Example: pulumi config set --path 'gates.tickets.serviceTokenSecretVersion' 2",
      ]);
    },
  );

  it("requires the previous secret's end with a rotation, in RFC 3339 UTC", () => {
    expect(problemsOf({ ...prod(), serviceTokenSecretVersion: "2" })).toEqual([
      "console-wiring:gates.tickets.serviceTokenPreviousSecretExpiresAt is missing: rotating the service token (serviceTokenSecretVersion 2) needs the time until which the previous client secret keeps working, so the app is not locked out before Heroku has the new one. Set it a few hours ahead: pulumi config set --path 'gates.tickets.serviceTokenPreviousSecretExpiresAt' 2026-12-01T12:00:00Z",
    ]);
    expect(
      problemsOf({
        ...prod(),
        serviceTokenSecretVersion: "2",
        serviceTokenPreviousSecretExpiresAt: "tomorrow",
      }),
    ).toEqual([
      "console-wiring:gates.tickets.serviceTokenPreviousSecretExpiresAt must be an RFC 3339 UTC time such as 2026-12-01T12:00:00Z. Example: pulumi config set --path 'gates.tickets.serviceTokenPreviousSecretExpiresAt' 2026-12-01T12:00:00Z",
    ]);
    expect(
      problemsOf({ ...prod(), serviceTokenPreviousSecretExpiresAt: "2026-12-01T12:00:00Z" }),
    ).toEqual([
      "console-wiring:gates.tickets.serviceTokenPreviousSecretExpiresAt is set but serviceTokenSecretVersion is 0 (never rotated): it only applies to a rotation. Remove it (pulumi config rm --path 'gates.tickets.serviceTokenPreviousSecretExpiresAt'), or rotate: pulumi config set --path 'gates.tickets.serviceTokenSecretVersion' 2",
    ]);
    expect(
      parseConfig({
        ...prod(),
        serviceTokenSecretVersion: "2",
        serviceTokenPreviousSecretExpiresAt: "2026-12-01T12:00:00Z",
      }).gates["tickets"]!.serviceToken.rotation,
    ).toEqual({ version: 2, previousSecretExpiresAt: "2026-12-01T12:00:00Z" });
  });

  it("lists every problem in one error", () => {
    const raw = {
      ...prod(),
      herokuApp: "Bad_App",
      freescoutApiUrl: "http://x.example",
      serviceTokenSecretVersion: "-1",
      flags: '{"FLAG_NOPE":true}',
    };
    expect(() => parseConfig(raw)).toThrowError(
      new ConfigError([
        "console-wiring:herokuApp is not a Heroku app name (3-30 characters: lowercase letters, digits and dashes, starting with a letter, not ending with a dash). Example: pulumi config set herokuApp raxx-console-prod",
        "console-wiring:gates.tickets.serviceTokenSecretVersion must be a whole number of at least 0. Example: pulumi config set --path 'gates.tickets.serviceTokenSecretVersion' 2",
        "console-wiring:freescoutApiUrl (FREESCOUT_API_URL on the app, feature investigate) must use https:// (it uses http://). Example: pulumi config set freescoutApiUrl https://tickets.raxx.app",
        "console-wiring:flags.FLAG_NOPE is not a flag of any selected feature (known: FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET; the flags are in infra/features/data/*.json).",
      ]),
    );
    try {
      parseConfig(raw);
    } catch (err) {
      expect((err as Error).message).toMatch(
        /^console-wiring: the stack config has 4 problems; nothing was applied\.\n {2}- /,
      );
    }
    expect.assertions(2);
  });
});

describe("console-wiring:features: the stack's selection", () => {
  it("names the key, the known features and the fix when it is missing", () => {
    expect(problemsOf({ ...prod(), features: undefined })).toEqual([
      "console-wiring:features is missing: the stack must say which features it deploys (known: investigate; each is infra/features/data/<id>.json). Set it: pulumi config set --path 'features.investigate' true (or features: {} in the stack file for none).",
      "console-wiring:flags.FLAG_CONSOLE_INVESTIGATE_FROM_STATUS is a flag of feature investigate, which this stack does not select. Add the feature (pulumi config set --path 'features.investigate' true) or remove the flag: pulumi config rm --path 'flags.FLAG_CONSOLE_INVESTIGATE_FROM_STATUS'",
      "console-wiring:flags.FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET is a flag of feature investigate, which this stack does not select. Add the feature (pulumi config set --path 'features.investigate' true) or remove the flag: pulumi config rm --path 'flags.FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET'",
    ]);
  });

  it("names an id that has no file", () => {
    expect(problemsOf({ ...prod(), features: '{"investigate":true,"billing":true}' })).toEqual([
      "console-wiring:features.billing is not a feature (known: investigate): add infra/features/data/billing.json, or remove it: pulumi config rm --path 'features.billing'",
    ]);
  });

  it("refuses a list or a non-boolean", () => {
    expect(problemsOf({ ...prod(), features: '["investigate"]' })[0]).toBe(
      "console-wiring:features must be a map of feature id to true/false (known: investigate). Example: pulumi config set --path 'features.investigate' true",
    );
    expect(problemsOf({ ...prod(), features: '{"investigate":"yes"}' })[0]).toBe(
      "console-wiring:features.investigate must be true or false (a YAML boolean). Fix: pulumi config set --path 'features.investigate' true",
    );
  });

  it("selects none with {}: no gated feature, so no Cloudflare key is required", () => {
    const config = parseConfig({
      ...prod(),
      features: "{}",
      flags: "",
      cloudflareAccountId: undefined,
      gates: undefined,
    });
    expect(config.features).toEqual([]);
    expect(config.gated).toBe(false);
    expect(config.gates).toEqual({});
    expect(config.manifestValues).toEqual({});
  });

  it("still requires the Cloudflare keys while a gated feature is selected", () => {
    expect(problemsOf({ ...prod(), cloudflareAccountId: undefined })).toEqual([
      "console-wiring:cloudflareAccountId is missing. Set it: pulumi config set cloudflareAccountId <32-hex-account-id>",
    ]);
  });
});
