import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeHeroku } from "./support/fake-heroku";

// Pulumi stores the dynamic provider's serialized code in state. Serialization differs under
// vitest's ESM transform, so this checks the compiled CommonJS that the real engine runs.
const run = promisify(execFile);
const root = resolve(__dirname, "..");
const TOKEN = "HRKU-sentinel-serialized-token";
const SECRET = "sentinel-serialized-secret-value";

let outDir: string;
let fake: FakeHeroku;
let result: { text: string; containsSecrets: boolean; outs: Record<string, unknown> };

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "console-wiring-cjs-"));
  await run(process.execPath, [
    join(root, "node_modules/typescript/bin/tsc"),
    "-p",
    join(root, "tsconfig.build.json"),
    "--outDir",
    outDir,
  ]);
  fake = new FakeHeroku(TOKEN);
  fake.apps.set("raxx-console-prod", { DATABASE_URL: "postgres://db" });
  const url = await fake.start();
  const { stdout } = await run(
    process.execPath,
    [join(__dirname, "support/serialize-provider.cjs"), outDir, root],
    {
      env: {
        ...process.env,
        HEROKU_API_KEY: TOKEN,
        HEROKU_API_URL: url,
        TEST_VARS: JSON.stringify({ FREESCOUT_API_KEY: SECRET }),
      },
    },
  );
  result = JSON.parse(stdout) as typeof result;
}, 120_000);

afterAll(async () => {
  await fake.stop();
  rmSync(outDir, { recursive: true, force: true });
});

describe("the serialized provider (compiled CommonJS)", () => {
  it("contains no credential, no value and no secret", () => {
    expect(result.text.length).toBeGreaterThan(1000);
    expect(result.text).not.toContain(TOKEN);
    expect(result.text).not.toContain(SECRET);
    expect(result.text).not.toContain("HRKU-");
    expect(result.containsSecrets).toBe(false);
  });

  it("reads the token from the environment when it runs", () => {
    expect(result.text).toContain('["HEROKU_API_KEY"]');
  });

  it("works when loaded back the way the engine's dynamic provider host loads it", () => {
    expect(fake.apps.get("raxx-console-prod")).toEqual({
      DATABASE_URL: "postgres://db",
      FREESCOUT_API_KEY: SECRET,
    });
    expect(result.outs).toMatchObject({
      app: "raxx-console-prod",
      keys: ["FREESCOUT_API_KEY"],
      adoptedKeys: [],
    });
    expect(fake.calls.map((c) => c.method)).toEqual(["GET", "PATCH"]);
  });
});
