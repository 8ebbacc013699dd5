import { beforeEach, describe, expect, it } from "vitest";
import {
  clientOptionsFromEnv,
  getApp,
  getConfigVars,
  isHerokuApiError,
  patchConfigVars,
  type HerokuApiError,
} from "../infra/heroku/client";
import { unrelatedVars } from "./support/fake-heroku";
import { APP, failure, TOKEN, useFakeHeroku } from "./support/heroku-provider-setup";

// What the client tells a person for each answer the Platform API (or something in front of
// it) gives, and when it retries.
const getFake = useFakeHeroku();

const apiError = async (p: Promise<unknown>): Promise<HerokuApiError> => {
  const error = await failure(p);
  expect(isHerokuApiError(error)).toBe(true);
  return error as HerokuApiError;
};

const status = (code: number, id: string, message: string) =>
  ({ kind: "status", status: code, id, message }) as const;

describe("errors Heroku answers", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it.each([
    [401, "unauthorized", " (check HEROKU_API_KEY: it is missing, expired or revoked)"],
    [
      403,
      "forbidden",
      " (the API key's account cannot change this app's config vars; it needs the deploy or operate permission)",
    ],
    [
      404,
      "not_found",
      " (no app with this name is visible to the API key; check console-wiring:herokuApp)",
    ],
    [
      422,
      "invalid_params",
      " (Heroku rejected the config change; key names must match ^\\w+$ and values must be strings)",
    ],
    [400, "bad_request", ""],
  ])(
    "HTTP %i: names method, path, app, status, id and what to check; no retry",
    async (code, id, hint) => {
      getFake().inject(status(code, id, "Heroku says no."));
      const error = await apiError(getConfigVars(APP, clientOptionsFromEnv()));
      expect(error.message).toBe(
        `Heroku API GET /apps/${APP}/config-vars for app ${APP} failed: HTTP ${code} ${id}: Heroku says no.${hint}`,
      );
      expect(error).toMatchObject({ app: APP, status: code, errorId: id, retryable: false });
      expect(getFake().count("GET")).toBe(1);
    },
  );

  it("uses the status text when the error body is not Heroku's JSON", async () => {
    getFake().inject({
      kind: "raw",
      status: 400,
      statusText: "Bad Thing",
      text: "<html>no</html>",
    });
    const error = await apiError(getConfigVars(APP, clientOptionsFromEnv()));
    expect(error.message).toBe(
      `Heroku API GET /apps/${APP}/config-vars for app ${APP} failed: HTTP 400: Bad Thing`,
    );
    expect(error.errorId).toBeUndefined();
  });

  it("refuses a 200 whose body is not a config hash, without retrying", async () => {
    getFake().inject({ kind: "raw", status: 200, statusText: "OK", text: '["not", "a", "hash"]' });
    const error = await apiError(getConfigVars(APP, clientOptionsFromEnv()));
    expect(error.message).toBe(
      `Heroku API GET /apps/${APP}/config-vars for app ${APP} returned HTTP 200 with a body that is not what the Platform API answers`,
    );
    expect(error.retryable).toBe(false);
    for (const text of ["null", '{"A": 1}', "not json"]) {
      getFake().inject({ kind: "raw", status: 200, statusText: "OK", text });
      await apiError(getConfigVars(APP, clientOptionsFromEnv()));
    }
  });

  it("refuses an app answer without an id and a name", async () => {
    for (const text of ['{"name": "x"}', '{"id": "x"}', '{"id": 1, "name": "x"}', "null"]) {
      getFake().inject({ kind: "raw", status: 200, statusText: "OK", text });
      const error = await apiError(getApp(APP, clientOptionsFromEnv()));
      expect(error.message, text).toMatch(
        /returned HTTP 200 with a body that is not what the Platform API answers$/,
      );
    }
    expect(await getApp(APP, clientOptionsFromEnv())).toMatchObject({ name: APP });
  });
});

