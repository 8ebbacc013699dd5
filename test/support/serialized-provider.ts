/**
 * The Heroku provider as the engine runs it, for the serialization suites: serialized into state
 * and reloaded by a child process (./serialized-provider-call.cjs) from the compiled build
 * (./compiled-build.ts), one operation a call, against a fake Heroku the caller started.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "./compiled-build";

/** What the child prints: the operation's result, or the error as the engine would see it. */
export interface SerializedOutcome {
  ok: boolean;
  result?: { outs?: Record<string, unknown>; props?: Record<string, unknown> };
  error?: { message: string; isError: boolean; name: string; text: string };
}

/** The child's script and its arguments (the compiled build, the project for @pulumi/pulumi). */
export const callArgs = (outDir: string) => [
  join(__dirname, "serialized-provider-call.cjs"),
  outDir,
  PROJECT_ROOT,
];

/** Retries and timeouts short enough for a test's queued faults. */
export const FAST_RETRIES = {
  HEROKU_API_RETRY_BASE_MS: "1",
  HEROKU_API_RETRY_MAX_MS: "20",
  HEROKU_API_TIMEOUT_MS: "300",
};

/**
 * Runs `op(...args)` on the serialized provider. The child gets only PATH, the fake's URL and
 * token and `env`: never this process's environment (it may hold CI secrets).
 */
export async function serializedCall(
  outDir: string,
  call: { op: string; args: unknown[] },
  heroku: { url: string; token: string },
  env: Record<string, string> = {},
): Promise<SerializedOutcome> {
  const { stdout } = await promisify(execFile)(process.execPath, callArgs(outDir), {
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HEROKU_API_KEY: heroku.token,
      HEROKU_API_URL: heroku.url,
      ...env,
      TEST_OP: JSON.stringify(call),
    },
  });
  return JSON.parse(stdout) as SerializedOutcome;
}
