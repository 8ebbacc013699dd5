/**
 * Shared setup for the Heroku provider tests: a fake Platform API per test, the environment the
 * provider reads at call time, and small helpers.
 */
import { afterEach, beforeEach } from "vitest";
import {
  configVarsProvider as provider,
  PROVIDER_VERSION,
  type ConfigVarsInputs,
  type ConfigVarsOutputs,
} from "../../infra/heroku/provider";
import { FakeHeroku } from "./fake-heroku";

export const TOKEN = "fake-heroku-key-sentinel-token-value";
export const APP = "raxx-console-prod";
export const SECRET = "sentinel-secret-value-123";
export const DECLARED = {
  FREESCOUT_API_URL: "https://tickets.raxx.app",
  FREESCOUT_API_KEY: SECRET,
};

/** Both Investigate flags, each needing NEEDS: the flags resource of the fail-closed suites. */
export const FLAG_A = "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS";
export const FLAG_B = "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET";
export const NEEDS = ["FREESCOUT_API_KEY", "FREESCOUT_API_URL"];
export const REQUIRES = { [FLAG_A]: NEEDS, [FLAG_B]: NEEDS };
/** Values that satisfy NEEDS. */
export const PREREQUISITES = {
  FREESCOUT_API_KEY: "fake-key-not-a-secret-1",
  FREESCOUT_API_URL: "https://tickets.raxx.app",
};

/** Starts a fake for each test; the returned getter gives the current one. */
export function useFakeHeroku(): () => FakeHeroku {
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
  return () => fake;
}

export const inputs = (vars: Record<string, string>, app = APP): ConfigVarsInputs => ({
  app,
  vars,
  keys: Object.keys(vars).sort(),
  providerVersion: PROVIDER_VERSION,
});

export async function created(
  vars: Record<string, string> = DECLARED,
  app = APP,
): Promise<{ id: string; outs: ConfigVarsOutputs }> {
  const result = await provider.create(inputs(vars, app));
  return { id: result.id, outs: result.outs as ConfigVarsOutputs };
}

export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure");
}

/** The flags resource's inputs: `vars` on the app, the flags requiring REQUIRES. */
export const flagInputs = (vars: Record<string, string>, app = APP): ConfigVarsInputs => ({
  ...inputs(vars, app),
  requires: REQUIRES,
});
