import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readConfig } from "../infra/config";
import { serviceTokenNameOrDefault } from "../infra/config-parts/token-name";
import { sharedWriters, tokenNamesCollide } from "../tools/one-writer/shared-writers";
import { serviceTokenNames } from "../tools/one-writer/token-names";
import { listStacks, loadStackFiles, projectConfig } from "../tools/stack-files";

const root = resolve(__dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "console-wiring-token-name-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("a gate's service token default name has the stack's name and the gate's id", () => {
  it("uses console-<stack>-<gate> when unset or empty, the set name otherwise", () => {
    expect(serviceTokenNameOrDefault(undefined, "qa", "tickets")).toBe("console-qa-tickets");
    expect(serviceTokenNameOrDefault("", "qa", "tickets")).toBe("console-qa-tickets");
    expect(serviceTokenNameOrDefault("mine", "qa", "tickets")).toBe("mine");
  });

  it("keeps prod's token name: Pulumi.prod.yaml sets the name its token already has", () => {
    const gates = JSON.parse(loadStackFiles("prod").config["console-wiring:gates"] ?? "{}") as {
      tickets?: { serviceTokenName?: string };
    };
    expect(gates.tickets?.serviceTokenName).toBe("console-investigate-tickets");
  });

  describe("in the program (readConfig)", () => {
    afterEach(() => pulumi.runtime.setAllConfig({}));

    it("fills the default from the running stack's name", async () => {
      await pulumi.runtime.setMocks(
        { newResource: () => ({ id: "x", state: {} }), call: () => ({}) },
        "console-wiring",
        "qa-stack",
        true,
      );
      const raw = projectConfig(loadStackFiles("prod"));
      const gates = JSON.parse(raw["gates"] ?? "{}") as Record<string, Record<string, unknown>>;
      const withName = (name: string | undefined) => {
        const { serviceTokenName: _drop, ...tickets } = gates["tickets"] ?? {};
        const config: Record<string, string> = {};
        for (const [k, v] of Object.entries(raw)) config[`console-wiring:${k}`] = v;
        config["console-wiring:gates"] = JSON.stringify({
          ...gates,
          tickets: name === undefined ? tickets : { ...tickets, serviceTokenName: name },
        });
        return config;
      };
      pulumi.runtime.setAllConfig(withName(undefined));
      expect(readConfig().gates["tickets"]?.serviceToken.name).toBe("console-qa-stack-tickets");
      pulumi.runtime.setAllConfig(withName(""));
      expect(readConfig().gates["tickets"]?.serviceToken.name).toBe("console-qa-stack-tickets");
      pulumi.runtime.setAllConfig(withName("set-one"));
      expect(readConfig().gates["tickets"]?.serviceToken.name).toBe("set-one");
    });
  });
});

describe("serviceTokenNames", () => {
  it("reads each gate's serviceTokenName, with the per-stack default for a gate without one", () => {
    const gates = JSON.stringify({
      tickets: { serviceTokenName: "tickets-token" },
      billing: { serviceTokenName: "billing-token", other: 1 },
      bare: {},
      odd: "not an object",
    });
    expect(serviceTokenNames({ gates }, "qa")).toEqual([
      { gate: "tickets", key: "gates.tickets.serviceTokenName", name: "tickets-token" },
      { gate: "billing", key: "gates.billing.serviceTokenName", name: "billing-token" },
      { gate: "bare", key: "gates.bare.serviceTokenName", name: "console-qa-bare" },
      { gate: "odd", key: "gates.odd.serviceTokenName", name: "console-qa-odd" },
    ]);
  });

  it("finds none without a gates map, or with a gates value that is not a JSON object (parseConfig reports it)", () => {
    expect(serviceTokenNames({}, "qa")).toEqual([]);
    for (const gates of ["[1]", "nope", "null"]) {
      expect(serviceTokenNames({ gates }, "qa")).toEqual([]);
    }
  });
});

describe("sharedWriters", () => {
  const stack = (name: string, app: string, tokens: string[]) => ({
    stack: name,
    herokuApp: app,
    tokens: tokens.map((t) => ({
      gate: "tickets",
      key: "gates.tickets.serviceTokenName",
      name: t,
    })),
  });

  it("names each stack's gate key and a gate-map fix when two stacks share a gate's token", () => {
    const a = {
      stack: "a",
      herokuApp: "app-a",
      tokens: [{ gate: "billing", key: "gates.billing.serviceTokenName", name: "shared" }],
    };
    const [line] = sharedWriters("a", [a, stack("b", "app-b", ["shared"])]);
    expect(line).toContain(
      'console-wiring:gates.billing.serviceTokenName is "shared" in Pulumi.a.yaml and console-wiring:gates.tickets.serviceTokenName is "shared" in Pulumi.b.yaml.',
    );
    expect(line).toMatch(
      /e\.g\. pulumi config set --path 'gates\.billing\.serviceTokenName' console-a-billing --stack a$/,
    );
  });

  it("suggests renaming the other stack when this one already uses its own default name", () => {
    const [line] = sharedWriters("a", [
      stack("a", "app-a", ["console-a-tickets"]),
      stack("b", "app-b", ["console-a-tickets"]),
    ]);
    expect(line).toMatch(
      /e\.g\. pulumi config set --path 'gates\.tickets\.serviceTokenName' console-b-tickets --stack b$/,
    );
  });

  it("finds nothing when apps and names differ", () => {
    expect(sharedWriters("a", [stack("a", "app-a", ["ta"]), stack("b", "app-b", ["tb"])])).toEqual(
      [],
    );
  });

  it("counts <name>-g<digits> as the same token, and nothing else", () => {
    expect(tokenNamesCollide("t", "t")).toBe(true);
    expect(tokenNamesCollide("t", "t-g2")).toBe(true);
    expect(tokenNamesCollide("t-g12", "t")).toBe(true);
    expect(tokenNamesCollide("t", "t-gx")).toBe(false);
    expect(tokenNamesCollide("t", "t-g")).toBe(false);
    expect(tokenNamesCollide("t", "t-staging")).toBe(false);
  });
});

describe("listStacks", () => {
  it("lists the Pulumi.<stack>.yaml files, not Pulumi.yaml or other files", () => {
    const dir = join(scratch, "list");
    mkdirSync(dir);
    for (const f of [
      "Pulumi.yaml",
      "Pulumi.b.yaml",
      "Pulumi.a-1.yaml",
      "Pulumi.x.yml",
      "notes.yaml",
    ])
      writeFileSync(join(dir, f), "");
    writeFileSync(join(dir, "Pulumi.two words.yaml"), "");
    expect(listStacks(dir)).toEqual(["a-1", "b"]);
    expect(listStacks(root)).toContain("prod");
  });
});
