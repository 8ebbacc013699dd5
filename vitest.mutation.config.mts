import { defineConfig } from "vitest/config";

// The suites StrykerJS runs per mutant (npm run test:mutation): the in-process ones. Suites that
// start Pulumi's real hosts, compile the provider in a child process or run the real CLI stay out:
// they take seconds per run and exercise the same decisions through slower paths.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [
      "test/e2e/**",
      "test/real-runtime.test.ts",
      "test/policy-pack-process.test.ts",
      "test/heroku-serialized.test.ts",
      "test/heroku-secrets.test.ts",
      "test/workflows.test.ts",
      "test/cli-shell.test.ts",
      "test/build-stamp.test.ts",
      "node_modules/**",
    ],
    // Activate the mutant before the test file's imports, then load the modules under mutation
    // (see each file).
    setupFiles: ["test/support/stryker-activate-early.ts", "test/support/stryker-load-modules.ts"],
    pool: "forks",
    isolate: true,
    testTimeout: 30_000,
  },
});
