/**
 * `npm run drift-report -- preview.json [--preview-exit-code <n>] [--stack <name>]`: reads `pulumi preview --refresh --json` output and
 * lists each resource that would change with the keys involved, never a value (the JSON holds
 * states; this prints only resource names, operations and property paths). With `--stack`, also
 * reads the app (HEROKU_API_KEY) for a catalog flag on there that the stack does not declare: the
 * preview cannot show it, as the stack reads only the keys its state records
 * (smoke/unaccounted-flags.ts). Writes the same to $GITHUB_STEP_SUMMARY when set.
 * Exit codes: 0 no drift, 1 drift or a failed preview, 2 unreadable.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseJsonText, readJsonFile } from "./json-input";
import { unaccountedFlagsReport } from "./smoke/unaccounted-flags";
import { appendSummary, logSafe } from "./summary";

interface State {
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

interface Step {
  op?: string;
  urn?: string;
  oldState?: State;
  newState?: State;
  diffReasons?: string[];
  detailedDiff?: Record<string, unknown>;
}

interface Preview {
  steps?: Step[];
  diagnostics?: { severity?: string; message?: string; urn?: string }[];
}

export interface DriftItem {
  readonly resource: string;
  readonly op: string;
  readonly keys: string[];
  /** The Access gate the resource belongs to (its token, policy or application), if any. */
  readonly gate?: string;
}

const UNCHANGED = new Set(["same", "read", "refresh"]);
const HEROKU = "pulumi-nodejs:dynamic/heroku:ConfigVars";

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/** The component types of a gate's Access objects (the old one still names prod's tickets). */
const GATE_COMPONENTS = new Set([
  "console-wiring:cloudflare:AccessGate",
  "console-wiring:cloudflare:TicketsAccess",
]);

/**
 * The gate a resource belongs to: a child of a gate component (`<gate>-service-token[-g<n>]`,
 * `<gate>-policy`, `<gate>-application`), read from its URN's parent types and its name.
 */
export function gateOf(urn: string): string | undefined {
  const parents = (urn.split("::")[2] ?? "").split("$").slice(0, -1);
  if (!parents.some((t) => GATE_COMPONENTS.has(t))) return undefined;
  return /^(.+)-(?:service-token(?:-g\d+)?|policy|application)$/.exec(typeAndName(urn).name)?.[1];
}

function typeAndName(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").at(-1) ?? "";
  return { type, name: parts[3] ?? urn };
}

/** The keys a step involves: property paths, and for Heroku config vars the var names. */
export function keysOf(step: Step): string[] {
  const keys = new Set<string>([
    ...Object.keys(step.detailedDiff ?? {}),
    ...(step.diffReasons ?? []),
  ]);
  if (typeAndName(step.urn ?? "").type === HEROKU) {
    const before = strings(step.oldState?.inputs?.["keys"]);
    const after = strings(step.newState?.inputs?.["keys"]);
    for (const k of after) if (!before.includes(k)) keys.add(`vars.${k} (missing on the app)`);
    for (const k of before) if (!after.includes(k)) keys.add(`vars.${k} (no longer declared)`);
    for (const k of strings(step.oldState?.outputs?.["driftedKeys"]))
      keys.add(`vars.${k} (changed or removed by hand)`);
    if ([...keys].some((k) => k.startsWith("vars."))) {
      keys.delete("vars");
      keys.delete("keys");
    }
  }
  return [...keys].sort();
}

/**
 * `pulumi preview --json` output, checked before use: an object whose `steps` and `diagnostics`
 * (when present) are arrays of objects with string fields. Anything else is exit 2, not "none".
 */
export function previewShape(value: unknown, what: string): Preview {
  const bad = (why: string) => new Error(`${what} is not pulumi preview --json output: ${why}`);
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw bad("the document must be an object");
  const doc = value as Record<string, unknown>;
  const listOf = (key: string, fields: readonly string[]) => {
    const list = doc[key];
    if (list === undefined) return;
    if (!Array.isArray(list)) throw bad(`.${key} must be an array`);
    list.forEach((item, i) => {
      if (typeof item !== "object" || item === null || Array.isArray(item))
        throw bad(`.${key}[${i}] must be an object`);
      for (const f of fields) {
        const v = (item as Record<string, unknown>)[f];
        if (v !== undefined && typeof v !== "string")
          throw bad(`.${key}[${i}].${f} must be a string`);
      }
    });
  };
  listOf("steps", ["op", "urn"]);
  listOf("diagnostics", ["severity", "message", "urn"]);
  if (doc["steps"] === undefined && doc["diagnostics"] === undefined)
    throw bad("it has neither steps nor diagnostics");
  return doc;
}

