// Mutation testing (npm run test:mutation): which decisions no test pins. Incremental: the
// committed report (reports/stryker-incremental.json) lets a run re-test only mutants in changed
// code and the tests that cover them. Equivalent mutants are listed in stryker-equivalents.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.mts" },
  coverageAnalysis: "perTest",
  // Static mutants (code that runs when a module loads: module-level patterns and constants, the
  // manifest's data) are not run: each one needs every test file that imports its module (~50 s
  // here) and a cold run would take over an hour more. Reported as "Ignored", counted by
  // tools/mutation-floor.ts; `npx stryker run --ignoreStatic false` runs them. The tests pin those
  // constants directly (patterns at their edges, the manifest's names and secret marks).
  // Mutants that run both at load and in a test ("hybrid") are run; the vitest setup file
  // test/support/stryker-activate-early.ts makes their activation correct.
  ignoreStatic: true,
  mutate: [
    "infra/features/**/*.ts",
    "infra/config.ts",
    "infra/credential-url.ts",
    "infra/heroku/validate.ts",
    "infra/heroku/provider.ts",
    "infra/heroku/client.ts",
    "infra/heroku/errors.ts",
    "infra/heroku/cancel.ts",
    "infra/heroku/prerequisites.ts",
    "policy/policies/**/*.ts",
    "policy/lib/**/*.ts",
  ],
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  // json: reports/mutation/mutation.json, which tools/mutation-floor.ts reads for the per-file floor.
  reporters: ["html", "json", "clear-text", "progress"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // break: the score over all files; tools/mutation-floor.ts then holds each file to 90.
  thresholds: { high: 95, low: 90, break: 90 },
  concurrency: 2,
  timeoutMS: 20_000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
