import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Pulumi's runtime state (mocks, config, stack resource) is process-global: the default
    // `forks` pool with per-file isolation gives each test file its own.
    pool: "forks",
    isolate: true,
    testTimeout: 30_000,
  },
});
