/**
 * Evaluates the policy pack on a captured graph with @pulumi/policy's own runtime: the analyze,
 * remediate and analyzeStack functions the engine calls over gRPC, fed the requests the engine
 * would send. `@pulumi/policy/server` is an internal API; its version is pinned in package.json.
 */
import type { Policies } from "@pulumi/policy";
import type { Captured } from "./run-program";
import { UNKNOWN, walkSecrets } from "./run-program";

export type Level = "mandatory" | "advisory" | "remediate" | "disabled";

export interface Verdict {
  readonly policy: string;
  readonly level: Level;
  readonly message: string;
  /** Name of the resource concerned, when the policy named one. */
  readonly resource?: string;
}

export interface Analysis {
  readonly violations: Verdict[];
  /** Policies that ran and found nothing, or found it not applicable (with the reason). */
  readonly passed: string[];
  readonly notApplicable: { policy: string; reason: string }[];
}

interface Jspb {
  setType(v: string): void;
  setProperties(v: unknown): void;
  setUrn(v: string): void;
  setName(v: string): void;
  setOptions(v: unknown): void;
}

/* eslint-disable @typescript-eslint/no-require-imports -- these must be the exact module instances @pulumi/policy uses */
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb") as Record<
  string,
  new () => Record<string, (v?: unknown) => unknown>
>;
const structProto = require(
  require.resolve("google-protobuf/google/protobuf/struct_pb", {
    paths: [require.resolve("@pulumi/pulumi")],
  }),
) as { Struct: { fromJavaScript(v: unknown): unknown } };
const policyServer = require("@pulumi/policy/server") as {
  makeAnalyzeRpcFun: RpcFactory;
  makeAnalyzeStackRpcFun: RpcFactory;
  makeRemediateRpcFun: RpcFactory;
};
/* eslint-enable @typescript-eslint/no-require-imports */

type Rpc = (call: { request: unknown }, cb: (err: unknown, resp?: Response) => void) => void;
type RpcFactory = (name: string, version: string, level: Level, policies: Policies) => Rpc;

interface Response {
  getDiagnosticsList?(): Diagnostic[];
  getNotApplicableList?(): { getPolicyName(): string; getReason(): string }[];
  getRemediationsList?(): {
    getPolicyname(): string;
    getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
  }[];
}

interface Diagnostic {
  getPolicyname(): string;
  getMessage(): string;
  getDescription(): string;
  getEnforcementlevel(): number;
  getUrn(): string;
}

const LEVELS: Record<number, Level> = {
  0: "advisory",
  1: "mandatory",
  2: "disabled",
  3: "remediate",
};

function call(rpc: Rpc, request: unknown): Promise<Response> {
  return new Promise((resolve, reject) =>
    rpc({ request }, (err, resp) =>
      err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(resp!),
    ),
  );
}

function options(r: Captured): unknown {
  const opts = new analyzerProto["AnalyzerResourceOptions"]!();
  opts["setAdditionalsecretoutputsList"]!(r.additionalSecretOutputs);
  if (r.parent) opts["setParent"]!(r.parent);
  return opts;
}

function fill(msg: Record<string, (v?: unknown) => unknown>, r: Captured): void {
  const m = msg as unknown as Jspb;
  m.setType(r.type);
  m.setName(r.name);
  m.setUrn(r.urn);
  m.setProperties(structProto.Struct.fromJavaScript(r.wireInputs));
  m.setOptions(options(r));
}

/** The AnalyzeStack request the engine sends after a preview: every resource with its edges. */
export function analyzeStackRequest(resources: readonly Captured[]): unknown {
  const stackReq = new analyzerProto["AnalyzeStackRequest"]!();
  const list = resources.map((r) => {
    const res = new analyzerProto["AnalyzerResource"]!();
    fill(res, r);
    if (r.parent) res["setParent"]!(r.parent);
    res["setDependenciesList"]!(r.dependencies);
    const deps = res["getPropertydependenciesMap"]!() as { set(k: string, v: unknown): void };
    for (const [k, urns] of Object.entries(r.propertyDependencies)) {
      const d = new analyzerProto["AnalyzerPropertyDependencies"]!();
      d["setUrnsList"]!(urns);
      deps.set(k, d);
    }
    return res;
  });
  stackReq["setResourcesList"]!(list);
  return stackReq;
}

