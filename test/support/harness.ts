/**
 * Test wrapper around the offline runner (tools/offline/run-program.ts): runs the program under
 * Pulumi's mock runtime and gives back the captured register requests.
 */
export { runProgram as runStack } from "../../tools/offline/run-program";
export type { Captured, VaultFixture, RunResult } from "../../tools/offline/run-program";
import type { Captured } from "../../tools/offline/run-program";

/** The resource of a given name; fails the test when it was not registered. */
export function byName(resources: readonly Captured[], name: string): Captured {
  const found = resources.find((r) => r.name === name);
  if (!found)
    throw new Error(
      `no resource named ${name}; registered: ${resources.map((r) => r.name).join(", ")}`,
    );
  return found;
}