/** Resources listed in a report at most, and keys per resource. */
const ITEM_LIMIT = 200;
const KEY_LIMIT = 50;

export function driftItems(preview: Preview): DriftItem[] {
  return (preview.steps ?? [])
    .filter((s) => s.op && !UNCHANGED.has(s.op))
    .map((s) => {
      const gate = gateOf(s.urn ?? "");
      return {
        resource: typeAndName(s.urn ?? "").name,
        op: s.op!,
        keys: keysOf(s),
        ...(gate === undefined ? {} : { gate }),
      };
    });
}

/**
 * The drift report. `previewExitCode` is the preview's own exit code, when known: with `--json`
 * the engine leaves policy violations out of the JSON, so a preview that failed on a policy
 * shows neither a change nor an error there, and only its exit code tells.
 */
export function report(
  preview: Preview,
  previewExitCode?: number,
): { exitCode: 0 | 1; text: string } {
  const items = driftItems(preview);
  const errors = (preview.diagnostics ?? []).filter((d) => d.severity === "error");
  const lines: string[] = [];
  if (items.length === 0 && errors.length === 0) {
    if (previewExitCode !== undefined && previewExitCode !== 0) {
      return {
        exitCode: 1,
        text:
          `console-wiring drift: unknown: pulumi preview failed (exit ${previewExitCode}) and its JSON shows no change and no error. ` +
          "With --json the engine leaves out policy violations: read the preview's log for the policy or error that stopped it.",
      };
    }
    return { exitCode: 0, text: "console-wiring drift: none (the live state matches the program)" };
  }
  if (items.length > 0) {
    lines.push(
      `console-wiring drift: ${items.length} resource${items.length === 1 ? "" : "s"} differ from the program (values not shown)`,
    );
    for (const i of items.slice(0, ITEM_LIMIT)) {
      const keys = i.keys.slice(0, KEY_LIMIT);
      if (i.keys.length > KEY_LIMIT) keys.push(`… and ${i.keys.length - KEY_LIMIT} more`);
      const gate = i.gate === undefined ? "" : ` (gate ${i.gate})`;
      lines.push(
        `  ${i.op.padEnd(8)} ${i.resource}${gate}: ${keys.join(", ") || "(no property detail)"}`,
      );
    }
    if (items.length > ITEM_LIMIT)
      lines.push(`  … and ${items.length - ITEM_LIMIT} more resources`);
    lines.push(
      "Fix: review who changed it; re-run deploy.yml to put the program's state back (its `pulumi up --refresh` reads the live systems first; a plain `pulumi up` compares with state and leaves a hand change as it is), or change the program to match.",
    );
  }
  for (const e of errors)
    lines.push(`preview error: ${(e.message ?? "").split("\n")[0]?.slice(0, 300) ?? ""}`);
  return { exitCode: 1, text: lines.join("\n") };
}

export const USAGE =
  "usage: npm run drift-report -- <preview.json> [--preview-exit-code <n>] [--stack <name>]\n" +
  "  reads `pulumi preview --refresh --expect-no-changes --json` output; pass the preview's exit code;\n" +
  "  --stack: also read the app's flags (HEROKU_API_KEY) for one the stack does not declare";

export async function main(argv: readonly string[]): Promise<number> {
  let file: string | undefined;
  let previewExitCode: number | undefined;
  let stack: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { "preview-exit-code": { type: "string" }, stack: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 1) throw new Error("one preview file at most");
    file = positionals[0];
    const code = values["preview-exit-code"];
    if (code !== undefined) {
      if (!/^\d{1,3}$/.test(code))
        throw new Error("--preview-exit-code takes the preview's exit code (0-255)");
      previewExitCode = Number(code);
    }
    stack = values.stack;
    if (stack !== undefined && !/^[\w.-]+$/.test(stack))
      throw new Error("--stack must be a stack name");
  } catch (err) {
    process.stderr.write(`console-wiring drift-report: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let preview: Preview;
  try {
    const what = file ?? "stdin";
    const value =
      file === undefined ? parseJsonText(readFileSync(0, "utf8"), what) : readJsonFile(file);
    preview = previewShape(value, what);
  } catch (err) {
    process.stderr.write(`console-wiring drift-report: ${(err as Error).message}\n`);
    return 2;
  }
  const drift = report(preview, previewExitCode);
  const flags = stack === undefined ? undefined : await unaccountedFlagsReport(stack);
  const text = flags === undefined ? drift.text : `${drift.text}\n${flags.text}`;
  process.stdout.write(`${logSafe(text)}\n`);
  appendSummary("Drift", text);
  return Math.max(drift.exitCode, flags?.exitCode ?? 0);
}
