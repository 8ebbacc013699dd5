// Mutation testing (npm run test:mutation): which decisions no test pins. Incremental: the
// committed report (reports/stryker-incremental.json) lets a run re-test only mutants in changed
// code and the tests that cover them. Equivalent mutants are listed in stryker-equivalents.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.mts" },
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants: patterns, the manifest, key lists) are run, each with
  // every test file that imports its module: slow, but with the vitest runner 9.6.1 ignoring them
  // also runs the "hybrid" ones with runtime activation, which reports killed mutants as survived
  // (stryker-js#6144).
  ignoreStatic: false,
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
  // json: reports/mutation/mutation.json, which tools/mutation-floor.ts reads for the per-file floor.
  reporters: ["html", "json", "clear-text", "progress"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 95, low: 90, break: null },
  concurrency: 2,
  timeoutMS: 20_000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
