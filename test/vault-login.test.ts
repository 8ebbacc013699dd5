import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The workflows' Vault login (.github/vault-login.sh), run by bash as a workflow step runs it,
// against a loopback stand-in for GitHub's OIDC token endpoint and Vault's JWT login.
const SCRIPT = join(__dirname, "..", ".github", "vault-login.sh");
const REQUEST_TOKEN = "request-token-0123";
const JWT = "eyJhbGciOiJSUzI1NiJ9.claims.signature";
const VAULT_TOKEN = "hvs.CAESIGoodToken";

interface Seen {
  method?: string;
  url?: string;
  authorization?: string;
  body: string;
}
let server: Server;
let origin = "";
let vaultAnswer: { status: number; body: string } = { status: 200, body: "" };
const seen: Seen[] = [];

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => resolve(body));
  });

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      seen.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        body,
      });
      if (req.url?.startsWith("/oidc?")) {
        const ok = req.headers.authorization === `bearer ${REQUEST_TOKEN}`;
        res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
        res.end(ok ? JSON.stringify({ value: JWT }) : "{}");
      } else if (req.url === "/v1/auth/jwt/login" && req.method === "POST") {
        res.writeHead(vaultAnswer.status, { "content-type": "application/json" });
        res.end(vaultAnswer.body);
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function login(env: Record<string, string | undefined>) {
  seen.length = 0;
  const output = join(mkdtempSync(join(tmpdir(), "vault-login-")), "output");
  writeFileSync(output, "");
  const base: Record<string, string | undefined> = {
    PATH: process.env["PATH"],
    VAULT_ADDR: origin,
    VAULT_ROLE: "console-wiring-production",
    VAULT_JWT_AUDIENCE: "console-wiring-vault",
    ACTIONS_ID_TOKEN_REQUEST_URL: `${origin}/oidc?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
    GITHUB_OUTPUT: output,
  };
  const merged = Object.fromEntries(
    Object.entries({ ...base, ...env }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return new Promise<{ code: number; stdout: string; stderr: string; output: string }>(
    (resolve) => {
      execFile("bash", [SCRIPT], { env: merged }, (err, stdout, stderr) => {
        resolve({
          code: err ? ((err as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
          output: readFileSync(output, "utf8"),
        });
      });
    },
  );
}

describe("the workflows' Vault login", () => {
  it("exchanges GitHub's OIDC token for the audience at Vault's JWT login, masks both tokens and outputs the Vault token", async () => {
    vaultAnswer = { status: 200, body: JSON.stringify({ auth: { client_token: VAULT_TOKEN } }) };
    const r = await login({});
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({
      method: "GET",
      url: "/oidc?api-version=2.0&audience=console-wiring-vault",
      authorization: `bearer ${REQUEST_TOKEN}`,
    });
    expect(seen[1]?.authorization).toBeUndefined();
    expect(JSON.parse(seen[1]!.body)).toEqual({ role: "console-wiring-production", jwt: JWT });
    expect(r.output).toBe(`vault_token=${VAULT_TOKEN}\n`);
    // Each token appears in the log only in the line that masks it, and before any other use.
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => l.includes(JWT))).toEqual([`::add-mask::${JWT}`]);
    expect(lines.filter((l) => l.includes(VAULT_TOKEN))).toEqual([`::add-mask::${VAULT_TOKEN}`]);
  });

  it("fails with Vault's reason, the role and the address when Vault refuses, and outputs nothing", async () => {
    vaultAnswer = {
      status: 400,
      body: JSON.stringify({
        errors: [
          'error validating claims: claim "job_workflow_ref" does not match any associated bound claim values',
        ],
      }),
    };
    const r = await login({});
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `vault login: Vault at ${origin} refused the JWT login for role console-wiring-production`,
    );
    expect(r.stderr).toContain('claim \\"job_workflow_ref\\" does not match');
    expect(r.output).toBe("");
  });

  it("fails when Vault answers without a client token", async () => {
    vaultAnswer = { status: 200, body: JSON.stringify({ auth: null }) };
    const r = await login({});
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("without a client token");
    expect(r.output).toBe("");
  });

  it("fails naming the missing variable before any request", async () => {
    const r = await login({ VAULT_ROLE: "" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("vault login: VAULT_ROLE is empty");
    expect(seen).toEqual([]);
  });

  it("fails naming `id-token: write` when the job cannot request an OIDC token", async () => {
    const r = await login({ ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("permissions: id-token: write");
    expect(seen).toEqual([]);
  });

  it("fails when GitHub refuses the OIDC token request", async () => {
    const r = await login({ ACTIONS_ID_TOKEN_REQUEST_TOKEN: "wrong" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("GitHub's OIDC token request failed");
    expect(seen.filter((s) => s.url?.startsWith("/v1/"))).toEqual([]);
    expect(r.output).toBe("");
  });
});
