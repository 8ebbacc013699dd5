/**
 * Dynamic provider for the config vars of one Heroku app that one resource owns.
 *
 *   check  → validate names and values (no HTTP)
 *   diff   → compare declared vars (no HTTP); an app change replaces, unless both spellings
 *            (name, UUID) are the same app on Heroku (one GET each, only then)
 *   create → GET the app's config, PATCH only the declared keys that differ (existing ones are
 *            taken over and listed in `adoptedKeys`; one holding another value only when the
 *            stack lists it in `adoptable`, else nothing is written)
 *   update → GET the app's config, then one PATCH with the declared keys that differ from what
 *            the app holds and `null` for keys no longer declared; none if the app already matches
 *   create and update refuse, before any PATCH, to leave a declared flag on while a var it needs
 *   (`requires`) is missing or empty in the app's config as it would be after the PATCH, and
 *   check Heroku's answer (the whole resulting config) again: a flag on without its vars there
 *   is switched off again (one more PATCH, only then) and the operation fails
 *   create and update switch off, in their one PATCH, any `watchedFlags` flag on at the app that
 *   the stack does not declare on
 *   read   → GET; reports owned keys as they are on the app now, which of them drifted, and the
 *            watched flags on at the app (`strayFlags`: the next diff is a change, whose update
 *            switches them off)
 *   delete → one PATCH setting the owned keys (and the stray flags) to `null`
 *   update and delete never send `null` for a key in `ownedElsewhere` (see there), nor for a key
 *   the resource took over from the app (`adoptedKeys`) unless it is a flag
 *
 * Keys the resource does not declare are never sent. Every PATCH is a Heroku release and a dyno
 * restart, hence at most one per operation. Credentials come from the environment at call time
 * (see client.ts): this object is serialized into state and must capture nothing secret.
 *
 * Serialization: the engine stores this provider as text and Pulumi's dynamic-provider host
 * reloads it in another process. Only plain data and functions survive: no `Set`/`Map`, no
 * `class … extends Error`. Maps keyed by config var names have no prototype (a var may be
 * called `constructor` or `toString`), and lookups go through `own`.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  clientOptionsFromEnv,
  getApp,
  getConfigVars,
  patchConfigVars,
  redactToken,
  type ConfigVars,
} from "./client";

export { applyPatch, own, planPatch } from "./patch";
import {
  refusalMessage,
  sameRequirements,
  unmetRequirements,
  type Requirements,
} from "./prerequisites";
import { keptOnApp, strayFlags, takeoverConflicts, takeoverMessage } from "./ownership";
import { applyPatch, assertApplied, emptyMap, own, planPatch, sameKeys } from "./patch";
import { assertResultSafe } from "./result-check";
import { CONFIG_LIMIT_BYTES, configBytes, UNKNOWN, validateInputs } from "./validate";

/**
 * Bump when the provider's behaviour changes, so that an update carries the new code into state.
 * 3: create and update fail closed on a flag's missing prerequisites (`requires`).
 * 4: no takeover of another value unless `adoptable`; Heroku's answer is checked; watched flags.
 */
export const PROVIDER_VERSION = "4";

export interface ConfigVarsInputs {
  readonly app: string;
  readonly vars: Readonly<Record<string, string>>;
  /** Declared key names (not secret), so drift and plans can name keys without values. */
  readonly keys: readonly string[];
  readonly providerVersion: string;
  /**
   * For flag vars: flag → the vars it needs on the same app. Create and update refuse to leave a
   * declared flag on while one of them is missing or empty on the app. Absent: no such check.
   */
  readonly requires?: Requirements;
  /**
   * Keys another config-vars resource of the same stack declares on the same app. A key that
   * moves from this resource to another one must never be deleted: the engine may create or
   * update the new holder before it updates this one (or deletes it), and this resource's
   * "no longer declared → null" would then remove the value the new holder just wrote. So
   * update and delete leave these keys alone: the new holder owns them now. Delete reads the
   * list from state, so the program keeps the losing resource registered (updated, not
   * deleted) while the other one holds keys (infra/heroku/console-config.ts).
   */
  readonly ownedElsewhere?: readonly string[];
  /**
   * Keys this resource may take over from the app when the app holds another value for them
   * (stack config `console-wiring:adoptConfigVars`). Any other key the app already holds with
   * another value is refused, naming it and the setting. Absent: none.
   */
  readonly adoptable?: readonly string[];
  /**
   * Every flag var of the feature catalog that the stack does not declare on. Such a flag found
   * on at the app (left by an interrupted deploy, or set by hand) is switched off by create and
   * update, and reported by read (`strayFlags`). Absent: none watched.
   */
  readonly watchedFlags?: readonly string[];
}

