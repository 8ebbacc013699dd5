/**
 * A pending Heroku config-vars operation's keys against what state records (issue 25, finding 1).
 *
 * The provider's `read` (what `up --refresh` runs) reads only the keys state already records for
 * the resource. A key an interrupted create or update wrote whose answer was lost is recorded by
 * no resource, so no later refresh, update or delete ever sees it again: a flag written that way
 * stays on for good, even after a later deploy removes the vars it needs. So `recover` compares
 * the pending operation's declared keys with the keys every recorded config-vars resource on the
 * same app holds:
 *   - an unrecorded flag is switched off at the app before the operation is dropped (off is
 *     always the safe direction: the console falls back to the feature being absent);
 *   - any other unrecorded key is reported and left as it is (it may be a var the app needs).
 *
 * A key is a flag when it is a flag var of a feature in the catalog, or when the operation's own
 * `requires` names it (the flags resource lists the vars each of its flags needs there), which
 * covers a feature whose file has been reverted out of the catalog since.
 *
 * Switched off means removed (PATCH `null`), not "0": the stack writes no key for a flag it has
 * off, so an absent key is what "off" looks like on the app, and a "0" would be a key no resource
 * owns.
 */
import { isOn } from "../../infra/heroku/prerequisites";
import type { ConfigPatch, ConfigVars } from "../../infra/heroku/client";
import { plainString, type PendingOperation, type RecordedResource } from "./state";

export const CONFIG_VARS_TYPE = "pulumi-nodejs:dynamic/heroku:ConfigVars";

export interface UnrecordedKeys {
  /** The app, when it is in plain text in the operation's inputs. */
  readonly app: string | undefined;
  /** Flag vars the operation declares that no recorded resource on the app holds, sorted. */
  readonly flags: readonly string[];
  /** Every other declared key no recorded resource on the app holds, sorted. */
  readonly others: readonly string[];
  /** False when the operation's `keys` are not a plain list (nothing can be compared). */
  readonly readable: boolean;
}

const stringList = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((k) => typeof k === "string") ? v : undefined;

/** The keys a recorded config-vars resource holds: its outputs, else its inputs. */
function recordedKeys(r: RecordedResource): readonly string[] {
  return stringList(r.outputs["keys"]) ?? stringList(r.inputs["keys"]) ?? [];
}

function appOf(r: RecordedResource): string | undefined {
  return plainString(r.outputs, "app") ?? plainString(r.inputs, "app");
}

export function unrecordedKeys(
  op: PendingOperation,
  resources: readonly RecordedResource[],
  catalogFlags: readonly string[],
): UnrecordedKeys {
  const app = plainString(op.inputs, "app");
  const keys = stringList(op.inputs["keys"]);
  if (keys === undefined) return { app, flags: [], others: [], readable: false };
  const recorded = new Set(
    resources
      .filter((r) => r.type === CONFIG_VARS_TYPE && (app === undefined || appOf(r) === app))
      .flatMap(recordedKeys),
  );
  const requires = op.inputs["requires"];
  const required =
    requires !== null && typeof requires === "object" && !Array.isArray(requires)
      ? Object.keys(requires)
      : [];
  const isFlag = (k: string) => catalogFlags.includes(k) || required.includes(k);
  const missing = [...new Set(keys)].filter((k) => !recorded.has(k)).sort();
  return {
    app,
    flags: missing.filter(isFlag),
    others: missing.filter((k) => !isFlag(k)),
    readable: true,
  };
}

/** Reads and writes one app's config vars (infra/heroku/client.ts, with the deploy's key). */
export interface HerokuVars {
  get(app: string): Promise<ConfigVars>;
  patch(app: string, patch: ConfigPatch): Promise<ConfigVars>;
}

/**
 * Switches the given flags off at the app: reads the config, removes those that are on (one
 * PATCH, one release; none when all are already off), and checks the answer, the app's whole
 * config after the PATCH. Returns a line for the output; throws naming what failed. Never
 * prints a value.
 */
export async function switchOff(
  heroku: HerokuVars,
  app: string,
  flags: readonly string[],
): Promise<string> {
  const current = await heroku.get(app);
  const on = flags.filter((f) => isOn(Object.hasOwn(current, f) ? current[f] : undefined));
  if (on.length === 0) return `${flags.join(", ")} already off on ${app}: nothing sent`;
  const patch: ConfigPatch = Object.create(null) as ConfigPatch;
  for (const f of on) patch[f] = null;
  const after = await heroku.patch(app, patch);
  const still = on.filter((f) => isOn(Object.hasOwn(after, f) ? after[f] : undefined));
  if (still.length > 0)
    throw new Error(`the app's config after the PATCH still has ${still.join(", ")} on`);
  return `switched off ${on.join(", ")} on ${app} (removed: one PATCH)`;
}
