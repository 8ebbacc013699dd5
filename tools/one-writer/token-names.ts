/**
 * The Access service-token names a stack's config gives, with the config key that sets each:
 * each `gates.<id>.serviceTokenName` of the stack's `gates` map (empty or unset:
 * `console-<stack>-<id>`, the default infra/config-parts/gates.ts applies). The one-writer check
 * compares them across stack files; it reads only names, never validates (parseConfig does).
 */
import { serviceTokenNameOrDefault } from "../../infra/config-parts/token-name";

export interface TokenName {
  /** The gate the token belongs to; absent for the stack-wide key. */
  readonly gate?: string;
  /** The key under the project namespace, as `pulumi config set [--path]` takes it. */
  readonly key: string;
  readonly name: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects arrive as JSON text (how Pulumi hands config to a program); anything else is skipped. */
function parseObject(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

/** `config`: the project's config without its namespace (tools/stack-files.ts, projectConfig). */
export function serviceTokenNames(
  config: Readonly<Record<string, string | undefined>>,
  stack: string,
): TokenName[] {
  const names: TokenName[] = [];
  for (const [gate, settings] of Object.entries(parseObject(config["gates"]))) {
    const name = isRecord(settings) ? settings["serviceTokenName"] : undefined;
    names.push({
      gate,
      key: `gates.${gate}.serviceTokenName`,
      name: serviceTokenNameOrDefault(typeof name === "string" ? name : undefined, stack, gate),
    });
  }
  return names;
}
