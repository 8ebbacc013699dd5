import { defineConfig } from "vitest/config";

// The end-to-end suite: the real Pulumi CLI (built from Go modules) against local fakes and
// stand-in plugins. Slow by nature (each CLI command starts the engine, the language host and
// plugins), so it has its own command, `npm run test:e2e`, and runs one file at a time.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    pool: "forks",
    fileParallelism: false,
    // A deploy now makes one more config-vars step (per gate and per feature); a scenario of several
    // deploys took close to 300 s on a loaded 2-core machine. A limit, not a timing assertion.
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
  },
});
