import { describe, expect, it } from "vitest";
import { clientOptionsFromEnv, redactToken } from "../infra/heroku/client";
import { applyPatch, own, planPatch, redact } from "../infra/heroku/provider";

// The provider's pure decisions: which keys a PATCH carries, what the app holds after it, and
// what a message may show. Each one is what stands between a plan and a deleted or leaked var.

describe("planPatch", () => {
  it("sends only declared keys whose value differs from the app's", () => {
    const current = { SAME: "1", OTHER: "x", CHANGED: "old" };
    expect(planPatch(current, { SAME: "1", CHANGED: "new", ADDED: "a" })).toEqual({
      CHANGED: "new",
      ADDED: "a",
    });
  });

  it("removes a key no longer declared, only if the app still holds it", () => {
    const current = { GONE: "g", KEPT: "k", OTHER: "x" };
    expect(planPatch(current, { KEPT: "k" }, ["GONE", "ALREADY_ABSENT"])).toEqual({ GONE: null });
  });

  it("never removes a key that is still declared, even when listed as removed", () => {
    const current = { A: "1" };
    expect(planPatch(current, { A: "1" }, ["A"])).toEqual({});
    expect(planPatch(current, { A: "2" }, ["A"])).toEqual({ A: "2" });
  });

  it("treats names of Object.prototype members as ordinary keys", () => {
    expect(planPatch({}, { constructor: "c", toString: "t" })).toEqual({
      constructor: "c",
      toString: "t",
    });
    expect(planPatch({ constructor: "c" }, {}, ["constructor", "hasOwnProperty"])).toEqual({
      constructor: null,
    });
  });

  it("sends nothing when the app already matches", () => {
    expect(Object.keys(planPatch({ A: "1", B: "2" }, { A: "1" }, []))).toEqual([]);
  });
});

describe("applyPatch: what Heroku's merge leaves", () => {
  it("sets, replaces and deletes, keeping every key the patch does not name", () => {
    const after = applyPatch(
      { KEEP: "k", CHANGE: "old", DROP: "d" },
      {
        CHANGE: "new",
        DROP: null,
        ADD: "a",
      },
    );
    expect({ ...after }).toEqual({ KEEP: "k", CHANGE: "new", ADD: "a" });
  });

  it("does not change the config it was given", () => {
    const current = { A: "1" };
    applyPatch(current, { A: null, B: "2" });
    expect(current).toEqual({ A: "1" });
  });
});

describe("own", () => {
  it("reads own keys only, never inherited members", () => {
    expect(own({ A: "1" }, "A")).toBe("1");
    expect(own({ A: "1" }, "toString")).toBeUndefined();
    expect(own(undefined, "A")).toBeUndefined();
  });
});

describe("redact", () => {
  it("replaces every occurrence of each declared value", () => {
    expect(redact("key abcd then abcd, url https://x", { K: "abcd", U: "https://x" })).toBe(
      "key [redacted] then [redacted], url [redacted]",
    );
  });

  it("leaves values under 4 characters (flags, ids) so the message stays readable", () => {
    expect(redact("flag 1 on app 123", { F: "1", N: "123" })).toBe("flag 1 on app 123");
    expect(redact("id 1234", { N: "1234" })).toBe("id [redacted]");
  });

  it("replaces the credentials given, and ignores an unset one", () => {
    const key = "fake-heroku-api-key";
    expect(redact(`bad key ${key}`, {}, [undefined, key])).toBe("bad key [redacted]");
  });
});

describe("redactToken", () => {
  it("replaces the token wherever it appears, from 4 characters up", () => {
    expect(redactToken("t=abcd; again abcd", "abcd")).toBe("t=[redacted]; again [redacted]");
    expect(redactToken("abc", "abc")).toBe("abc");
  });
});

describe("clientOptionsFromEnv", () => {
  const KEY = "fake-heroku-api-key";

  it("defaults to the Platform API with bounded retries", () => {
    expect(clientOptionsFromEnv({ HEROKU_API_KEY: KEY })).toEqual({
      baseUrl: "https://api.heroku.com",
      token: KEY,
      timeoutMs: 15_000,
      maxAttempts: 6,
      baseDelayMs: 500,
      maxDelayMs: 15_000,
      deadlineMs: 120_000,
    });
  });

  it("takes the tuning knobs, at least one attempt, whole attempts", () => {
    const opts = clientOptionsFromEnv({
      HEROKU_API_KEY: KEY,
      HEROKU_API_URL: "https://heroku.internal.example/",
      HEROKU_API_TIMEOUT_MS: "100",
      HEROKU_API_MAX_ATTEMPTS: "2.7",
      HEROKU_API_RETRY_BASE_MS: "0",
      HEROKU_API_RETRY_MAX_MS: "10",
      HEROKU_API_DEADLINE_MS: "1000",
    });
    expect(opts).toMatchObject({
      baseUrl: "https://heroku.internal.example",
      timeoutMs: 100,
      maxAttempts: 2,
      baseDelayMs: 0,
      maxDelayMs: 10,
      deadlineMs: 1000,
    });
    expect(
      clientOptionsFromEnv({ HEROKU_API_KEY: KEY, HEROKU_API_MAX_ATTEMPTS: "0" }),
    ).toMatchObject({ maxAttempts: 1 });
  });

  it("refuses a knob that is not a non-negative number, naming it", () => {
    for (const bad of ["-1", "soon", "Infinity"]) {
      expect(() =>
        clientOptionsFromEnv({ HEROKU_API_KEY: KEY, HEROKU_API_TIMEOUT_MS: bad }),
      ).toThrow(/^HEROKU_API_TIMEOUT_MS must be a non-negative number\.$/);
    }
  });

  it("requires HEROKU_API_KEY, blank counting as unset", () => {
    for (const env of [{}, { HEROKU_API_KEY: "  " }]) {
      expect(() => clientOptionsFromEnv(env)).toThrow(/^HEROKU_API_KEY is not set: /);
    }
  });

  it("allows plain http on loopback only, and says why", () => {
    for (const host of ["127.0.0.1:8080", "localhost", "[::1]:9"]) {
      expect(
        clientOptionsFromEnv({ HEROKU_API_KEY: KEY, HEROKU_API_URL: `http://${host}` }).baseUrl,
      ).toBe(`http://${host}`);
    }
    for (const url of ["http://api.heroku.com", "ftp://127.0.0.1", "http://127.0.0.2"]) {
      expect(() => clientOptionsFromEnv({ HEROKU_API_KEY: KEY, HEROKU_API_URL: url })).toThrow(
        "HEROKU_API_URL must use https:// (plain http is allowed only on loopback, for local fakes): the API key would travel in clear text.",
      );
    }
    expect(() =>
      clientOptionsFromEnv({ HEROKU_API_KEY: KEY, HEROKU_API_URL: "not a url" }),
    ).toThrow("HEROKU_API_URL is not a URL; unset it to use https://api.heroku.com.");
  });
});
