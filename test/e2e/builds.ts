/**
 * What the end-to-end suite builds before it runs: the real Pulumi CLI (build-cli.sh, from Go
 * modules) and, in each workspace, the compiled program and pack when bin/ is stale.
 */
import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";

const REPO = resolve(__dirname, "..", "..");

export interface BuiltCli {
  readonly binDir: string;
  /** How the language host was obtained (exact version, or our adapter over the fallback and why). */
  readonly languageHost: string;
  readonly exactLanguageHost: boolean;
  /**
   * Whether `--policy-pack` can load: the exact host runs packs itself, and so does our adapter
   * over the fallback host (test/e2e/language-host, RunPlugin for analyzers).
   */
  readonly runsPolicyPacks: boolean;
  readonly buildMs: number;
}

/** Builds (or reuses) the CLI; a failure names what is missing. */
export async function buildCli(): Promise<BuiltCli> {
  const started = Date.now();
  const script = join(__dirname, "build-cli.sh");
  const result = await promisify(execFile)("bash", [script], {
    cwd: REPO,
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: process.env["HOME"] ?? "/root",
      ...goEnv(),
    },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`building the Pulumi CLI failed:\n${err.stderr ?? err.message}`);
  });
  const binDir = result.stdout.trim().split("\n").pop() ?? "";
  const languageHost = readFileSync(join(dirname(binDir), "language-host.txt"), "utf8").trim();
  return {
    binDir,
    languageHost,
    exactLanguageHost: languageHost.startsWith("exact:"),
    runsPolicyPacks: languageHost.startsWith("exact:") || languageHost.startsWith("adapter "),
    buildMs: Date.now() - started,
  };
}

/** The Go and cache settings the build scripts need from this process (nothing else). */
export function goEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [
    "GOPATH",
    "GOMODCACHE",
    "GOCACHE",
    "GOPROXY",
    "GOFLAGS",
    "CONSOLE_WIRING_CLI_CACHE",
    "CONSOLE_WIRING_VAULT_CACHE",
    "XDG_CACHE_HOME",
  ]) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** `npm run build` when bin/ does not match the sources (tools/build.cjs --if-stale). */
export function buildIfStale(project: string): void {
  const r = spawnSync(process.execPath, [join(project, "tools", "build.cjs"), "--if-stale"], {
    cwd: project,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`the build in ${project} failed:\n${r.stderr}${r.stdout}`);
}
