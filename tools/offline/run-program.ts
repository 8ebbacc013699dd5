/**
 * Runs the Pulumi program in-process under Pulumi's mock runtime, with no CLI, credential or
 * network, and records every register request as the engine would receive it: type, name,
 * parent, dependencies, property dependencies, additional secret outputs, import id, and the
 * inputs in Pulumi's wire form (secrets and unknowns marked).
 *
 * Mocks do not report parent/dependsOn themselves; the register request does, so the monitor's
 * registerResource is wrapped. Pulumi's runtime state is process-global: each run uses its own
 * stack name so URNs never collide.
 */
import * as pulumi from "@pulumi/pulumi";
import { catalog } from "../../infra/features/catalog";
import { parseFeatureSelection } from "../../infra/config-parts/features";
import { allRequiredVars, gatesOf, type Feature } from "../../infra/features/manifest";

/** Marker Pulumi's wire format uses for a secret value. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** How the wire format spells a value not known until apply. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Captured {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string;
  readonly dependencies: string[];
  readonly propertyDependencies: Record<string, string[]>;
  readonly additionalSecretOutputs: string[];
  readonly importId: string;
  readonly retainOnDelete: boolean;
  /** Inputs whose changes the engine ignores (the old value stays). */
  readonly ignoreChanges: string[];
  /** Inputs in wire form (secret and unknown markers kept), as the policy runtime receives them. */
  readonly wireInputs: Record<string, unknown>;
  /** Inputs with secrets unwrapped. */
  readonly inputs: Record<string, unknown>;
  /** Paths of inputs that were sent as secrets, e.g. `vars.FREESCOUT_API_KEY`. */
  readonly secretInputs: string[];
}

/** A fixture entry holding this field answers every read of that secret with this error. */
export const VAULT_ERROR = "__error";

/** Vault KV v2 secrets the mock Vault holds: "mount/path" → data (or `{ __error: message }`). */
export type VaultFixture = Record<string, Record<string, string>>;

/**
 * `assume-present`: offline, every field the manifest reads from Vault (and, when the stack adopts
 * the written secret, that secret's fields) exists with a placeholder value. `pulumi preview`
 * checks the real ones.
 */
export type VaultMode = VaultFixture | "assume-present";

export interface RunResult {
  readonly resources: Captured[];
  readonly outputs: Record<string, unknown> | undefined;
  readonly error: Error | undefined;
  readonly invokes: { token: string; args: Record<string, unknown> }[];
  readonly warnings: string[];
}

export interface RunOptions {
  /** Full config keys (`console-wiring:herokuApp`) → string values, as the CLI passes them. */
  readonly config: Record<string, string>;
  readonly vault: VaultMode;
  /** Run as `pulumi preview` (default) or as an update. */
  readonly preview?: boolean;
  /**
   * Outputs providers compute (ids, the token's client id/secret/expiry) are unknown, as in the
   * first preview of a new stack. Default false: mocks report them.
   */
  readonly unknownComputed?: boolean;
  /** The program to run; default: the project's entry, infra/index.ts. */
  readonly program?: () => Promise<Record<string, unknown>>;
  /**
   * Serialize dynamic providers into `__provider` as the engine needs them (default false: the
   * graph and the policies do not read that text, and serializing costs ~0.35 s; the compiled
   * form is tested on its own in test/provider-serialization.test.ts).
   */
  readonly serializeDynamicProviders?: boolean;
  /**
   * The outputs of the stack's last deployment, as a stack reference to itself reads them
   * (infra/cloudflare/adoption.ts). Default: none (a stack never deployed; offline has no state).
   */
  readonly stackOutputs?: Record<string, unknown>;
  /** The catalog whose Vault fields `assume-present` provides; default: infra/features/data/*.json. */
  readonly features?: readonly Feature[];
}

const OFFLINE_PROVIDER_TEXT =
  "exports.handler = () => { throw new Error('not serialized offline'); };";

/**
 * Replaces or restores the SDK's closure serializer (an internal module of the pinned SDK, which
 * dynamic.Resource loads lazily by this path).
 */
function setProviderSerialization(real: boolean): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const closure = require("@pulumi/pulumi/runtime/closure/serializeClosure") as {
    serializeFunction: (...args: unknown[]) => Promise<{ text: string; containsSecrets: boolean }>;
  };
  const original = closure.serializeFunction;
  if (!real)
    closure.serializeFunction = () =>
      Promise.resolve({ text: OFFLINE_PROVIDER_TEXT, containsSecrets: false });
  return () => {
    closure.serializeFunction = original;
  };
}