export interface ConfigVarsOutputs extends ConfigVarsInputs {
  /** Declared keys that already existed on the app when this resource took them over. */
  readonly adoptedKeys: readonly string[];
  /** Owned keys found changed or removed on the app by the last refresh. */
  readonly driftedKeys: readonly string[];
  /** Watched flags found on at the app by the last read: the next update switches them off. */
  readonly strayFlags?: readonly string[];
}

/** Replaces any declared value, and the API key, wherever they appear in a message. */
export function redact(
  message: string,
  vars: Readonly<Record<string, string>>,
  credentials: readonly (string | undefined)[] = [],
): string {
  let out = message;
  for (const value of Object.values(vars)) {
    if (typeof value === "string" && value.length >= 4) out = out.split(value).join("[redacted]");
  }
  for (const credential of credentials) {
    if (credential !== undefined) out = redactToken(out, credential);
  }
  return out;
}

/** Runs an operation; its error shows none of the values of `maps` (old and new) nor the API key. */
async function guarded<T>(
  maps: readonly (Readonly<Record<string, string>> | undefined)[],
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    let message = err instanceof Error ? err.message : String(err);
    for (const vars of maps) message = redact(message, vars ?? {});
    // Stryker disable next-line ArrayDeclaration,StringLiteral: equivalent, the client already redacts the key from every error it makes (defence in depth)
    throw new Error(redact(message, {}, [process.env["HEROKU_API_KEY"]]));
  }
}

function sortedKeys(vars: Readonly<Record<string, string>>): string[] {
  return Object.keys(vars).sort();
}

function outputs(
  inputs: ConfigVarsInputs,
  adoptedKeys: readonly string[],
  driftedKeys: readonly string[] = [],
  stray: readonly string[] = [],
): ConfigVarsOutputs {
  return {
    app: inputs.app,
    vars: { ...inputs.vars },
    keys: sortedKeys(inputs.vars),
    providerVersion: inputs.providerVersion,
    ...(inputs.requires === undefined ? {} : { requires: inputs.requires }),
    ...(inputs.ownedElsewhere === undefined
      ? {}
      : { ownedElsewhere: [...inputs.ownedElsewhere].sort() }),
    ...(inputs.adoptable === undefined ? {} : { adoptable: [...inputs.adoptable].sort() }),
    ...(inputs.watchedFlags === undefined ? {} : { watchedFlags: [...inputs.watchedFlags].sort() }),
    adoptedKeys: [...adoptedKeys].sort(),
    driftedKeys: [...driftedKeys].sort(),
    strayFlags: [...stray].sort(),
  };
}

/**
 * Fails closed: no write that leaves a declared flag on while a var it needs is missing or empty
 * in `after`, the app's config as the PATCH would leave it (read from the app just before).
 */
function assertPrerequisitesMet(
  inputs: ConfigVarsInputs,
  after: Readonly<Record<string, string>>,
): void {
  const unmet = unmetRequirements(after, Object.keys(inputs.vars), inputs.requires);
  if (unmet.length > 0) throw new Error(refusalMessage(inputs.app, unmet));
}

/** Refuses a change that would take the app's whole config past Heroku's limit. */
function assertWithinLimit(app: string, after: ConfigVars): void {
  const bytes = configBytes(after);
  if (bytes > CONFIG_LIMIT_BYTES) {
    throw new Error(
      `Heroku app ${app}: its config would take ${bytes} bytes with these vars, over Heroku's ${CONFIG_LIMIT_BYTES}-byte limit; nothing was changed.`,
    );
  }
}

/**
 * Whether two spellings of `app` (name or UUID) are the same Heroku app. A rename or a switch
 * between name and UUID must not replace the resource: create-first replacement would take the
 * keys over and the old resource's delete would then remove them from the very same app.
 */
async function sameApp(a: string, b: string): Promise<boolean> {
  const opts = clientOptionsFromEnv();
  const [left, right] = await Promise.all([getApp(a, opts), getApp(b, opts)]);
  return left.id === right.id;
}

export const configVarsProvider: pulumi.dynamic.ResourceProvider<
  ConfigVarsInputs,
  ConfigVarsOutputs
