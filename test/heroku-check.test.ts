import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  configVarsProvider as provider,
  PROVIDER_VERSION,
  type ConfigVarsInputs,
} from "../infra/heroku/provider";
import { UNKNOWN } from "../infra/heroku/validate";
import { FakeHeroku } from "./support/fake-heroku";

// Bad input is rejected by the provider's `check`, which the engine calls at preview, before any
// HTTP call: a fake is listening anyway to prove that none is made.
let fake: FakeHeroku;
beforeEach(async () => {
  fake = new FakeHeroku("fake-heroku-key-sentinel-token-value");
  process.env["HEROKU_API_URL"] = await fake.start();
  process.env["HEROKU_API_KEY"] = "fake-heroku-key-sentinel-token-value";
});
afterEach(async () => {
  await fake.stop();
  delete process.env["HEROKU_API_URL"];
  delete process.env["HEROKU_API_KEY"];
});

const news = (vars: Record<string, unknown>, app: unknown = "raxx-console-prod") =>
  ({
    app,
    vars,
    keys: Object.keys(vars).sort(),
    providerVersion: PROVIDER_VERSION,
  }) as unknown as ConfigVarsInputs;

async function failures(input: ConfigVarsInputs) {
  const result = await provider.check!(input, input);
  expect(fake.calls).toEqual([]);
  return result.failures;
}

describe("check rejects bad input before any HTTP call", () => {
  it("accepts good input", async () => {
    expect(await failures(news({ FREESCOUT_API_URL: "https://tickets.raxx.app" }))).toEqual([]);
  });

  it("accepts values not known until apply (preview)", async () => {
    expect(await failures(news({ CF_ACCESS_SVC_TICKETS_CLIENT_ID: UNKNOWN }))).toEqual([]);
    expect(await failures({ ...news({}), vars: UNKNOWN } as unknown as ConfigVarsInputs)).toEqual(
      [],
    );
  });

  it("rejects a key that does not match ^\\w+$", async () => {
    expect(await failures(news({ "FREESCOUT-API-URL": "https://x.example" }))).toEqual([
      {
        property: "vars.FREESCOUT-API-URL",
        reason:
          'config var name "FREESCOUT-API-URL" is not accepted by Heroku: names must match ^\\w+$ (letters, digits, underscore)',
      },
    ]);
  });

  it("rejects an empty value", async () => {
    expect(await failures(news({ FREESCOUT_API_KEY: "" }))).toEqual([
      {
        property: "vars.FREESCOUT_API_KEY",
        reason:
          "FREESCOUT_API_KEY is empty: an empty config var is a missing one to the app; provide its value at its source",
      },
    ]);
  });

  it("rejects a non-string value", async () => {
    expect(await failures(news({ FREESCOUT_OPERATIONS_MAILBOX_ID: 7 }))).toEqual([
      {
        property: "vars.FREESCOUT_OPERATIONS_MAILBOX_ID",
        reason:
          "FREESCOUT_OPERATIONS_MAILBOX_ID must be a string value (got number); Heroku stores strings only",
      },
    ]);
  });

  it("rejects config over Heroku's 32 kB limit", async () => {
    expect(await failures(news({ A: "x".repeat(20_000), B: "y".repeat(13_000) }))).toEqual([
      {
        property: "vars",
        reason:
          "the declared config vars take 33002 bytes, over Heroku's 32768-byte limit for an app's whole config",
      },
    ]);
  });

  it("rejects an app name Heroku would reject", async () => {
    expect(await failures(news({ A: "b" }, "Raxx_Console"))).toEqual([
      {
        property: "app",
        reason:
          "app must be a Heroku app name (3-30 characters: lowercase letters, digits and dashes, starting with a letter) or app UUID",
      },
    ]);
  });

  it("rejects a value with a newline without showing it", async () => {
    const result = await failures(news({ FREESCOUT_API_KEY: "sentinel-line-one\nline-two" }));
    expect(result).toEqual([
      {
        property: "vars.FREESCOUT_API_KEY",
        reason:
          "FREESCOUT_API_KEY contains a line break or NUL character, which this stack does not write to Heroku (value not shown)",
      },
    ]);
    expect(JSON.stringify(result)).not.toContain("sentinel");
  });

  it("accepts an empty set of vars (a resource that owns nothing yet)", async () => {
    expect(await failures(news({}))).toEqual([]);
  });
});

describe("create re-checks the app's whole config against the 32 kB limit", () => {
  it("refuses to push the app over the limit and sends no PATCH", async () => {
    fake.apps.set("raxx-console-prod", { BIG: "z".repeat(30_000) });
    await expect(provider.create(news({ MORE: "m".repeat(3_000) }))).rejects.toThrow(
      "Heroku app raxx-console-prod: its config would take 33007 bytes with these vars, over Heroku's 32768-byte limit; nothing was changed.",
    );
    expect(fake.calls.map((c) => c.method)).toEqual(["GET"]);
  });
});