let runs = 0;

export function walkSecrets(value: unknown, path: string, out: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => walkSecrets(v, `${path}[${i}]`, out));
  if (typeof value === "object" && value !== null) {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
      out.push(path);
      return walkSecrets(obj["value"], path, out);
    }
    return Object.fromEntries(
      Object.entries(obj).map(([k, v]) => [k, walkSecrets(v, path ? `${path}.${k}` : k, out)]),
    );
  }
  return value;
}

/** Emulates the providers: the outputs each resource type reports after create. */
function computedOutputs(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  switch (type) {
    case "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken":
      return {
        clientId: `${name}.access`,
        clientSecret: `mock-client-secret-of-${name}`,
        expiresAt: "2027-11-29T00:00:00Z",
      };
    case "vault:kv/secretV2:SecretV2":
      return {
        path: `${String(inputs["mount"])}/data/${String(inputs["name"])}`,
        data: JSON.parse(
          typeof inputs["dataJson"] === "string" ? inputs["dataJson"] : "{}",
        ) as unknown,
      };
    case "pulumi-nodejs:dynamic/heroku:ConfigVars":
      return { adoptedKeys: [], driftedKeys: [] };
    default:
      return {};
  }
}

/**
 * The Vault fields the stack's selected features read, and each of their gates' token fields at
 * that gate's console-wiring:gates.<id>.vaultPath, with placeholder values. Only the selected
 * features: a field of a feature the stack does not deploy would look like a field the stack
 * does not write. A selection or gate map that does not parse fakes nothing for it: the program
 * reports that config error itself.
 */
export function placeholderVault(
  config: Record<string, string>,
  catalogFeatures: readonly Feature[],
): VaultFixture {
  const mount = config["console-wiring:vaultMount"] ?? "";
  const features = parseFeatureSelection(config["console-wiring:features"], catalogFeatures, []);
  const fixture: VaultFixture = {};
  const put = (secret: string, field: string) => {
    const path = `${mount}/${secret}`;
    fixture[path] = { ...fixture[path], [field]: `offline-placeholder:${path}#${field}` };
  };
  for (const v of allRequiredVars(features))
    if (v.source.kind === "vault") put(v.source.path, v.source.field);
  const gates = gateConfigs(config["console-wiring:gates"]);
  for (const gate of gatesOf(features)) {
    const vaultPath = gates[gate.id]?.vaultPath;
    if (typeof vaultPath !== "string" || vaultPath === "") continue;
    put(vaultPath, gate.clientIdVar);
    put(vaultPath, gate.clientSecretVar);
  }
  return fixture;
}

/** The raw console-wiring:gates map (JSON, as the CLI passes an object value), or none. */
function gateConfigs(raw: string | undefined): Record<string, { vaultPath?: unknown }> {
  try {
    const parsed = JSON.parse(raw ?? "{}") as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, { vaultPath?: unknown }>)
      : {};
  } catch {
    return {};
  }
}

interface RegisterResponse {
  getUrn(): string;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
  getAdditionalsecretoutputsList(): string[];
  getImportid(): string;
  getRetainondelete(): boolean;
  getIgnorechangesList(): string[];
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

function capture(req: RegisterRequest, urn: string): Captured {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    propertyDependencies[key] = value.getUrnsList();
  });
  const wireInputs = req.getObject()?.toJavaScript() ?? {};
  const secretInputs: string[] = [];
  const inputs = walkSecrets(wireInputs, "", secretInputs) as Record<string, unknown>;
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    parent: req.getParent(),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    importId: req.getImportid(),
    retainOnDelete: req.getRetainondelete(),
    ignoreChanges: req.getIgnorechangesList(),
    wireInputs,
    inputs,
    secretInputs,
  };
}

async function waitForRPCs(): Promise<void> {
  // Internal to the pinned SDK version: drains pending register calls.
  const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as {
    waitForRPCs: () => Promise<void>;
  };
  await settings.waitForRPCs();
}

/** Resolves stack outputs to plain values, recording secrets as `{ secret: value }`. */
async function resolveOutputs(result: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) {
    if (pulumi.Output.isInstance(v)) {
      const secret = await pulumi.isSecret(v);
      const known = await (v as unknown as { isKnown: Promise<boolean> }).isKnown;
      const value = known ? await new Promise((resolve) => v.apply(resolve)) : UNKNOWN;
      out[k] = secret ? { secret: value } : value;
    } else {
      out[k] = v;
    }
  }
  return out;
}

