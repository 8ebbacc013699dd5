/**
 * The end-to-end suite's workspace: the real `pulumi` CLI (built by build-cli.sh) on a copy of the
 * project, with a local file backend, a passphrase secrets provider, a PULUMI_HOME of its own, the
 * stand-in `cloudflare` and `vault` plugins on PATH, and the real Heroku dynamic provider pointed
 * at a local fake. Nothing leaves 127.0.0.1: the CLI's update check and plugin downloads are off.
 *
 * Children get a minimal environment built here, never this process's (which may hold CI secrets).
 */
import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { FakeHeroku } from "../support/fake-heroku";
import { buildCli, buildIfStale, type BuiltCli, goEnv } from "./builds";
import { buildVault, type BuiltVault, VaultServer } from "./vault-server";

export { deployScript, SENTRY_CONFIG, stackConfig, withTicketsGate } from "./stacks";
export type { BuiltCli } from "./builds";

export const REPO = resolve(__dirname, "..", "..");
export const STANDINS_BIN = join(__dirname, "standins", "bin");
/** Sentinel credentials: the suite searches state, logs and outputs for them. */
export const HEROKU_KEY = "e2e-heroku-key-sentinel-4f2a9c";
export const PASSPHRASE = "e2e-passphrase-not-secret";

export interface CliRun {
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface WorkspaceOptions {
  readonly cli: BuiltCli;
  /** The real Vault binary: each workspace gets a dev server of its own (test/e2e/vault-server.ts). */
  readonly vaultBinary: string;
  readonly stack: string;
  /** Stack config (keys without the `console-wiring:` namespace; objects are written as YAML maps). */
  readonly config: Record<string, unknown>;
  readonly herokuUrl: string;
  /** Files of the project to copy; a replacement program can be given as `files`. */
  readonly files?: Record<string, string>;
  readonly extraEnv?: Record<string, string>;
}

/** What a workspace copies of the project: the program's and the pack's sources and entries. */
const PROJECT_FILES = [
  "Pulumi.yaml",
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "program.cjs",
  "infra",
  "policy",
  "tools",
];

export class Workspace {
  readonly root: string;
  readonly project: string;
  readonly standinDir: string;
  readonly runs: CliRun[] = [];
  /** This workspace's Vault server (started by `create`, stopped by the suite after the file). */
  vault!: VaultServer;
  private env: Record<string, string>;

  private constructor(
    readonly options: WorkspaceOptions,
    root: string,
  ) {
    this.root = root;
    this.project = join(root, "project");
    this.standinDir = join(root, "standins");
    const home = join(root, "pulumi-home");
    mkdirSync(home, { recursive: true });
    mkdirSync(join(root, "state"), { recursive: true });
    mkdirSync(this.standinDir, { recursive: true });
    const nodeDir = dirname(process.execPath);
    this.env = {
      PATH: [
        options.cli.binDir,
        STANDINS_BIN,
        // pulumi-resource-pulumi-nodejs: the dynamic-provider host script the Node SDK ships.
        join(REPO, "node_modules", "@pulumi", "pulumi"),
        nodeDir,
        "/usr/local/bin",
        "/usr/bin",
        "/bin",
      ].join(":"),
      HOME: root,
      PULUMI_HOME: home,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_BACKEND_URL: `file://${join(root, "state")}`,
      PULUMI_STACK: options.stack,
      E2E_STANDIN_DIR: this.standinDir,
      HEROKU_API_URL: options.herokuUrl,
      HEROKU_API_KEY: HEROKU_KEY,
      HEROKU_API_RETRY_BASE_MS: "50",
      HEROKU_API_RETRY_MAX_MS: "200",
      HEROKU_API_TIMEOUT_MS: "5000",
      NO_COLOR: "1",
      ...options.extraEnv,
    };
  }

