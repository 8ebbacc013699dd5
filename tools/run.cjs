#!/usr/bin/env node
// Runs a compiled tool from bin/ (npm run check / smoke / bench): compiled JavaScript starts in a
// fraction of ts-node's time. Before every run, tools/build.cjs compares a content hash of the
// sources with the one the last successful build recorded, and builds when they differ; when that
// build fails nothing runs (exit 2), on this run and on every later one until the error is fixed.
"use strict";
const { existsSync, readdirSync } = require("node:fs");
const path = require("node:path");
const { ensureBuilt } = require("./build.cjs");

const root = path.resolve(__dirname, "..");
const [tool, ...args] = process.argv.slice(2);
if (!tool || !/^[\w-]+$/.test(tool)) {
  process.stderr.write("usage: node tools/run.cjs <tool> [args...]\n");
  process.exit(2);
}
// A tool is a source file: a .js left in bin/ by a deleted source is not one.
if (!existsSync(path.join(root, "tools", `${tool}.ts`))) {
  const known = readdirSync(path.join(root, "tools"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.slice(0, -3))
    .sort();
  process.stderr.write(`console-wiring: no tool "${tool}" (known: ${known.join(", ")})\n`);
  process.exit(2);
}
if (!ensureBuilt(root)) {
  process.stderr.write(
    `console-wiring: the TypeScript build failed, so ${tool} did not run (no stale build runs either); fix the errors above (npm run typecheck).\n`,
  );
  process.exit(2);
}
const entry = path.join(root, "bin", "tools", `${tool}.js`);
require(entry)
  .main(args)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(
        `console-wiring ${tool}: internal error: ${err && err.stack ? err.stack : String(err)}\n`,
      );
      process.exitCode = 1;
    },
  );
