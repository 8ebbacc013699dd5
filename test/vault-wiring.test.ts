import { describe, expect, it } from "vitest";
import { existingSecretData, mergeSecretData } from "../infra/vault/vault-wiring";

describe("mergeSecretData", () => {
  const existing = { CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "kept-secret", OTHER: "theirs" };

  it.each([
    ["null (Cloudflare on import or read)", null],
    ["undefined (output absent)", undefined],
    ['"" (empty)', ""],
  ])("keeps the client secret already in Vault when the token gives %s", (_name, value) => {
    expect(
      mergeSecretData(existing, {
        CF_ACCESS_SVC_TICKETS_CLIENT_ID: "id.access",
        CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: value,
      }),
    ).toEqual({
      CF_ACCESS_SVC_TICKETS_CLIENT_ID: "id.access",
      CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "kept-secret",
      OTHER: "theirs",
    });
  });

  it("writes a new secret over the old one (rotation)", () => {
    expect(
      mergeSecretData(existing, { CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "new-secret" }),
    ).toMatchObject({ CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "new-secret", OTHER: "theirs" });
  });

  it("declares a field with no value and nothing to keep as empty, so checks downstream see it missing", () => {
    expect(mergeSecretData({}, { CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: null })).toEqual({
      CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "",
    });
  });

  it("does not take a field name from Object.prototype as existing", () => {
    expect(mergeSecretData({}, { toString: null })).toEqual({ toString: "" });
  });
});

describe("existingSecretData", () => {
  const path = "MooseQuest/cloudflare";
  const declared = ["CF_ACCESS_SVC_TICKETS_CLIENT_ID", "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"];

  it("starts empty when the secret does not exist and adoption is off", () => {
    expect(
      existingSecretData({ ok: false, notFound: true, error: "x" }, false, declared, path),
    ).toEqual({ data: {} });
  });

  it("refuses adoption of a secret that does not exist, naming the key to change", () => {
    expect(
      existingSecretData({ ok: false, notFound: true, error: "x" }, true, declared, path),
    ).toEqual({
      error:
        "console-wiring:gates.tickets.adoptVaultSecret is true but Vault secret MooseQuest/cloudflare does not exist. Set it to false to create the secret: pulumi config set --path 'gates.tickets.adoptVaultSecret' false",
    });
  });
});
