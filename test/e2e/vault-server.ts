/**
 * A real HashiCorp Vault server for the end-to-end suite: built from Go modules by build-vault.sh
 * (cached beside the CLI), started in dev mode on 127.0.0.1 for each workspace, and a small client
 * for what the tests do to it (seed and read KV v2 secrets, soft-delete and destroy versions, load
 * policies and JWT roles). The stand-in `vault` plugin stores and reads through the same server's
 * HTTP API, so missing, soft-deleted and destroyed secrets, versions and check-and-set behave as
 * Vault does, not as we picture it.
 *
 * The server runs with an environment of its own (never E2E_STANDIN_DIR), so a test that kills
 * the workspace's processes kills the CLI and its plugins, never "the cloud".
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export interface BuiltVault {
  readonly binary: string;
  readonly buildMs: number;
}

/** Builds (or reuses) Vault; a failure names what is missing. */
export async function buildVault(env: Record<string, string>): Promise<BuiltVault> {
  const started = Date.now();
  const result = await promisify(execFile)("bash", [join(__dirname, "build-vault.sh")], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`building Vault failed:\n${err.stderr ?? err.message}`);
  });
  const binDir = result.stdout.trim().split("\n").pop() ?? "";
  return { binary: join(binDir, "vault"), buildMs: Date.now() - started };
}

/** Two free consecutive loopback ports: dev mode binds the API port and the cluster port (+1). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.on("error", reject);
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const next = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.on("error", () => resolve(false));
      s.listen(port + 1, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (next && port < 65535) return port;
  }
  throw new Error("no two consecutive free loopback ports for Vault's API and cluster listeners");
}

export interface VaultAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One Vault answer's `data`, or throws with Vault's own errors. */
function ok(answer: VaultAnswer, what: string): Record<string, unknown> {
  if (answer.status >= 300)
    throw new Error(`Vault refused ${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return (answer.body["data"] ?? {}) as Record<string, unknown>;
}

export class VaultServer {
  private constructor(
    readonly addr: string,
    readonly rootToken: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly output: () => string,
  ) {}

  static async start(binary: string): Promise<VaultServer> {
    const port = await freePortPair();
    const dir = mkdtempSync(join(tmpdir(), "console-wiring-vault-"));
    const rootToken = `root-${port}`;
    const child = spawn(
      binary,
      [
        "server",
        "-dev",
        `-dev-root-token-id=${rootToken}`,
        `-dev-listen-address=127.0.0.1:${port}`,
        "-dev-no-store-token",
      ],
      {
        env: { PATH: "/usr/bin:/bin", HOME: dir, VAULT_LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    child.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    const server = new VaultServer(`http://127.0.0.1:${port}`, rootToken, child, dir, () => output);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`vault server -dev exited with ${child.exitCode}:\n${output}`);
      const health = await fetch(`${server.addr}/v1/sys/health`).catch(() => undefined);
      if (health?.status === 200) break;
      if (Date.now() > deadline)
        throw new Error(`vault server -dev did not answer /v1/sys/health in 30 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return server;
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The server's recent output, for failure messages. */
  log(): string {
    return this.output();
  }

  /** One API call; never throws on a Vault error status (the body says why). */
  async api(
    method: string,
    path: string,
    body?: unknown,
    token: string = this.rootToken,
  ): Promise<VaultAnswer> {
    const res = await fetch(`${this.addr}/v1/${path}`, {
      method,
      headers: { "X-Vault-Token": token, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  }

  /** Enables a KV v2 secrets engine at `mount` unless one is there. */
  async ensureKv(mount: string): Promise<void> {
    const mounts = ok(await this.api("GET", "sys/mounts"), "listing mounts");
    if (`${mount}/` in mounts) return;
    ok(
      await this.api("POST", `sys/mounts/${mount}`, { type: "kv", options: { version: "2" } }),
      `enabling KV v2 at ${mount}`,
    );
  }

  /** Writes each `<mount>/<name>` → data as a new version (mounts enabled as needed). */
  async seed(secrets: Readonly<Record<string, Readonly<Record<string, string>>>>): Promise<void> {
    for (const [path, data] of Object.entries(secrets)) {
      const { mount, name } = split(path);
      await this.ensureKv(mount);
      ok(await this.api("POST", `${mount}/data/${name}`, { data }), `writing ${path}`);
    }
  }

  /**
   * Every readable secret of the given mounts as `<mount>/<name>` → its latest version's data
   * (names listed one level deep; soft-deleted and destroyed latest versions are left out, as a
   * read of them returns no data).
   */
  async secrets(
    mounts: readonly string[] = ["MooseQuest"],
  ): Promise<Record<string, Record<string, string>>> {
    const out: Record<string, Record<string, string>> = {};
    for (const mount of mounts) {
      const list = await this.api("LIST", `${mount}/metadata`);
      if (list.status === 404) continue;
      const keys = (ok(list, `listing ${mount}`)["keys"] ?? []) as string[];
      for (const name of keys) {
        const data = await this.read(`${mount}/${name}`);
        if (data) out[`${mount}/${name}`] = data;
      }
    }
    return out;
  }

  /** The latest version's data, or undefined when missing, soft-deleted or destroyed. */
  async read(path: string): Promise<Record<string, string> | undefined> {
    const { mount, name } = split(path);
    const answer = await this.api("GET", `${mount}/data/${name}`);
    if (answer.status === 404) return undefined;
    const data = ok(answer, `reading ${path}`)["data"];
    return (data ?? undefined) as Record<string, string> | undefined;
  }

  /** The secret's metadata (versions, current_version), or undefined when it has none. */
  async metadata(path: string): Promise<Record<string, unknown> | undefined> {
    const { mount, name } = split(path);
    const answer = await this.api("GET", `${mount}/metadata/${name}`);
    return answer.status === 404 ? undefined : ok(answer, `reading metadata of ${path}`);
  }

  /** Soft-deletes the latest version (what `vault kv delete` does). */
  async softDelete(path: string): Promise<void> {
    const { mount, name } = split(path);
    ok(await this.api("DELETE", `${mount}/data/${name}`), `deleting ${path}`);
  }

  /** Destroys the given versions for good (what `vault kv destroy -versions=…` does). */
  async destroy(path: string, versions: readonly number[]): Promise<void> {
    const { mount, name } = split(path);
    ok(
      await this.api("PUT", `${mount}/destroy/${name}`, { versions }),
      `destroying versions ${versions.join(",")} of ${path}`,
    );
  }
}

function split(path: string): { mount: string; name: string } {
  const i = path.indexOf("/");
  if (i <= 0) throw new Error(`expected <mount>/<name>, got ${path}`);
  return { mount: path.slice(0, i), name: path.slice(i + 1) };
}
