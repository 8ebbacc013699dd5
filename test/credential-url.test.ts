import { describe, expect, it } from "vitest";
import { credentialUrl } from "../infra/credential-url";

// The one rule for URLs credentials are sent to (config, policy, smoke check), decision by decision.
const problem = (raw: string, hosts?: readonly string[]) => {
  const r = credentialUrl(raw, hosts);
  return r.ok ? undefined : r.problem;
};

describe("credentialUrl", () => {
  it("accepts https to an allowed host and normalizes it (origin + path, no trailing slash)", () => {
    const r = credentialUrl("https://Tickets.raxx.app/api//", ["tickets.raxx.app"]);
    expect(r.ok && r.normalized).toBe("https://tickets.raxx.app/api");
    const nested = credentialUrl("https://tickets.raxx.app/a/b");
    expect(nested.ok && nested.normalized).toBe("https://tickets.raxx.app/a/b");
    const root = credentialUrl("https://tickets.raxx.app");
    expect(root.ok && root.normalized).toBe("https://tickets.raxx.app");
  });

  it("refuses what is not a URL", () => {
    expect(credentialUrl("tickets.raxx.app")).toEqual({ ok: false, problem: "is not a URL" });
  });

  it("refuses a query or a fragment", () => {
    for (const raw of ["https://tickets.raxx.app/?k=1", "https://tickets.raxx.app/#x"]) {
      expect(credentialUrl(raw)).toEqual({
        ok: false,
        problem: "must not have a query or fragment",
      });
    }
  });

  it("refuses a user name alone, a password alone, or both", () => {
    for (const raw of [
      "https://u@tickets.raxx.app",
      "https://:p@tickets.raxx.app",
      "https://u:p@tickets.raxx.app",
    ]) {
      expect(problem(raw)).toBe("must not carry credentials in the URL");
    }
  });

  it("requires the plain form at the start of the value", () => {
    expect(problem("https:tickets.raxx.app")).toBe("must be written https://<host>/<path>");
    expect(problem("https:/tickets.raxx.app")).toBe("must be written https://<host>/<path>");
  });

  it("names every allowed host when the host is not one of them", () => {
    expect(problem("https://evil.example", ["tickets.raxx.app", "tickets-eu.raxx.app"])).toBe(
      "must point at tickets.raxx.app or tickets-eu.raxx.app (it points at evil.example): another host would receive the FreeScout API key and the service-token secret",
    );
  });

  it("checks no host when no list is given", () => {
    expect(problem("https://anything.example")).toBeUndefined();
  });
});
