import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanForCredentials } from "../tools/credential-scan";
import { loadStackFiles, StackFileError } from "../tools/stack-files";

const stackFiles = readdirSync(".").filter((f) => /^Pulumi\..+\.ya?ml$/.test(f));

describe("stack files hold no secret", () => {
  it("finds the prod stack file", () => {
    expect(stackFiles).toContain("Pulumi.prod.yaml");
  });

  it.each(stackFiles)("%s has nothing that looks like a credential", (file) => {
    expect(scanForCredentials(readFileSync(file, "utf8"))).toEqual([]);
    expect(loadStackFiles(file.replace(/^Pulumi\.|\.ya?ml$/g, "")).secureKeys).toEqual([]);
  });

  it.each([
    ["  console-wiring:apiKey:\n    secure: v1:abc", "a secure: (encrypted secret) value"],
    // Made-up credentials, assembled so the repository holds no credential-shaped string.
    [`  x: ${["HRKU", "0123456789abcdefghij"].join("-")}`, "a Heroku API key (HRKU-...)"],
    [
      "  herokuToken: 01234567-89ab-cdef-0123-456789abcdef",
      "a Heroku API key (UUID-style) under a key/token name",
    ],
    [
      `  vault: ${["hvs", "CAESIJ0123456789abcdefghijkl"].join(".")}`,
      "a Vault token (hvs./hvb./s.)",
    ],
    [`  pem: -----BEGIN RSA ${"PRIVATE"} KEY-----`, "a private key"],
    ["  id: 0123456789abcdef0123456789abcdef.access", "a Cloudflare service token client id"],
    [
      "  console-wiring:freescoutApiKey: abcdef123456",
      "a non-empty value under a secret-sounding key",
    ],
    [
      "  blob: dGhpcyBpcyBhIHZlcnkgbG9uZyBzZWNyZXQgdmFsdWUgaW5kZWVk",
      "a long opaque string (40+ base64/hex characters)",
    ],
  ])("the scan catches %j", (text, rule) => {
    expect(scanForCredentials(text).map((f) => f.rule)).toContain(rule);
  });

  it("does not flag the account id, URLs or comments", () => {
    expect(
      scanForCredentials(
        [
          "  console-wiring:cloudflareAccountId: 0123456789abcdef0123456789abcdef",
          "  console-wiring:freescoutApiUrl: https://tickets.raxx.app",
          "  # secret: never here",
        ].join("\n"),
      ),
    ).toEqual([]);
  });
});

describe("loadStackFiles", () => {
  it("applies Pulumi.yaml defaults under the stack's values, as the CLI does", () => {
    const { config } = loadStackFiles("prod");
    // Prod's per-gate map as the CLI passes it: JSON, with YAML numbers and booleans kept.
    expect(JSON.parse(config["console-wiring:gates"]!)).toEqual({
      tickets: {
        host: "tickets.raxx.app",
        vaultPath: "cloudflare",
        serviceTokenName: "console-investigate-tickets",
        serviceTokenDuration: "8760h",
        tokenExpiryWarningDays: 30,
        adoptVaultSecret: true,
      },
    });
    expect(JSON.parse(config["console-wiring:flags"]!)).toEqual({
      FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: true,
      FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: true,
    });
  });

  it("names a stack file that does not exist", () => {
    expect(() => loadStackFiles("nope")).toThrowError(
      new StackFileError(`cannot read ${process.cwd()}/Pulumi.nope.yaml`),
    );
  });
});

describe("hostile stack files", () => {
  function project(stackText: string): string {
    const dir = mkdtempSync(join(tmpdir(), "stack-hostile-"));
    copyFileSync(join(__dirname, "..", "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    writeFileSync(join(dir, "Pulumi.evil.yaml"), stackText);
    return dir;
  }
  const load = (text: string) => () => loadStackFiles("evil", project(text));

  it("refuses YAML anchors and aliases (an alias bomb), naming the line", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "config:",
      "  console-wiring:herokuApp: *d",
    ].join("\n");
    expect(load(bomb)).toThrow(
      /Pulumi\.evil\.yaml line 1: YAML anchors and aliases are not accepted in stack files$/,
    );
  });

  it("refuses a file over the size limit before reading it as YAML", () => {
    expect(load(`config:\n  console-wiring:herokuApp: ${"x".repeat(70_000)}\n`)).toThrow(
      /Pulumi\.evil\.yaml is \d+ bytes, over the 65536-byte limit for a stack file$/,
    );
  });

  it("refuses a line over the length limit (a 50 kB whitespace line, say)", () => {
    expect(load(`config:\n${" ".repeat(50_000)}\n`)).toThrow(
      /Pulumi\.evil\.yaml line 2 is over 4096 characters$/,
    );
  });

  it("reports invalid YAML in one line with its line number, quoting nothing", () => {
    expect(load("config:\n  console-wiring:herokuApp: [unclosed SENTINEL\n")).toThrow(
      /^.*Pulumi\.evil\.yaml is not valid YAML \(line \d+\): [A-Z_]+$/,
    );
  });
});

describe("the credential scan", () => {
  it("does not flag settings about the token", () => {
    expect(
      scanForCredentials(
        [
          "  console-wiring:serviceTokenName: console-investigate-tickets-2",
          "  console-wiring:serviceTokenDuration: 17520h",
          "  console-wiring:serviceTokenSecretVersion: 2",
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  it("still flags a value under a key whose last word names a secret", () => {
    expect(scanForCredentials("  console-wiring:cloudflareApiToken: abcdefghijkl")).toEqual([
      { line: 1, rule: "a non-empty value under a secret-sounding key" },
    ]);
  });

  it("finds nothing on a whitespace-only line at the length limit", () => {
    expect(scanForCredentials(" ".repeat(4_096))).toEqual([]);
  });
});
