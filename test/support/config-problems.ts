/** Shared by the config suites: the prod stack's raw config, and the problems parseConfig names. */
import { ConfigError, parseConfig, type RawConfig } from "../../infra/config";
import { loadStackFiles, projectConfig } from "../../tools/stack-files";

export const prod = (): Record<string, string | undefined> => projectConfig(loadStackFiles("prod"));

/** The problems parseConfig reports for `raw`; none when it accepts it. */
export function problemsOf(raw: RawConfig): readonly string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
