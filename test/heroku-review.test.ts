import { describe, expect, it, beforeEach } from "vitest";
import { parseRetryAfter } from "../infra/heroku/client";
import { configVarsProvider as provider, type ConfigVarsOutputs } from "../infra/heroku/provider";
import { validateInputs } from "../infra/heroku/validate";
import { appId, unrelatedVars } from "./support/fake-heroku";
import {
  APP,
  created,
  DECLARED,
  failure,
  inputs,
  TOKEN,
  useFakeHeroku,
} from "./support/heroku-provider-setup";

// Defects an outside review found in the provider (issue 9, items 2-8), each pinned here.
const getFake = useFakeHeroku();

describe("the API key never appears in a message", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("is redacted when Heroku's error message echoes it", async () => {
    getFake().inject({
      kind: "status",
      status: 422,
      id: "invalid_params",
      message: `token ${TOKEN} is not allowed here`,
    });
    const error = await failure(created());
    expect(error.message).toContain("token [redacted] is not allowed here");
    expect(error.message).not.toContain(TOKEN);
  });
});

describe("Retry-After", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("reads delay-seconds and HTTP-dates, and ignores what is neither", () => {
    const now = Date.parse("Mon, 30 Nov 2026 03:00:00 GMT");
    expect(parseRetryAfter("7", now)).toBe(7_000);
    expect(parseRetryAfter("Mon, 30 Nov 2026 03:00:05 GMT", now)).toBe(5_000);
    expect(parseRetryAfter("Mon, 30 Nov 2026 02:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-3", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("waits out an HTTP-date Retry-After before the next attempt", async () => {
    const retryAt = new Date(Date.now() + 2_000).toUTCString();
    getFake().inject({
      kind: "status",
      status: 429,
      id: "rate_limit",
      message: "Your account reached the API rate limit",
      retryAfterHeader: retryAt,
    });
    const started = Date.now();
    await created();
    // HTTP-dates have whole seconds: the wait ends at the date, at most a second early.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(getFake().count("GET")).toBe(2);
  });

  it("honours a Retry-After longer than HEROKU_API_RETRY_MAX_MS", async () => {
    process.env["HEROKU_API_RETRY_MAX_MS"] = "20";
    getFake().inject({
      kind: "status",
      status: 429,
      id: "rate_limit",
      message: "Your account reached the API rate limit",
      retryAfter: 1,
    });
    const started = Date.now();
    await created();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it("gives up at once, saying so, when Retry-After is past the deadline", async () => {
    process.env["HEROKU_API_DEADLINE_MS"] = "500";
    getFake().inject({
      kind: "status",
      status: 429,
      id: "rate_limit",
      message: "Your account reached the API rate limit",
      retryAfter: 60,
    });
    const error = await failure(created());
    expect(error.message).toContain(
      "(gave up: Heroku asked to wait 60s (Retry-After), past the 0.5s deadline (HEROKU_API_DEADLINE_MS))",
    );
    expect(getFake().count("GET")).toBe(1);
  });
});

describe("redirects", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("reports a 302 as a redirect, without following or retrying it", async () => {
    getFake().inject({
      kind: "redirect",
      status: 302,
      location: "https://login.example.com/sso?next=/apps",
    });
    const error = await failure(created());
    expect(error.message).toBe(
      "Heroku API GET /apps/raxx-console-prod/config-vars for app raxx-console-prod failed: HTTP 302 redirect (Location https://login.example.com/sso). " +
        "The Platform API does not redirect: HEROKU_API_URL points at something else (a proxy or a login page). Not retried, not followed.",
    );
    expect(getFake().calls).toHaveLength(1);
  });
});

describe("keys named like object members", () => {
  const ODD = { toString: "ts-value", constructor: "ctor-value", hasOwnProperty: "own-value" };

  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("creates them, and lists none as adopted when the app does not hold them", async () => {
    const { outs } = await created({ ...DECLARED, ...ODD });
    expect(outs.adoptedKeys).toEqual([]);
    expect(getFake().apps.get(APP)).toMatchObject(ODD);
  });

  it("reads them back as strings, and an absent one as absent (drifted)", async () => {
    const { id, outs } = await created({ ...DECLARED, ...ODD });
    const app = { ...getFake().apps.get(APP)! };
    delete app["toString"];
    getFake().apps.set(APP, app);
    const read = await provider.read!(id, outs);
    const props = read.props as ConfigVarsOutputs;
    expect(Object.values(props.vars).every((v) => typeof v === "string")).toBe(true);
    expect(Object.hasOwn(props.vars, "toString")).toBe(false);
    expect(props.vars["constructor"]).toBe("ctor-value");
    expect(props.driftedKeys).toEqual(["toString"]);
  });

  it("deletes them", async () => {
    const { id, outs } = await created({ ...DECLARED, ...ODD });
    await provider.delete!(id, outs);
    expect(getFake().apps.get(APP)).toEqual(unrelatedVars());
  });

  it("refuses __proto__, which cannot reach the provider as a key, naming it", () => {
    expect(
      validateInputs({ app: APP, vars: { ...DECLARED }, keys: ["FREESCOUT_API_KEY", "__proto__"] }),
    ).toEqual([
      {
        property: "vars.__proto__",
        reason:
          'config var name "__proto__" cannot be managed here: JavaScript objects reserve it, so its value is lost on the way to the provider; rename the var',
      },
    ]);
  });
});

describe("the same app under another spelling", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("app name → the same app's UUID is an update, not a replacement, and keeps the vars", async () => {
    const { id, outs } = await created();
    const uuid = appId(APP);
    const diff = await provider.diff!(id, outs, inputs(DECLARED, uuid));
    expect(diff).toEqual({ changes: true });
    await provider.update!(id, outs, inputs(DECLARED, uuid));
    expect(getFake().apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });
  });

  it("another app is still a replacement (create first, then the old app's vars are removed)", async () => {
    getFake().apps.set("raxx-console-next", {});
    const { id, outs } = await created();
    const diff = await provider.diff!(id, outs, inputs(DECLARED, "raxx-console-next"));
    expect(diff).toEqual({ changes: true, replaces: ["app"], deleteBeforeReplace: false });
  });

  it("fails the diff, changing nothing, when it cannot tell whether both name the same app", async () => {
    const { id, outs } = await created();
    const error = await failure(provider.diff!(id, outs, inputs(DECLARED, "raxx-console-gone")));
    expect(error.message).toMatch(
      /^Heroku config vars: app changes from raxx-console-prod to raxx-console-gone, and whether both name the same app could not be checked \(.*HTTP 404 not_found.*\)\. Replacing without knowing could delete the vars from the app they were just written to; nothing was changed\.$/,
    );
    expect(getFake().count("PATCH")).toBe(1);
  });
});

describe("Heroku's 32 kB limit on update", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("refuses an update that would take the app past 32 kB before sending a PATCH", async () => {
    const { id, outs } = await created();
    const patchesBefore = getFake().count("PATCH");
    const big = { ...DECLARED, FREESCOUT_INSTANCE_URL: `https://${"a".repeat(33_000)}.raxx.app` };
    const error = await failure(provider.update!(id, outs, inputs(big)));
    expect(error.message).toMatch(
      /^Heroku app raxx-console-prod: its config would take \d+ bytes with these vars, over Heroku's 32768-byte limit; nothing was changed\.$/,
    );
    expect(getFake().count("PATCH")).toBe(patchesBefore);
    expect(getFake().apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });
  });
});
