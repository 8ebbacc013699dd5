import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeStackRequest } from "../tools/offline/analyze";
import { baseline, capture, node } from "./support/graph-fixture";

// The pack as the engine runs it for `pulumi preview --policy-pack policy`: Pulumi's
// run-policy-pack host loads policy/ (package.json `main`: pack.cjs, the compiled pack in bin/,
// from the project's node_modules), the pack starts its gRPC server and prints the port, and the engine talks
// Analyzer RPCs to it. Here this test plays the engine on 127.0.0.1.
const root = resolve(__dirname, "..");
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc = fromPulumi("@grpc/grpc-js") as {
  credentials: { createInsecure(): unknown };
};
const { AnalyzerClient } = fromPulumi("./proto/analyzer_grpc_pb") as {
  AnalyzerClient: new (address: string, creds: unknown) => Client;
};
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb") as {
  Empty: new () => unknown;
};

type Callback<T> = (err: Error | null, resp: T) => void;
interface Client {
  getAnalyzerInfo(
    req: unknown,
    cb: Callback<{
      getName(): string;
      getPoliciesList(): { getName(): string; getEnforcementlevel(): number }[];
    }>,
  ): void;
  analyzeStack(
    req: unknown,
    cb: Callback<{
      getDiagnosticsList(): {
        getPolicyname(): string;
        getMessage(): string;
        getEnforcementlevel(): number;
      }[];
    }>,
  ): void;
  close(): void;
}

let pack: ChildProcess;
let client: Client;

beforeAll(async () => {
  pack = spawn(
    process.execPath,
    [join(root, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."],
    {
      cwd: join(root, "policy"),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  pack.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<string>((resolvePort, reject) => {
    pack.stdout!.once("data", (d: Buffer) => resolvePort(d.toString().trim()));
    pack.once("exit", (code) => reject(new Error(`policy pack exited ${code}: ${stderr}`)));
  });
  expect(port).toMatch(/^\d+$/);
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
  client?.close();
  pack?.kill();
});

const rpc = <T>(fn: (cb: Callback<T>) => void) =>
  new Promise<T>((res, rej) => fn((err, resp) => (err ? rej(err) : res(resp))));

describe("the policy pack loaded by Pulumi's policy-pack host", () => {
  it("serves the ten policies with their enforcement levels", async () => {
    const info = await rpc<Parameters<Parameters<Client["getAnalyzerInfo"]>[1]>[1]>((cb) =>
      client.getAnalyzerInfo(new Empty(), cb),
    );
    expect(info.getName()).toBe("console-wiring");
    // EnforcementLevel enum: ADVISORY 0, MANDATORY 1, DISABLED 2, REMEDIATE 3.
    expect(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()])).toEqual([
      ["flags-require-prerequisites", 1],
      ["flags-applied-after-prerequisites", 1],
      ["flags-applied-after-access-gate", 1],
      ["flags-require-detection", 1],
      ["gated-api-requires-service-token", 1],
      ["service-auth-returns-401", 1],
      ["secrets-stay-secret", 3],
      ["urls-are-https", 1],
      ["api-url-on-gated-host", 1],
      ["service-token-expiry", 0],
    ]);
  });

  it("passes the compliant graph and reports a flag applied before its prerequisites", async () => {
    const ok = await rpc<Parameters<Parameters<Client["analyzeStack"]>[1]>[1]>((cb) =>
      client.analyzeStack(analyzeStackRequest(capture(baseline())), cb),
    );
    expect(ok.getDiagnosticsList()).toEqual([]);

    const g = baseline();
    node(g, "flags").dependsOn = ["alert", "application", "policy"];
    const bad = await rpc<Parameters<Parameters<Client["analyzeStack"]>[1]>[1]>((cb) =>
      client.analyzeStack(analyzeStackRequest(capture(g)), cb),
    );
    expect(
      bad.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel()]),
    ).toEqual([["flags-applied-after-prerequisites", 1]]);
    expect(bad.getDiagnosticsList()[0]?.getMessage()).toContain(
      "Add { dependsOn: [prerequisites] } to flags",
    );
  });
});
