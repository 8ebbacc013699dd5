/**
 * The stand-in `vault` plugin (test/e2e/standins/vault.ts) driven in-process against a real Vault
 * server: what terraform-provider-vault v5.8.0 does with each call, as Vault answers it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { standin } from "./standins/vault";
import { unwrap } from "./standins/store";
import { e2eSuite } from "./harness";
import { VaultServer } from "./vault-server";
import { standinUrn, type P } from "../support/standins";

const suite = e2eSuite();
const URN = standinUrn("vault:kv/secretV2:SecretV2", "vault-cloudflare");
const GET = "vault:kv/getSecretV2:getSecretV2";
let vault: VaultServer;
const secret = (over: P = {}): P => ({
  mount: "MooseQuest",
  name: "cloudflare",
  dataJson: '{"B":"2","A":"1"}',
  ...over,
});

beforeAll(async () => {
  vault = await VaultServer.start(suite.vaultBinary);
  await vault.ensureKv("MooseQuest");
  process.env["VAULT_ADDR"] = vault.addr;
  process.env["VAULT_TOKEN"] = vault.rootToken;
}, 600_000);
afterAll(() => vault.stop());
beforeEach(() => {
  process.env["E2E_STANDIN_DIR"] = mkdtempSync(join(tmpdir(), "standin-vault-"));
});

describe("the vault plugin over a real Vault", () => {
  it("writes the data to Vault and reports data as {} after the write (the write ends with a read)", async () => {
    const { id, outs } = (await standin.create!(URN, secret())) as { id: string; outs: P };
    expect(id).toBe("MooseQuest/data/cloudflare");
    expect(outs["data"]).toEqual({});
    expect(unwrap(outs["dataJson"])).toBe('{"A":"1","B":"2"}');
    expect(await vault.read("MooseQuest/cloudflare")).toEqual({ A: "1", B: "2" });
  });

  it("refreshes a secret edited by hand without noticing the edit", async () => {
    const { id, outs } = (await standin.create!(URN, secret())) as { id: string; outs: P };
    await vault.seed({ "MooseQuest/cloudflare": { A: "changed by hand" } });
    const read = await standin.read!(id, URN, outs);
    expect(read.id).toBe(id);
    expect(unwrap((read.props as P)["dataJson"])).toBe('{"A":"1","B":"2"}');
  });

  it("keeps a soft-deleted secret on refresh (Vault still answers with its metadata); drops a gone one", async () => {
    const { id, outs } = (await standin.create!(URN, secret())) as { id: string; outs: P };
    await vault.softDelete("MooseQuest/cloudflare");
    expect((await standin.read!(id, URN, outs)).id).toBe(id);
    await vault.api("DELETE", "MooseQuest/metadata/cloudflare");
    expect((await standin.read!(id, URN, outs)).id).toBe("");
  });

  it("deletes by soft-deleting the latest version; the metadata (and older versions) stay", async () => {
    const { id, outs } = (await standin.create!(URN, secret())) as { id: string; outs: P };
    await standin.delete!(id, URN, outs);
    expect(await vault.read("MooseQuest/cloudflare")).toBeUndefined();
    const meta = await vault.metadata("MooseQuest/cloudflare");
    const versions = meta?.["versions"] as Record<string, { deletion_time: string }>;
    expect(versions[String(meta?.["current_version"])]?.deletion_time).not.toBe("");
  });

  it("fails the getSecretV2 invoke on a missing secret with the provider's multi-line error", async () => {
    await expect(standin.invoke!(GET, { mount: "MooseQuest", name: "nope" })).rejects.toThrow(
      'invoking vault:kv/getSecretV2:getSecretV2: 1 error occurred:\n\t* no secret found at "MooseQuest/data/nope"',
    );
  });

  it("answers getSecretV2 on a soft-deleted or destroyed latest version with no data, as the provider does", async () => {
    await vault.seed({ "MooseQuest/freescout": { K: "v1" } });
    await vault.seed({ "MooseQuest/freescout": { K: "v2" } });
    await vault.softDelete("MooseQuest/freescout");
    const deleted = (await standin.invoke!(GET, { mount: "MooseQuest", name: "freescout" }))
      .outputs as P;
    expect(deleted).toMatchObject({ dataJson: "null", destroyed: false, version: 2 });
    expect(deleted["data"]).toBeUndefined();
    expect(deleted["deletionTime"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    // An older version is still there to ask for by number.
    const v1 = (await standin.invoke!(GET, { mount: "MooseQuest", name: "freescout", version: 1 }))
      .outputs as P;
    expect(v1["data"]).toEqual({ K: "v1" });
    await vault.destroy("MooseQuest/freescout", [2]);
    const destroyed = (await standin.invoke!(GET, { mount: "MooseQuest", name: "freescout" }))
      .outputs as P;
    expect(destroyed).toMatchObject({ dataJson: "null", destroyed: true, version: 2 });
  });

  it("turns Vault's refusal into the provider's error text, with Vault's reason in it", async () => {
    const denied = await vault.api("POST", "auth/token/create", { policies: ["default"] });
    const token = (denied.body["auth"] as { client_token: string }).client_token;
    const saved = process.env["VAULT_TOKEN"];
    process.env["VAULT_TOKEN"] = token;
    try {
      await expect(
        standin.invoke!(GET, { mount: "MooseQuest", name: "freescout" }),
      ).rejects.toThrow(
        /error reading secret "MooseQuest\/data\/freescout" from Vault: failed to create limited child token: Error making API request\.[\s\S]*Code: 403[\s\S]*permission denied/,
      );
    } finally {
      process.env["VAULT_TOKEN"] = saved;
    }
  });
});
