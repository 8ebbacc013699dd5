/**
 * `npm run recover -- --state <export.json|-> [--stack prod] [--locks <dir>]
 *   [--deploy-started-at <iso>] [--apply]`
 *
 * What an interrupted deploy left behind, and the safe way out. Reads the state
 * (`pulumi stack export`, from a file or stdin) and the stack's lock; prints the lock and each
 * pending operation with its safe action; with `--apply`, performs the safe ones, and only when
 * the lock was checked and is none or stale (anything else may be another writer at work):
 *   - a stale lock (taken before this deploy started: see recover/locks.ts) → `pulumi cancel`;
 *   - a flag a config-vars operation wrote that no resource records → switched off at the app
 *     (recover/config-vars.ts); other such keys are reported and left;
 *   - a service token an interrupted create left in Cloudflare → deleted (found by name, and
 *     only if it was created while the interrupted deploy held its lock);
 *   - pending creates, once all are safe → `pulumi refresh --clear-pending-creates`.
 * Anything else is left to a person, with what to do. Never prints a value from the state.
 *
 * Exit codes: 0 nothing left to do (or all of it done with --apply), 1 something needs a person
 * (or, without --apply, something to apply), 2 bad usage or unreadable input.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseConfig, PROJECT } from "../infra/config";
import { catalog } from "../infra/features/catalog";
import { clientOptionsFromEnv, getConfigVars, patchConfigVars } from "../infra/heroku/client";
import { cloudflareFromEnv, type CloudflareTokens } from "./recover/cloudflare";
import { currentTokenResources } from "./recover/gates";
import { switchOff, type HerokuVars } from "./recover/config-vars";
import { judgeLocks, lockDirOf, readLocks, type LockVerdict } from "./recover/locks";
import { describe, judge, type TokenWindow, type Verdict } from "./recover/plan";
import { parseExport, type StateView } from "./recover/state";
import { loadStackFiles, projectConfig } from "./stack-files";
import { logSafe } from "./summary";

export const USAGE =
  "usage: npm run recover -- --state <file|-> [--stack <name>] [--locks <dir>] [--deploy-started-at <iso>] [--apply]\n" +
  "  --state: `pulumi stack export` output (- for stdin); --locks: the stack's lock directory (default: from a file:// PULUMI_BACKEND_URL)";

export interface RecoverOptions {
  readonly stack: string;
  readonly state: StateView;
  readonly lockDir: string | undefined;
  readonly deployStartedAt: Date | undefined;
  readonly apply: boolean;
  readonly cwd?: string;
}

export interface RecoverDeps {
  /** Runs `pulumi <args>`; returns its exit code. */
  readonly pulumi: (args: readonly string[]) => number;
  readonly cloudflare: () => CloudflareTokens;
  /** Each gate's current generation's token resource name; undefined if the config is unreadable. */
  readonly currentTokenResources: (
    stack: string,
    cwd?: string,
  ) => Promise<readonly string[] | undefined>;
  /** The app's config vars (default: the Heroku API with HEROKU_API_KEY). */
  readonly heroku?: () => HerokuVars;
  /** Every flag var of the catalog (default: infra/features/data). */
  readonly catalogFlags?: () => readonly string[];
}

function herokuFromEnv(): HerokuVars {
  const opts = clientOptionsFromEnv();
  return {
    get: (app) => getConfigVars(app, opts),
    patch: (app, patch) => patchConfigVars(app, patch, opts),
  };
}

function catalogFlags(): readonly string[] {
  return catalog().flatMap((f) => f.flags);
}

/** The interrupted deploy ran from its lock (the newest, if several) to this deploy's start. */
function tokenWindowOf(lock: LockVerdict | undefined, startedAt: Date | undefined): TokenWindow {
  if (lock === undefined) return { why: "the lock was not checked" };
  if (lock.kind === "none")
    return { why: "no lock is left, so when the interrupted deploy started is unknown" };
  if (lock.kind === "person" || startedAt === undefined)
    return { why: "the lock is not a stale one of an ended deploy" };
  const from = Math.max(...lock.locks.map((l) => l.takenAt!.getTime()));
  return { from: new Date(from), to: startedAt };
}

export interface RecoverResult {
  readonly exitCode: 0 | 1;
  readonly output: string;
}

