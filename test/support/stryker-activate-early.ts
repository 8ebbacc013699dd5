/**
 * Setup file of mutation runs only (vitest.mutation.config.mts). StrykerJS 9.6.1's vitest runner
 * activates a mutant in a beforeAll hook, after the test file has imported the modules under test
 * (stryker-js#6144, #6209). A mutant in code that runs at import (a module-level pattern or
 * constant, the manifest) would never be active and would be reported as survived. Activating it
 * here, before the test file's imports, tests every mutant in the code as it would be.
 */
import { inject } from "vitest";

type Provided = (key: string) => unknown;
const provided = inject as unknown as Provided;
if (provided("mode") === "mutant") {
  const name = provided("globalNamespace") as string;
  const g = globalThis as unknown as Record<string, { activeMutant?: unknown } | undefined>;
  const ns = (g[name] ??= {});
  ns.activeMutant = provided("activeMutant");
}

// The modules under mutation, loaded before any test: code that runs at load is then "static" for
// StrykerJS in every test file. Loaded lazily inside a test (the offline runner imports the program
// when it runs it), it would be attributed to that one test, and the mutant tested with that test
// alone: reported as survived though other files' tests kill it.
await import("../../infra/config");
await import("../../infra/features/gate");
await import("../../infra/heroku/provider");
await import("../../policy/policies");