  static async create(options: WorkspaceOptions): Promise<Workspace> {
    const root = mkdtempSync(join(tmpdir(), `console-wiring-e2e-${options.stack}-`));
    const ws = new Workspace(options, root);
    ws.vault = await VaultServer.start(options.vaultBinary);
    liveVaults.add(ws.vault);
    // What the Vault provider reads (its VAULT_ADDR and VAULT_TOKEN); the token is the dev
    // server's root token unless a test runs the CLI under a narrower one (extraEnv).
    ws.env["VAULT_ADDR"] = ws.vault.addr;
    ws.env["VAULT_TOKEN"] = ws.vault.rootToken;
    const mount = options.config["vaultMount"];
    if (typeof mount === "string" && mount !== "") await ws.vault.ensureKv(mount);
    mkdirSync(ws.project, { recursive: true });
    // The CLI runs the compiled program and pack (program.cjs, policy/pack.cjs run bin/), so the
    // workspace gets the repo's fresh bin/ and what checks it; replaced `files` change the sources'
    // hash, and the workspace then builds its own bin/ before any CLI run.
    buildIfStale(REPO);
    for (const f of [...PROJECT_FILES, "bin"]) {
      // Not a build lock some run in the repo holds: the workspace's builds are its own.
      const filter = (src: string) => !src.endsWith(".build-lock");
      cpSync(join(REPO, f), join(ws.project, f), { recursive: true, filter });
    }
    for (const [path, text] of Object.entries(options.files ?? {})) {
      mkdirSync(dirname(join(ws.project, path)), { recursive: true });
      writeFileSync(join(ws.project, path), text);
    }
    symlinkSync(join(REPO, "node_modules"), join(ws.project, "node_modules"));
    buildIfStale(ws.project);
    ws.writeConfig(options.config);
    const init = await ws.pulumi([
      "stack",
      "init",
      options.stack,
      "--secrets-provider",
      "passphrase",
    ]);
    if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.stderr}${init.stdout}`);
    return ws;
  }

  /** Writes Pulumi.<stack>.yaml (keeping the passphrase salt once the CLI has added it). */
  writeConfig(config: Record<string, unknown>): void {
    const file = join(this.project, `Pulumi.${this.options.stack}.yaml`);
    const salt = existsSync(file)
      ? /^encryptionsalt: .*$/m.exec(readFileSync(file, "utf8"))?.[0]
      : undefined;
    const lines = salt ? [salt, "config:"] : ["config:"];
    for (const [k, v] of Object.entries(config)) {
      if (v !== null && typeof v === "object") {
        lines.push(`  console-wiring:${k}:`);
        for (const [sub, sv] of Object.entries(v as Record<string, unknown>))
          lines.push(`    ${sub}: ${JSON.stringify(sv)}`);
      } else {
        lines.push(`  console-wiring:${k}: ${JSON.stringify(v)}`);
      }
    }
    writeFileSync(file, lines.join("\n") + "\n");
  }

  /**
   * Runs the real CLI in the project; never throws on a non-zero exit. Every `preview` and `up`
   * runs with the policy pack, as the workflows do.
   */
  pulumi(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
    const pack =
      (args[0] === "preview" || args[0] === "up") && !args.includes("--policy-pack")
        ? ["--policy-pack", "policy"]
        : [];
    return this.exec("pulumi", [...args, ...pack, "--non-interactive"], extraEnv);
  }

  /**
   * Starts a command (the CLI, or the deploy's script under bash) in a process group of its own,
   * so a test can kill it: `process.kill(-pid, "SIGKILL")`. The CLI starts its plugins and
   * language host in groups of their own (Setpgid), which survive that: see `processes()`.
   * `done` settles as `exec()` does; a killed run has code -1.
   */
  startDetached(
    command: string,
    args: readonly string[],
    extraEnv: Record<string, string> = {},
  ): { readonly pid: number; readonly done: Promise<CliRun> } {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd: this.project,
      env: { ...this.env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliRun>((resolvePromise, reject) => {
      child.on("error", reject);
      child.on("close", (code) => {
        const run = {
          args: [command, ...args],
          code: code ?? -1,
          stdout,
          stderr,
          ms: Date.now() - started,
        };
        this.runs.push(run);
        resolvePromise(run);
      });
    });
    if (child.pid === undefined) throw new Error(`${command} did not start`);
    return { pid: child.pid, done };
  }

  /**
   * Every live process started for this workspace (the CLI, its language host, the plugins and
   * their children): the ones whose environment holds this workspace's E2E_STANDIN_DIR.
   */
  processes(): { readonly pid: number; readonly pgid: number; readonly command: string }[] {
    const marker = `E2E_STANDIN_DIR=${this.standinDir}`;
    const found: { pid: number; pgid: number; command: string }[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (!readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(marker)) continue;
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
        const pgid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
        const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
        found.push({ pid: Number(entry), pgid, command });
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
    return found;
  }

  exec(
    command: string,
    args: readonly string[],
    extraEnv: Record<string, string> = {},
  ): Promise<CliRun> {
    const started = Date.now();
    return new Promise((resolvePromise, reject) => {
      const child = spawn(command, args, {
        cwd: this.project,
        env: { ...this.env, ...extraEnv },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => {
        const run = {
          args: [command, ...args],
          code: code ?? -1,
          stdout,
          stderr,
          ms: Date.now() - started,
        };
        this.runs.push(run);
        resolvePromise(run);
      });
    });
  }

  /** The stand-in "clouds" and their call logs. */
  standin(provider: "cloudflare" | "vault" | "sentry"): {
    objects: Record<
      string,
      { type: string; inputs: Record<string, unknown>; computed: Record<string, unknown> }
    >;
    secrets: Record<string, Record<string, string>>;
  } {
    const file = join(this.standinDir, `${provider}.json`);
    if (!existsSync(file)) return { objects: {}, secrets: {} };
    return JSON.parse(readFileSync(file, "utf8")) as ReturnType<Workspace["standin"]>;
  }

  writeStandin(
    provider: "cloudflare" | "vault" | "sentry",
    store: ReturnType<Workspace["standin"]>,
  ): void {
    writeFileSync(join(this.standinDir, `${provider}.json`), JSON.stringify(store, null, 2));
  }

  standinLog(
    provider: "cloudflare" | "vault" | "sentry",
  ): { op: string; type?: string; id?: string; at?: number }[] {
    const file = join(this.standinDir, `${provider}.log.jsonl`);
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { op: string; type?: string; id?: string; at?: number });
  }

  /** Every file under the state backend, concatenated (for sentinel searches). */
  stateText(): string {
    const dir = join(this.root, "state");
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.push(readFileSync(p).toString("utf8"));
      }
    };
    walk(dir);
    return out.join("\n");
  }
}

/** Every workspace's Vault server still running; the suite stops them after its file. */
const liveVaults = new Set<VaultServer>();

/** All output of a run, for assertions and failure messages. */
export function text(run: CliRun): string {
  return `${run.stdout}\n${run.stderr}`;
}

/**
 * What every e2e file shares: the real CLI (built or reused before the file's first test, its
 * build line printed) and the Heroku fake (started then, stopped after the file's last test).
 * Call once at a file's top level; workspaces are created through it.
 */
export class E2eSuite {
  readonly heroku = new FakeHeroku(HEROKU_KEY);
  private built: BuiltCli | undefined;
  private vaultBuilt: BuiltVault | undefined;
  private url: string | undefined;

  get cli(): BuiltCli {
    if (!this.built) throw new Error("e2eSuite(): the CLI is built in beforeAll; use it in a test");
    return this.built;
  }

  /** The real Vault binary (built or reused in beforeAll). */
  get vaultBinary(): string {
    if (!this.vaultBuilt)
      throw new Error("e2eSuite(): Vault is built in beforeAll; use it in a test");
    return this.vaultBuilt.binary;
  }

  get herokuUrl(): string {
    if (!this.url) throw new Error("e2eSuite(): the Heroku fake starts in beforeAll");
    return this.url;
  }

  /** A workspace on this suite's CLI and Heroku fake. */
  workspace(
    options: Omit<WorkspaceOptions, "cli" | "herokuUrl" | "vaultBinary">,
  ): Promise<Workspace> {
    if (!this.vaultBuilt) throw new Error("e2eSuite(): Vault is built in beforeAll");
    return Workspace.create({
      ...options,
      cli: this.cli,
      herokuUrl: this.herokuUrl,
      vaultBinary: this.vaultBuilt.binary,
    });
  }

  async start(): Promise<void> {
    this.built = await buildCli();
    process.stdout.write(
      `e2e: CLI in ${this.built.binDir} (${Math.round(this.built.buildMs / 1000)} s to build or reuse); language host: ${this.built.languageHost}\n`,
    );
    this.vaultBuilt = await buildVault({
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: process.env["HOME"] ?? "/root",
      ...goEnv(),
    });
    process.stdout.write(
      `e2e: Vault ${this.vaultBuilt.binary} (${Math.round(this.vaultBuilt.buildMs / 1000)} s to build or reuse)\n`,
    );
    this.url = await this.heroku.start();
  }

  async stop(): Promise<void> {
    for (const v of liveVaults) v.stop();
    liveVaults.clear();
    await this.heroku.stop();
  }
}

export function e2eSuite(): E2eSuite {
  const suite = new E2eSuite();
  beforeAll(() => suite.start(), 3_600_000);
  afterAll(() => suite.stop());
  return suite;
}