> = {
  check(
    _olds: ConfigVarsInputs,
    news: ConfigVarsInputs,
  ): Promise<pulumi.dynamic.CheckResult<ConfigVarsInputs>> {
    const failures = validateInputs(news);
    return Promise.resolve({ inputs: news, failures });
  },

  async diff(
    _id: string,
    olds: ConfigVarsOutputs,
    news: ConfigVarsInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    if (olds.app !== news.app) {
      if (news.app === UNKNOWN)
        return { changes: true, replaces: ["app"], deleteBeforeReplace: false };
      try {
        if (await sameApp(olds.app, news.app)) return { changes: true };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(
          // Stryker disable next-line ArrayDeclaration: equivalent, the client already redacts the key (defence in depth)
          `Heroku config vars: app changes from ${olds.app} to ${news.app}, and whether both name the same app could not be checked (${redact(message, {}, [process.env["HEROKU_API_KEY"]])}). ` +
            "Replacing without knowing could delete the vars from the app they were just written to; nothing was changed.",
        );
      }
      return { changes: true, replaces: ["app"], deleteBeforeReplace: false };
    }
    const oldVars = olds.vars ?? {};
    const newVars = news.vars === (UNKNOWN as unknown) ? undefined : news.vars;
    const changed =
      newVars === undefined ||
      olds.providerVersion !== news.providerVersion ||
      !sameRequirements(olds.requires, news.requires) ||
      // Recorded for delete; an update that only records it sends no PATCH (planPatch: no change).
      !sameKeys(olds.ownedElsewhere, news.ownedElsewhere) ||
      // Read keeps the watched list from state: a catalog that changed is recorded.
      !sameKeys(olds.watchedFlags, news.watchedFlags) ||
      // A flag the last refresh found on without the stack: the update switches it off.
      (olds.strayFlags ?? []).length > 0 ||
      Object.keys(oldVars).length !== Object.keys(newVars).length ||
      Object.entries(newVars).some(([k, v]) => own(oldVars, k) !== v);
    return { changes: changed };
  },

  async create(inputs: ConfigVarsInputs): Promise<pulumi.dynamic.CreateResult<ConfigVarsOutputs>> {
    return guarded([inputs.vars], async () => {
      const opts = clientOptionsFromEnv();
      const current = await getConfigVars(inputs.app, opts);
      const conflicts = takeoverConflicts(current, inputs.vars, inputs.adoptable ?? []);
      if (conflicts.length > 0) throw new Error(takeoverMessage(inputs.app, conflicts));
      const adopted = Object.keys(inputs.vars).filter((k) => own(current, k) !== undefined);
      const stray = strayOf(current, inputs);
      const patch = planPatch(current, inputs.vars, stray);
      const after = applyPatch(current, patch);
      assertPrerequisitesMet(inputs, after);
      assertWithinLimit(inputs.app, after);
      if (Object.keys(patch).length > 0) {
        const result = await patchConfigVars(inputs.app, patch, opts);
        await assertResultSafe(inputs, result, patch);
        assertApplied(inputs.app, result, patch);
      }
      const id = `${inputs.app}/${globalThis.crypto.randomUUID()}`;
      return { id, outs: outputs(inputs, adopted) };
    });
  },

  async read(
    id: string,
    props?: ConfigVarsOutputs,
  ): Promise<pulumi.dynamic.ReadResult<ConfigVarsOutputs>> {
    if (!props) {
      throw new Error(
        "Importing Heroku config vars by ID is not supported (pulumi/pulumi#16175): declare the vars in the program and the first update takes them over, listing them in adoptedKeys.",
      );
    }
    return guarded([props.vars], async () => {
      const opts = clientOptionsFromEnv();
      const current = await getConfigVars(props.app, opts);
      const owned = props.keys ?? sortedKeys(props.vars ?? {});
      const vars = emptyMap<string>();
      const drifted: string[] = [];
      for (const key of owned) {
        const value = own(current, key);
        if (value !== undefined) vars[key] = value;
        if (value !== own(props.vars, key)) drifted.push(key);
      }
      const live = {
        app: props.app,
        vars,
        keys: sortedKeys(vars),
        providerVersion: props.providerVersion,
        requires: props.requires,
        // Who owns the other keys is the program's, not the app's: a refresh keeps it, or the
        // next delete after a refresh would remove a key the other resource holds.
        ownedElsewhere: props.ownedElsewhere,
        adoptable: props.adoptable,
        watchedFlags: props.watchedFlags,
      };
      // Only outputs are returned, not `inputs`: the outputs' `vars` stay encrypted through
      // additionalSecretOutputs, while inputs handed back by a provider that takes no secrets
      // would rely on the engine re-marking each value. Drift still shows: `diff` compares the
      // program against these refreshed outputs, and `driftedKeys` names the keys.
      // A watched flag on at the app is reported, not failed on: the refreshed state then differs
      // from the program (diff), and the update that follows switches it off in its one PATCH.
      const stray = strayOf(current, live);
      return { id, props: outputs(live, props.adoptedKeys ?? [], drifted, stray) };
    });
  },

  async update(
    _id: string,
    olds: ConfigVarsOutputs,
    news: ConfigVarsInputs,
  ): Promise<pulumi.dynamic.UpdateResult<ConfigVarsOutputs>> {
    return guarded([olds.vars, news.vars], async () => {
      // planPatch sends null only for keys no longer declared that the app still holds, and
      // never for a key another resource of the stack now declares (it moved there).
      // Keys this resource took over from the app stay there when it stops declaring them.
      const elsewhere = news.ownedElsewhere ?? [];
      const kept = keptOnApp(olds.adoptedKeys, flagsOf(olds));
      const removed = Object.keys(olds.vars ?? {}).filter(
        (k) => !elsewhere.includes(k) && !kept.includes(k),
      );
      const opts = clientOptionsFromEnv();
      // The plan comes from what the app holds now, not from the stored state: a key declared for
      // the first time may already hold the wanted value (no PATCH, no release), and a key changed
      // by hand is put back.
      const current = await getConfigVars(news.app, opts);
      // A key new to this resource is taken over only with the value it holds, when the stack
      // lists it, or when another resource of the stack held it at the last deployment (it moves).
      const added = Object.fromEntries(
        Object.entries(news.vars).filter(([k]) => own(olds.vars, k) === undefined),
      );
      const allowed = [...(news.adoptable ?? []), ...(olds.ownedElsewhere ?? [])];
      const conflicts = takeoverConflicts(current, added, allowed);
      if (conflicts.length > 0) throw new Error(takeoverMessage(news.app, conflicts));
      const patch = planPatch(current, news.vars, [...removed, ...strayOf(current, news)]);
      const adopted = [
        ...(olds.adoptedKeys ?? []).filter((k) => Object.hasOwn(news.vars, k)),
        ...Object.keys(news.vars).filter(
          (k) => own(olds.vars, k) === undefined && own(current, k) !== undefined,
        ),
      ];
      const after = applyPatch(current, patch);
      // Checked even when nothing is to be sent: a flag already on with its prerequisites gone is
      // the incident itself, and the deployment says so instead of reporting success.
      assertPrerequisitesMet(news, after);
      if (Object.keys(patch).length > 0) {
        assertWithinLimit(news.app, after);
        const result = await patchConfigVars(news.app, patch, opts);
        await assertResultSafe(news, result, patch);
        assertApplied(news.app, result, patch);
      }
      return { outs: outputs(news, adopted) };
    });
  },

  async delete(_id: string, props: ConfigVarsOutputs): Promise<void> {
    await guarded([props.vars], async () => {
      const elsewhere = props.ownedElsewhere ?? [];
      const kept = keptOnApp(props.adoptedKeys, flagsOf(props));
      const owned = [
        ...(props.keys ?? sortedKeys(props.vars ?? {})),
        // Flags the last refresh found on that the stack does not declare: off with the rest.
        ...(props.strayFlags ?? []),
      ].filter((k) => !elsewhere.includes(k) && !kept.includes(k));
      if (owned.length === 0) return;
      const patch = emptyMap<string | null>();
      for (const k of owned) patch[k] = null;
      const opts = clientOptionsFromEnv();
      const result = await patchConfigVars(props.app, patch, opts);
      assertApplied(props.app, result, patch);
    });
  },
};

/** The watched flags on at the app (`current`) that `inputs` does not declare. */
function strayOf(current: Readonly<ConfigVars>, inputs: ConfigVarsInputs): string[] {
  return strayFlags(current, inputs.watchedFlags, Object.keys(inputs.vars), inputs.ownedElsewhere);
}

/** The resource's keys that are flags: those with requirements, and the watched ones. */
function flagsOf(inputs: ConfigVarsInputs): string[] {
  return [...Object.keys(inputs.requires ?? {}), ...(inputs.watchedFlags ?? [])];
}
