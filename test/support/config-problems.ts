/** Shared by the config suites: the prod stack's raw config, and the problems parseConfig names. */
import { ConfigError, parseConfig, type RawConfig } from "../../infra/config";
import { loadStackFiles, projectConfig } from "../../tools/stack-files";
import { investigate } from "./investigate";

export const prod = (): Record<string, string | undefined> => projectConfig(loadStackFiles("prod"));

/**
 * The problems parseConfig reports for `raw` against the Investigate feature (the messages these
 * suites pin name it as the only one known); none when it accepts it.
 */
export function problemsOf(raw: RawConfig): readonly string[] {
  try {
    parseConfig(raw, [investigate()]);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
