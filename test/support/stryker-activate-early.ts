/**
 * Setup file of mutation runs only (vitest.mutation.config.mts), run before the test file's
 * imports. StrykerJS 9.6.1's vitest runner activates a mutant in a beforeAll hook, after the test
 * file has imported the modules under test (stryker-js#6144, #6209): a mutant in code that runs at
 * import would not be active there. Activating it here tests the code as the mutant makes it.
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
