// The Pulumi program's entry (Pulumi.yaml `main`): the compiled program in bin/, never TypeScript
// compiled at run time (ts-node type-checked every file on every preview; Pulumi.yaml sets
// `typescript: false` so the language host does not load it). bin/ is rebuilt first when it does
// not match the sources (tools/build.cjs), and nothing runs when that build fails.
"use strict";
const { ensureFresh } = require("./tools/build.cjs");

let entry;
try {
  entry = ensureFresh(__dirname, "infra/index.js", "the Pulumi program");
} catch (err) {
  // A RunError is reported without a stack: the message says what to do.
  throw new (require("@pulumi/pulumi").RunError)(err.message);
}
module.exports = require(entry);
