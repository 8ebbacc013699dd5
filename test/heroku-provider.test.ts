import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  configVarsProvider as provider,
  PROVIDER_VERSION,
  type ConfigVarsInputs,
  type ConfigVarsOutputs,
} from "../infra/heroku/provider";
import {
  clientOptionsFromEnv,
  getConfigVars,
  HerokuApiError,
  retryDelay,
} from "../infra/heroku/client";
import { FakeHeroku, unrelatedVars } from "./support/fake-heroku";

const TOKEN = "HRKU-sentinel-token-value";
const APP = "raxx-console-prod";
const SECRET = "sentinel-secret-value-123";

let fake: FakeHeroku;
const savedEnv = { ...process.env };

beforeEach(async () => {
  fake = new FakeHeroku(TOKEN);
  process.env["HEROKU_API_URL"] = await fake.start();
  process.env["HEROKU_API_KEY"] = TOKEN;
  process.env["HEROKU_API_RETRY_BASE_MS"] = "1";
  process.env["HEROKU_API_RETRY_MAX_MS"] = "20";
  process.env["HEROKU_API_TIMEOUT_MS"] = "300";
});

afterEach(async () => {
  await fake.stop();
  process.env = { ...savedEnv };
});

const inputs = (vars: Record<string, string>, app = APP): ConfigVarsInputs => ({
  app,
  vars,
  keys: Object.keys(vars).sort(),
  providerVersion: PROVIDER_VERSION,
});

const DECLARED = {
  FREESCOUT_API_URL: "https://tickets.raxx.app",
  FREESCOUT_API_KEY: SECRET,
};

async function created(
  vars: Record<string, string> = DECLARED,
  app = APP,
): Promise<{ id: string; outs: ConfigVarsOutputs }> {
  const result = await provider.create(inputs(vars, app));
  return { id: result.id, outs: result.outs as ConfigVarsOutputs };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure");
}

describe("ownership", () => {
  beforeEach(() => {
    fake.apps.set(APP, unrelatedVars());
    fake.apps.set("raxx-console-next", unrelatedVars());
  });

  const untouched = (app = APP) => {
    const others = unrelatedVars();
    const now = fake.apps.get(app) ?? {};
    return Object.keys(others).filter((k) => now[k] === others[k]).length;
  };

  it("create sets only the declared keys and leaves all 50 others byte-identical", async () => {
    await created();
    expect(fake.apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });
    expect(untouched()).toBe(50);
  });

  it("update adds, changes and removes only declared keys", async () => {
    const { id, outs } = await created({
      ...DECLARED,
      FREESCOUT_INSTANCE_URL: "https://tickets.raxx.app",
    });
    const next = {
      FREESCOUT_API_URL: "https://tickets2.raxx.app",
      FREESCOUT_API_KEY: SECRET,
      NEW_KEY: "new",
    };
    await provider.update!(id, outs, inputs(next));
    expect(fake.apps.get(APP)).toEqual({ ...unrelatedVars(), ...next });
    expect(untouched()).toBe(50);
    expect(fake.calls.at(-1)?.body).toEqual({
      FREESCOUT_API_URL: "https://tickets2.raxx.app",
      NEW_KEY: "new",
      FREESCOUT_INSTANCE_URL: null,
    });
  });

  it("replace (app renamed) moves the keys and leaves both apps' other vars intact", async () => {
    const { id, outs } = await created();
    const diff = await provider.diff!(id, outs, inputs(DECLARED, "raxx-console-next"));
    expect(diff).toMatchObject({ changes: true, replaces: ["app"], deleteBeforeReplace: false });
    await created(DECLARED, "raxx-console-next");
    await provider.delete!(id, outs);
    expect(fake.apps.get(APP)).toEqual(unrelatedVars());
    expect(fake.apps.get("raxx-console-next")).toEqual({ ...unrelatedVars(), ...DECLARED });
    expect(untouched(APP)).toBe(50);
    expect(untouched("raxx-console-next")).toBe(50);
  });

  it("delete removes only owned keys", async () => {
    const { id, outs } = await created();
    await provider.delete!(id, outs);
    expect(fake.apps.get(APP)).toEqual(unrelatedVars());
    expect(fake.calls.at(-1)?.body).toEqual({ FREESCOUT_API_KEY: null, FREESCOUT_API_URL: null });
  });

  it("takes over a declared key that already exists and lists it in adoptedKeys", async () => {
    fake.apps.set(APP, { ...unrelatedVars(), FREESCOUT_API_URL: "https://old.example" });
    const { outs } = await created();
    expect(outs.adoptedKeys).toEqual(["FREESCOUT_API_URL"]);
    expect(fake.apps.get(APP)?.["FREESCOUT_API_URL"]).toBe("https://tickets.raxx.app");
  });
});

