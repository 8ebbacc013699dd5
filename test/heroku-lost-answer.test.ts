// A PATCH whose answer was lost (connection reset or timeout after Heroku got it) may have been
// applied. Sending it again blindly is a second release and a second dyno restart: the client
// reads the app first and sends it again only if the app does not hold it.
import { beforeEach, describe, expect, it } from "vitest";
import { clientOptionsFromEnv, patchConfigVars, patchApplied } from "../infra/heroku/client";
import { configVarsProvider as provider } from "../infra/heroku/provider";
import { unrelatedVars, type Fault } from "./support/fake-heroku";
import {
  APP,
  created,
  DECLARED,
  failure,
  inputs,
  useFakeHeroku,
} from "./support/heroku-provider-setup";

const getFake = useFakeHeroku();
/** The releases Heroku made: every config a PATCH set. */
const releases = () =>
  getFake()
    .statesOf(APP)
    .filter((s) => s.by === "patch").length;
const methods = () => getFake().calls.map((c) => c.method);
const NEXT = { ...DECLARED, FREESCOUT_API_URL: "https://new.raxx.app" };

describe("a PATCH whose answer was lost", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it.each<[string, Fault]>([
    ["the connection dropped after Heroku applied it", { kind: "apply-then-reset", only: "PATCH" }],
    [
      "no answer within the timeout after Heroku applied it",
      { kind: "apply-then-hang", ms: 1_000, only: "PATCH" },
    ],
  ])("%s: read first, not sent again: one PATCH, one release", async (_name, fault) => {
    const { id, outs } = await created();
    getFake().calls.length = 0;
    const before = releases();
    getFake().inject(fault);
    await provider.update!(id, outs, inputs(NEXT));
    expect(methods()).toEqual(["GET", "PATCH", "GET"]);
    expect(releases() - before).toBe(1);
    expect(getFake().apps.get(APP)).toEqual({ ...unrelatedVars(), ...NEXT });
  });

  it.each<[string, Fault]>([
    ["the connection dropped before Heroku applied it", { kind: "reset", only: "PATCH" }],
    ["no answer within the timeout, not applied", { kind: "slow", ms: 1_000, only: "PATCH" }],
    ["a 503", { kind: "status", status: 503, id: "unavailable", message: "down", only: "PATCH" }],
  ])("%s: read first, then sent again: two PATCHes, one release", async (_name, fault) => {
    const { id, outs } = await created();
    getFake().calls.length = 0;
    const before = releases();
    getFake().inject(fault);
    await provider.update!(id, outs, inputs(NEXT));
    expect(methods()).toEqual(["GET", "PATCH", "GET", "PATCH"]);
    expect(releases() - before).toBe(1);
    expect(getFake().apps.get(APP)).toEqual({ ...unrelatedVars(), ...NEXT });
  });

  it("a 429 is refused before it is applied: sent again without a read", async () => {
    getFake().inject({
      kind: "status",
      status: 429,
      id: "rate_limit",
      message: "Rate limit exceeded",
      retryAfter: 0.01,
      only: "PATCH",
    });
    const result = await patchConfigVars(APP, { A: "1" }, clientOptionsFromEnv());
    expect(methods()).toEqual(["PATCH", "PATCH"]);
    expect(result["A"]).toBe("1");
  });

  it("answers the app's config as the read found it, like Heroku's answer to the PATCH", async () => {
    getFake().inject({ kind: "apply-then-reset", only: "PATCH" });
    const result = await patchConfigVars(
      APP,
      { A: "1", DATABASE_URL: null },
      clientOptionsFromEnv(),
    );
    const { DATABASE_URL: _gone, ...rest } = unrelatedVars();
    expect(result).toEqual({ ...rest, A: "1" });
    expect(methods()).toEqual(["PATCH", "GET"]);
  });

  it("when the read fails too, it is not sent again and the error says the outcome is unknown", async () => {
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "2";
    getFake().inject(
      { kind: "reset", only: "PATCH" },
      { kind: "status", status: 503, id: "unavailable", message: "down", only: "GET" },
      { kind: "status", status: 503, id: "unavailable", message: "down", only: "GET" },
    );
    const error = await failure(patchConfigVars(APP, { A: "1" }, clientOptionsFromEnv()));
    expect(error.message).toMatch(
      /^Heroku API PATCH \/apps\/raxx-console-prod\/config-vars for app raxx-console-prod: Heroku API PATCH \/apps\/raxx-console-prod\/config-vars for app raxx-console-prod failed: connection failed \(\w+\); reading the app to see whether it was applied failed too \(Heroku API GET .* HTTP 503 unavailable: down \(gave up after 2 attempts in [\d.]+s\)\), so it was not sent again\. Whether Heroku applied it is unknown; the next pulumi up --refresh reads the app and converges\.$/,
    );
    expect(methods()).toEqual(["PATCH", "GET", "GET"]);
  });
});

describe("patchApplied", () => {
  it("holds when each value is set and each null key is absent", () => {
    expect(patchApplied({ A: "1", B: "2" }, { A: "1", C: null })).toBe(true);
    expect(patchApplied({ A: "0" }, { A: "1" })).toBe(false);
    expect(patchApplied({}, { A: "1" })).toBe(false);
    expect(patchApplied({ C: "x" }, { C: null })).toBe(false);
    // Only own keys count: a var called toString is an ordinary key.
    expect(patchApplied({}, { toString: null })).toBe(true);
    expect(patchApplied({}, { toString: "1" })).toBe(false);
  });
});
