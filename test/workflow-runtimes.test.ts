import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// GitHub's runners run JavaScript actions on Node 24 since 2026-06-02 and removed Node 20 on
// 2026-09-16: an action whose action.yml still says node20 is forced onto a runtime its authors did
// not ship it for. The runtime is not in the workflow files, so it is recorded here, per pinned
// commit: each row was read from the action's own repository at its release tag on 2026-12-07
// (`git rev-parse <tag>^{commit}` for the SHA, `git show <tag>:action.yml` for `runs.using`).
// Pinning another commit fails the tests below until its row is read and added the same way.
const VERIFIED: Record<string, { version: string; using: string }> = {
  "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1": {
    version: "v7.0.1",
    using: "node24",
  },
  "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020": {
    version: "v7.0.0",
    using: "node24",
  },
  "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f": {
    version: "v7.0.0",
    using: "node24",
  },
  "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c": {
    version: "v8.0.1",
    using: "node24",
  },
  "actions/github-script@ed597411d8f924073f98dfc5c65a23a2325f34cd": {
    version: "v8.0.0",
    using: "node24",
  },
  "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c": {
    version: "v6.2.3",
    using: "node24",
  },
  "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d": {
    version: "v7.0.0",
    using: "node24",
  },
};

const dir = join(__dirname, "..", ".github", "workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
const pins = files.flatMap((f) =>
  [...readFileSync(join(dir, f), "utf8").matchAll(/uses: (\S+) # (\S+)$/gm)].map(
    ([, ref, version]) => ({ file: f, ref: ref!, version: version! }),
  ),
);

describe("the runtime of every action the workflows pin", () => {
  it("reads every `uses:` line of the workflows as a pin", () => {
    const lines = files.flatMap((f) => readFileSync(join(dir, f), "utf8").match(/uses:/g) ?? []);
    expect(pins.length).toBeGreaterThan(0);
    expect(pins).toHaveLength(lines.length);
  });

  it.each(pins)("$file: $ref is a commit whose runtime was read, at $version", (pin) => {
    expect(VERIFIED[pin.ref], `${pin.ref} has no verified row`).toBeDefined();
    expect(VERIFIED[pin.ref]?.version).toBe(pin.version);
  });

  it("every pinned JavaScript action runs on node24", () => {
    for (const ref of new Set(pins.map((p) => p.ref)))
      expect(VERIFIED[ref]?.using, ref).toBe("node24");
  });

  it("keeps no row for a commit no workflow pins", () => {
    const used = new Set(pins.map((p) => p.ref));
    expect(Object.keys(VERIFIED).filter((ref) => !used.has(ref))).toEqual([]);
  });
});