describe("economy: one PATCH per real change", () => {
  beforeEach(() => fake.apps.set(APP, unrelatedVars()));

  it("create is one GET and one PATCH", async () => {
    await created();
    expect(fake.calls.map((c) => c.method)).toEqual(["GET", "PATCH"]);
  });

  it("create when the app already holds the values is one GET and no PATCH", async () => {
    fake.apps.set(APP, { ...unrelatedVars(), ...DECLARED });
    const { outs } = await created();
    expect(fake.calls.map((c) => c.method)).toEqual(["GET"]);
    expect(outs.adoptedKeys).toEqual(["FREESCOUT_API_KEY", "FREESCOUT_API_URL"]);
  });

  it("a no-op diff reports no change and makes no call", async () => {
    const { id, outs } = await created();
    fake.calls.length = 0;
    expect(await provider.diff!(id, outs, inputs(DECLARED))).toEqual({ changes: false });
    expect(fake.calls).toEqual([]);
  });

  it("an update whose values are unchanged (provider upgrade) sends no PATCH", async () => {
    const { id, outs } = await created();
    fake.calls.length = 0;
    await provider.update!(id, { ...outs, providerVersion: "0" }, inputs(DECLARED));
    expect(fake.calls).toEqual([]);
  });

  it("an update that declares a key already on the app takes it over visibly (one GET, one PATCH)", async () => {
    const { id, outs } = await created();
    fake.calls.length = 0;
    const next = { ...DECLARED, OTHER_VAR_10: "now managed" };
    const updated = await provider.update!(id, outs, inputs(next));
    expect(fake.calls.map((c) => c.method)).toEqual(["GET", "PATCH"]);
    expect((updated.outs as ConfigVarsOutputs).adoptedKeys).toEqual(["OTHER_VAR_10"]);
  });

  it("an update is exactly one PATCH", async () => {
    const { id, outs } = await created();
    fake.calls.length = 0;
    await provider.update!(
      id,
      outs,
      inputs({ ...DECLARED, FREESCOUT_API_URL: "https://x.raxx.app" }),
    );
    expect(fake.calls.map((c) => c.method)).toEqual(["PATCH"]);
  });

  it("refresh is one GET", async () => {
    const { id, outs } = await created();
    fake.calls.length = 0;
    await provider.read!(id, outs);
    expect(fake.calls.map((c) => c.method)).toEqual(["GET"]);
  });
});

describe("drift", () => {
  beforeEach(() => fake.apps.set(APP, unrelatedVars()));

  it("reports a managed var removed by hand by key name, never its value", async () => {
    const { id, outs } = await created();
    const app = fake.apps.get(APP)!;
    delete app["FREESCOUT_API_KEY"];
    const read = await provider.read!(id, outs);
    const props = read.props!;
    expect(props.driftedKeys).toEqual(["FREESCOUT_API_KEY"]);
    expect(props.vars).toEqual({ FREESCOUT_API_URL: "https://tickets.raxx.app" });
    expect(read.inputs?.keys).toEqual(["FREESCOUT_API_URL"]);
    // The next preview compares the program's inputs with what is really on the app.
    const diff = await provider.diff!(id, props, inputs(DECLARED));
    expect(diff.changes).toBe(true);
    const visible = JSON.stringify({
      keys: props.keys,
      driftedKeys: props.driftedKeys,
      adoptedKeys: props.adoptedKeys,
    });
    expect(visible).not.toContain(SECRET);
  });

  it("reports a managed var changed by hand", async () => {
    const { id, outs } = await created();
    fake.apps.get(APP)!["FREESCOUT_API_URL"] = "https://elsewhere.example";
    const read = await provider.read!(id, outs);
    expect(read.props?.driftedKeys).toEqual(["FREESCOUT_API_URL"]);
  });

  it("reports no drift when nothing changed", async () => {
    const { id, outs } = await created();
    fake.apps.get(APP)!["UNRELATED_NEW"] = "someone else's";
    const read = await provider.read!(id, outs);
    expect(read.props?.driftedKeys).toEqual([]);
    expect(read.props?.vars).toEqual(DECLARED);
  });
});

