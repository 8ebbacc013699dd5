/**
 * `npm run check -- [--stack prod] [--format text|markdown|json|mermaid] [--vault-fixture file.json]`
 *
 * Runs the program offline (Pulumi mock runtime: no CLI, no credentials, no network), evaluates
 * the policy pack on the resulting graph with @pulumi/policy's runtime, and prints a plan.
 * Exit codes: 0 clean, 1 mandatory violation or program error (the gate counts), 2 bad usage or
 * unreadable stack file.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { detectionRulesError } from "../infra/features/detection-rules";
import { catalog, FeatureDataError } from "../infra/features/catalog";
import { type Feature } from "../infra/features/manifest";
import { runStack } from "../infra/stack";
import { allPolicies } from "../policy/policies";
import { scanForCredentials } from "./credential-scan";
import { oneWriterProblems } from "./one-writer/shared-writers";
import { analyze } from "./offline/analyze";
import { readJsonFile } from "./json-input";
import {
  failed,
  renderMarkdown,
  renderMermaidPlan,
  renderText,
  toDocument,
  type Format,
} from "./offline/plan";
import { runProgram, type VaultMode } from "./offline/run-program";
import { loadStackFiles, readStackText, StackFileError } from "./stack-files";

export interface CheckOptions {
  readonly stack: string;
  readonly format: Format;
  /** Vault contents to run against; default: every field the manifest reads is assumed present. */
  readonly vault?: VaultMode;
  /** Project directory holding Pulumi.yaml. */
  readonly cwd?: string;
  /** A program variant instead of infra/index.ts (tests replay incidents with these). */
  readonly program?: () => Promise<Record<string, unknown>>;
  /** Config overrides on top of the stack file (full keys). */
  readonly configOverrides?: Record<string, string | undefined>;
  /** Clock for the expiry policy. */
  readonly now?: () => number;
  /**
   * The feature catalog the program, the policies and the plan read (tests pass fixtures);
   * default: infra/features/data/*.json. A catalog given here is checked for Sentry's values first.
   */
  readonly features?: readonly Feature[];
}

export interface CheckResult {
  readonly exitCode: 0 | 1 | 2;
  readonly output: string;
}

export const USAGE =
  "usage: npm run check -- [--stack <name>] [--format text|markdown|json|mermaid] [--vault-fixture <file.json>]\n" +
  "  --stack          stack whose Pulumi.<name>.yaml to check (default: prod)\n" +
  "  --format         text (default), markdown (a PR comment under 60,000 characters), or json\n" +
  "                   (the comment's source, schema console-wiring-check/v1), or mermaid (the graph\n" +
  "                   as a Mermaid flowchart)\n" +
  '  --vault-fixture  JSON {"<mount>/<path>": {field: value}} to run against instead of assuming\n' +
  "                   every Vault field the manifest reads is present";

/**
 * A failure before the program runs (the feature files, a credential in the stack file), in the format asked for: text is the
 * message itself; json, markdown and mermaid stay their format, with the message as the
 * document's programError, so a reader of --format json always gets JSON.
 */
function stoppedEarly(options: CheckOptions, message: string): CheckResult {
  if (options.format === "text") return { exitCode: 1, output: message };
  return {
    exitCode: 1,
    output: render(options.format, {
      stack: options.stack,
      resources: [],
      programError: message,
      notes: [],
    }),
  };
}

function render(format: Format, plan: Parameters<typeof renderText>[0]): string {
  return format === "markdown"
    ? renderMarkdown(plan)
    : format === "json"
      ? JSON.stringify(toDocument(plan))
      : format === "mermaid"
        ? renderMermaidPlan(plan)
        : renderText(plan);
}

