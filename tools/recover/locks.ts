/**
 * The stack's lock in a self-managed (file or S3) backend, and when it is stale.
 *
 * The DIY backend writes `.pulumi/locks/<org>/<project>/<stack>/<uuid>.json` ({pid, username,
 * hostname, timestamp}) when an update starts and deletes it when it ends; a killed CLI leaves it,
 * and every later update fails "the stack is currently locked" until `pulumi cancel`, which
 * deletes every lock of the stack without looking at them.
 *
 * The rule: only the deploy workflow writes the stack, and its concurrency group runs one deploy
 * at a time. So when a deploy job starts, no other writer can be running, and a lock taken before
 * the job started is stale: its writer was a deploy that has since ended (killed, cancelled,
 * timed out, runner lost). A lock taken after the job started cannot be a deploy's: something
 * else is writing the stack right now, and it is never cleared.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface StackLock {
  readonly file: string;
  readonly takenAt: Date | undefined;
  /** `user@host (pid N)`, as the CLI reports it. */
  readonly by: string;
}

export type LockVerdict =
  | { readonly kind: "none" }
  | { readonly kind: "stale"; readonly locks: readonly StackLock[] }
  | { readonly kind: "person"; readonly locks: readonly StackLock[]; readonly why: string };

const field = (v: unknown): string =>
  typeof v === "string" || typeof v === "number" ? String(v) : "?";

/** Where a file:// backend keeps the stack's locks; undefined for other backends. */
export function lockDirOf(
  backendUrl: string | undefined,
  project: string,
  stack: string,
): string | undefined {
  if (!backendUrl?.startsWith("file://")) return undefined;
  const path = fileURLToPath(backendUrl.replace(/\?.*$/, ""));
  return join(path, ".pulumi", "locks", "organization", project, stack);
}

/** The lock files in a directory (the stack's lock directory, or a copy of it). */
export function readLocks(dir: string): StackLock[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      let content: Record<string, unknown> = {};
      try {
        content = JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
      } catch {
        content = {};
      }
      const at =
        typeof content["timestamp"] === "string" ? new Date(content["timestamp"]) : undefined;
      return {
        file,
        takenAt: at && !Number.isNaN(at.getTime()) ? at : undefined,
        by: `${field(content["username"])}@${field(content["hostname"])} (pid ${field(content["pid"])})`,
      };
    });
}

/** Stale only when every lock was taken before this deploy started (see the rule above). */
export function judgeLocks(
  locks: readonly StackLock[],
  deployStartedAt: Date | undefined,
): LockVerdict {
  if (locks.length === 0) return { kind: "none" };
  if (deployStartedAt === undefined) {
    return {
      kind: "person",
      locks,
      why: "pass --deploy-started-at <when this deploy job started> to tell a lock left by an earlier deploy from one taken now",
    };
  }
  const unknown = locks.filter((l) => l.takenAt === undefined);
  if (unknown.length > 0) {
    return {
      kind: "person",
      locks,
      why: `${unknown.map((l) => l.file).join(", ")}: no readable time, so its age is unknown`,
    };
  }
  const recent = locks.filter((l) => l.takenAt!.getTime() >= deployStartedAt.getTime());
  if (recent.length > 0) {
    return {
      kind: "person",
      locks,
      why: `taken after this deploy started (${deployStartedAt.toISOString()}): not a deploy's, so something else is writing the stack now; not cleared`,
    };
  }
  return { kind: "stale", locks };
}
