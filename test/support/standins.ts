/**
 * What the stand-in tests (test/standins-*.test.ts) share when they drive a stand-in plugin
 * (test/e2e/standins/) in-process: the inputs' type, a resource URN in the e2e stack, and a fresh
 * store per test (the plugins keep their objects under E2E_STANDIN_DIR).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach } from "vitest";

/** A resource's inputs or outputs as the plugin sees them. */
export type P = Record<string, unknown>;

/** A resource's URN in the e2e stack (project console-wiring, stack e2e). */
export const standinUrn = (type: string, name: string) =>
  `urn:pulumi:e2e::console-wiring::${type}::${name}`;

/** Each test of the calling describe block gets an empty store of its own. */
export function freshStandinStore(prefix: string): void {
  beforeEach(() => {
    process.env["E2E_STANDIN_DIR"] = mkdtempSync(join(tmpdir(), prefix));
  });
}
