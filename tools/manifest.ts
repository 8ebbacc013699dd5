/**
 * `npm run manifest -- [--stack <name>] [--format text|json|markdown]`: the deployment checklist,
 * printed from the feature files, infra/features/data/<id>.json (the data the program, the gate,
 * the policies and the app's startup check all use): every feature, or with --stack the features
 * that stack selects. For each feature: its flags, every prerequisite with its source, whether it
 * is secret and why it is needed, and its detection rules. Exit codes: 0; 1 when a feature file is
 * refused (its problems, as npm run check prints them); 2 on bad usage or a stack file that cannot
 * be read.
 */
import { parseArgs } from "node:util";
import { catalog, FeatureDataError } from "../infra/features/catalog";
import { describeSource, PREREQUISITES_VAR, type Feature } from "../infra/features/manifest";
import { ConfigError, parseConfig } from "../infra/config";
import { code, inline } from "./comment/markdown";
import { loadStackFiles, projectConfig, StackFileError } from "./stack-files";

export const USAGE =
  "usage: npm run manifest -- [--stack <name>] [--format text|json|markdown]\n" +
  "  --stack   only the features Pulumi.<name>.yaml selects (console-wiring:features); default: every feature file";

/** The Access gate a feature's calls pass, and what a stack sets for it. */
export interface ChecklistGate {
  readonly id: string;
  readonly description: string;
  /** Where the gate stands: the stack's host for it, and the guarded path. */
  readonly guards: string;
  readonly urlVars: readonly string[];
  readonly clientIdVar: string;
  readonly clientSecretVar: string;
  /** The stack config the gate needs (console-wiring:gates.<id>.…). */
  readonly config: readonly string[];
}

export interface ChecklistEntry {
  readonly feature: string;
  readonly description: string;
  /** Absent for a feature whose calls pass no Access gate. */
  readonly gate?: ChecklistGate;
  readonly flags: readonly string[];
  readonly prerequisites: readonly {
    readonly name: string;
    readonly source: string;
    readonly secret: boolean;
    readonly purpose: string;
  }[];
  readonly detection: readonly {
    readonly id: string;
    readonly summary: string;
    readonly rule: string;
  }[];
}

export function checklist(features: readonly Feature[] = catalog()): ChecklistEntry[] {
  return features.map((f) => ({
    feature: f.id,
    description: f.description,
    ...(f.gate === undefined
      ? {}
      : {
          gate: {
            id: f.gate.id,
            description: f.gate.description,
            guards: `console-wiring:gates.${f.gate.id}.host + ${f.gate.apiPath}`,
            urlVars: [...f.gate.urlVars],
            clientIdVar: f.gate.clientIdVar,
            clientSecretVar: f.gate.clientSecretVar,
            config: [
              `console-wiring:gates.${f.gate.id}.host (the gated host; its URL vars point at it)`,
              `console-wiring:gates.${f.gate.id}.vaultPath (the Vault secret its service token is written to)`,
            ],
          },
        }),
    flags: [...f.flags],
    prerequisites: f.requires.map((v) => ({
      name: v.name,
      source: describeSource(v),
      secret: v.secret,
      purpose: v.purpose,
    })),
    detection: (f.detection ?? []).map((r) => ({
      id: r.id,
      summary: r.summary,
      rule: `Sentry issue alert: more than ${r.moreThan} events of one issue in ${r.windowMinutes} minutes from logger ${r.logger} whose message contains "${r.messageContains}"; email the ops team, at most every ${r.notifyAtMostEveryMinutes} minutes (stack config sentryOrganization, sentryProject, sentryOpsTeamId)`,
    })),
  }));
}

