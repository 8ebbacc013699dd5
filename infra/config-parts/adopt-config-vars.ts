/**
 * `console-wiring:adoptConfigVars` (part of infra/config.ts's parseConfig): the config vars this
 * stack may take over on its Heroku app while the app holds another value for them. Any other
 * existing var with another value is refused by the config-vars provider, naming this setting.
 */
import { PROJECT } from "./patterns";

const VAR_NAME = /^\w+$/;

/** The listed var names, sorted and unique; a problem for anything else. */
export function parseAdoptConfigVars(value: string | undefined, problems: string[]): string[] {
  if (value === undefined || value === "" || value === "[]") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    !parsed.every((n): n is string => typeof n === "string" && VAR_NAME.test(n))
  ) {
    problems.push(
      `${PROJECT}:adoptConfigVars must be a list of Heroku config var names (letters, digits, underscore), the vars the stack may take over with their current value replaced. Example: pulumi config set --path 'adoptConfigVars[0]' FREESCOUT_API_URL`,
    );
    return [];
  }
  return [...new Set(parsed)].sort();
}
