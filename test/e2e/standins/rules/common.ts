/**
 * Helpers shared by the stand-ins' rule modules. The rule modules are pure (no I/O, no engine):
 * the stand-in plugins call them, and test/standins-*.test.ts unit-test them in-process.
 */
import { UNKNOWN } from "../store";

export type Props = Record<string, unknown>;

/** A Check failure as the engine reports it (same shape as @pulumi/pulumi/provider's). */
export interface Failure {
  readonly property: string;
  readonly reason: string;
}

/** How a property differs between the state and the plan (pulumirpc.PropertyDiff.Kind). */
export type DiffKind = "add" | "delete" | "update";

export interface PlannedDiff {
  readonly changes: boolean;
  /** Properties whose planned value differs from the state's, with how. */
  readonly diffs: Readonly<Record<string, DiffKind>>;
  readonly replaces: readonly string[];
  readonly deleteBeforeReplace: boolean;
}

/** A value not known yet (preview): validators skip it, as the Terraform plugin framework does. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** Null and absent are the same value to Terraform. */
export function isNull(value: unknown): boolean {
  return value === undefined || value === null;
}

export function isSet(value: unknown): boolean {
  return !isNull(value) && !isUnknown(value);
}

/** Structural equality with object keys in any order and null equal to absent. */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Props)
      .filter(([, v]) => !isNull(v))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value ?? null;
}

/** The diff kind between a state value and a planned one (null when they are the same). */
export function kindOf(state: unknown, planned: unknown): DiffKind | null {
  if (same(state, planned)) return null;
  if (isNull(state)) return "add";
  if (isNull(planned)) return "delete";
  return "update";
}

/** Props without absent or null values. */
export function compact(props: Props): Props {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => !isNull(v)));
}

export function asList(value: unknown): Props[] {
  return Array.isArray(value) ? (value as Props[]) : [];
}

/** Terraform's spelling of a Pulumi property path (camelCase → snake_case). */
export function tf(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .replace(/([a-zA-Z])(\d+)/g, "$1_$2")
    .replace(/(\d)([A-Z])/g, "$1_$2")
    .toLowerCase();
}