/**
 * Secret paths a remediation added: inputs it turned from plain into secrets. A value unknown
 * during preview carries no secret flag on the wire, so it is not counted as plain.
 */
function newlySecret(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const was: string[] = [];
  const now: string[] = [];
  const plain = walkSecrets(before, "", was);
  walkSecrets(after, "", now);
  const valueAt = (path: string): unknown =>
    path
      .split(".")
      .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], plain);
  return now.filter((p) => !was.includes(p) && valueAt(p) !== UNKNOWN);
}

export async function analyze(
  resources: readonly Captured[],
  policies: Policies,
  pack = { name: "console-wiring", version: "0.1.0" },
): Promise<Analysis> {
  const analyzeRpc = policyServer.makeAnalyzeRpcFun(pack.name, pack.version, "mandatory", policies);
  const remediateRpc = policyServer.makeRemediateRpcFun(
    pack.name,
    pack.version,
    "mandatory",
    policies,
  );
  const stackRpc = policyServer.makeAnalyzeStackRpcFun(
    pack.name,
    pack.version,
    "mandatory",
    policies,
  );
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const violations: Verdict[] = [];
  const notApplicable: Analysis["notApplicable"] = [];
  const custom = resources.filter((r) => r.custom);

  // A resource policy's violation concerns the resource analyzed, whether or not it named a URN.
  const collect = (resp: Response, analyzed?: Captured) => {
    for (const d of resp.getDiagnosticsList?.() ?? []) {
      violations.push({
        policy: d.getPolicyname(),
        level: LEVELS[d.getEnforcementlevel()] ?? "mandatory",
        message: d.getMessage().startsWith(d.getDescription())
          ? d.getMessage().slice(d.getDescription().length).trim() || d.getDescription()
          : d.getMessage(),
        resource: byUrn.get(d.getUrn())?.name ?? analyzed?.name,
      });
    }
    for (const n of resp.getNotApplicableList?.() ?? []) {
      notApplicable.push({ policy: n.getPolicyName(), reason: n.getReason() });
    }
  };

  for (const r of custom) {
    const req = new analyzerProto["AnalyzeRequest"]!();
    fill(req, r);
    const remediation = await call(remediateRpc, req);
    for (const rem of remediation.getRemediationsList?.() ?? []) {
      const after = rem.getProperties()?.toJavaScript();
      const paths = after ? newlySecret(r.wireInputs, after) : [];
      if (paths.length === 0) continue;
      // A remediation is not a violation: the engine applies it before the step, so the value
      // reaches state and the display as a secret; the same verdict here (a pass with a note).
      violations.push({
        policy: rem.getPolicyname(),
        level: "remediate",
        message: `${r.name} sends ${paths.join(", ")} in plain text; the pack's remediation wraps ${paths.length === 1 ? "it" : "them"} as a secret before anything is stored (only when the pack runs): fix the program, pass the value through pulumi.secret().`,
        resource: r.name,
      });
    }
    collect(await call(analyzeRpc, req), r);
  }

  const stackReq = analyzeStackRequest(custom);
  collect(await call(stackRpc, stackReq));

  // A policy is not applicable when every evaluation said so (a resource policy is evaluated once
  // per resource, a stack policy once).
  const failed = new Set(violations.map((v) => v.policy));
  const naCount = new Map<string, { n: number; reason: string }>();
  for (const n of notApplicable) {
    const prev = naCount.get(n.policy);
    naCount.set(n.policy, { n: (prev?.n ?? 0) + 1, reason: prev?.reason ?? n.reason });
  }
  const result: Analysis["notApplicable"] = [];
  const passed: string[] = [];
  for (const p of policies) {
    if (failed.has(p.name)) continue;
    const evaluations = "validateStack" in p ? 1 : custom.length;
    const na = naCount.get(p.name);
    if (na && na.n >= evaluations) result.push({ policy: p.name, reason: na.reason });
    else passed.push(p.name);
  }
  return { violations, passed, notApplicable: result };
}
