import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, knownConfigKeys, parseConfig, readConfig } from "../infra/config";
import { problemsOf, prod } from "./support/config-problems";

// Every rule of the stack config, at its edges: the value it accepts, the one it refuses, and the
// exact message a person reads (the key, the rule, the fix).

const only = (key: string, value: string | undefined) => problemsOf({ ...prod(), [key]: value });
/** The prod stack without the FreeScout URLs (which must point at ticketsHost). */
const withoutUrls = () => ({
  ...prod(),
  freescoutApiUrl: undefined,
  freescoutInstanceUrl: undefined,
});

describe("each key's rule and message", () => {
  it.each([
    [
      "cloudflareAccountId",
      ["0123456789abcdef0123456789abcdef"],
      [
        "0123456789abcdef0123456789abcde",
        "x0123456789abcdef0123456789abcdef",
        "0123456789ABCDEF0123456789ABCDEF",
      ],
      "console-wiring:cloudflareAccountId must be a Cloudflare account id (32 lowercase hex characters, from the dashboard URL). Example: pulumi config set cloudflareAccountId <32-hex-account-id>",
    ],
    [
      "ticketsApiPath",
      ["/", "/api", "/a/b.c~_-"],
      ["api", "/api/", "//api", "/api x", "/api?x=1"],
      "console-wiring:ticketsApiPath must be a URL path that starts with / and does not end with / (like /api). Example: pulumi config set ticketsApiPath /api",
    ],
    [
      "ticketsHost",
      ["tickets.raxx.app", "a-b.c.io"],
      [
        "tickets",
        "Tickets.raxx.app",
        "tickets.raxx.app/api",
        "-x.raxx.app",
        "x.raxx.app.",
        "x.raxx.a",
      ],
      "console-wiring:ticketsHost must be a bare lowercase hostname (no scheme, no path). Example: pulumi config set ticketsHost tickets.raxx.app",
    ],
    [
      "vaultMount",
      ["MooseQuest", "a/b.c_-"],
      ["/MooseQuest", "MooseQuest/", "a//b", "a b"],
      "console-wiring:vaultMount must be a Vault path without leading or trailing slashes. Example: pulumi config set vaultMount MooseQuest",
    ],
    [
      "vaultFreescoutPath",
      ["freescout", "team/freescout"],
      ["/freescout"],
      "console-wiring:vaultFreescoutPath must be a Vault path without leading or trailing slashes. Example: pulumi config set vaultFreescoutPath freescout",
    ],
    [
      "vaultCloudflarePath",
      ["cf"],
      ["cf/"],
      "console-wiring:vaultCloudflarePath must be a Vault path without leading or trailing slashes. Example: pulumi config set vaultCloudflarePath cloudflare",
    ],
    [
      "serviceTokenDuration",
      ["8760h", "1h30m", "90s", "10ms", "5us", "5µs", "7ns", "2m"],
      ["8760", "1d", "h", "8760h ", "-1h"],
      "console-wiring:serviceTokenDuration must be a duration such as 8760h (units ns, us, ms, s, m, h). Example: pulumi config set serviceTokenDuration 8760h",
    ],
    [
      "tokenExpiryWarningDays",
      ["1", "365"],
      ["0", "-3", "x"],
      "console-wiring:tokenExpiryWarningDays must be a whole number of at least 1. Example: pulumi config set tokenExpiryWarningDays 30",
    ],
    [
      "sentryOrganization",
      ["raxx", "0-a_b", "a".repeat(50)],
      ["Raxx", "-raxx", "a".repeat(51), "raxx org"],
      "console-wiring:sentryOrganization must be a Sentry organization slug. Example: pulumi config set sentryOrganization raxx",
    ],
    [
      "sentryProject",
      ["console"],
      ["Console"],
      "console-wiring:sentryProject must be a Sentry project slug. Example: pulumi config set sentryProject console",
    ],
    [
      "sentryOpsTeamId",
      ["1", "1".repeat(20)],
      ["1".repeat(21), "team", "12a"],
      "console-wiring:sentryOpsTeamId must be the ops team's numeric Sentry team id. Example: pulumi config set sentryOpsTeamId 1234567",
    ],
    [
      "adoptAccessPolicyId",
      ["", "0a1b2c3d-0000-4000-8000-00000000abcd"],
      [
        "0A1B2C3D-0000-4000-8000-00000000ABCD",
        "x0a1b2c3d-0000-4000-8000-00000000abcd",
        "0a1b2c3d-0000-4000-8000-00000000abcdx",
      ],
      "console-wiring:adoptAccessPolicyId must be the Access policy's UUID (lowercase, 8-4-4-4-12 hex), or empty to create a new one.",
    ],
    [
      "adoptServiceTokenId",
      ["0a1b2c3d-0000-4000-8000-00000000abcd"],
      ["0a1b2c3d00004000800000000000abcd"],
      "console-wiring:adoptServiceTokenId must be the service token's UUID (lowercase, 8-4-4-4-12 hex), or empty to create a new one.",
    ],
    [
      "adoptVaultCloudflareSecret",
      ["true", "false", ""],
      ["yes", "TRUE", "1"],
      "console-wiring:adoptVaultCloudflareSecret must be true or false. Example: pulumi config set adoptVaultCloudflareSecret true",
    ],
    [
      "freescoutAllowedHosts",
      ["[]", "", '["eu.raxx.app"]'],
      ["eu.raxx.app", '"eu.raxx.app"', "[1]", '["EU.raxx.app"]', "{"],
      "console-wiring:freescoutAllowedHosts must be a list of bare lowercase hostnames. Example: pulumi config set --path 'freescoutAllowedHosts[0]' tickets-eu.raxx.app",
    ],
  ])("%s", (key, good, bad, message) => {
    const check = (value: string) => problemsOf({ ...withoutUrls(), [key]: value });
    for (const value of good) expect(check(value), `${key}=${value}`).toEqual([]);
    for (const value of bad) expect(check(value), `${key}=${value}`).toEqual([message]);
  });

  it("accepts the Heroku app names Heroku accepts, at both length limits", () => {
    for (const app of ["abc", "a".repeat(30), "a1-b2", "ab0"])
      expect(only("herokuApp", app)).toEqual([]);
    for (const app of ["1abc", "abc-", "-abc", "ab"])
      expect(only("herokuApp", app)).toHaveLength(1);
  });

  it("says an absent and a blank value apart, for every required key", () => {
    expect(only("ticketsHost", undefined)).toEqual([
      "console-wiring:ticketsHost is missing. Set it: pulumi config set ticketsHost tickets.raxx.app",
    ]);
    expect(only("serviceTokenName", "")).toEqual([
      "console-wiring:serviceTokenName is empty. Set it: pulumi config set serviceTokenName console-investigate-tickets",
    ]);
    expect(only("tokenExpiryWarningDays", " ")).toEqual([
      "console-wiring:tokenExpiryWarningDays is empty. Set it: pulumi config set tokenExpiryWarningDays 30",
    ]);
  });

  it("refuses flags that are not JSON at all", () => {
    expect(only("flags", "{FLAG: true")).toEqual([
      "console-wiring:flags must be a map of flag var to true/false. Example: pulumi config set --path 'flags.FLAG_CONSOLE_INVESTIGATE_FROM_STATUS' true",
    ]);
    expect(only("flags", "null")).toHaveLength(1);
    expect(parseConfig({ ...prod(), flags: "" }).flags).toEqual({
      FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: false,
      FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: false,
    });
  });

  it("names a flag example even for a manifest without flags", () => {
    expect(problemsOf({ ...prod(), flags: "[]" }).length).toBe(1);
    const none = [{ id: "x", description: "", flags: [], requires: [] }];
    let problems: readonly string[] = [];
    try {
      parseConfig(
        { ...prod(), freescoutApiUrl: undefined, freescoutInstanceUrl: undefined, flags: "7" },
        none,
      );
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toContain(
      "console-wiring:flags must be a map of flag var to true/false. Example: pulumi config set --path 'flags.FLAG_NAME' true",
    );
  });
});

describe("URLs and hosts", () => {
  it("checks URLs against ticketsHost only once ticketsHost itself is valid", () => {
    expect(
      problemsOf({ ...prod(), ticketsHost: "Bad Host", freescoutApiUrl: "https://evil.example" }),
    ).toEqual([
      "console-wiring:ticketsHost must be a bare lowercase hostname (no scheme, no path). Example: pulumi config set ticketsHost tickets.raxx.app",
    ]);
  });

  it("gives an example on the default host when ticketsHost is missing", () => {
    expect(
      problemsOf({ ...prod(), ticketsHost: undefined, freescoutApiUrl: "http://x.example" }),
    ).toContain(
      "console-wiring:freescoutApiUrl (FREESCOUT_API_URL on the app) must use https:// (it uses http://). Example: pulumi config set freescoutApiUrl https://tickets.raxx.app",
    );
  });

  it("allows the extra hosts alone while ticketsHost is malformed", () => {
    const raw = { ...prod(), ticketsHost: "Bad", freescoutAllowedHosts: '["eu.raxx.app"]' };
    expect(problemsOf(raw)).toHaveLength(1);
  });

  it("keeps text values trimmed and skips blank ones", () => {
    const feature = {
      id: "t",
      description: "",
      flags: ["FLAG_T"],
      requires: [
        {
          name: "T_TEXT",
          secret: false,
          source: { kind: "config" as const, key: "tText", format: "text" as const },
          purpose: "",
        },
      ],
    };
    expect(
      parseConfig({ ...withoutUrls(), flags: "", tText: "  v  " }, [feature]).manifestValues,
    ).toEqual({ tText: "v" });
    expect(
      parseConfig({ ...withoutUrls(), flags: "", tText: "   " }, [feature]).manifestValues,
    ).toEqual({});
  });
});

describe("the whole error", () => {
  it("counts one problem in the singular", () => {
    expect(() => parseConfig({ ...prod(), herokuApp: undefined })).toThrow(
      "console-wiring: the stack config has 1 problem; nothing was applied.\n  - console-wiring:herokuApp is missing. Set it: pulumi config set herokuApp raxx-console-prod",
    );
  });

  it("lists the known keys sorted when a key is unknown", () => {
    const [problem] = only("herokuAPP", "x");
    const known = [...knownConfigKeys()].sort().join(", ");
    expect(problem).toBe(
      `console-wiring:herokuAPP is not a setting of this project (known: ${known}). Remove it: pulumi config rm herokuAPP`,
    );
    expect(known).toMatch(/^adoptAccessApplicationId, adoptAccessPolicyId, /);
  });

  it("ignores a key the stack holds without a value", () => {
    expect(only("herokuAPP", undefined)).toEqual([]);
  });

  it("lists every key this project reads: fixed keys, then the manifest's", () => {
    expect(knownConfigKeys()).toEqual([
      "herokuApp",
      "cloudflareAccountId",
      "ticketsHost",
      "ticketsApiPath",
      "vaultMount",
      "vaultFreescoutPath",
      "vaultCloudflarePath",
      "serviceTokenName",
      "serviceTokenDuration",
      "serviceTokenSecretVersion",
      "serviceTokenPreviousSecretExpiresAt",
      "tokenExpiryWarningDays",
      "flags",
      "freescoutAllowedHosts",
      "sentryOrganization",
      "sentryProject",
      "sentryOpsTeamId",
      "adoptAccessApplicationId",
      "adoptAccessPolicyId",
      "adoptServiceTokenId",
      "adoptVaultCloudflareSecret",
      "freescoutApiUrl",
      "freescoutInstanceUrl",
    ]);
  });
});

describe("rotation", () => {
  it("takes the previous secret's end in RFC 3339 UTC, with or without fractions", () => {
    for (const at of ["2026-12-01T12:00:00Z", "2026-12-01T12:00:00.5Z"]) {
      expect(
        parseConfig({
          ...prod(),
          serviceTokenSecretVersion: "1",
          serviceTokenPreviousSecretExpiresAt: ` ${at} `,
        }).serviceToken.rotation,
      ).toEqual({ version: 1, previousSecretExpiresAt: at });
    }
    for (const at of [
      "2026-12-01T12:00:00+01:00",
      "2026-12-01 12:00:00Z",
      "2026-13-45T12:00:00Z",
      "x2026-12-01T12:00:00Z",
    ]) {
      expect(
        problemsOf({
          ...prod(),
          serviceTokenSecretVersion: "1",
          serviceTokenPreviousSecretExpiresAt: at,
        }),
        at,
      ).toHaveLength(1);
    }
  });

  it("sends no rotation at version 0, and says nothing of a blank end", () => {
    const config = parseConfig({
      ...prod(),
      serviceTokenSecretVersion: "0",
      serviceTokenPreviousSecretExpiresAt: " ",
    });
    expect(config.serviceToken.rotation).toBeUndefined();
    expect(config.serviceToken.secretVersion).toBe(0);
  });

  it("does not ask for the end when the version itself is malformed", () => {
    expect(only("serviceTokenSecretVersion", "-1")).toEqual([
      "console-wiring:serviceTokenSecretVersion must be a whole number of at least 0. Example: pulumi config set serviceTokenSecretVersion 1",
    ]);
  });
});

describe("readConfig (what the program calls)", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}));

  const namespaced = (
    raw: Record<string, string | undefined>,
    extra: Record<string, string> = {},
  ) => {
    const out: Record<string, string> = { ...extra };
    for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[`console-wiring:${k}`] = v;
    return out;
  };

  it("reads this project's keys and ignores other namespaces", () => {
    pulumi.runtime.setAllConfig(
      namespaced(prod(), { "aws:region": "eu-west-1", "console-wiringx:k": "v" }),
    );
    expect(readConfig().herokuApp).toBe("raxx-console-prod");
  });

  it("stops with a RunError that carries the message and no stack", () => {
    pulumi.runtime.setAllConfig(namespaced({ ...prod(), herokuApp: "Bad_App" }));
    let caught: unknown;
    try {
      readConfig();
    } catch (err) {
      caught = err;
    }
    expect(pulumi.RunError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toMatch(
      /^console-wiring: the stack config has 1 problem; nothing was applied\.\n {2}- console-wiring:herokuApp is not a Heroku app name/,
    );
    expect((caught as Error).stack).toBeUndefined();
  });
});
