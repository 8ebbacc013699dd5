/**
 * A stand-in for the Pulumi engine on 127.0.0.1, so the program can run under Pulumi's real
 * Node.js language host (`@pulumi/pulumi/cmd/run`, TypeScript through ts-node) instead of the
 * mock runtime: it serves the ResourceMonitor and Engine gRPC services the host talks to, records
 * every registration, answers Vault reads from a fixture, and collects the log. Like a preview,
 * it computes no provider outputs: everything a provider would compute stays unknown.
 */
import { createRequire } from "node:module";
import { vaultNotFoundMessage } from "../../tools/offline/run-program";

const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));

// Typed views of the generated gRPC/protobuf modules, as much as this file uses of them.
type Message = Record<string, (...args: unknown[]) => unknown>;
type Messages = Record<string, new () => Message>;
interface GrpcServer {
  addService(service: unknown, implementation: Record<string, unknown>): void;
  bindAsync(address: string, creds: unknown, cb: (err: Error | null, port: number) => void): void;
  forceShutdown(): void;
}
const grpc = fromPulumi("@grpc/grpc-js") as {
  Server: new () => GrpcServer;
  ServerCredentials: { createInsecure(): unknown };
  status: { UNIMPLEMENTED: number; UNKNOWN: number };
};
const resourceGrpc = fromPulumi("./proto/resource_grpc_pb") as { ResourceMonitorService: object };
const engineGrpc = fromPulumi("./proto/engine_grpc_pb") as { EngineService: object };
const resourceProto = fromPulumi("./proto/resource_pb") as Messages;
const engineProto = fromPulumi("./proto/engine_pb") as Messages;
const providerProto = fromPulumi("./proto/provider_pb") as Messages;
const structProto = fromPulumi("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: unknown): unknown };
};
const emptyProto = fromPulumi("google-protobuf/google/protobuf/empty_pb") as Messages;

export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string;
  readonly dependencies: string[];
  readonly object: Record<string, unknown>;
}

export interface LogEntry {
  readonly severity: number;
  readonly message: string;
}

type Callback = (err: unknown, resp?: unknown) => void;
interface Call {
  request: Record<string, (...a: unknown[]) => unknown>;
}

export class FakeEngine {
  readonly registrations: Registration[] = [];
  readonly logs: LogEntry[] = [];
  readonly invokes: string[] = [];
  private server: GrpcServer | undefined;

  constructor(
    readonly project: string,
    readonly stack: string,
    readonly vault: Record<string, Record<string, string>>,
  ) {}

  async start(): Promise<string> {
    const server = new grpc.Server();
    this.server = server;
    const unimplemented = (_call: unknown, cb: Callback) =>
      cb({ code: grpc.status.UNIMPLEMENTED, details: "not in the fake engine" });
    const monitor: Record<string, unknown> = {};
    for (const name of Object.keys(resourceGrpc.ResourceMonitorService))
      monitor[name] = unimplemented;
    Object.assign(monitor, {
      supportsFeature: (call: Call, cb: Callback) => {
        const resp = new resourceProto["SupportsFeatureResponse"]!();
        resp["setHassupport"]!(call.request["getId"]!() === "secrets");
        cb(null, resp);
      },
      registerResource: (call: Call, cb: Callback) => cb(null, this.register(call.request)),
      registerResourceOutputs: (_call: Call, cb: Callback) => cb(null, new emptyProto["Empty"]!()),
      invoke: (call: Call, cb: Callback) => this.invoke(call.request, cb),
    });
    const engine: Record<string, unknown> = {};
    for (const name of Object.keys(engineGrpc.EngineService)) engine[name] = unimplemented;
    Object.assign(engine, {
      log: (call: Call, cb: Callback) => {
        this.logs.push({
          severity: call.request["getSeverity"]!() as number,
          message: call.request["getMessage"]!() as string,
        });
        cb(null, new emptyProto["Empty"]!());
      },
      getRootResource: (_call: Call, cb: Callback) =>
        cb(null, new engineProto["GetRootResourceResponse"]!()),
      setRootResource: (_call: Call, cb: Callback) =>
        cb(null, new engineProto["SetRootResourceResponse"]!()),
    });
    server.addService(resourceGrpc.ResourceMonitorService, monitor);
    server.addService(engineGrpc.EngineService, engine);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        "127.0.0.1:0",
        grpc.ServerCredentials.createInsecure(),
        (err: Error | null, p: number) => (err ? reject(err) : resolve(p)),
      ),
    );
    return `127.0.0.1:${port}`;
  }

  stop(): void {
    this.server?.forceShutdown();
  }

  private register(req: Record<string, (...a: unknown[]) => unknown>): unknown {
    const type = req["getType"]!() as string;
    const name = req["getName"]!() as string;
    const parent = req["getParent"]!() as string;
    const parentType = this.registrations.find((r) => r.urn === parent)?.type;
    const qualified =
      parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    const urn = `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    const object =
      (
        req["getObject"]!() as { toJavaScript(): Record<string, unknown> } | undefined
      )?.toJavaScript() ?? {};
    this.registrations.push({
      urn,
      type,
      name,
      custom: req["getCustom"]!() as boolean,
      parent,
      dependencies: req["getDependenciesList"]!() as string[],
      object,
    });
    const resp = new resourceProto["RegisterResourceResponse"]!();
    resp["setUrn"]!(urn);
    resp["setId"]!("");
    resp["setObject"]!(structProto.Struct.fromJavaScript(object));
    return resp;
  }

  private invoke(req: Record<string, (...a: unknown[]) => unknown>, cb: Callback): void {
    const tok = req["getTok"]!() as string;
    this.invokes.push(tok);
    const args = (req["getArgs"]!() as { toJavaScript(): Record<string, string> }).toJavaScript();
    if (tok !== "vault:kv/getSecretV2:getSecretV2") {
      cb({ code: grpc.status.UNIMPLEMENTED, details: `no fake for ${tok}` });
      return;
    }
    const data = this.vault[`${args["mount"]}/${args["name"]}`];
    if (!data) {
      cb({
        code: grpc.status.UNKNOWN,
        details: vaultNotFoundMessage(args["mount"]!, args["name"]!),
      });
      return;
    }
    const resp = new providerProto["InvokeResponse"]!();
    resp["setReturn"]!(
      structProto.Struct.fromJavaScript({ ...args, data, dataJson: JSON.stringify(data) }),
    );
    cb(null, resp);
  }
}
