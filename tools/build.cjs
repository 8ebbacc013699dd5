#!/usr/bin/env node
// Builds bin/ (tsconfig.build.json, which does not emit on a type error) and records what it was
// built from: a content hash of every input, in bin/.build-stamp, written only after a build that
// succeeded. tools/run.cjs compares the stamp with the sources before every run, so a type error,
// a `git checkout` that leaves old mtimes, or an edited data file can never run stale code.
// The Pulumi program (program.cjs) and the policy pack (policy/pack.cjs) run bin/ too, through
// ensureFresh(): one `pulumi preview --policy-pack policy` starts both at once, so a build holds
// bin/.build-lock and the other waits for it rather than reading half-written files.
//
// `node tools/build.cjs` builds; `node tools/build.cjs --if-stale` builds only when the stamp does
// not match the sources (the end-to-end suite's workspaces).
"use strict";
const { createHash } = require("node:crypto");
const { spawnSync } = require("node:child_process");
const {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} = require("node:fs");
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
const LOCK = path.join("bin", ".build-lock");
/** How long a run waits for another process's build (tsc takes ~30 s on a loaded 2-core runner). */
const LOCK_WAIT_MS = 5 * 60_000;

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
  return withLock(root, () => buildUnlocked(root, hash));
}

function buildUnlocked(root, hash) {
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
  // Checked again under the lock: another process may have built meanwhile.
  return withLock(root, () => readStamp(root) === hash || buildUnlocked(root, hash));
}

/**
 * Runs `fn` holding bin/.build-lock (a file created exclusively, holding our pid). A lock whose
 * process is gone (a build killed halfway) is taken over; one held longer than LOCK_WAIT_MS is an
 * error naming the file.
 */
function withLock(root, fn) {
  const lock = path.join(root, LOCK);
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: "wx" });
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
    }
    if (holderGone(lock)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `console-wiring: another build has held ${lock} for ${LOCK_WAIT_MS / 60_000} minutes; if no build is running, delete that file and run npm run build.`,
      );
    }
    Atomics.wait(pause, 0, 0, 100);
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function holderGone(lock) {
  let pid;
  try {
    pid = Number(readFileSync(lock, "utf8").trim());
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
  // Empty while its creator is still writing the pid: held.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return err.code === "ESRCH";
  }
}

/**
 * For the entry files the Pulumi CLI runs (program.cjs, policy/pack.cjs): builds bin/ when it does
 * not match the sources, then returns the path of `rel` inside bin/. Throws an error naming
 * `npm run build` when the build fails, so nothing stale runs.
 */
function ensureFresh(root, rel, what) {
  if (!ensureBuilt(root)) {
    throw new Error(
      `console-wiring: the TypeScript build failed, so ${what} did not run (no stale build runs either); fix the errors above (npm run typecheck), then run npm run build.`,
    );
  }
  return path.join(root, "bin", rel);
}

module.exports = { sourceHash, readStamp, build, ensureBuilt, ensureFresh, STAMP, LOCK };

if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  const ok = process.argv.includes("--if-stale") ? ensureBuilt(root) : build(root);
  if (!ok) {
    process.stderr.write(
      "console-wiring: the TypeScript build failed and bin/ was not updated; see `npm run typecheck`.\n",
    );
    process.exit(2);
  }
}
