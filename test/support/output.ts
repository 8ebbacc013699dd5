/**
 * Runs a command's main function with process.stdout and process.stderr captured, for the CLI
 * tests: what it printed is returned, not shown, and the streams are restored even when it throws.
 */
import { vi } from "vitest";

export interface Captured<T> {
  readonly result: T;
  readonly out: string;
  readonly err: string;
}

export async function captureOutput<T>(run: () => Promise<T>): Promise<Captured<T>> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  try {
    const result = await run();
    return { result, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
