import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { compileToTemp } from "./support/compiled-build";
import { FakeHeroku } from "./support/fake-heroku";

// Pulumi stores the dynamic provider's serialized code in state. Serialization differs under
// vitest's ESM transform, so this checks the compiled CommonJS that the real engine runs.
const run = promisify(execFile);
const root = resolve(__dirname, "..");
const TOKEN = "fake-heroku-key-sentinel-serialized-token";
const SECRET = "sentinel-serialized-secret-value";

let outDir: string;
let fake: FakeHeroku;
let result: { text: string; containsSecrets: boolean; outs: Record<string, unknown> };

beforeAll(async () => {
  outDir = await compileToTemp();
  fake = new FakeHeroku(TOKEN);
  fake.apps.set("raxx-console-prod", { DATABASE_URL: "postgres://db" });
  const url = await fake.start();
  const { stdout } = await run(
    process.execPath,
    [join(__dirname, "support/serialize-provider.cjs"), outDir, root],
    {
      env: {
        // Only what the child needs: never this process's environment (it may hold CI secrets).
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
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
    expect(result.text).not.toContain("fake-heroku-key-");
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

describe("no secret leaks through the provider at run time", () => {
  it("finds no sentinel in any non-secret output, diff, check failure, error or log line", async () => {
    const { configVarsProvider: provider, PROVIDER_VERSION } =
      await import("../infra/heroku/provider");
    const SENTINELS = ["sentinel-leak-api-key-0001", "sentinel-leak-client-secret-0002", TOKEN];
    const seen: string[] = [];
    const logged: string[] = [];
    const capture = (s: unknown) => {
      logged.push(String(s));
      return true;
    };
    const out = vi.spyOn(process.stdout, "write").mockImplementation(capture);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(capture);
    const saved = { ...process.env };
    const local = new FakeHeroku(TOKEN);
    try {
      process.env["HEROKU_API_URL"] = await local.start();
      process.env["HEROKU_API_KEY"] = TOKEN;
      process.env["HEROKU_API_RETRY_BASE_MS"] = "1";
      local.apps.set("raxx-console-prod", { DATABASE_URL: "postgres://db" });
      const vars = {
        FREESCOUT_API_KEY: SENTINELS[0]!,
        CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: SENTINELS[1]!,
      };
      const news = (v: Record<string, string>) => ({
        app: "raxx-console-prod",
        vars: v,
        keys: Object.keys(v).sort(),
        providerVersion: PROVIDER_VERSION,
      });
      const visible = (o: Record<string, unknown> | undefined) => {
        const { vars: _secret, ...rest } = o ?? {};
        seen.push(JSON.stringify(rest));
      };
      const fails = async (p: Promise<unknown>) => {
        try {
          await p;
        } catch (e) {
          seen.push((e as Error).message, String((e as Error).stack));
          return;
        }
        throw new Error("expected a failure");
      };

      // check(olds, news): the bad value is in the new inputs, so the failure path runs.
      const checked = await provider.check!(
        news(vars),
        news({ ...vars, BAD: `${SENTINELS[0]!}\nx` }),
      );
      expect(checked.failures?.map((f) => f.property)).toEqual(["vars.BAD"]);
      seen.push(JSON.stringify(checked.failures));
      const created = await provider.create(news(vars));
      visible(created.outs as unknown as Record<string, unknown>);
      const changed = { ...vars, FREESCOUT_API_KEY: `${SENTINELS[0]!}-rotated` };
      seen.push(JSON.stringify(await provider.diff!(created.id, created.outs!, news(changed))));
      const updated = await provider.update!(created.id, created.outs!, news(changed));
      visible(updated.outs as unknown as Record<string, unknown>);
      delete local.apps.get("raxx-console-prod")!["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"];
      const read = await provider.read!(created.id, updated.outs);
      visible(read.props as unknown as Record<string, unknown>);
      local.inject({
        kind: "status",
        status: 422,
        id: "invalid_params",
        message: `rejected ${SENTINELS[1]!}`,
      });
      await fails(provider.update!(created.id, updated.outs!, news(vars)));
      process.env["HEROKU_API_KEY"] = "fake-heroku-key-some-other-wrong-token";
      await fails(provider.delete!(created.id, updated.outs!));
    } finally {
      out.mockRestore();
      err.mockRestore();
      await local.stop();
      process.env = saved;
    }
    const haystack = [...seen, ...logged].join("\n");
    expect(seen.length).toBeGreaterThanOrEqual(8);
    for (const s of SENTINELS) expect(haystack).not.toContain(s);
    expect(haystack).not.toContain("fake-heroku-key-some-other-wrong-token");
  });
});
