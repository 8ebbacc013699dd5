import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { closedPortUrl } from "./support/closed-port";
import { useCompiledBuild } from "./support/compiled-build";
import { FakeHeroku, unrelatedVars, type Fault } from "./support/fake-heroku";
import {
  callArgs,
  FAST_RETRIES,
  serializedCall,
  type SerializedOutcome as Outcome,
} from "./support/serialized-provider";

// The provider as the engine runs it: serialized into state and reloaded by the dynamic-provider
// host in another process. Every failure path runs in that form: a captured Set or Error subclass
// survives in-process tests and breaks only here.
const TOKEN = "fake-heroku-key-serialized-faults";
const APP = "raxx-console-prod";
const VARS = { FREESCOUT_API_URL: "https://tickets.raxx.app" };

const outDir = useCompiledBuild();

/** `create` through the serialized provider against a fake of its own, with faults queued. */
async function serializedCreate(
  faults: Fault[],
  url?: string,
): Promise<{ outcome: Outcome; fake: FakeHeroku }> {
  const fake = new FakeHeroku(TOKEN);
  fake.apps.set(APP, unrelatedVars());
  fake.inject(...faults);
  const base = await fake.start();
  try {
    const outcome = await serializedCall(
      outDir(),
      {
        op: "create",
        args: [{ app: APP, vars: VARS, keys: Object.keys(VARS), providerVersion: "2" }],
      },
      { url: url ?? base, token: TOKEN },
      { ...FAST_RETRIES, HEROKU_API_MAX_ATTEMPTS: "3" },
    );
    return { outcome, fake };
  } finally {
    await fake.stop();
  }
}

const status = (s: number, id: string, message: string, retryAfter?: number): Fault => ({
  kind: "status",
  status: s,
  id,
  message,
  ...(retryAfter !== undefined ? { retryAfter } : {}),
});

describe("the serialized provider on its failure paths", () => {
  it.each<[string, Fault]>([
    ["429 rate_limit with Retry-After", status(429, "rate_limit", "Rate limit exceeded", 0.01)],
    ["500", status(500, "internal_server_error", "Internal server error.")],
    ["502", status(502, "bad_gateway", "Bad gateway.")],
    ["503", status(503, "unavailable", "Service unavailable.")],
    ["504", status(504, "gateway_timeout", "Gateway timeout.")],
    ["a connection reset", { kind: "reset" }],
    ["a response slower than the timeout", { kind: "slow", ms: 1_000 }],
  ])("retries %s and succeeds", async (_name, fault) => {
    const { outcome, fake } = await serializedCreate([fault]);
    expect(outcome.error).toBeUndefined();
    expect(outcome.ok).toBe(true);
    expect(fake.count("GET")).toBe(2);
    expect(fake.apps.get(APP)).toEqual({ ...unrelatedVars(), ...VARS });
  });

  it.each([
    [401, "unauthorized", "Invalid credentials provided.", "check HEROKU_API_KEY"],
    [403, "forbidden", "You do not have access to the app.", "deploy or operate permission"],
    [404, "not_found", "Couldn't find that app.", "check console-wiring:herokuApp"],
    [422, "invalid_params", "Invalid params.", "key names must match"],
  ] as const)("does not retry %i and says what failed", async (code, id, message, hint) => {
    const { outcome, fake } = await serializedCreate([status(code, id, message)]);
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.isError).toBe(true);
    expect(outcome.error?.message).toContain(
      `Heroku API GET /apps/raxx-console-prod/config-vars for app raxx-console-prod failed: HTTP ${code} ${id}: ${message}`,
    );
    expect(outcome.error?.message).toContain(hint);
    expect(fake.calls).toHaveLength(1);
  });

  it("gives up on a persistent 503 after its attempts, naming app and status", async () => {
    const { outcome, fake } = await serializedCreate(
      Array.from({ length: 3 }, () => status(503, "unavailable", "Service unavailable.")),
    );
    expect(outcome.error?.isError).toBe(true);
    expect(outcome.error?.message).toMatch(
      /for app raxx-console-prod failed: HTTP 503 unavailable: Service unavailable\. \(gave up after 3 attempts in [\d.]+s\)$/,
    );
    expect(fake.count("GET")).toBe(3);
    expect(fake.apps.get(APP)).toEqual(unrelatedVars());
  });

  it("reports a redirect without following or retrying it", async () => {
    const { outcome, fake } = await serializedCreate([
      { kind: "redirect", status: 302, location: "https://login.example.com/" },
    ]);
    expect(outcome.error?.message).toContain(
      "HTTP 302 redirect (Location https://login.example.com/)",
    );
    expect(fake.calls).toHaveLength(1);
  });

  it("names a network failure (connection refused) as one, never [object Object]", async () => {
    const { outcome } = await serializedCreate([], await closedPortUrl());
    expect(outcome.error?.isError).toBe(true);
    expect(outcome.error?.message).toMatch(
      /^Heroku API GET \/apps\/raxx-console-prod\/config-vars for app raxx-console-prod failed: connection failed \(ECONNREFUSED\) \(gave up after 3 attempts in [\d.]+s\)$/,
    );
    expect(outcome.error?.text).not.toContain("[object Object]");
  });

  it("redacts the API key when Heroku's message echoes it", async () => {
    const { outcome } = await serializedCreate([
      status(422, "invalid_params", `bad token ${TOKEN}`),
    ]);
    expect(outcome.error?.message).toContain("bad token [redacted]");
    expect(outcome.error?.message).not.toContain(TOKEN);
  });
});

