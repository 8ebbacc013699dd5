// Cancellation of Heroku calls: a cancelled call sends no further attempt, aborts the one in
// flight, and says so; SIGINT/SIGTERM to the process cancel a call that was given no signal of
// its own, and are delivered again once it has settled. No timing is asserted here: a call that
// kept waiting would end only at the test's timeout, and `npm run bench:heroku-cancel` measures
// how soon it stops.
import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  cancelOnStopSignal,
  pause,
  REDELIVER_AFTER_MS,
  STOP_SIGNALS,
  type SignalTarget,
} from "../infra/heroku/cancel";
import {
  clientOptionsFromEnv,
  getConfigVars,
  isHerokuApiError,
  patchConfigVars,
  type HerokuApiError,
} from "../infra/heroku/client";
import { unrelatedVars } from "./support/fake-heroku";
import { APP, failure, useFakeHeroku } from "./support/heroku-provider-setup";

const getFake = useFakeHeroku();
const PATH = `/apps/${APP}/config-vars`;
const unavailable = { kind: "status", status: 503, id: "unavailable", message: "down" } as const;

const apiError = async (p: Promise<unknown>): Promise<HerokuApiError> => {
  const error = await failure(p);
  expect(isHerokuApiError(error)).toBe(true);
  return error as HerokuApiError;
};

/** Options whose backoff would last far longer than any test: only a cancellation ends it. */
const slowRetries = (signal?: AbortSignal) => ({
  ...clientOptionsFromEnv(),
  baseDelayMs: 600_000,
  maxDelayMs: 600_000,
  deadlineMs: 3_600_000,
  ...(signal ? { signal } : {}),
});

/** Resolves once the fake has answered `n` requests (the client is then between attempts). */
async function answered(n: number): Promise<void> {
  while (getFake().calls.length < n) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
}

describe("a call with a signal of its own", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));

  it("already aborted: sends nothing and says it was cancelled before any attempt", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await apiError(getConfigVars(APP, slowRetries(controller.signal)));
    expect(error.message).toBe(
      `Heroku API GET ${PATH} for app ${APP} cancelled by the caller after 0 attempts: no further attempt was sent. Nothing was changed.`,
    );
    expect(error).toMatchObject({ app: APP, status: undefined, retryable: false });
    expect(getFake().calls).toEqual([]);
  });

  it("aborted during the backoff: the wait ends and no retry is sent", async () => {
    getFake().inject(unavailable, unavailable);
    const controller = new AbortController();
    const call = apiError(getConfigVars(APP, slowRetries(controller.signal)));
    await answered(1);
    controller.abort("SIGTERM");
    const error = await call;
    expect(error.message).toBe(
      `Heroku API GET ${PATH} for app ${APP} cancelled by SIGTERM after 1 attempt: no further attempt was sent. Nothing was changed.`,
    );
    expect(getFake().calls).toHaveLength(1);
  });

  it("aborted while a PATCH is in flight: the attempt is aborted, none follows, and the outcome is called unknown", async () => {
    const hold = getFake().hold((c) => c.method === "PATCH");
    const controller = new AbortController();
    const call = apiError(patchConfigVars(APP, { A: "1" }, slowRetries(controller.signal)));
    await hold.arrived;
    controller.abort("SIGINT");
    const error = await call;
    hold.release("apply");
    expect(error.message).toBe(
      `Heroku API PATCH ${PATH} for app ${APP} cancelled by SIGINT after 1 attempt: no further attempt was sent. Whether Heroku applied the last one is unknown; the next pulumi up --refresh reads the app and converges.`,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(getFake().calls).toHaveLength(1);
  });

  it("counts every attempt sent before the cancellation", async () => {
    getFake().inject(unavailable, unavailable);
    const hold = getFake().hold(() => getFake().calls.length === 3);
    const controller = new AbortController();
    const call = apiError(
      getConfigVars(APP, { ...slowRetries(controller.signal), baseDelayMs: 0, maxDelayMs: 0 }),
    );
    await hold.arrived;
    controller.abort("SIGTERM");
    expect((await call).message).toContain("cancelled by SIGTERM after 3 attempts:");
    hold.release("drop");
  });

  it("aborted during the last attempt: says cancelled, not gave up", async () => {
    const hold = getFake().hold(() => true);
    const controller = new AbortController();
    const call = apiError(
      getConfigVars(APP, { ...slowRetries(controller.signal), maxAttempts: 1 }),
    );
    await hold.arrived;
    controller.abort("SIGTERM");
    expect((await call).message).toContain("cancelled by SIGTERM after 1 attempt:");
    hold.release("drop");
  });

  it("listens to no process signal when the caller gives its own", async () => {
    const before = process.listenerCount("SIGTERM");
    const hold = getFake().hold(() => true);
    const controller = new AbortController();
    const call = apiError(getConfigVars(APP, slowRetries(controller.signal)));
    await hold.arrived;
    expect(process.listenerCount("SIGTERM")).toBe(before);
    controller.abort();
    await call;
    hold.release("drop");
  });

  it("not aborted: retries as before", async () => {
    getFake().inject(unavailable);
    const controller = new AbortController();
    const vars = await getConfigVars(APP, {
      ...clientOptionsFromEnv(),
      signal: controller.signal,
    });
    expect(vars).toEqual(unrelatedVars());
    expect(getFake().calls).toHaveLength(2);
  });
});

