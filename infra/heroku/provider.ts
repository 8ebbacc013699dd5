/**
 * Dynamic provider for the config vars of one Heroku app that one resource owns.
 *
 *   check  → validate names and values (no HTTP)
 *   diff   → compare declared vars (no HTTP); an app change replaces
 *   create → GET the app's config, PATCH only the declared keys that differ (existing ones are
 *            taken over and listed in `adoptedKeys`)
 *   update → one PATCH with the changed keys and `null` for keys no longer declared; none if
 *            nothing on the app changes (plus one GET when keys are newly declared, to list
 *            any it takes over in `adoptedKeys`)
 *   read   → GET; reports owned keys as they are on the app now, and which of them drifted
 *   delete → one PATCH setting the owned keys to `null`
 *
 * Keys the resource does not declare are never sent. Every PATCH is a Heroku release and a dyno
 * restart, hence at most one per operation. Credentials come from the environment at call time
 * (see client.ts): this object is serialized into state and must capture nothing secret.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  clientOptionsFromEnv,
  getConfigVars,
  patchConfigVars,
  type ConfigPatch,
  type ConfigVars,
} from "./client";
import { CONFIG_LIMIT_BYTES, configBytes, UNKNOWN, validateInputs } from "./validate";

/** Bump when the provider's behaviour changes, so that an update carries the new code into state. */
export const PROVIDER_VERSION = "1";

export interface ConfigVarsInputs {
  readonly app: string;
  readonly vars: Readonly<Record<string, string>>;
  /** Declared key names (not secret), so drift and plans can name keys without values. */
  readonly keys: readonly string[];
  readonly providerVersion: string;
}

export interface ConfigVarsOutputs extends ConfigVarsInputs {
  /** Declared keys that already existed on the app when this resource took them over. */
  readonly adoptedKeys: readonly string[];
  /** Owned keys found changed or removed on the app by the last refresh. */
  readonly driftedKeys: readonly string[];
}

/** The PATCH body that turns `current` into `desired` for the owned keys only. */
export function planPatch(
  current: Readonly<Record<string, string | undefined>>,
  desired: Readonly<Record<string, string>>,
  removed: readonly string[] = [],
): ConfigPatch {
  const patch: ConfigPatch = {};
  for (const [key, value] of Object.entries(desired)) {
    if (current[key] !== value) patch[key] = value;
  }
  for (const key of removed) {
    if (!(key in desired) && current[key] !== undefined) patch[key] = null;
  }
  return patch;
}

/** Replaces any declared value that appears in a message, so no error can carry one. */
export function redact(message: string, vars: Readonly<Record<string, string>>): string {
  let out = message;
  for (const value of Object.values(vars)) {
    if (typeof value === "string" && value.length >= 4) out = out.split(value).join("[redacted]");
  }
  return out;
}

async function guarded<T>(
  vars: Readonly<Record<string, string>>,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    throw new Error(redact(e.message, vars));
  }
}

function sortedKeys(vars: Readonly<Record<string, string>>): string[] {
  return Object.keys(vars).sort();
}

