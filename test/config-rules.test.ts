import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  knownConfigKeys,
  parseConfig as parseStackConfig,
  readConfig,
  tokenGenerations,
} from "../infra/config";
import { problemsOf as problemsOfRaw, prod } from "./support/config-problems";
import { inGate } from "./support/stack-config";

// The gate settings are written by their one-gate names and land in gates.tickets (inGate).
const problemsOf = (raw: Record<string, string | undefined>) => problemsOfRaw(inGate(raw));
const parseConfig = (
  raw: Record<string, string | undefined>,
  ...rest: Parameters<typeof parseStackConfig> extends [unknown, ...infer R] ? R : never
) => parseStackConfig(inGate(raw), ...rest);
import { investigate } from "./support/investigate";

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
      "console-wiring:gates.tickets.host must be a bare lowercase hostname (no scheme, no path). Example: pulumi config set --path 'gates.tickets.host' tickets.raxx.app",
    ],
    [
      "vaultMount",
      ["MooseQuest", "a/b.c_-"],
      ["/MooseQuest", "MooseQuest/", "a//b", "a b"],
      "console-wiring:vaultMount must be a Vault path without leading or trailing slashes or . and .. segments. Example: pulumi config set vaultMount MooseQuest",
    ],
    [
      "vaultCloudflarePath",
      ["cf", "a.b/..c/.d", "..."],
      ["cf/", "x/../freescout", "./cf", "cf/.", ".."],
      "console-wiring:gates.tickets.vaultPath must be a Vault path without leading or trailing slashes or . and .. segments. Example: pulumi config set --path 'gates.tickets.vaultPath' tickets-access",
    ],
    [
      "serviceTokenDuration",
      ["8760h", "1h30m", "90s", "10ms", "5us", "5µs", "7ns", "2m", "forever"],
      ["8760", "1d", "h", "8760h ", "-1h", "Forever", "forever ", "never", "forever8760h"],
      "console-wiring:gates.tickets.serviceTokenDuration must be a duration such as 8760h (units ns, us, ms, s, m, h), or forever for a token that never expires. Example: pulumi config set --path 'gates.tickets.serviceTokenDuration' 8760h",
    ],
    [
      "serviceTokenGeneration",
      ["1", "2", "41"],
      ["0", "-1", "x", "1.5"],
      "console-wiring:gates.tickets.serviceTokenGeneration must be a whole number of at least 1. Example: pulumi config set --path 'gates.tickets.serviceTokenGeneration' 2",
    ],
    [
      "serviceTokenRetiredGeneration",
      ["0"],
      ["-1", "x"],
      "console-wiring:gates.tickets.serviceTokenRetiredGeneration must be a whole number of at least 0. Example: pulumi config set --path 'gates.tickets.serviceTokenRetiredGeneration' 1",
    ],
    [
      "tokenExpiryWarningDays",
      ["1", "365"],
      ["0", "-3", "x"],
      "console-wiring:gates.tickets.tokenExpiryWarningDays must be a whole number of at least 1. Example: pulumi config set --path 'gates.tickets.tokenExpiryWarningDays' 30",
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
      "console-wiring:gates.tickets.adoptAccessPolicyId must be the Access policy's UUID (lowercase, 8-4-4-4-12 hex), or empty to create a new one.",
    ],
    [
      "adoptServiceTokenId",
      ["0a1b2c3d-0000-4000-8000-00000000abcd"],
      ["0a1b2c3d00004000800000000000abcd"],
      "console-wiring:gates.tickets.adoptServiceTokenId must be the service token's UUID (lowercase, 8-4-4-4-12 hex), or empty to create a new one.",
    ],
    [
      "adoptVaultCloudflareSecret",
      ["true", "false", ""],
      ["yes", "TRUE", "1"],
      "console-wiring:gates.tickets.adoptVaultSecret must be true or false. Example: pulumi config set --path 'gates.tickets.adoptVaultSecret' true",
    ],
    [
      "freescoutAllowedHosts",
      ["[]", "", '["eu.raxx.app"]'],
      ["eu.raxx.app", '"eu.raxx.app"', "[1]", '["EU.raxx.app"]', "{"],
      "console-wiring:gates.tickets.allowedHosts must be a list of bare lowercase hostnames. Example: pulumi config set --path 'gates.tickets.allowedHosts[0]' tickets-eu.raxx.app",
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
      "console-wiring:gates.tickets.host is missing. Set it: pulumi config set --path 'gates.tickets.host' tickets.raxx.app",
    ]);
    // A gate's token settings have defaults: blank is the default (console-<stack>-<gate>).
    expect(only("serviceTokenName", "")).toEqual([]);
    expect(only("tokenExpiryWarningDays", " ")).toEqual([]);
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
      "console-wiring:gates.tickets.host must be a bare lowercase hostname (no scheme, no path). Example: pulumi config set --path 'gates.tickets.host' tickets.raxx.app",
    ]);
  });

  it("gives an example on the default host when ticketsHost is missing", () => {
    expect(
      problemsOf({ ...prod(), ticketsHost: undefined, freescoutApiUrl: "http://x.example" }),
    ).toContain(
      "console-wiring:freescoutApiUrl (FREESCOUT_API_URL on the app, feature investigate) must use https:// (it uses http://). Example: pulumi config set freescoutApiUrl https://api.example.com",
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
      parseConfig(
        { ...withoutUrls(), features: '{"t":true}', gates: undefined, flags: "", tText: "  v  " },
        [feature],
      ).manifestValues,
    ).toEqual({ tText: "v" });
    expect(
      parseConfig(
        { ...withoutUrls(), features: '{"t":true}', gates: undefined, flags: "", tText: "   " },
        [feature],
      ).manifestValues,
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
    const known = [...knownConfigKeys([investigate()])].sort().join(", ");
    expect(problem).toBe(
      `console-wiring:herokuAPP is not a setting of this project (known: ${known}). Remove it: pulumi config rm herokuAPP`,
    );
    expect(known).toMatch(/^adoptConfigVars, cloudflareAccountId, features, flags, /);
  });

  it("ignores a key the stack holds without a value", () => {
    expect(only("herokuAPP", undefined)).toEqual([]);
  });

  it("lists every key this project reads: fixed keys, then the manifest's", () => {
    expect(knownConfigKeys([investigate()])).toEqual([
      "herokuApp",
      "cloudflareAccountId",
      "features",
      "gates",
      "vaultMount",
      "flags",
      "sentryOrganization",
      "sentryProject",
      "sentryOpsTeamId",
      "adoptConfigVars",
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
          serviceTokenSecretVersion: "2",
          serviceTokenPreviousSecretExpiresAt: ` ${at} `,
        }).gates["tickets"]!.serviceToken.rotation,
      ).toEqual({ version: 2, previousSecretExpiresAt: at });
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
          serviceTokenSecretVersion: "3",
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
    expect(config.gates["tickets"]!.serviceToken.rotation).toBeUndefined();
    expect(config.gates["tickets"]!.serviceToken.secretVersion).toBe(0);
  });

  it("does not ask for the end when the version itself is malformed", () => {
    expect(only("serviceTokenSecretVersion", "-1")).toEqual([
      "console-wiring:gates.tickets.serviceTokenSecretVersion must be a whole number of at least 0. Example: pulumi config set --path 'gates.tickets.serviceTokenSecretVersion' 2",
    ]);
  });

  // Cloudflare's provider keeps client_secret_version at 1 (its default) and rotates only when
  // the planned version differs from state: sending 1 would rotate nothing and say nothing.
  it("refuses version 1, which rotates nothing, naming the first rotation, with or without the end", () => {
    const message =
      "console-wiring:gates.tickets.serviceTokenSecretVersion is 1, which rotates nothing: Cloudflare's provider starts every token at client secret version 1 and rotates only when the version differs from its state. The first rotation is 2, each later one the current value + 1. Fix: pulumi config set --path 'gates.tickets.serviceTokenSecretVersion' 2";
    expect(only("serviceTokenSecretVersion", "1")).toEqual([message]);
    expect(
      problemsOf({
        ...prod(),
        serviceTokenSecretVersion: "1",
        serviceTokenPreviousSecretExpiresAt: "2026-12-01T12:00:00Z",
      }),
    ).toEqual([message]);
  });

  it("sends the first rotation as version 2 with the previous secret's end", () => {
    const config = parseConfig({
      ...prod(),
      serviceTokenSecretVersion: "2",
      serviceTokenPreviousSecretExpiresAt: "2026-12-01T12:00:00Z",
    });
    expect(config.gates["tickets"]!.serviceToken.rotation).toEqual({
      version: 2,
      previousSecretExpiresAt: "2026-12-01T12:00:00Z",
    });
    expect(config.gates["tickets"]!.serviceToken.secretVersion).toBe(2);
  });

  it("refuses a rotation while a renewal keeps the previous generation: the new token starts at 1", () => {
    expect(
      problemsOf({
        ...prod(),
        serviceTokenGeneration: "2",
        serviceTokenSecretVersion: "3",
        serviceTokenPreviousSecretExpiresAt: "2026-12-01T12:00:00Z",
      }),
    ).toEqual([
      "console-wiring:gates.tickets.serviceTokenSecretVersion is 3 while generation 1's token is still admitted (serviceTokenGeneration 2: a renewal in progress). A rotation counts for one token, and generation 2's new token starts at version 1. Remove both: pulumi config rm --path 'gates.tickets.serviceTokenSecretVersion' && pulumi config rm --path 'gates.tickets.serviceTokenPreviousSecretExpiresAt' (generation 1's token keeps its secret until it is retired).",
    ]);
    const renewed = parseConfig({
      ...prod(),
      serviceTokenGeneration: "2",
      serviceTokenRetiredGeneration: "1",
      serviceTokenSecretVersion: "2",
      serviceTokenPreviousSecretExpiresAt: "2026-12-01T12:00:00Z",
    }).gates["tickets"]!.serviceToken;
    expect(renewed.rotation?.version).toBe(2);
    expect(renewed.previousGeneration).toBeUndefined();
  });
});

