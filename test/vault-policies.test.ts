import { describe, expect, it } from "vitest";
import { neededPolicy, readPolicy } from "./support/vault-policy";

// ops/vault's policies say exactly what prod's stack touches in Vault: no path it does not read
// or write, and none missing (a missing one fails the deploy with "permission denied"). A new
// feature with a Vault source, or a new gate, fails here until its path is added.
describe("ops/vault policies", () => {
  it("console-wiring-production grants exactly what prod's deploy reads and writes", () => {
    expect(readPolicy("ops/vault/policy-console-wiring-production.hcl")).toEqual(
      neededPolicy("prod", true),
    );
  });

  it("console-wiring-read grants prod's reads and no write", () => {
    const read = readPolicy("ops/vault/policy-console-wiring-read.hcl");
    expect(read).toEqual(neededPolicy("prod", false));
    for (const [path, caps] of Object.entries(read))
      if (path !== "auth/token/create")
        expect(
          caps.filter((c) => c !== "read"),
          path,
        ).toEqual([]);
  });

  it("a policy file with a block it cannot read is refused, not half read", () => {
    expect(() => readPolicy("ops/vault/jwt-role-production.json")).toThrow(/cannot read/);
  });
});