function outputs(
  inputs: ConfigVarsInputs,
  adoptedKeys: readonly string[],
  driftedKeys: readonly string[] = [],
): ConfigVarsOutputs {
  return {
    app: inputs.app,
    vars: { ...inputs.vars },
    keys: sortedKeys(inputs.vars),
    providerVersion: inputs.providerVersion,
    adoptedKeys: [...adoptedKeys].sort(),
    driftedKeys: [...driftedKeys].sort(),
  };
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

  diff(
    _id: string,
    olds: ConfigVarsOutputs,
    news: ConfigVarsInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    if (olds.app !== news.app) {
      return Promise.resolve({ changes: true, replaces: ["app"], deleteBeforeReplace: false });
    }
    const oldVars = olds.vars ?? {};
    const newVars = news.vars === (UNKNOWN as unknown) ? undefined : news.vars;
    const changed =
      newVars === undefined ||
      olds.providerVersion !== news.providerVersion ||
      Object.keys(oldVars).length !== Object.keys(newVars).length ||
      Object.entries(newVars).some(([k, v]) => oldVars[k] !== v);
    return Promise.resolve({ changes: changed });
  },

  async create(inputs: ConfigVarsInputs): Promise<pulumi.dynamic.CreateResult<ConfigVarsOutputs>> {
    return guarded(inputs.vars, async () => {
      const opts = clientOptionsFromEnv();
      const current = await getConfigVars(inputs.app, opts);
      const adopted = Object.keys(inputs.vars).filter((k) => current[k] !== undefined);
      const patch = planPatch(current, inputs.vars);
      const after: ConfigVars = { ...current, ...inputs.vars };
      if (configBytes(after) > CONFIG_LIMIT_BYTES) {
        throw new Error(
          `Heroku app ${inputs.app}: its config would take ${configBytes(after)} bytes with these vars, over Heroku's ${CONFIG_LIMIT_BYTES}-byte limit; nothing was changed.`,
        );
      }
      if (Object.keys(patch).length > 0) {
        const result = await patchConfigVars(inputs.app, patch, opts);
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
    return guarded(props.vars ?? {}, async () => {
      const opts = clientOptionsFromEnv();
      const current = await getConfigVars(props.app, opts);
      const owned = props.keys ?? sortedKeys(props.vars ?? {});
      const vars: Record<string, string> = {};
      const drifted: string[] = [];
      for (const key of owned) {
        const value = current[key];
        if (value !== undefined) vars[key] = value;
        if (value !== props.vars?.[key]) drifted.push(key);
      }
      const live = {
        app: props.app,
        vars,
        keys: sortedKeys(vars),
        providerVersion: props.providerVersion,
      };
      // Only outputs are returned, not `inputs`: the outputs' `vars` stay encrypted through
      // additionalSecretOutputs, while inputs handed back by a provider that takes no secrets
      // would rely on the engine re-marking each value. Drift still shows: `diff` compares the
      // program against these refreshed outputs, and `driftedKeys` names the keys.
      return { id, props: outputs(live, props.adoptedKeys ?? [], drifted) };
    });
  },

  async update(
    _id: string,
    olds: ConfigVarsOutputs,
    news: ConfigVarsInputs,
  ): Promise<pulumi.dynamic.UpdateResult<ConfigVarsOutputs>> {
    return guarded({ ...olds.vars, ...news.vars }, async () => {
      const removed = Object.keys(olds.vars ?? {}).filter((k) => !(k in news.vars));
      const patch = planPatch(olds.vars ?? {}, news.vars, removed);
      const adopted = (olds.adoptedKeys ?? []).filter((k) => k in news.vars);
      if (Object.keys(patch).length > 0) {
        const opts = clientOptionsFromEnv();
        // A key declared for the first time may already be on the app: take it over visibly.
        const added = Object.keys(news.vars).filter((k) => !(k in (olds.vars ?? {})));
        if (added.length > 0) {
          const current = await getConfigVars(news.app, opts);
          adopted.push(...added.filter((k) => current[k] !== undefined));
        }
        const result = await patchConfigVars(news.app, patch, opts);
        assertApplied(news.app, result, patch);
      }
      return { outs: outputs(news, adopted) };
    });
  },

  async delete(_id: string, props: ConfigVarsOutputs): Promise<void> {
    await guarded(props.vars ?? {}, async () => {
      const owned = props.keys ?? sortedKeys(props.vars ?? {});
      if (owned.length === 0) return;
      const patch: ConfigPatch = Object.fromEntries(owned.map((k) => [k, null]));
      const opts = clientOptionsFromEnv();
      const result = await patchConfigVars(props.app, patch, opts);
      assertApplied(props.app, result, patch);
    });
  },
};

/** Heroku answers a PATCH with the resulting config; a value not applied is an error, not a hope. */
function assertApplied(app: string, result: ConfigVars, patch: ConfigPatch): void {
  const wrong = Object.entries(patch)
    .filter(([k, v]) => (v === null ? result[k] !== undefined : result[k] !== v))
    .map(([k]) => k);
  if (wrong.length > 0) {
    throw new Error(
      `Heroku app ${app}: the PATCH response does not show ${wrong.join(", ")} as requested; run pulumi refresh to see the app's state.`,
    );
  }
}