describe("a call without one: SIGINT and SIGTERM to the process", () => {
  beforeEach(() => getFake().apps.set(APP, unrelatedVars()));
  afterEach(() => vi.restoreAllMocks());

  it.each(STOP_SIGNALS)(
    "%s ends the backoff, sends no retry, and is delivered again once the call has settled",
    async (name) => {
      const kill = vi.spyOn(process, "kill").mockImplementation(() => true);
      getFake().inject(unavailable, unavailable);
      const before = process.listenerCount(name);
      const call = apiError(getConfigVars(APP, slowRetries()));
      await answered(1);
      expect(process.listenerCount(name)).toBe(before + 1);
      process.emit(name, name);
      expect((await call).message).toContain(`cancelled by ${name} after 1 attempt:`);
      expect(process.listenerCount(name)).toBe(before);
      expect(getFake().calls).toHaveLength(1);
      await vi.waitFor(() => expect(kill).toHaveBeenCalledWith(process.pid, name));
    },
  );

  it("stops listening when a call ends without a signal, and delivers nothing", async () => {
    const kill = vi.spyOn(process, "kill").mockImplementation(() => true);
    const before = STOP_SIGNALS.map((s) => process.listenerCount(s));
    await getConfigVars(APP, clientOptionsFromEnv());
    await new Promise((r) => setTimeout(r, REDELIVER_AFTER_MS + 50));
    expect(STOP_SIGNALS.map((s) => process.listenerCount(s))).toEqual(before);
    expect(kill).not.toHaveBeenCalled();
  });
});

describe("cancelOnStopSignal", () => {
  const target = () => {
    const emitter = new EventEmitter();
    const kills: [number, string][] = [];
    const t: SignalTarget & { emitter: EventEmitter; kills: [number, string][] } = {
      pid: 4242,
      emitter,
      kills,
      on: (s, l) => emitter.on(s, l),
      off: (s, l) => emitter.off(s, l),
      kill: (pid, s) => kills.push([pid, s]),
    };
    return t;
  };

  it("listens to SIGINT and SIGTERM only, and aborts with the first signal's name", () => {
    const t = target();
    const c = cancelOnStopSignal(t, 0);
    expect(t.emitter.eventNames().sort()).toEqual(["SIGINT", "SIGTERM"]);
    expect(STOP_SIGNALS).toEqual(["SIGINT", "SIGTERM"]);
    t.emitter.emit("SIGTERM", "SIGTERM");
    t.emitter.emit("SIGINT", "SIGINT");
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBe("SIGTERM");
    c.dispose();
    expect(t.emitter.eventNames()).toEqual([]);
  });

  it("delivers again the first signal it received, not a later one", async () => {
    const t = target();
    const c = cancelOnStopSignal(t, 0);
    t.emitter.emit("SIGTERM", "SIGTERM");
    t.emitter.emit("SIGINT", "SIGINT");
    c.dispose();
    await vi.waitFor(() => expect(t.kills).toEqual([[4242, "SIGTERM"]]));
  });

  it("delivers the received signal again after the delay, once", async () => {
    const t = target();
    const c = cancelOnStopSignal(t, 30);
    t.emitter.emit("SIGINT", "SIGINT");
    c.dispose();
    expect(t.kills).toEqual([]);
    await vi.waitFor(() => expect(t.kills).toEqual([[4242, "SIGINT"]]));
    await new Promise((r) => setTimeout(r, 60));
    expect(t.kills).toEqual([[4242, "SIGINT"]]);
  });

  it("waits REDELIVER_AFTER_MS by default (the host's moment to answer the engine)", () => {
    expect(REDELIVER_AFTER_MS).toBe(100);
    vi.useFakeTimers();
    try {
      const t = target();
      const c = cancelOnStopSignal(t);
      t.emitter.emit("SIGTERM", "SIGTERM");
      c.dispose();
      vi.advanceTimersByTime(99);
      expect(t.kills).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(t.kills).toEqual([[4242, "SIGTERM"]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("without a signal, dispose delivers nothing", async () => {
    const t = target();
    cancelOnStopSignal(t, 0).dispose();
    await new Promise((r) => setTimeout(r, 20));
    expect(t.kills).toEqual([]);
  });
});

describe("pause", () => {
  it("resolves true after the time, false at once when aborted before or during", async () => {
    const c = new AbortController();
    expect(await pause(1, c.signal)).toBe(true);
    const waiting = pause(600_000, c.signal);
    c.abort();
    expect(await waiting).toBe(false);
    expect(await pause(600_000, c.signal)).toBe(false);
  });

  it("leaves no timer behind when aborted", async () => {
    vi.useFakeTimers();
    try {
      const c = new AbortController();
      const waiting = pause(600_000, c.signal);
      expect(vi.getTimerCount()).toBe(1);
      c.abort();
      expect(await waiting).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("leaves no listener on the signal behind", async () => {
    const c = new AbortController();
    const add = vi.spyOn(c.signal, "addEventListener");
    const remove = vi.spyOn(c.signal, "removeEventListener");
    await pause(1, c.signal);
    expect(remove).toHaveBeenCalledWith("abort", add.mock.calls[0]?.[1]);
  });
});