export async function runRecover(
  options: RecoverOptions,
  deps: RecoverDeps,
): Promise<RecoverResult> {
  const lines = [`console-wiring recover: stack ${options.stack}`];
  const lock: LockVerdict | undefined =
    options.lockDir === undefined
      ? undefined
      : judgeLocks(readLocks(options.lockDir), options.deployStartedAt);
  lines.push(lockLine(lock));

  let cloudflare: CloudflareTokens | undefined;
  const current = await deps.currentTokenResources(options.stack, options.cwd);
  // Recovery must run even with broken feature files: the operations' own `requires` still
  // name their flags, and the output says what is missing.
  let flags: readonly string[] = [];
  try {
    flags = (deps.catalogFlags ?? catalogFlags)();
  } catch (err) {
    lines.push(
      `catalog: unreadable (${(err as Error).message.split("\n")[0]}): flags are known only by each operation's requires`,
    );
  }
  const tokenWindow = tokenWindowOf(lock, options.deployStartedAt);
  const judged: { text: string; verdict: Verdict; urn: string; creating: boolean }[] = [];
  for (const op of options.state.pending) {
    const verdict = await judge(op, {
      resources: options.state.resources,
      currentTokenResources: current,
      catalogFlags: flags,
      tokenWindow,
      findTokens: (accountId, name) => {
        cloudflare ??= deps.cloudflare();
        return cloudflare.list(accountId, name);
      },
    });
    judged.push({ text: describe(op), verdict, urn: op.urn, creating: op.kind === "creating" });
  }
  lines.push(
    judged.length === 0 ? "pending operations: none" : `pending operations (${judged.length}):`,
  );
  for (const j of judged) {
    lines.push(`  ${j.text}`, `    ${actionOf(j.verdict)}`);
    if (j.verdict.note !== undefined) lines.push(`    note: ${j.verdict.note}`);
  }

  const person = judged.some((j) => j.verdict.kind === "person") || lock?.kind === "person";
  const createsBlocked = judged.some((j) => j.creating && j.verdict.kind === "person");
  const switchOffs = judged.flatMap((j) => (j.verdict.kind === "switch-off" ? [j.verdict] : []));
  const clears = judged.filter(
    (j) =>
      j.verdict.kind === "clear" ||
      j.verdict.kind === "delete-orphan" ||
      (j.verdict.kind === "switch-off" && j.verdict.then === "clear"),
  );
  const todo = lock?.kind === "stale" || clears.length > 0 || switchOffs.length > 0;

  if (options.apply && (lock === undefined || lock.kind === "person")) {
    // Another writer may be at work (or nobody looked): acting now could race it.
    lines.push(
      `applying: nothing: --apply acts only when the lock was checked and is none or stale (${lock === undefined ? "not checked: pass --locks <a copy of the stack's lock directory>" : "not stale"})`,
      "Result: a person must act (above); the deploy must not go on until then",
    );
    return { exitCode: 1, output: lines.join("\n") };
  }

  if (options.apply) {
    lines.push("applying:");
    if (lock?.kind === "stale") {
      const code = deps.pulumi(["cancel", "--yes", "--stack", options.stack]);
      lines.push(
        `  pulumi cancel: ${code === 0 ? "the stale lock is gone" : `failed (exit ${code})`}`,
      );
      if (code !== 0) return { exitCode: 1, output: lines.join("\n") };
    }
    // Before anything is cleared: off is always safe, whatever else needs a person.
    for (const v of switchOffs) {
      try {
        lines.push(`  ${await switchOff((deps.heroku ?? herokuFromEnv)(), v.app, v.flags)}`);
      } catch (err) {
        lines.push(
          `  switching off ${v.flags.join(", ")} on ${v.app} failed: ${(err as Error).message}`,
        );
        return { exitCode: 1, output: lines.join("\n") };
      }
    }
    if (createsBlocked && clears.length > 0) {
      lines.push(
        "  pending creates left as they are: one of them needs a person, and clearing drops them all",
      );
    } else if (clears.length > 0) {
      for (const j of clears) {
        if (j.verdict.kind !== "delete-orphan") continue;
        try {
          cloudflare ??= deps.cloudflare();
          await cloudflare.remove(j.verdict.accountId, j.verdict.token.id);
          lines.push(`  deleted the orphan service token ${j.verdict.token.id}`);
        } catch (err) {
          lines.push(
            `  deleting service token ${j.verdict.token.id} failed: ${(err as Error).message}`,
          );
          return { exitCode: 1, output: lines.join("\n") };
        }
      }
      const code = deps.pulumi([
        "refresh",
        "--yes",
        "--skip-preview",
        "--clear-pending-creates",
        "--suppress-outputs",
        "--stack",
        options.stack,
      ]);
      lines.push(
        `  pulumi refresh --clear-pending-creates: ${code === 0 ? `${clears.length} pending create(s) cleared, state read from the live systems` : `failed (exit ${code})`}`,
      );
      if (code !== 0) return { exitCode: 1, output: lines.join("\n") };
    }
    if (!todo) lines.push("  nothing to apply");
  }
  const exitCode = person || (!options.apply && todo) ? 1 : 0;
  lines.push(
    person
      ? "Result: a person must act (above); the deploy must not go on until then"
      : todo && !options.apply
        ? "Result: safe actions to apply (run with --apply)"
        : "Result: nothing stands in the deploy's way",
  );
  return { exitCode, output: lines.join("\n") };
}