export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const cwd = options.cwd ?? process.cwd();
  let files;
  try {
    files = loadStackFiles(options.stack, cwd);
  } catch (err) {
    if (err instanceof StackFileError)
      return { exitCode: 2, output: `console-wiring check: ${err.message}` };
    throw err;
  }
  const config = { ...files.config };
  for (const [k, v] of Object.entries(options.configOverrides ?? {})) {
    if (v === undefined) delete config[k];
    else config[k] = v;
  }

  // The manifest first: a detection rule Sentry cannot create fails every stack the same way.
  let features: readonly Feature[];
  try {
    features = options.features ?? catalog();
  } catch (err) {
    if (err instanceof FeatureDataError) return stoppedEarly(options, err.message);
    throw err;
  }
  const manifestError = detectionRulesError(features);
  if (manifestError) return stoppedEarly(options, manifestError);

  const notes: string[] = [];
  const stackFile = `Pulumi.${options.stack}.yaml`;
  const leaks = scanForCredentials(readStackText(join(cwd, stackFile)));
  if (leaks.length > 0 || files.secureKeys.length > 0) {
    const lines = leaks.map((l) => `${stackFile}:${l.line}: ${l.rule}`);
    return stoppedEarly(
      options,
      `console-wiring check: ${stackFile} holds what looks like a credential; stack files of this project hold none ` +
        `(credentials come from the environment, values from Vault). Remove it and rotate it if it was real:\n` +
        lines.map((l) => `  - ${l}`).join("\n"),
    );
  }

  const shared = oneWriterProblems(options.stack, cwd);
  if (shared.length > 0) {
    return {
      exitCode: 1,
      output:
        `console-wiring check: one writer per app and per token; ${stackFile} shares with another stack file:\n` +
        shared.map((l) => `  - ${l}`).join("\n"),
    };
  }

  const vault = options.vault ?? "assume-present";
  if (vault === "assume-present") {
    notes.push(
      "Vault values are assumed present offline; `pulumi preview` reads the real ones and the gate re-checks them.",
    );
  }
  notes.push(
    "Values computed by providers (IDs, the service token's credentials and expiry) are unknown, as in a first preview.",
  );

  const run = await runProgram({
    config,
    vault,
    preview: true,
    unknownComputed: true,
    program:
      options.program ?? (() => runStack(features) as unknown as Promise<Record<string, unknown>>),
    features,
  });
  const input = {
    stack: options.stack,
    resources: run.resources,
    programError: run.error ? run.error.message : undefined,
    notes: [...notes, ...run.warnings.map((w) => `program warning: ${w}`)],
  };
  const analysis = run.error
    ? undefined
    : await analyze(run.resources, allPolicies({ features, expiry: { now: options.now } }));
  const plan = { ...input, analysis };
  return { exitCode: failed(plan) ? 1 : 0, output: render(options.format, plan) };
}

export function parseCli(
  argv: readonly string[],
): CheckOptions | { usageError: string } | { help: true } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string", default: "prod" },
        format: { type: "string", default: "text" },
        "vault-fixture": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    return { usageError: (err as Error).message };
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  if (!["text", "markdown", "json", "mermaid"].includes(v.format ?? "")) {
    return { usageError: `--format must be text, markdown, json or mermaid, not "${v.format}"` };
  }
  let vault: VaultMode | undefined;
  const fixture = v["vault-fixture"];
  if (fixture !== undefined) {
    if (fixture === "") return { usageError: "--vault-fixture needs a file name" };
    try {
      vault = vaultFixture(readJsonFile(fixture, `--vault-fixture ${fixture}`));
    } catch (err) {
      return { usageError: (err as Error).message };
    }
  }
  return { stack: v.stack ?? "prod", format: v.format as Format, vault };
}

/** A Vault fixture: "mount/path" → { field: string value }. Anything else is bad usage. */
function vaultFixture(value: unknown): VaultMode {
  const shape =
    '--vault-fixture must hold an object of "mount/path" -> { field: "value" } (strings only)';
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(shape);
  for (const data of Object.values(value)) {
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw new Error(shape);
    if (!Object.values(data as object).every((f) => typeof f === "string")) throw new Error(shape);
  }
  return value as VaultMode;
}

/** Entry point (tools/run.cjs calls it): prints the result and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const cli = parseCli(argv);
  if ("help" in cli) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ("usageError" in cli) {
    process.stderr.write(`console-wiring check: ${cli.usageError}\n${USAGE}\n`);
    return 2;
  }
  const result = await runCheck(cli);
  (result.exitCode === 2 ? process.stderr : process.stdout).write(`${result.output}\n`);
  return result.exitCode;
}
