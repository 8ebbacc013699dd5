// Mutation testing (npm run test:mutation): which decisions no test pins. Incremental: the
// committed report (reports/stryker-incremental.json) lets a run re-test only mutants in changed
// code and the tests that cover them. Equivalent mutants are listed in stryker-equivalents.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.mts" },
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants such as the manifest) each need the whole suite: ~30 s
  // apiece, ~2 h for 535 of them on 2 cores. They are left out; the manifest is data the tests
  // assert directly.
  ignoreStatic: true,
  mutate: [
    "infra/features/**/*.ts",
    "infra/config.ts",
    "infra/credential-url.ts",
    "infra/heroku/validate.ts",
    "infra/heroku/provider.ts",
    "infra/heroku/client.ts",
    "policy/policies/**/*.ts",
    "policy/lib/**/*.ts",
  ],
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["html", "clear-text", "progress"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  thresholds: { high: 95, low: 90, break: null },
  concurrency: 2,
  timeoutMS: 20_000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