async function defaultProgram(): Promise<Record<string, unknown>> {
  const mod = (await import("../../infra/index")) as unknown as
    { default: () => Promise<Record<string, unknown>> } | (() => Promise<Record<string, unknown>>);
  const entry = typeof mod === "function" ? mod : mod.default;
  return entry();
}

export async function runProgram(options: RunOptions): Promise<RunResult> {
  runs += 1;
  const resources: Captured[] = [];
  const invokes: RunResult["invokes"] = [];
  const warnings: string[] = [];
  const preview = options.preview ?? true;
  const unknownComputed = preview && (options.unknownComputed ?? false);
  const vault =
    options.vault === "assume-present"
      ? placeholderVault(options.config, options.features ?? catalog())
      : options.vault;

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = walkSecrets(args.inputs, "", []) as Record<string, unknown>;
        if (args.type === "pulumi:pulumi:StackReference")
          return {
            id: args.id || String(inputs["name"]),
            state: { ...inputs, outputs: options.stackOutputs ?? {}, secretOutputNames: [] },
          };
        if (unknownComputed) return { id: args.id || undefined, state: inputs };
        return {
          id: args.id || `${args.name}-id`,
          state: { ...inputs, ...computedOutputs(args.type, args.name, inputs) },
        };
      },
      call: (args) => {
        invokes.push({ token: args.token, args: args.inputs as Record<string, unknown> });
        if (args.token === "vault:kv/getSecretV2:getSecretV2") {
          const inputs = args.inputs as { mount: string; name: string };
          const data = vault[`${inputs.mount}/${inputs.name}`];
          const denied = data?.[VAULT_ERROR];
          if (denied !== undefined) throw Object.assign(new Error(denied), { details: denied });
          if (!data) {
            // A gRPC error carries its text in `details`, which is what the SDK surfaces: here the
            // text the real engine gives the program for the Vault provider's missing secret.
            const details = vaultNotFoundMessage(inputs.mount, inputs.name);
            throw Object.assign(new Error(details), { details });
          }
          return {
            ...inputs,
            path: `${inputs.mount}/data/${inputs.name}`,
            data,
            dataJson: JSON.stringify(data),
          };
        }
        const details = `no offline stand-in for invoke ${args.token}`;
        throw Object.assign(new Error(details), { details });
      },
    },
    "console-wiring",
    `offline-${runs}`,
    preview,
    // The organization a self-managed backend (file, S3) reports to programs.
    "organization",
  );
  pulumi.runtime.setAllConfig(options.config);

  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource: (
      req: RegisterRequest,
      cb: (err: unknown, resp?: RegisterResponse) => void,
    ) => void;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    original(req, (err, resp) => {
      if (!err && resp) resources.push(capture(req, resp.getUrn()));
      cb(err, resp);
    });
  };

  // pulumi.log writes to the engine; offline there is none, so warnings are collected.
  const log = pulumi.log as unknown as { warn: (msg: string) => Promise<void> };
  const originalWarn = log.warn;
  log.warn = (msg: string) => {
    warnings.push(msg);
    return Promise.resolve();
  };

  const restoreSerialization = setProviderSerialization(options.serializeDynamicProviders ?? false);
  // The SDK records a stack trace for every promise and resource (for leak reports and source
  // positions the engine shows); offline nothing reads them, and they cost half the run.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let outputs: Record<string, unknown> | undefined;
  let error: Error | undefined;
  try {
    outputs = await resolveOutputs(await (options.program ?? defaultProgram)());
  } catch (err) {
    error = err instanceof Error ? err : new Error(String(err));
  } finally {
    await waitForRPCs();
    log.warn = originalWarn;
    restoreSerialization();
    Error.stackTraceLimit = stackTraceLimit;
  }
  return { resources, outputs, error, invokes, warnings };
}

/**
 * What a program receives from the real engine when the Vault provider finds no secret: the
 * engine's prefix, the provider's "1 error occurred:" header, the reason on the next line.
 */
export function vaultNotFoundMessage(mount: string, name: string): string {
  const tok = "vault:kv/getSecretV2:getSecretV2";
  return (
    `invocation of ${tok} returned an error: invoking ${tok}: 1 error occurred:\n` +
    `\t* no secret found at "${mount}/data/${name}"\n\n`
  );
}
