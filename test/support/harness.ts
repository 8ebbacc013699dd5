/**
 * Runs the Pulumi program in-process under Pulumi's mock runtime and records every register
 * request as the engine would receive it: type, name, parent, dependencies, property
 * dependencies, additional secret outputs, import id, and which inputs are secret.
 *
 * Mocks do not report parent/dependsOn themselves; the register request does, so the monitor's
 * registerResource is wrapped. Pulumi's runtime state is process-global: vitest runs each test
 * file in its own fork, and each run here uses its own stack name so URNs never collide.
 */
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";

/** Marker Pulumi's wire format uses for a secret value. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

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
  /** Inputs with secrets unwrapped (for assertions only). */
  readonly inputs: Record<string, unknown>;
  /** Paths of inputs that were sent as secrets, e.g. `vars.FREESCOUT_API_KEY`. */
  readonly secretInputs: string[];
}

/** Vault KV v2 secrets the mock Vault holds: "mount/path" → data. */
export type VaultFixture = Record<string, Record<string, string>>;

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
  readonly vault: VaultFixture;
  readonly preview?: boolean;
}

let runs = 0;

function walkSecrets(value: unknown, path: string, out: string[]): unknown {
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
function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const inputs = walkSecrets(args.inputs, "", []) as Record<string, unknown>;
  switch (args.type) {
    case "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken":
      return {
        ...inputs,
        clientId: `${args.name}.access`,
        clientSecret: `mock-client-secret-of-${args.name}`,
        expiresAt: "2027-11-29T00:00:00Z",
      };
    case "vault:kv/secretV2:SecretV2":
      return {
        ...inputs,
        path: `${String(inputs["mount"])}/data/${String(inputs["name"])}`,
        data: JSON.parse(
          typeof inputs["dataJson"] === "string" ? inputs["dataJson"] : "{}",
        ) as unknown,
      };
    case "pulumi-nodejs:dynamic/heroku:ConfigVars":
      return { ...inputs, adoptedKeys: [], driftedKeys: [] };
    default:
      return inputs;
  }
}

export async function runStack(options: RunOptions): Promise<RunResult> {
  runs += 1;
  const resources: Captured[] = [];
  const invokes: RunResult["invokes"] = [];
  const warnings: string[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: args.id || `${args.name}-id`, state: mockState(args) }),
      call: (args) => {
        invokes.push({ token: args.token, args: args.inputs as Record<string, unknown> });
        if (args.token === "vault:kv/getSecretV2:getSecretV2") {
          const inputs = args.inputs as { mount: string; name: string };
          const key = `${inputs.mount}/${inputs.name}`;
          const data = options.vault[key];
          if (!data) {
            // A gRPC error carries its text in `details`, which is what the SDK surfaces.
            const details = `error reading secret ${inputs.mount}/data/${inputs.name}: 404 not found`;
            throw Object.assign(new Error(details), { details });
          }
          return {
            ...inputs,
            path: `${inputs.mount}/data/${inputs.name}`,
            data,
            dataJson: JSON.stringify(data),
          };
        }
        throw new Error(`no mock for invoke ${args.token}`);
      },
    },
    "console-wiring",
    `test-${runs}`,
    options.preview ?? true,
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

  const warn = vi.spyOn(pulumi.log, "warn").mockImplementation((msg: string) => {
    warnings.push(msg);
    return Promise.resolve();
  });

  let outputs: Record<string, unknown> | undefined;
  let error: Error | undefined;
  try {
    const mod = (await import("../../infra/index")) as unknown as {
      default: () => Promise<Record<string, unknown>>;
    };
    const result = await mod.default();
    outputs = await resolveOutputs(result);
  } catch (err) {
    error = err as Error;
  } finally {
    await waitForRPCs();
    warn.mockRestore();
  }
  return { resources, outputs, error, invokes, warnings };
}

async function waitForRPCs(): Promise<void> {
  // Internal (pinned SDK version): drains pending register calls.
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
      const value = await new Promise((resolve) => v.apply(resolve));
      out[k] = secret ? { secret: value } : value;
    } else {
      out[k] = v;
    }
  }
  return out;
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
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

function capture(req: RegisterRequest, urn: string): Captured {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    propertyDependencies[key] = value.getUrnsList();
  });
  const secretInputs: string[] = [];
  const inputs = walkSecrets(req.getObject()?.toJavaScript() ?? {}, "", secretInputs) as Record<
    string,
    unknown
  >;
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
    inputs,
    secretInputs,
  };
}

/** The resource of a given name; fails the test when it was not registered. */
export function byName(resources: readonly Captured[], name: string): Captured {
  const found = resources.find((r) => r.name === name);
  if (!found)
    throw new Error(
      `no resource named ${name}; registered: ${resources.map((r) => r.name).join(", ")}`,
    );
  return found;
}
