import { describe, expect, it } from "vitest";
import { isSecretNotFound, vaultErrorReason } from "../infra/vault/read-secret";
import { vaultNotFoundMessage } from "../tools/offline/run-program";

// The engine's text for a failed invoke is multi-line: the provider's reason is on a later line.
const MISSING = vaultNotFoundMessage("MooseQuest", "cloudflare");
const DENIED =
  "invocation of vault:kv/getSecretV2:getSecretV2 returned an error: invoking vault:kv/getSecretV2:getSecretV2: 1 error occurred:\n" +
  '\t* error reading secret "MooseQuest/data/freescout": Error making API request.\n\nURL: GET https://vault.example/v1/MooseQuest/data/freescout\nCode: 403. Errors:\n\n\t* 1 error occurred:\n\t* permission denied\n\n';

describe("reading a Vault invoke error", () => {
  it("recognises a missing secret from the provider's reason on the second line", () => {
    expect(MISSING.split("\n")[0]).not.toContain("no secret found");
    expect(isSecretNotFound(MISSING)).toBe(true);
  });

  it("does not take a refused read for a missing secret", () => {
    expect(isSecretNotFound(DENIED)).toBe(false);
    expect(isSecretNotFound("invocation failed: 404 page not found at proxy")).toBe(false);
  });

  it("shows the provider's reasons, not the header line", () => {
    expect(vaultErrorReason(MISSING)).toBe('no secret found at "MooseQuest/data/cloudflare"');
    expect(vaultErrorReason(DENIED)).toBe(
      'error reading secret "MooseQuest/data/freescout": Error making API request.; 1 error occurred:; permission denied',
    );
  });

  it("falls back to the first line when there are no reasons, bounded in length", () => {
    expect(vaultErrorReason("connection refused\nmore")).toBe("connection refused");
    expect(vaultErrorReason("x".repeat(500))).toHaveLength(300);
  });
});
