import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The end-to-end suite (real CLI) has its own config and command: npm run test:e2e.
    exclude: ["test/e2e/**", "node_modules/**"],
    // Pulumi's runtime state (mocks, config, stack resource) is process-global: the default
    // `forks` pool with per-file isolation gives each test file its own.
    pool: "forks",
    isolate: true,
    testTimeout: 30_000,
  },
});