describe("the serialized provider fails closed on a flag's missing prerequisites", () => {
  const FLAG = "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS";
  const NEEDS = ["FREESCOUT_API_KEY", "FREESCOUT_API_URL"];

  async function serializedFlagsOp(
    op: "create" | "update",
    app: Record<string, string>,
  ): Promise<{ outcome: Outcome; fake: FakeHeroku }> {
    const fake = new FakeHeroku(TOKEN);
    fake.apps.set(APP, app);
    const base = await fake.start();
    const news = {
      app: APP,
      vars: { [FLAG]: "1" },
      keys: [FLAG],
      providerVersion: "3",
      requires: { [FLAG]: NEEDS },
    };
    const olds = { ...news, vars: {}, keys: [], adoptedKeys: [], driftedKeys: [] };
    try {
      const call = { op, args: op === "create" ? [news] : [`${APP}/id`, olds, news] };
      const outcome = await serializedCall(outDir(), call, { url: base, token: TOKEN });
      return { outcome, fake };
    } finally {
      await fake.stop();
    }
  }

  it.each(["create", "update"] as const)(
    "%s refuses with an Error naming the flag and each missing var, and sends no PATCH",
    async (op) => {
      const { outcome, fake } = await serializedFlagsOp(op, {
        ...unrelatedVars(),
        FREESCOUT_API_URL: "",
      });
      expect(outcome.ok).toBe(false);
      expect(outcome.error?.isError).toBe(true);
      expect(outcome.error?.message).toContain(
        `Heroku app ${APP}: refusing to switch on ${FLAG}: the app's config, read just now, lacks vars it needs (missing or empty); nothing was changed.\n  - ${FLAG} needs FREESCOUT_API_KEY, FREESCOUT_API_URL\n`,
      );
      expect(fake.count("GET")).toBe(1);
      expect(fake.count("PATCH")).toBe(0);
      expect(fake.apps.get(APP)).toEqual({ ...unrelatedVars(), FREESCOUT_API_URL: "" });
    },
  );

  it("sets the flag once the app holds what it needs", async () => {
    const { outcome, fake } = await serializedFlagsOp("create", {
      ...unrelatedVars(),
      FREESCOUT_API_KEY: "fake-key-not-a-secret",
      FREESCOUT_API_URL: "https://tickets.raxx.app",
    });
    expect(outcome.error).toBeUndefined();
    expect(fake.apps.get(APP)?.[FLAG]).toBe("1");
  });
});

describe("the serialized provider, told to stop by SIGINT or SIGTERM (as the engine stops a plugin)", () => {
  /**
   * Runs `op` in the serialized provider in a child process; `whenSent` is called with the child
   * once the fake has the request `which` (answered, or held), and sends the signal.
   */
  async function signalled(
    op: { op: string; args: unknown[] },
    fake: FakeHeroku,
    whenSent: (child: ReturnType<typeof spawn>) => Promise<void>,
  ): Promise<{ outcome?: Outcome; signal: NodeJS.Signals | null }> {
    const base = await fake.start();
    const child = spawn(process.execPath, callArgs(outDir()), {
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HEROKU_API_KEY: TOKEN,
        HEROKU_API_URL: base,
        // A backoff far longer than the test: only the signal can end it.
        HEROKU_API_RETRY_BASE_MS: "600000",
        HEROKU_API_RETRY_MAX_MS: "600000",
        HEROKU_API_DEADLINE_MS: "3600000",
        TEST_OP: JSON.stringify(op),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.on("exit", (_code, signal) => done(signal)),
    );
    try {
      await whenSent(child);
      const signal = await exited;
      return { outcome: stdout ? (JSON.parse(stdout) as Outcome) : undefined, signal };
    } finally {
      child.kill("SIGKILL");
      await fake.stop();
    }
  }

  const create = {
    op: "create",
    args: [{ app: APP, vars: VARS, keys: Object.keys(VARS), providerVersion: "3" }],
  };

  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s during the backoff: no retry is sent, the call fails saying so, then the process ends by that signal",
    async (name) => {
      const fake = new FakeHeroku(TOKEN);
      fake.apps.set(APP, unrelatedVars());
      fake.inject(status(503, "unavailable", "Service unavailable."));
      const { outcome, signal } = await signalled(create, fake, async (child) => {
        while (fake.calls.length < 1) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 200));
        child.kill(name);
      });
      expect(outcome?.error?.isError).toBe(true);
      expect(outcome?.error?.message).toBe(
        `Heroku API GET /apps/${APP}/config-vars for app ${APP} cancelled by ${name} after 1 attempt: no further attempt was sent. Nothing was changed.`,
      );
      expect(signal).toBe(name);
      expect(fake.calls).toHaveLength(1);
    },
  );

  it("SIGTERM while the PATCH is in flight: the attempt is aborted and none follows", async () => {
    const fake = new FakeHeroku(TOKEN);
    fake.apps.set(APP, unrelatedVars());
    const hold = fake.hold((c) => c.method === "PATCH");
    const { outcome, signal } = await signalled(create, fake, async (child) => {
      await hold.arrived;
      child.kill("SIGTERM");
    });
    expect(outcome?.error?.message).toBe(
      `Heroku API PATCH /apps/${APP}/config-vars for app ${APP} cancelled by SIGTERM after 1 attempt: no further attempt was sent. Whether Heroku applied the last one is unknown; the next pulumi up --refresh reads the app and converges.`,
    );
    expect(signal).toBe("SIGTERM");
    expect(fake.calls.map((c) => c.method)).toEqual(["GET", "PATCH"]);
  });
});
