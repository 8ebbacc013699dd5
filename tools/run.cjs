#!/usr/bin/env node
// Runs a compiled tool from bin/ (npm run check / smoke / bench): compiled JavaScript starts in a
// fraction of ts-node's time. `npm ci` builds bin/ (the prepare script); when a source under
// infra/, policy/ or tools/ is newer than the build, this rebuilds first so nothing stale runs.
"use strict";
const { spawnSync } = require("node:child_process");
const { existsSync, readdirSync, statSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const [tool, ...args] = process.argv.slice(2);
if (!tool || !/^[\w-]+$/.test(tool)) {
  process.stderr.write("usage: node tools/run.cjs <tool> [args...]\n");
  process.exit(2);
}
const entry = path.join(root, "bin", "tools", `${tool}.js`);

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

let built = 0;
try {
  built = statSync(entry).mtimeMs;
} catch {
  built = 0;
}
const sources = Math.max(
  ...["infra", "policy", "tools"].map((d) => newestSource(path.join(root, d))),
);
if (sources > built) {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const build = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], {
    stdio: "inherit",
  });
  if (build.status !== 0) {
    process.stderr.write(
      "console-wiring: the TypeScript build failed; fix the errors above (npm run typecheck).\n",
    );
    process.exit(2);
  }
}
if (!existsSync(entry)) {
  const known = readdirSync(path.join(root, "bin", "tools"))
    .filter((f) => f.endsWith(".js"))
    .map((f) => f.slice(0, -3))
    .sort();
  process.stderr.write(`console-wiring: no tool "${tool}" (known: ${known.join(", ")})\n`);
  process.exit(2);
}
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
