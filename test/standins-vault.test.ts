/**
 * The Vault stand-in's rules (test/e2e/standins/rules/vault.ts), as terraform-provider-vault
 * v5.8.0 (bridged by @pulumi/vault 7.8.0) applies them.
 */
import { describe, expect, it } from "vitest";
import { check, diff, normalizeDataJson, parseId, readState } from "./e2e/standins/rules/vault";
import { type P } from "./support/standins";

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

// The plugin itself talks to a real Vault server: test/e2e/vault-standin.e2e.test.ts drives it.