describe("redirects are reported, never followed", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it.each([
    ["https://login.example/sso?next=/apps", "Location https://login.example/sso"],
    ["/elsewhere?x=1", "Location http://127.0.0.1:PORT/elsewhere"],
    ["http://[bad", "an unreadable Location"],
    ["", "no Location"],
  ])("Location %j is shown as %s, query dropped", async (location, shown) => {
    getFake().inject({ kind: "redirect", status: 307, location });
    const error = await apiError(getConfigVars(APP, clientOptionsFromEnv()));
    const port = new URL(process.env["HEROKU_API_URL"]!).port;
    expect(error.message).toBe(
      `Heroku API GET /apps/${APP}/config-vars for app ${APP} failed: HTTP 307 redirect (${shown.replace("PORT", port)}). ` +
        "The Platform API does not redirect: HEROKU_API_URL points at something else (a proxy or a login page). Not retried, not followed.",
    );
    expect(getFake().count("GET")).toBe(1);
  });

  it("treats 300 and 399 as redirects, and 400 as an error", async () => {
    getFake().inject({ kind: "redirect", status: 300, location: "" });
    expect((await apiError(getConfigVars(APP, clientOptionsFromEnv()))).message).toMatch(
      /HTTP 300 redirect/,
    );
    getFake().inject({ kind: "redirect", status: 399, location: "" });
    expect((await apiError(getConfigVars(APP, clientOptionsFromEnv()))).message).toMatch(
      /HTTP 399 redirect/,
    );
  });
});

describe("retries", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("retries each of 429, 500, 502, 503 and 504, and nothing else of the 4xx/5xx", async () => {
    for (const code of [429, 500, 502, 503, 504]) {
      getFake().inject(status(code, "e", "m"));
      await getConfigVars(APP, clientOptionsFromEnv());
    }
    expect(getFake().count("GET")).toBe(10);
    for (const code of [408, 501]) {
      getFake().inject(status(code, "e", "m"));
      expect((await apiError(getConfigVars(APP, clientOptionsFromEnv()))).status).toBe(code);
    }
    expect(getFake().count("GET")).toBe(12);
  });

  it("gives up after HEROKU_API_MAX_ATTEMPTS, saying how many and how long", async () => {
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "2";
    getFake().inject(status(503, "unavailable", "down"), status(503, "unavailable", "down"));
    const error = await apiError(getConfigVars(APP, clientOptionsFromEnv()));
    expect(error.message).toMatch(
      new RegExp(
        `^Heroku API GET /apps/${APP}/config-vars for app ${APP} failed: HTTP 503 unavailable: down \\(gave up after 2 attempts in \\d+(\\.\\d)?s\\)$`,
      ),
    );
    expect(error).toMatchObject({ status: 503, errorId: "unavailable", retryable: false });
    expect(getFake().count("GET")).toBe(2);
  });

  it("gives up when the next retry would pass the deadline", async () => {
    process.env["HEROKU_API_DEADLINE_MS"] = "0";
    process.env["HEROKU_API_RETRY_BASE_MS"] = "50";
    getFake().inject(status(500, "internal_server_error", "boom"));
    const error = await apiError(getConfigVars(APP, clientOptionsFromEnv()));
    expect(error.message).toMatch(
      /\(gave up after 1 attempts in \d+(\.\d)?s: the next retry would pass the 0s deadline \(HEROKU_API_DEADLINE_MS\)\)$/,
    );
  });

  it("sends the PATCH body as JSON, with the version 3 Accept header and the token", async () => {
    const after = await patchConfigVars(
      APP,
      { NEW_KEY: "v", DATABASE_URL: null },
      clientOptionsFromEnv(),
    );
    expect(after["NEW_KEY"]).toBe("v");
    expect(after["DATABASE_URL"]).toBeUndefined();
    expect(getFake().calls.at(-1)).toMatchObject({
      method: "PATCH",
      path: `/apps/${APP}/config-vars`,
      body: { NEW_KEY: "v", DATABASE_URL: null },
    });
  });

  it("encodes the app in the path", async () => {
    getFake().apps.set("a b", {});
    await apiError(getConfigVars("a b", clientOptionsFromEnv()));
    expect(getFake().calls.at(-1)?.path).toBe("/apps/a%20b/config-vars");
  });

  it("never shows the token", async () => {
    process.env["HEROKU_API_KEY"] = "wrong-token-value";
    const error = await apiError(getConfigVars(APP, clientOptionsFromEnv()));
    expect(error.status).toBe(401);
    expect(error.message).not.toContain("wrong-token-value");
    expect(error.message).not.toContain(TOKEN);
  });
});
