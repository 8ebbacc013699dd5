/**
 * The Node.js provider server in @pulumi/pulumi 3.248 reads `req.getProperties().toJavaScript()`
 * in Read, but an import (`pulumi import`, or the `import` resource option) sends a ReadRequest
 * with no properties, so the server fails before reaching the provider. Real providers (Go) take
 * such a request. The stand-ins are loaded in place of real providers, so they must too: an
 * absent Struct is read as an empty one.
 */
import { createRequire } from "node:module";

const sdk = createRequire(require.resolve("@pulumi/pulumi"));
type Getter = (this: unknown) => unknown;
const provproto = sdk("./proto/provider_pb") as {
  ReadRequest: { prototype: { getProperties: Getter; getInputs: Getter } };
};
const structproto = sdk("google-protobuf/google/protobuf/struct_pb") as {
  Struct: new () => unknown;
};

const proto = provproto.ReadRequest.prototype;
const getProperties = proto.getProperties;
const getInputs = proto.getInputs;
let readInputs: Record<string, unknown> = {};
proto.getProperties = function (this: unknown) {
  // The server reads only the properties and calls the provider's read synchronously after;
  // the old inputs (which a bridged Read uses on a refresh) are kept for takeReadInputs.
  const inputs = getInputs.call(this) as { toJavaScript(): Record<string, unknown> } | undefined;
  readInputs = inputs?.toJavaScript() ?? {};
  return getProperties.call(this) ?? new structproto.Struct();
};
proto.getInputs = function (this: unknown) {
  return getInputs.call(this) ?? new structproto.Struct();
};

/** The old inputs of the ReadRequest being served (empty for an import). */
export function takeReadInputs(): Record<string, unknown> {
  const inputs = readInputs;
  readInputs = {};
  return inputs;
}

/**
 * Detailed diffs. Bridged providers answer Diff with a detailed diff (which property is added,
 * deleted or updated in the plan), and `preview --diff` prints exactly those. The Node.js provider
 * server has no field for one, so a stand-in's diff calls setDetailedDiff just before returning,
 * and the server's next DiffResponse.setChanges (the same call, synchronously after the await)
 * attaches it.
 */
type DiffKindName = "add" | "delete" | "update";
interface PropertyDiffMsg {
  setKind(kind: number): void;
  setInputdiff(input: boolean): void;
}
interface DiffResponseMsg {
  setDiffsList(keys: string[]): void;
  setHasdetaileddiff(has: boolean): void;
  getDetaileddiffMap(): { set(key: string, value: PropertyDiffMsg): void };
}
const diffproto = sdk("./proto/provider_pb") as {
  PropertyDiff: (new () => PropertyDiffMsg) & { Kind: Record<string, number> };
  DiffResponse: {
    prototype: DiffResponseMsg & { setChanges: (this: DiffResponseMsg, c: number) => unknown };
  };
};
let pending: { diffs: Readonly<Record<string, DiffKindName>>; replaces: readonly string[] } | null =
  null;

export function setDetailedDiff(
  diffs: Readonly<Record<string, DiffKindName>>,
  replaces: readonly string[],
): void {
  pending = { diffs, replaces };
}

const setChanges = diffproto.DiffResponse.prototype.setChanges;
diffproto.DiffResponse.prototype.setChanges = function (this: DiffResponseMsg, changes: number) {
  const p = pending;
  pending = null;
  if (p && Object.keys(p.diffs).length > 0) {
    const kinds = diffproto.PropertyDiff.Kind;
    const map = this.getDetaileddiffMap();
    for (const [key, kind] of Object.entries(p.diffs)) {
      const name = `${kind.toUpperCase()}${p.replaces.includes(key) ? "_REPLACE" : ""}`;
      const pd = new diffproto.PropertyDiff();
      pd.setKind(kinds[name] ?? 4);
      pd.setInputdiff(false);
      map.set(key, pd);
    }
    this.setDiffsList(Object.keys(p.diffs));
    this.setHasdetaileddiff(true);
  }
  return setChanges.call(this, changes);
};
