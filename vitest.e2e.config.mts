import { defineConfig } from "vitest/config";

// The end-to-end suite: the real Pulumi CLI (built from Go modules) against local fakes and
// stand-in plugins. Slow by nature (each CLI command starts the engine, the language host and
// plugins), so it has its own command, `npm run test:e2e`, and runs one file at a time.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 1_800_000,
  },
});
