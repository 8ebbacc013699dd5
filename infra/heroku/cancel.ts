/**
 * Cancelling Heroku calls when the process is told to stop. The engine stops a plugin with
 * SIGINT to its process group (then SIGKILL after 5 s); a supervisor sends SIGTERM. Node ends a
 * process on either at once, wherever it is, unless someone listens: while a call runs, the
 * client listens, so that the signal ends its backoff at once, aborts the attempt in flight and
 * sends no further attempt, and the call fails with an error that says so. Once the call has
 * settled the signal is delivered again, so the process still ends as it was told to (shortly
 * after: the provider host gets a moment to hand the engine the call's error first).
 *
 * Serialized with the provider: plain functions, no state outside a call.
 */
import { herokuApiError, type HerokuApiError } from "./errors";

/** What the client needs of `process`; tests pass their own. */
export interface SignalTarget {
  readonly pid: number;
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  kill(pid: number, signal: NodeJS.Signals): unknown;
}

/** The signals that stop a call. A plain array: a captured Set loses its contents when serialized. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

/** How long a received signal waits, once the call has settled, before it is delivered again. */
export const REDELIVER_AFTER_MS = 100;

export interface CallCancellation {
  /** Aborted, with the signal's name as its reason, when a stop signal arrives. */
  readonly signal: AbortSignal;
  /** Stops listening; delivers a received signal again after `REDELIVER_AFTER_MS`. */
  dispose(): void;
}

/** Listens for SIGINT and SIGTERM for the length of one call. */
export function cancelOnStopSignal(
  target: SignalTarget = process,
  redeliverAfterMs: number = REDELIVER_AFTER_MS,
): CallCancellation {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) return;
    received = signal;
    controller.abort(signal);
  };
  for (const s of STOP_SIGNALS) target.on(s, onSignal);
  return {
    signal: controller.signal,
    dispose(): void {
      for (const s of STOP_SIGNALS) target.off(s, onSignal);
      const signal = received;
      if (signal === undefined) return;
      // Delivered again whoever listens then: a call started since receives it and stops too,
      // and with no listener left Node ends the process, as the sender meant.
      setTimeout(() => target.kill(target.pid, signal), redeliverAfterMs);
    },
  };
}

/**
 * Waits `ms`; resolves false at once if `signal` aborts first (or already has). Every name a
 * closure here uses is declared before the closure: Pulumi's closure serializer refuses a
 * function that refers to a `const` declared after it.
 */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    // A signal aborts once: the listener needs no removal after it has run.
    signal.addEventListener("abort", onAbort);
  });
}

/**
 * The error of a cancelled call: who cancelled it (the signal's name, or the caller), how many
 * attempts were sent, and, for a write, that whether the last one landed is unknown.
 */
export function cancelled(
  method: "GET" | "PATCH",
  path: string,
  app: string,
  signal: AbortSignal,
  sent: number,
): HerokuApiError {
  const by = typeof signal.reason === "string" ? signal.reason : "the caller";
  const attempts = sent === 1 ? "1 attempt" : `${sent} attempts`;
  const outcome =
    method === "PATCH"
      ? "Whether Heroku applied the last one is unknown; the next pulumi up --refresh reads the app and converges."
      : "Nothing was changed.";
  return herokuApiError(
    `Heroku API ${method} ${path} for app ${app} cancelled by ${by} after ${attempts}: no further attempt was sent. ${outcome}`,
    { app, status: undefined, errorId: undefined, retryable: false, retryAfterMs: undefined },
  );
}
