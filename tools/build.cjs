#!/usr/bin/env node
// Builds bin/ (tsconfig.build.json, which does not emit on a type error) and records what it was
// built from: a content hash of every input, in bin/.build-stamp, written only after a build that
// succeeded. tools/run.cjs compares the stamp with the sources before every run, so a type error,
// a `git checkout` that leaves old mtimes, or an edited data file can never run stale code.
"use strict";
const { createHash } = require("node:crypto");
const { spawnSync } = require("node:child_process");
const { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const path = require("node:path");

/** Directories whose every file is an input (sources, the policy pack's files, feature data). */
const INPUT_DIRS = ["infra", "policy", "tools", "features"];
/** Files at the root that change what tsc emits. */
const INPUT_FILES = [
  "tsconfig.json",
  "tsconfig.build.json",
  "node_modules/typescript/package.json",
];
const STAMP = path.join("bin", ".build-stamp");

function listFiles(root, rel, out) {
  let entries;
  try {
    entries = readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch (err) {
    if (err.code === "ENOENT") return out;
    throw err;
  }
  for (const e of entries) {
    if (e.name === "node_modules") continue;
    const p = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) listFiles(root, p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** sha256 over every input's path and content, in a fixed order: mtimes play no part. */
function sourceHash(root) {
  const files = INPUT_DIRS.flatMap((d) => listFiles(root, d, [])).sort();
  for (const f of INPUT_FILES) if (existsSync(path.join(root, f))) files.push(f);
  const hash = createHash("sha256");
  for (const f of files) {
    const content = readFileSync(path.join(root, f));
    hash.update(`${f}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest("hex");
}

function readStamp(root) {
  try {
    return readFileSync(path.join(root, STAMP), "utf8").trim();
  } catch {
    return undefined;
  }
}

/**
 * Runs tsc; on success records `hash` (computed before compiling: a source edited during the build
 * makes the next run build again). tsc's report goes to stderr, so a tool's stdout (a JSON plan
 * piped to a file) never holds compiler output. Returns true when the build succeeded.
 */
function build(root, hash = sourceHash(root)) {
  // The old stamp goes first: a failed build leaves none, so every later run builds and fails again.
  rmSync(path.join(root, STAMP), { force: true });
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], {
    stdio: ["ignore", 2, 2],
  });
  if (result.status !== 0) return false;
  writeFileSync(path.join(root, STAMP), `${hash}\n`);
  return true;
}

/** Builds unless the stamp matches the sources; false when a needed build failed. */
function ensureBuilt(root) {
  const hash = sourceHash(root);
  if (readStamp(root) === hash) return true;
  return build(root, hash);
}

module.exports = { sourceHash, readStamp, build, ensureBuilt, STAMP };

if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  if (!build(root)) {
    process.stderr.write(
      "console-wiring: the TypeScript build failed and bin/ was not updated; see `npm run typecheck`.\n",
    );
    process.exit(2);
  }
}