export function renderText(entries: readonly ChecklistEntry[]): string {
  const out: string[] = [];
  for (const e of entries) {
    out.push(`Feature ${e.feature}: ${e.description}`);
    out.push(
      `  Flags (each "1" to turn on; the stack sets them only after everything below): ${e.flags.join(", ")}`,
    );
    if (e.gate) {
      const g = e.gate;
      out.push(`  Gate ${g.id}: ${g.description}`);
      out.push(
        `    Cloudflare Access on ${g.guards}; ${g.urlVars.join(", ")} must point there; the service token goes to ${g.clientIdVar} and ${g.clientSecretVar}`,
      );
      for (const c of g.config) out.push(`    [ ] ${c}`);
    }
    out.push("  Prerequisites (all set, non-empty, on the same Heroku app):");
    for (const p of e.prerequisites) {
      out.push(`    [ ] ${p.name}${p.secret ? " (secret)" : ""}: ${p.purpose}`);
      out.push(`        source: ${p.source}`);
    }
    out.push("  Detection (must exist before any flag is on):");
    for (const d of e.detection) out.push(`    [ ] ${d.id}: ${d.summary}\n        ${d.rule}`);
    if (e.detection.length === 0) out.push("    (none declared)");
    out.push("");
  }
  out.push(
    `The app reads ${PREREQUISITES_VAR} (flag var -> the vars it needs, compact JSON) at startup: docs/startup-check.md, "The app's startup check".`,
  );
  return out.join("\n");
}

export function renderMarkdown(entries: readonly ChecklistEntry[]): string {
  const out: string[] = ["# Deployment checklist (from infra/features/data/)", ""];
  for (const e of entries) {
    out.push(`## Feature ${code(e.feature)}`, "", inline(e.description), "");
    out.push(`Flags: ${e.flags.map(code).join(", ")}`, "");
    if (e.gate) {
      const g = e.gate;
      out.push(
        `Gate ${code(g.id)}: ${inline(g.description)} Cloudflare Access on ${inline(g.guards)}; ${g.urlVars.map(code).join(", ")} must point there; the service token goes to ${code(g.clientIdVar)} and ${code(g.clientSecretVar)}.`,
        "",
      );
      for (const c of g.config) out.push(`- [ ] ${inline(c)}`);
      out.push("");
    }
    out.push("| done | var | secret | why | source |", "|---|---|---|---|---|");
    for (const p of e.prerequisites) {
      out.push(
        `| [ ] | ${code(p.name)} | ${p.secret ? "yes" : "no"} | ${inline(p.purpose)} | ${inline(p.source)} |`,
      );
    }
    out.push("", "Detection:", "");
    for (const d of e.detection)
      out.push(`- [ ] ${code(d.id)}: ${inline(d.summary)}. ${inline(d.rule)}`);
    if (e.detection.length === 0) out.push("- (none declared)");
    out.push("");
  }
  return out.join("\n");
}

export function main(
  argv: readonly string[],
  cwd: string = process.cwd(),
  loadCatalog: () => readonly Feature[] = catalog,
): Promise<number> {
  let format: string;
  let features: readonly Feature[];
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { format: { type: "string", default: "text" }, stack: { type: "string" } },
      strict: true,
      allowPositionals: false,
    });
    format = values.format ?? "text";
    features =
      values.stack === undefined
        ? loadCatalog()
        : parseConfig(projectConfig(loadStackFiles(values.stack, cwd)), loadCatalog()).features;
  } catch (err) {
    // The feature files' own problems, each with its file, field and fix: no stack trace.
    if (err instanceof FeatureDataError) {
      process.stderr.write(`${err.message}\n`);
      return Promise.resolve(1);
    }
    const known = err instanceof StackFileError || err instanceof ConfigError;
    if (!known && !(err instanceof TypeError)) throw err;
    process.stderr.write(`console-wiring manifest: ${err.message}\n${USAGE}\n`);
    return Promise.resolve(2);
  }
  const entries = checklist(features);
  if (format === "json") process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
  else if (format === "markdown") process.stdout.write(`${renderMarkdown(entries)}\n`);
  else if (format === "text") process.stdout.write(`${renderText(entries)}\n`);
  else {
    process.stderr.write(
      `console-wiring manifest: --format must be text, json or markdown\n${USAGE}\n`,
    );
    return Promise.resolve(2);
  }
  return Promise.resolve(0);
}
