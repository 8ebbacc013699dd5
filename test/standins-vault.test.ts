/**
 * The Vault stand-in's rules (test/e2e/standins/rules/vault.ts), as terraform-provider-vault
 * v5.8.0 (bridged by @pulumi/vault 7.8.0) applies them, and the plugin driven in-process.
 */
import { describe, expect, it } from "vitest";
import { standin } from "./e2e/standins/vault";
import { check, diff, normalizeDataJson, parseId, readState } from "./e2e/standins/rules/vault";
import { load, save, unwrap } from "./e2e/standins/store";
import { freshStandinStore, standinUrn, type P } from "./support/standins";

const URN = standinUrn("vault:kv/secretV2:SecretV2", "vault-cloudflare");
const secret = (over: P = {}): P => ({
  mount: "MooseQuest",
  name: "cloudflare",
  dataJson: '{"B":"2","A":"1"}',
  ...over,
});

describe("Check", () => {
  it("requires mount and name", () => {
    expect(check({ dataJson: "{}" }).map((f) => f.property)).toEqual(["mount", "name"]);
  });

  it("requires dataJson to be a JSON object, not only valid JSON (validateDataJSON)", () => {
    expect(check(secret())).toEqual([]);
    expect(check(secret({ dataJson: '["a"]' }))).toEqual([
      {
        property: "dataJson",
        reason: "json: cannot unmarshal array into Go value of type map[string]interface {}",
      },
    ]);
    expect(check(secret({ dataJson: "{not json" }))[0]?.reason).toMatch(/^invalid character/);
  });

  it("refuses dataJson together with dataJsonWo (ConflictsWith)", () => {
    expect(check(secret({ dataJsonWo: "{}" }))).toHaveLength(1);
  });
});

describe("Diff", () => {
  it("sees no change in dataJson's whitespace or key order (normalizeDataJSON)", () => {
    expect(normalizeDataJson('{ "B": "2",\n "A": "1" }')).toBe('{"A":"1","B":"2"}');
    expect(diff(secret(), secret({ dataJson: '{"A":"1", "B":"2"}' })).changes).toBe(false);
    expect(diff(secret(), secret({ dataJson: '{"A":"1"}' })).diffs).toEqual({ dataJson: "update" });
  });

  it("replaces on a new mount or name, creating the new secret before deleting the old one", () => {
    expect(diff(secret(), secret({ name: "cloudflare2" }))).toEqual({
      changes: true,
      diffs: { name: "update" },
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
  });
});

describe("Read", () => {
  it("sets data to {} and keeps the state's dataJson: a hand edit in Vault is invisible", () => {
    const id = "MooseQuest/data/cloudflare";
    expect(parseId(id)).toEqual({ mount: "MooseQuest", name: "cloudflare" });
    const state = readState(id, { ...secret(), data: { A: "1" } });
    expect(state["data"]).toEqual({});
    expect(state).toMatchObject({ dataJson: '{"A":"1","B":"2"}', path: id });
  });

  it("imports with no dataJson at all", () => {
    expect(readState("MooseQuest/data/cloudflare", undefined)).toEqual({
      mount: "MooseQuest",
      name: "cloudflare",
      path: "MooseQuest/data/cloudflare",
      data: {},
      disableRead: false,
      deleteAllVersions: false,
    });
  });
});

describe("the plugin, in-process", () => {
  freshStandinStore("standin-vault-");

  it("writes the data to Vault and reports data as {} after the write (the write ends with a read)", async () => {
    const { id, outs } = (await standin.create!(URN, secret())) as { id: string; outs: P };
    expect(id).toBe("MooseQuest/data/cloudflare");
    expect(outs["data"]).toEqual({});
    expect(unwrap(outs["dataJson"])).toBe('{"A":"1","B":"2"}');
    expect(load("vault").secrets["MooseQuest/cloudflare"]).toEqual({ A: "1", B: "2" });
  });

  it("refreshes a secret edited by hand without noticing the edit", async () => {
    const { id, outs } = (await standin.create!(URN, secret())) as { id: string; outs: P };
    const store = load("vault");
    store.secrets["MooseQuest/cloudflare"] = { A: "changed by hand" };
    save("vault", store);
    const read = await standin.read!(id, URN, outs);
    expect(unwrap((read.props as P)["dataJson"])).toBe('{"A":"1","B":"2"}');
  });

  it("fails the getSecretV2 invoke on a missing secret with the provider's multi-line error", async () => {
    await expect(
      standin.invoke!("vault:kv/getSecretV2:getSecretV2", { mount: "MooseQuest", name: "nope" }),
    ).rejects.toThrow(
      'invoking vault:kv/getSecretV2:getSecretV2: 1 error occurred:\n\t* no secret found at "MooseQuest/data/nope"',
    );
  });
});
