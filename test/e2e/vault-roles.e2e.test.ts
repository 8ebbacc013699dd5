/**
 * ops/vault against a real Vault server (v1.21.2, test/e2e/build-vault.sh): its policies and JWT
 * roles loaded as docs/ci-and-credentials.md says, tokens minted here from a local key with the
 * claims GitHub gives each workflow, the workflows' own login script, and the program run by the
 * real CLI under the deploy role's token. Then what Vault itself does to a prerequisite secret:
 * a soft-deleted and a destroyed latest version, each refused by the gate.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { unrelatedVars } from "../support/fake-heroku";
import { e2eSuite, REPO, SENTRY_CONFIG, stackConfig, text, type Workspace } from "./harness";
import {
  capabilities,
  githubClaims,
  loadOpsVault,
  login,
  mintJwt,
  rsaKey,
  type Claims,
} from "./vault-ops";

const APP = "raxx-console-vault-roles";
const FS_KEY = "e2e-freescout-key-sentinel-77c1";
const FLAGS = {
  FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: true,
  FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: true,
};
const FREESCOUT = { FREESCOUT_API_KEY: FS_KEY, FREESCOUT_OPERATIONS_MAILBOX_ID: "3" };

const suite = e2eSuite();
const key = rsaKey();
let ws: Workspace;

const deployClaims = () =>
  githubClaims("production", "deploy.yml", "refs/heads/main") as Record<string, string | number>;
const previewClaims = () => githubClaims("preview", "pull-request.yml", "refs/pull/42/merge");

async function tokenFor(role: string, claims: Claims): Promise<string> {
  const answer = await login(ws.vault, role, mintJwt(claims, key.privateKey));
  if (!answer.token) throw new Error(`login ${role}: ${answer.status} ${answer.errors.join("; ")}`);
  return answer.token;
}

beforeAll(async () => {
  suite.heroku.apps.set(APP, unrelatedVars());
  ws = await suite.workspace({
    stack: "prod",
    config: { ...stackConfig(APP), ...SENTRY_CONFIG, flags: FLAGS },
  });
  await ws.vault.seed({
    "MooseQuest/freescout": FREESCOUT,
    // Another team's secret on the same mount: no role of ours may read it.
    "MooseQuest/payments": { STRIPE_KEY: "sk_e2e_not_ours" },
  });
  await loadOpsVault(ws.vault, key.publicPem);
}, 600_000);

describe("ops/vault's roles and policies in a real Vault", () => {
  it("the deploy role reads exactly the selected features' paths and writes the gates' paths", async () => {
    const token = await tokenFor("console-wiring-production", deployClaims());
    expect(
      await capabilities(ws.vault, token, [
        "MooseQuest/data/freescout",
        "MooseQuest/data/cloudflare",
        "MooseQuest/metadata/cloudflare",
        "MooseQuest/data/payments",
        "MooseQuest/metadata/freescout",
        "sys/policies/acl/console-wiring-production",
      ]),
    ).toEqual({
      "MooseQuest/data/freescout": ["read"],
      "MooseQuest/data/cloudflare": ["create", "delete", "read", "update"],
      "MooseQuest/metadata/cloudflare": ["read"],
      "MooseQuest/data/payments": ["deny"],
      "MooseQuest/metadata/freescout": ["deny"],
      "sys/policies/acl/console-wiring-production": ["deny"],
    });
    const other = await ws.vault.api("GET", "MooseQuest/data/payments", undefined, token);
    expect(other.status).toBe(403);
    const overwrite = await ws.vault.api(
      "PUT",
      "MooseQuest/data/freescout",
      { data: { FREESCOUT_API_KEY: "x" } },
      token,
    );
    expect(overwrite.status).toBe(403);
  });

  it("the pull-request role (and drift's) reads what a preview reads and cannot write", async () => {
    const drift = await tokenFor(
      "console-wiring-drift",
      githubClaims("drift", "drift.yml", "refs/heads/main"),
    );
    for (const token of [await tokenFor("console-wiring-preview", previewClaims()), drift]) {
      expect(
        await capabilities(ws.vault, token, [
          "MooseQuest/data/freescout",
          "MooseQuest/data/cloudflare",
          "MooseQuest/metadata/cloudflare",
          "MooseQuest/data/payments",
        ]),
      ).toEqual({
        "MooseQuest/data/freescout": ["read"],
        "MooseQuest/data/cloudflare": ["read"],
        "MooseQuest/metadata/cloudflare": ["read"],
        "MooseQuest/data/payments": ["deny"],
      });
      const write = await ws.vault.api(
        "PUT",
        "MooseQuest/data/cloudflare",
        { data: { CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "forged" } },
        token,
      );
      expect(write.status).toBe(403);
      expect(JSON.stringify(write.body)).toContain("permission denied");
    }
    expect(await ws.vault.read("MooseQuest/cloudflare")).toBeUndefined();
  });

  it("refuses a token of another workflow, ref, repository, environment, audience or key", async () => {
    const base = deployClaims();
    const cases: [string, Claims, string][] = [
      [
        "pull-request.yml",
        {
          ...base,
          job_workflow_ref:
            "raxx-app/console-wiring/.github/workflows/pull-request.yml@refs/heads/main",
        },
        'claim "job_workflow_ref" does not match',
      ],
      [
        "a branch",
        {
          ...base,
          job_workflow_ref:
            "raxx-app/console-wiring/.github/workflows/deploy.yml@refs/heads/feature",
        },
        'claim "job_workflow_ref" does not match',
      ],
      [
        "a fork",
        { ...base, repository: "mallory/console-wiring" },
        'claim "repository" does not match',
      ],
      [
        "environment preview",
        { ...base, environment: "preview" },
        'claim "environment" does not match',
      ],
      [
        "another audience",
        { ...base, aud: "sts.amazonaws.com" },
        "audience claim does not match any expected audience",
      ],
      ["another issuer", { ...base, iss: "https://issuer.example" }, "iss"],
    ];
    for (const [what, claims, reason] of cases) {
      const answer = await login(
        ws.vault,
        "console-wiring-production",
        mintJwt(claims, key.privateKey),
      );
      expect(answer.token, what).toBeUndefined();
      expect(answer.status, what).toBe(400);
      expect(answer.errors.join("; "), what).toContain(reason);
    }
    const forged = await login(
      ws.vault,
      "console-wiring-production",
      mintJwt(base, rsaKey().privateKey),
    );
    expect(forged.token).toBeUndefined();
    expect(forged.errors.join("; ")).toContain(
      "no known key successfully validated the token signature",
    );
    // The pull-request role refuses a token from a branch push: only refs/pull/<n>/merge.
    const push = await login(
      ws.vault,
      "console-wiring-preview",
      mintJwt(githubClaims("preview", "pull-request.yml", "refs/heads/main"), key.privateKey),
    );
    expect(push.token).toBeUndefined();
  });

  it("the program deploys under the deploy role's token, logged in by the workflows' own script", async () => {
    const token = await workflowLogin("console-wiring-production", deployClaims());
    const up = await ws.pulumi(["up", "--yes"], { VAULT_TOKEN: token });
    expect(up.code, text(up)).toBe(0);
    const written = await ws.vault.read("MooseQuest/cloudflare");
    expect(written?.["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"]).toMatch(/\S/);
    expect(suite.heroku.apps.get(APP)?.["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"]).toBe(
      written?.["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"],
    );
    // A pull request's preview (refresh included) runs under the read role.
    const previewToken = await workflowLogin("console-wiring-preview", previewClaims());
    const preview = await ws.pulumi(["preview", "--refresh", "--expect-no-changes"], {
      VAULT_TOKEN: previewToken,
    });
    expect(preview.code, text(preview)).toBe(0);
  });
});

describe("what Vault does to a prerequisite secret, refused by the gate", () => {
  it("a soft-deleted latest version: the preview fails naming it and how to undelete, nothing applied", async () => {
    const before = suite.heroku.calls.length;
    await ws.vault.softDelete("MooseQuest/freescout");
    const run = await ws.pulumi(["preview"]);
    expect(run.code).not.toBe(0);
    expect(text(run)).toMatch(
      /version 1 of Vault secret MooseQuest\/freescout, its latest, was deleted at \d{4}-/,
    );
    expect(text(run)).toContain("vault kv undelete -mount=MooseQuest -versions=1 freescout");
    expect(text(run)).not.toContain(FS_KEY);
    expect(suite.heroku.calls.slice(before).filter((c) => c.method === "PATCH")).toEqual([]);
    // Undeleted, it is the secret it was: the preview passes with no change.
    expect(
      (await ws.vault.api("POST", "MooseQuest/undelete/freescout", { versions: [1] })).status,
    ).toBe(204);
    const back = await ws.pulumi(["preview", "--expect-no-changes"]);
    expect(back.code, text(back)).toBe(0);
  });

  it("a destroyed latest version: the preview fails and says to write a new version; a new one passes", async () => {
    await ws.vault.seed({ "MooseQuest/freescout": FREESCOUT }); // version 2
    await ws.vault.destroy("MooseQuest/freescout", [2]);
    expect((await ws.vault.metadata("MooseQuest/freescout"))?.["current_version"]).toBe(2);
    const run = await ws.pulumi(["preview"]);
    expect(run.code).not.toBe(0);
    expect(text(run)).toContain(
      "version 2 of Vault secret MooseQuest/freescout, its latest, was destroyed",
    );
    expect(text(run)).toContain("write a new version: vault kv put -mount=MooseQuest freescout");
    await ws.vault.seed({ "MooseQuest/freescout": FREESCOUT }); // version 3
    const back = await ws.pulumi(["preview", "--expect-no-changes"]);
    expect(back.code, text(back)).toBe(0);
  });
});

/**
 * .github/vault-login.sh as the workflows run it: GitHub's OIDC endpoint is a loopback server
 * that answers with a token minted for `claims`; the script's output file gets `vault_token`.
 */
async function workflowLogin(role: string, claims: Claims): Promise<string> {
  const jwt = mintJwt(claims, key.privateKey);
  const server: Server = createServer((req, res) => {
    const ok = req.headers.authorization === "bearer e2e-request-token";
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(ok ? JSON.stringify({ value: jwt }) : "{}");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const dir = mkdtempSync(join(tmpdir(), "vault-login-"));
    const output = join(dir, "output");
    const run = await ws.exec("bash", [join(REPO, ".github", "vault-login.sh")], {
      VAULT_ADDR: ws.vault.addr,
      VAULT_ROLE: role,
      VAULT_JWT_AUDIENCE: "console-wiring-vault",
      GITHUB_OUTPUT: output,
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc?x=1`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "e2e-request-token",
    });
    expect(run.code, text(run)).toBe(0);
    const token = /^vault_token=(.+)$/m.exec(readFileSync(output, "utf8"))?.[1];
    if (!token) throw new Error(`vault-login.sh wrote no vault_token: ${text(run)}`);
    return token;
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}