describe("faults", () => {
  beforeEach(() => fake.apps.set(APP, unrelatedVars()));

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
    fake.inject(fault);
    fake.calls.length = 0;
    const getFirst = created();
    await getFirst;
    expect(fake.count("GET")).toBe(2);
    expect(fake.apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });

    const { id, outs } = await created({ ...DECLARED });
    fake.calls.length = 0;
    // Let the GET through, fail the PATCH once.
    fake.inject(fault);
    await provider.update!(
      id,
      outs,
      inputs({ ...DECLARED, FREESCOUT_API_URL: "https://new.raxx.app" }),
    );
    expect(fake.count("PATCH")).toBe(2);
    expect(fake.apps.get(APP)?.["FREESCOUT_API_URL"]).toBe("https://new.raxx.app");
  });

  it("gives up on a persistent 503 within its attempts, naming app, status and id, with the old set intact", async () => {
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "3";
    const { id, outs } = await created();
    fake.inject(
      ...Array.from(
        { length: 3 },
        () =>
          ({
            kind: "status",
            status: 503,
            id: "unavailable",
            message: "Service unavailable.",
          }) as const,
      ),
    );
    const error = await failure(
      provider.update!(id, outs, inputs({ ...DECLARED, FREESCOUT_API_KEY: "sentinel-new-secret" })),
    );
    expect(error.message).toMatch(
      /^Heroku API PATCH \/apps\/raxx-console-prod\/config-vars for app raxx-console-prod failed: HTTP 503 unavailable: Service unavailable\. \(gave up after [\d.]+s of retries\)$/,
    );
    expect(fake.count("PATCH")).toBe(4);
    expect(fake.apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });
  });

  it("stops retrying at the deadline", async () => {
    process.env["HEROKU_API_DEADLINE_MS"] = "50";
    process.env["HEROKU_API_RETRY_BASE_MS"] = "40";
    process.env["HEROKU_API_RETRY_MAX_MS"] = "40";
    fake.inject(
      ...Array.from(
        { length: 20 },
        () => ({ kind: "status", status: 503, id: "unavailable", message: "down" }) as const,
      ),
    );
    const error = await failure(created());
    expect(error.message).toContain("HTTP 503 unavailable: down (gave up after");
    expect(fake.count("GET")).toBeLessThan(6);
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
      fake.inject({ kind: "status", status, id, message });
      const error = await failure(created());
      expect(error.message).toBe(
        `Heroku API GET /apps/raxx-console-prod/config-vars for app raxx-console-prod failed: HTTP ${status} ${id}: ${message}${hint}`,
      );
      expect(fake.calls).toHaveLength(1);
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).not.toContain(SECRET);
      expect(fake.apps.get(APP)).toEqual(unrelatedVars());
    },
  );

  it("a real 403 from the app leaves the old set", async () => {
    const { id, outs } = await created();
    fake.readOnlyApps.add(APP);
    const error = await failure(
      provider.update!(id, outs, inputs({ ...DECLARED, FREESCOUT_API_URL: "https://x.raxx.app" })),
    );
    expect(error.message).toContain("HTTP 403 forbidden");
    expect(fake.apps.get(APP)).toEqual({ ...unrelatedVars(), ...DECLARED });
  });

  it("a wrong token is a 401 from the fake itself", async () => {
    process.env["HEROKU_API_KEY"] = "HRKU-wrong-token-value";
    const error = await failure(created());
    expect(error.message).toContain("HTTP 401 unauthorized: Invalid credentials provided.");
    expect(error.message).not.toContain("HRKU-wrong-token-value");
  });

  it("redacts a declared value if Heroku ever echoes it", async () => {
    fake.inject({
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

describe("credentials and endpoint", () => {
  it("fails clearly without HEROKU_API_KEY and makes no call", async () => {
    delete process.env["HEROKU_API_KEY"];
    const error = await failure(created());
    expect(error.message).toBe(
      "HEROKU_API_KEY is not set: export a Heroku API key with access to the app (heroku authorizations:create) before pulumi up/refresh.",
    );
    expect(fake.calls).toEqual([]);
  });

  it("refuses plain http to anything but loopback", async () => {
    process.env["HEROKU_API_URL"] = "http://api.example.com";
    const error = await failure(created());
    expect(error.message).toBe(
      "HEROKU_API_URL must use https:// (plain http is allowed only on loopback, for local fakes): the API key would travel in clear text.",
    );
  });
});

describe("retries that are safe to repeat", () => {
  beforeEach(() => fake.apps.set(APP, unrelatedVars()));

  it("a PATCH applied but unanswered (connection dropped) is sent again and ends with the new set", async () => {
    const { id, outs } = await created();
    fake.calls.length = 0;
    fake.inject({ kind: "apply-then-reset" });
    const next = { ...DECLARED, FREESCOUT_API_URL: "https://new.raxx.app" };
    await provider.update!(id, outs, inputs(next));
    expect(fake.count("PATCH")).toBe(2);
    expect(fake.apps.get(APP)).toEqual({ ...unrelatedVars(), ...next });
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

  it("waits at least Retry-After, capped", () => {
    expect(retryDelay(1, 7_000, opts, 0)).toBe(7_000);
    expect(retryDelay(1, 60_000, opts, 0)).toBe(15_000);
  });

  it("is read from the 429 response", async () => {
    process.env["HEROKU_API_MAX_ATTEMPTS"] = "1";
    fake.inject({
      kind: "status",
      status: 429,
      id: "rate_limit",
      message: "Rate limit exceeded",
      retryAfter: 7,
    });
    const error = await failure(getConfigVars(APP, clientOptionsFromEnv()));
    expect(error).toBeInstanceOf(HerokuApiError);
    expect(error).toMatchObject({ status: 429, errorId: "rate_limit", retryAfterMs: 7_000 });
  });
});