describe("renewal: token generations", () => {
  const generations = (generation: string, retired?: string) =>
    parseConfig({
      ...prod(),
      serviceTokenGeneration: generation,
      serviceTokenRetiredGeneration: retired,
    }).gates["tickets"]!.serviceToken;

  it("starts at generation 1 with nothing kept besides it", () => {
    expect(generations("1", "0")).toMatchObject({ generation: 1, previousGeneration: undefined });
  });

  it("keeps the previous generation admitted after a bump, until it is retired", () => {
    expect(generations("2", "0")).toMatchObject({ generation: 2, previousGeneration: 1 });
    expect(generations("2", "1")).toMatchObject({ generation: 2, previousGeneration: undefined });
  });

  it("keeps the previous generation when the retired one is left over from an earlier renewal", () => {
    expect(generations("3", "1")).toMatchObject({ generation: 3, previousGeneration: 2 });
    expect(generations("3", "2")).toMatchObject({ generation: 3, previousGeneration: undefined });
  });

  it("refuses to retire the generation the app uses, naming the one that can be", () => {
    expect(
      problemsOf({ ...prod(), serviceTokenGeneration: "2", serviceTokenRetiredGeneration: "2" }),
    ).toEqual([
      "console-wiring:gates.tickets.serviceTokenRetiredGeneration is 2 but serviceTokenGeneration is 2: the current generation's token is the one the app uses and cannot be retired. Retire only an earlier one: pulumi config set --path 'gates.tickets.serviceTokenRetiredGeneration' 1",
    ]);
    expect(
      problemsOf({ ...prod(), serviceTokenGeneration: "2", serviceTokenRetiredGeneration: "5" }),
    ).toHaveLength(1);
    expect(problemsOf({ ...prod(), serviceTokenRetiredGeneration: "1" })).toEqual([
      "console-wiring:gates.tickets.serviceTokenRetiredGeneration is 1 but serviceTokenGeneration is 1: the current generation's token is the one the app uses and cannot be retired. Remove it: pulumi config rm --path 'gates.tickets.serviceTokenRetiredGeneration'",
    ]);
  });

  it("says nothing more of the generations when one of them is malformed", () => {
    expect(only("serviceTokenGeneration", "0")).toHaveLength(1);
    expect(only("serviceTokenGeneration", "")).toEqual([]);
    expect(
      problemsOf({ ...prod(), serviceTokenGeneration: "2", serviceTokenRetiredGeneration: "-2" }),
    ).toHaveLength(1);
  });
});

describe("tokenGenerations (pure)", () => {
  it("gives the current generation and, until retired, the one before", () => {
    const problems: string[] = [];
    expect(tokenGenerations(1, 0, problems)).toEqual({ current: 1, previous: undefined });
    expect(tokenGenerations(2, 0, problems)).toEqual({ current: 2, previous: 1 });
    expect(tokenGenerations(2, 1, problems)).toEqual({ current: 2, previous: undefined });
    expect(tokenGenerations(4, 2, problems)).toEqual({ current: 4, previous: 3 });
    expect(tokenGenerations(4, 3, problems)).toEqual({ current: 4, previous: undefined });
    expect(problems).toEqual([]);
  });

  it("keeps nothing and adds no problem for numbers already reported as malformed or out of range", () => {
    const problems: string[] = [];
    for (const [g, r] of [
      [Number.NaN, 0],
      [2, Number.NaN],
      [0, 0],
      [2, -1],
    ] as const)
      expect(tokenGenerations(g, r, problems).previous, `${g}/${r}`).toBeUndefined();
    expect(problems).toEqual([]);
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