function lockLine(lock: LockVerdict | undefined): string {
  if (lock === undefined)
    return "lock: not checked (pass --locks <a copy of the stack's lock directory> for this backend; without it --apply applies nothing)";
  if (lock.kind === "none") return "lock: none";
  const list = lock.locks
    .map((l) => `${l.file} by ${l.by} at ${l.takenAt?.toISOString() ?? "?"}`)
    .join("; ");
  return lock.kind === "stale"
    ? `lock: ${list}: taken before this deploy started, by a deploy that has ended: stale → pulumi cancel`
    : `lock: ${list}: ${lock.why}`;
}

function actionOf(v: Verdict): string {
  switch (v.kind) {
    case "clear":
      return `safe → clear (pulumi refresh --clear-pending-creates): ${v.why}`;
    case "delete-orphan":
      return `safe → delete the orphan, then clear: ${v.why}`;
    case "switch-off":
      return `safe → switch ${v.flags.join(", ")} off at the app${v.then === "clear" ? ", then clear" : " (the engine drops the operation at its next write)"}: ${v.why}`;
    case "nothing":
      return `nothing to do: ${v.why}`;
    case "person":
      return `needs a person: ${v.why}. To do: ${v.todo}`;
  }
}

/** Each gate's current generation's token resource, from the stack files; undefined if unreadable. */
function currentTokens(stack: string, cwd?: string): Promise<string[] | undefined> {
  try {
    return Promise.resolve(
      currentTokenResources(parseConfig(projectConfig(loadStackFiles(stack, cwd)))),
    );
  } catch {
    return Promise.resolve(undefined);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string", default: "prod" },
        state: { type: "string" },
        locks: { type: "string" },
        "deploy-started-at": { type: "string" },
        apply: { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`console-wiring recover: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stack = values.stack ?? "prod";
  const fail = (message: string) => {
    process.stderr.write(`console-wiring recover: ${message}\n${USAGE}\n`);
    return 2;
  };
  if (!values.state) return fail("--state is required");
  if (!/^[\w.-]+$/.test(stack)) return fail("--stack must be a stack name");
  let startedAt: Date | undefined;
  if (values["deploy-started-at"] !== undefined) {
    startedAt = new Date(values["deploy-started-at"]);
    if (
      !/^\d{4}-\d{2}-\d{2}T/.test(values["deploy-started-at"]) ||
      Number.isNaN(startedAt.getTime())
    )
      return fail("--deploy-started-at must be an RFC 3339 time such as 2026-12-01T12:00:00Z");
  }
  let state: StateView;
  try {
    const text = readFileSync(values.state === "-" ? 0 : values.state, "utf8");
    state = parseExport(text, values.state === "-" ? "the state on stdin" : values.state);
  } catch (err) {
    return fail((err as Error).message.replace(/^ENOENT.*/, `${values.state} cannot be read`));
  }
  const result = await runRecover(
    {
      stack,
      state,
      lockDir: values.locks ?? lockDirOf(process.env["PULUMI_BACKEND_URL"], PROJECT, stack),
      deployStartedAt: startedAt,
      apply: values.apply ?? false,
    },
    {
      pulumi: (args) =>
        spawnSync("pulumi", [...args, "--non-interactive"], {
          stdio: ["ignore", "inherit", "inherit"],
        }).status ?? 1,
      cloudflare: () => cloudflareFromEnv(),
      currentTokenResources: currentTokens,
    },
  );
  process.stdout.write(`${logSafe(result.output)}\n`);
  return result.exitCode;
}
