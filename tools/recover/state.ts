/**
 * What `pulumi stack export` tells about an interrupted deploy: the pending operations the engine
 * wrote before each provider call whose answer it never recorded, and the resources it did
 * record. Only names, types, ids and the plain inputs the plan needs are read; values are never
 * copied out (secrets in an export are ciphertext, and even those are not printed).
 */
import { parseJsonText } from "../json-input";

/** The engine's pending operation kinds (apitype.OperationType). */
export type PendingKind = "creating" | "updating" | "deleting" | "reading" | "importing";

export interface PendingOperation {
  readonly kind: PendingKind;
  readonly urn: string;
  /** The resource type token, e.g. `cloudflare:index/zeroTrustAccessServiceToken:…`. */
  readonly type: string;
  /** The resource's name in the program (the URN's last part). */
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly id: string | undefined;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: Readonly<Record<string, unknown>>;
}

export interface StateView {
  readonly pending: readonly PendingOperation[];
  readonly resources: readonly RecordedResource[];
}

const KINDS: readonly string[] = ["creating", "updating", "deleting", "reading", "importing"];

const str = (v: unknown): string => (typeof v === "string" ? v : "");

const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** `urn:pulumi:<stack>::<project>::<types>::<name>` → `<name>`. */
export function nameOfUrn(urn: string): string {
  const parts = urn.split("::");
  return parts.length >= 4 ? parts.slice(3).join("::") : urn;
}

/** Reads `pulumi stack export` output; an unexpected shape is an error naming what is wrong. */
export function parseExport(text: string, what = "the state"): StateView {
  const parsed = record(parseJsonText(text, what));
  if (!("deployment" in parsed)) {
    throw new Error(`${what} is not \`pulumi stack export\` output (no "deployment")`);
  }
  const deployment = record(parsed["deployment"]);
  const resources: RecordedResource[] = [];
  for (const r of asList(deployment["resources"], `${what}: deployment.resources`)) {
    const res = record(r);
    resources.push({
      urn: str(res["urn"]),
      type: str(res["type"]),
      id: typeof res["id"] === "string" && res["id"] !== "" ? res["id"] : undefined,
      inputs: record(res["inputs"]),
      outputs: record(res["outputs"]),
    });
  }
  const pending: PendingOperation[] = [];
  for (const [i, o] of asList(
    deployment["pending_operations"],
    `${what}: deployment.pending_operations`,
  ).entries()) {
    const op = record(o);
    const res = record(op["resource"]);
    const kind = str(op["type"]);
    const urn = typeof res["urn"] === "string" ? res["urn"] : "";
    if (!KINDS.includes(kind) || urn === "") {
      throw new Error(
        `${what}: pending operation ${i + 1} has no resource URN or an unknown type (not shown)`,
      );
    }
    pending.push({
      kind: kind as PendingKind,
      urn,
      type: str(res["type"]),
      name: nameOfUrn(urn),
      inputs: record(res["inputs"]),
    });
  }
  return { pending, resources };
}

function asList(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}

/** A plain (not secret, not unknown) string input, if it is one. */
export function plainString(
  inputs: Readonly<Record<string, unknown>>,
  key: string,
): string | undefined {
  const v = inputs[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}
