// The policy pack's entry (package.json `main`): the compiled pack in bin/, not policy/index.ts
// compiled by ts-node on every preview. bin/ is rebuilt first when it does not match the sources
// (tools/build.cjs; a preview with the pack starts this and program.cjs at once, and one waits for
// the other's build), and nothing runs when that build fails.
"use strict";
const path = require("node:path");
const { ensureFresh } = require("../tools/build.cjs");

let entry;
try {
  entry = ensureFresh(path.resolve(__dirname, ".."), "policy/index.js", "the policy pack");
} catch (err) {
  throw new (require("@pulumi/pulumi").RunError)(err.message);
}
require(entry);
