import { describe, expect, it, beforeEach } from "vitest";
import {
  clientOptionsFromEnv,
  getConfigVars,
  isHerokuApiError,
  retryDelay,
} from "../infra/heroku/client";
import { configVarsProvider as provider } from "../infra/heroku/provider";
import { unrelatedVars } from "./support/fake-heroku";
import {
  APP,
  created,
  DECLARED,
  failure,
  inputs,
  SECRET,
  TOKEN,
  useFakeHeroku,
} from "./support/heroku-provider-setup";

// Faults of the Platform API: what is retried (and how), what fails at once, and that the app
// always ends with the old or the new set of managed vars.
const getFake = useFakeHeroku();

describe("faults", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it.each([
    [
      "429 rate_limit (RateLimit-Remaining 0, Retry-After)",
      {
        kind: "status",
        status: 429,
        id: "rate_limit",
        message: "Your account reached the API rate limit",
        retryAfter: 0.01,
      },
    ],
    [
      "500",
      {
        kind: "status",
        status: 500,
        id: "internal_server_error",
        message: "Internal server error.",
      },
    ],
    ["502", { kind: "status", status: 502, id: "bad_gateway", message: "Bad gateway." }],
    ["503", { kind: "status", status: 503, id: "unavailable", message: "Service unavailable." }],
    ["connection reset", { kind: "reset" }],
    ["a response slower than the timeout", { kind: "slow", ms: 1000 }],
  ] as const)("retries %s on GET and on PATCH and ends with the new set", async (_name, fault) => {
    getFake().inject(fault);
    getFake().calls.length = 0;
    const getFirst = created();
    await getFirst;
    expect(getFake().count("GET")).toBe(2);
    expect(getFake().apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });

    const { id, outs } = await created({ ...DECLARED });
    getFake().calls.length = 0;
    // Let the GET through, fail the PATCH once.
    getFake().inject({ kind: "pass" }, fault);
    await provider.update!(
      id,
      outs,
      inputs({ ...DECLARED, FREESCOUT_API_URL: "https://new.raxx.app" }),
    );
    expect(getFake().count("PATCH")).toBe(2);
    expect(getFake().apps.get(APP)?.["FREESCOUT_API_URL"]).toBe("https://new.raxx.app");
  });

  it("gives up on a persistent 503 within its attempts, naming app, status and id, with the old set intact", async () => {
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "3";
    const { id, outs } = await created();
    // Aimed at the PATCH: the GETs between its attempts (is it applied?) are answered.
    getFake().inject(
      ...Array.from(
        { length: 3 },
        () =>
          ({
            kind: "status",
            status: 503,
            id: "unavailable",
            message: "Service unavailable.",
            only: "PATCH",
          }) as const,
      ),
    );
    const error = await failure(
      provider.update!(id, outs, inputs({ ...DECLARED, FREESCOUT_API_KEY: "sentinel-new-secret" })),
    );
    expect(error.message).toMatch(
      /^Heroku API PATCH \/apps\/raxx-console-prod\/config-vars for app raxx-console-prod failed: HTTP 503 unavailable: Service unavailable\. \(gave up after 3 attempts in [\d.]+s\)$/,
    );
    expect(getFake().count("PATCH")).toBe(4);
    expect(getFake().apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });
  });

  it("stops retrying at the deadline", async () => {
    process.env["HEROKU_API_DEADLINE_MS"] = "50";
    process.env["HEROKU_API_RETRY_BASE_MS"] = "40";
    process.env["HEROKU_API_RETRY_MAX_MS"] = "40";
    getFake().inject(
      ...Array.from(
        { length: 20 },
        () => ({ kind: "status", status: 503, id: "unavailable", message: "down" }) as const,
      ),
    );
    const error = await failure(created());
    expect(error.message).toContain("HTTP 503 unavailable: down (gave up after");
    expect(getFake().count("GET")).toBeLessThan(6);
  });

  it.each([
    [
      401,
      "unauthorized",
      "Invalid credentials provided.",
      " (check HEROKU_API_KEY: it is missing, expired or revoked)",
    ],
    [
      403,
      "forbidden",
      "You do not have access to the app.",
      " (the API key's account cannot change this app's config vars; it needs the deploy or operate permission)",
    ],
    [
      404,
      "not_found",
      "Couldn't find that app.",
      " (no app with this name is visible to the API key; check console-wiring:herokuApp)",
    ],
    [
      422,
      "invalid_params",
      "Invalid params.",
      " (Heroku rejected the config change; key names must match ^\\w+$ and values must be strings)",
    ],
  ] as const)(
    "does not retry %i and says what failed without token or value",
    async (status, id, message, hint) => {
      getFake().inject({ kind: "status", status, id, message });
      const error = await failure(created());
      expect(error.message).toBe(
        `Heroku API GET /apps/raxx-console-prod/config-vars for app raxx-console-prod failed: HTTP ${status} ${id}: ${message}${hint}`,
      );
      expect(getFake().calls).toHaveLength(1);
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).not.toContain(SECRET);
      expect(getFake().apps.get(APP)).toEqual(unrelatedVars());
    },
  );

  it("a real 403 from the app leaves the old set", async () => {
    const { id, outs } = await created();
    getFake().readOnlyApps.add(APP);
    const error = await failure(
      provider.update!(id, outs, inputs({ ...DECLARED, FREESCOUT_API_URL: "https://x.raxx.app" })),
    );
    expect(error.message).toContain("HTTP 403 forbidden");
    expect(getFake().apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });
  });

  it("a wrong token is a 401 from the fake itself", async () => {
    process.env["HEROKU_API_KEY"] = "fake-heroku-key-wrong-token-value";
    const error = await failure(created());
    expect(error.message).toContain("HTTP 401 unauthorized: Invalid credentials provided.");
    expect(error.message).not.toContain("fake-heroku-key-wrong-token-value");
  });

  it("redacts a declared value if Heroku ever echoes it", async () => {
    getFake().inject({
      kind: "status",
      status: 422,
      id: "invalid_params",
      message: `bad value ${SECRET}`,
    });
    const error = await failure(created());
    expect(error.message).toContain("bad value [redacted]");
    expect(error.message).not.toContain(SECRET);
  });
});

describe("retryDelay", () => {
  const opts = { baseDelayMs: 500, maxDelayMs: 15_000 };

  it("grows exponentially under full jitter", () => {
    expect([1, 2, 3, 4].map((a) => retryDelay(a, undefined, opts, 1))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect(retryDelay(3, undefined, opts, 0.25)).toBe(500);
  });

  it("never exceeds the cap", () => {
    expect(retryDelay(10, undefined, opts, 1)).toBe(15_000);
  });

  it("waits at least Retry-After, even past the jitter cap (the call's deadline bounds it)", () => {
    expect(retryDelay(1, 7_000, opts, 0)).toBe(7_000);
    expect(retryDelay(1, 60_000, opts, 0)).toBe(60_000);
    expect(retryDelay(1, 100, opts, 1)).toBe(500);
  });

  it("is read from the 429 response", async () => {
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "1";
    getFake().inject({
      kind: "status",
      status: 429,
      id: "rate_limit",
      message: "Rate limit exceeded",
      retryAfter: 7,
    });
    const error = await failure(getConfigVars(APP, clientOptionsFromEnv()));
    expect(isHerokuApiError(error)).toBe(true);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ status: 429, errorId: "rate_limit", retryAfterMs: 7_000 });
  });
});
