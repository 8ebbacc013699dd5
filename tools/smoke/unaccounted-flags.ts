/**
 * Flags on at the app that the stack cannot account for (issue 25, finding 1): a flag var of any
 * feature in the catalog that is on at the app while the stack does not select that feature.
 *
 * "flags as the stack wants" (links.ts) checks the flags of the features the stack selects. A
 * feature the stack no longer selects is invisible to it and to the deploy: the flags resource
 * reads and writes only the keys state records, so a flag that an interrupted deploy wrote (its
 * answer lost) or that someone set by hand stays on for good, while the next deploy removes the
 * vars it needs. Nothing in the stack would ever switch it off, so this check names it and the fix.
 *
 * Used by the smoke check (one link) and the drift report (`--stack`). Reads key names and flag
 * values only; never prints a value.
 */
import { catalog } from "../../infra/features/catalog";
import type { Feature } from "../../infra/features/manifest";
import { clientOptionsFromEnv, getConfigVars } from "../../infra/heroku/client";
import { parseConfig } from "../../infra/config";
import { loadStackFiles, projectConfig } from "../stack-files";
import { isOn, type LinkResult } from "./links";

export const UNACCOUNTED_LINK = "no flag the stack does not declare";

/**
 * The link, or undefined when the catalog has no feature besides the selected ones (nothing to
 * check, so the smoke output stays as it was for a stack that selects the whole catalog).
 */
export function unaccountedFlags(
  app: string,
  vars: Readonly<Record<string, string>>,
  desired: Readonly<Record<string, boolean>>,
  selected: readonly Feature[],
  features: readonly Feature[] = catalog(),
): LinkResult | undefined {
  const selectedIds = new Set(selected.map((f) => f.id));
  const others = features.filter((f) => !selectedIds.has(f.id));
  if (others.length === 0) return undefined;
  const checked = others.flatMap((f) => f.flags.map((flag) => ({ flag, feature: f.id })));
  const on = checked.filter(
    ({ flag }) =>
      desired[flag] !== true && isOn(Object.hasOwn(vars, flag) ? vars[flag] : undefined),
  );
  if (on.length === 0) {
    return {
      link: UNACCOUNTED_LINK,
      status: "pass",
      detail: `none of the ${checked.length} flags of features the stack does not select is on at the app`,
    };
  }
  const names = on.map((o) => o.flag);
  return {
    link: UNACCOUNTED_LINK,
    status: "fail",
    detail:
      `on at the app, but the stack does not declare it on: ${on.map((o) => `${o.flag} (feature ${o.feature}, not selected)`).join(", ")}. ` +
      "No deploy will switch it off (the stack reads and writes only the keys its state records), and the vars it needs may be gone. " +
      `Fix: switch it off now, heroku config:unset ${names.join(" ")} --app ${app}; ` +
      "if an interrupted deploy wrote it, npm run recover names the operation (docs/runbook.md, When a deploy was interrupted); to keep it on, select its feature in the stack file and deploy.",
  };
}

/**
 * The same check for the drift report: reads the stack file and the app's config vars (with
 * HEROKU_API_KEY). Exit 1 with the failure's text when a flag is unaccounted for or the app
 * cannot be read; undefined when nothing is to be said.
 */
export async function unaccountedFlagsReport(
  stack: string,
  opts: { readonly cwd?: string; readonly features?: readonly Feature[] } = {},
): Promise<{ exitCode: 0 | 1; text: string } | undefined> {
  let config;
  try {
    config = parseConfig(projectConfig(loadStackFiles(stack, opts.cwd)), opts.features);
  } catch (err) {
    return { exitCode: 1, text: `flags at the app: not checked: ${(err as Error).message}` };
  }
  let vars: Record<string, string>;
  try {
    vars = await getConfigVars(config.herokuApp, clientOptionsFromEnv());
  } catch (err) {
    return {
      exitCode: 1,
      text: `flags at the app: not checked: reading ${config.herokuApp}'s config vars failed: ${(err as Error).message}`,
    };
  }
  const link = unaccountedFlags(
    config.herokuApp,
    vars,
    config.flags,
    config.features,
    opts.features,
  );
  if (link === undefined) return undefined;
  return {
    exitCode: link.status === "fail" ? 1 : 0,
    text: `flags at the app (${config.herokuApp}): ${link.status === "fail" ? "DRIFT" : "none unaccounted for"}: ${link.detail}`,
  };
}
