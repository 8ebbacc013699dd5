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
proto.getProperties = function (this: unknown) {
  return getProperties.call(this) ?? new structproto.Struct();
};
proto.getInputs = function (this: unknown) {
  return getInputs.call(this) ?? new structproto.Struct();
};
