import { createServer } from "node:net";
import { beforeEach, describe, expect, it } from "vitest";
import {
  clientOptionsFromEnv,
  getConfigVars,
  herokuApiError,
  isHerokuApiError,
  parseRetryAfter,
} from "../infra/heroku/client";
import { configVarsProvider as provider, type ConfigVarsOutputs } from "../infra/heroku/provider";
import { CONFIG_LIMIT_BYTES } from "../infra/heroku/validate";
import { unrelatedVars } from "./support/fake-heroku";
import { APP, created, failure, inputs, useFakeHeroku } from "./support/heroku-provider-setup";

// The edges of the client and the provider: error identity, environment values, network
// failures by kind, the 32 kB limit exactly, and what an update's failure may show.
const getFake = useFakeHeroku();

describe("Heroku API errors", () => {
  it("are Errors named HerokuApiError, and nothing else counts as one", () => {
    const e = herokuApiError("m", {
      app: "a",
      status: 503,
      errorId: "unavailable",
      retryable: true,
      retryAfterMs: undefined,
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("HerokuApiError");
    expect(isHerokuApiError(e)).toBe(true);
    expect(isHerokuApiError(new Error("m"))).toBe(false);
    expect(isHerokuApiError({ herokuApiError: true, message: "m" })).toBe(false);
    expect(isHerokuApiError(undefined)).toBe(false);
  });
});

describe("environment values", () => {
  const KEY = "fake-heroku-api-key";

  it("strips every trailing slash of HEROKU_API_URL, and treats an empty knob as unset", () => {
    const opts = clientOptionsFromEnv({
      HEROKU_API_KEY: KEY,
      HEROKU_API_URL: "https://api.example.test///",
      HEROKU_API_TIMEOUT_MS: "",
    });
    expect(opts.baseUrl).toBe("https://api.example.test");
    expect(opts.timeoutMs).toBe(15_000);
  });

  it("reads Retry-After with spaces around it, and nothing with words after the number", () => {
    expect(parseRetryAfter(" 7 ", 0)).toBe(7_000);
    expect(parseRetryAfter("7 seconds", 0)).toBeUndefined();
  });
});

describe("network failures, by kind", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("says no response came within the timeout", async () => {
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "1";
    getFake().inject({ kind: "slow", ms: 1000 });
    const error = await failure(getConfigVars(APP, clientOptionsFromEnv()));
    expect(error.message).toMatch(
      new RegExp(
        `^Heroku API GET /apps/${APP}/config-vars for app ${APP} failed: no response within 300 ms \\(gave up after 1 attempts in `,
      ),
    );
  });

  it("names the system's code when the connection fails", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    process.env["HEROKU_API_URL"] = `http://127.0.0.1:${port}`;
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "1";
    const error = await failure(getConfigVars(APP, clientOptionsFromEnv()));
    expect(error.message).toMatch(/failed: connection failed \(ECONNREFUSED\) \(gave up/);
  });

  it("says the response was cut off, and retries it", async () => {
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "1";
    getFake().inject({ kind: "cut" });
    const error = await failure(getConfigVars(APP, clientOptionsFromEnv()));
    expect(error.message).toMatch(/failed: the response was cut off \(/);
    getFake().inject({ kind: "cut" });
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "2";
    expect(await getConfigVars(APP, clientOptionsFromEnv())).toEqual(unrelatedVars());
  });
});

describe("Heroku's 32 kB limit, exactly", () => {
  it("lets a change take the app to exactly 32,768 bytes, and not one byte more", async () => {
    getFake().apps.set(APP, {});
    const fill = (total: number) => ({ K: "v".repeat(total - 1) });
    const { id, outs } = await created(fill(CONFIG_LIMIT_BYTES));
    expect(getFake().apps.get(APP)?.["K"]).toHaveLength(CONFIG_LIMIT_BYTES - 1);
    const error = await failure(provider.update!(id, outs, inputs(fill(CONFIG_LIMIT_BYTES + 1))));
    expect(error.message).toMatch(/its config would take 32769 bytes/);
  });
});

describe("what an update's failure shows", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("redacts the old and the new values if Heroku echoes them", async () => {
    const { id, outs } = await created({ A_VALUE: "old-value-sentinel" });
    getFake().inject(
      { kind: "pass" },
      {
        kind: "status",
        status: 422,
        id: "invalid_params",
        message: "was old-value-sentinel, now new-value-sentinel",
      },
    );
    const error = await failure(
      provider.update!(id, outs, inputs({ A_VALUE: "new-value-sentinel" })),
    );
    expect(error.message).toContain("was [redacted], now [redacted]");
  });
});

describe("refresh of a state whose keys are not in order", () => {
  it("lists the drifted keys sorted", async () => {
    getFake().apps.set(APP, unrelatedVars());
    const { id, outs } = await created({ A: "1", B: "2" });
    delete getFake().apps.get(APP)!["A"];
    delete getFake().apps.get(APP)!["B"];
    const state: ConfigVarsOutputs = { ...outs, keys: ["B", "A"] };
    const result = await provider.read!(id, state);
    expect((result.props as ConfigVarsOutputs).driftedKeys).toEqual(["A", "B"]);
  });
});
