/**
 * The feature catalog: every `infra/features/data/<id>.json` file, validated against
 * infra/features/data/feature.schema.json with ajv, then against each other (a var shared by two features
 * means the same thing in both, a flag belongs to one feature, each feature alerts on its own
 * startup-check message) and against what Sentry accepts for an alert. Every error names the
 * file, the field (a JSON pointer) and the fix. A stack selects features from this catalog
 * (console-wiring:features); code never lists them.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import Ajv, { type ErrorObject } from "ajv";
import { detectionRuleProblems } from "./detection-rules";
import { configBudgetProblems, featureRuleProblems } from "./feature-rules";
import { GATE_SCHEMA_FILE, gateProblemsOf, GATES_DIR, loadGates } from "./gates";
import { readJsonData } from "./read-json";
import {
  PREREQUISITES_VAR,
  type DetectionRule,
  type Feature,
  type Gate,
  type RequiredVar,
  type SmokeProbe,
  type StartupCheck,
} from "./model";

export const SCHEMA_FILE = "feature.schema.json";

/** The catalog adds the prerequisite map's var to each feature that does not declare it. */
export { PREREQUISITES_VAR };

const PREREQUISITE_MAP: RequiredVar = {
  name: PREREQUISITES_VAR,
  secret: false,
  source: { kind: "manifest" },
  purpose: "the prerequisite map (flag var -> the vars it needs) the console's startup check reads",
};

/** Where the feature files live, relative to the project root. */
export const FEATURES_DIR = join("infra", "features", "data");

/**
 * The project's infra/features/data/ directory, found upwards from here: this file runs from
 * infra/features/ (ts-node, the engine) or bin/infra/features/ (compiled tools), and tsc does
 * not copy JSON into bin/. The data lives under infra/ so that every copy of the program (the
 * end-to-end suite copies infra/ and policy/) carries it.
 */
export function defaultFeaturesDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, FEATURES_DIR, SCHEMA_FILE))) return join(dir, FEATURES_DIR);
    if (dirname(dir) === dir)
      throw new Error(`console-wiring: no ${FEATURES_DIR}/${SCHEMA_FILE} above ${from}`);
  }
}

export class FeatureDataError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `console-wiring: the feature files have ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was applied.\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "FeatureDataError";
  }
}

/** A feature file as the schema describes it. */
interface FeatureFile {
  readonly id: string;
  readonly description: string;
  readonly gate?: string;
  readonly flags: string[];
  readonly prerequisites: RequiredVar[];
  readonly startupCheck: StartupCheck;
  readonly detection: DetectionRule[];
  readonly smoke: SmokeProbe[];
}

/** The fix for one schema error, in words a person editing the file can act on. */
function fixOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return `add the field "${String(p["missingProperty"])}"`;
    case "additionalProperties":
      return `remove "${String(p["additionalProperty"])}" (not a field here; see ${FEATURES_DIR}/${SCHEMA_FILE})`;
    case "enum":
      return `use one of ${(p["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `use ${JSON.stringify(p["allowedValue"])}`;
    case "pattern":
      return `make it match ${String(p["pattern"])}`;
    case "type":
      return `make it a${String(p["type"]).match(/^[aeiou]/) ? "n" : ""} ${String(p["type"])}`;
    case "uniqueItems":
      return "remove the duplicate";
    case "maxLength":
      return `shorten it to at most ${String(p["limit"])} characters`;
    default:
      return `see ${FEATURES_DIR}/${SCHEMA_FILE}`;
  }
}

let validator: ReturnType<Ajv["compile"]> | undefined;
let validatorDir: string | undefined;

function validate(schemaDir: string): ReturnType<Ajv["compile"]> {
  if (validator && validatorDir === schemaDir) return validator;
  const schema = JSON.parse(readFileSync(join(schemaDir, SCHEMA_FILE), "utf8")) as object;
  validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  validatorDir = schemaDir;
  return validator;
}

/** Schema problems of one parsed file, each naming the file, the JSON pointer and the fix. */
export function schemaProblems(file: string, data: unknown, schemaDir: string): string[] {
  const check = validate(schemaDir);
  if (check(data)) return [];
  // `if`/`then` wrappers repeat what the errors inside them say.
  return (check.errors ?? [])
    .filter((e) => e.keyword !== "if")
    .map((e) => `${file}: ${e.instancePath || "/"} ${e.message ?? "is invalid"}: ${fixOf(e)}.`);
}

/** Problems no schema can state: the file's name, and rules that span fields. */
function fileProblems(file: string, f: FeatureFile): string[] {
  const problems: string[] = [];
  const stem = basename(file, ".json");
  if (f.id !== stem)
    problems.push(`${file}: /id is "${f.id}" but the file is ${stem}.json: rename one to match.`);
  const names = f.prerequisites.map((v) => v.name);
  f.prerequisites.forEach((v, i) => {
    if (names.indexOf(v.name) !== i)
      problems.push(`${file}: /prerequisites/${i}/name ${v.name} is declared twice: remove one.`);
    if (f.flags.includes(v.name))
      problems.push(
        `${file}: /prerequisites/${i}/name ${v.name} is also a flag of the feature: a var is either.`,
      );
    if ((v.source.kind === "manifest") !== (v.name === PREREQUISITES_VAR))
      problems.push(
        `${file}: /prerequisites/${i} ${v.name}: only ${PREREQUISITES_VAR} has the source "manifest", and it always has it: give ${v.name} another source, or leave ${PREREQUISITES_VAR} out (every feature gets it).`,
      );
  });
  f.detection.forEach((rule, i) => {
    for (const problem of detectionRuleProblems(rule))
      problems.push(`${file}: /detection/${i} ${problem}.`);
  });
  const sc = f.startupCheck;
  if (
    f.detection.length > 0 &&
    !f.detection.some((r) => r.logger === sc.logger && r.messageContains === sc.message)
  ) {
    problems.push(
      `${file}: /startupCheck (logger ${sc.logger}, message ${sc.message}) is watched by none of /detection: give one rule "logger": "${sc.logger}" and "messageContains": "${sc.message}", so the feature's startup failure fires its alert.`,
    );
  }
  f.smoke.forEach((probe, i) => {
    for (const [field, name] of Object.entries(probe)) {
      if (field !== "probe" && !names.includes(name))
        problems.push(
          `${file}: /smoke/${i}/${field} ${String(name)} is not a prerequisite of the feature: the probe reads it from the app, so declare it under /prerequisites.`,
        );
    }
  });
  return problems;
}

/** Rules across files: a flag, an alert, a startup message belong to one feature; shared vars agree. */
function catalogProblems(files: readonly { file: string; feature: FeatureFile }[]): string[] {
  const problems: string[] = [];
  // Which file claims a key first is only the order of their names, not which one is new, so
  // a conflict names both files and the field in each.
  type Claim = { file: string; pointer: string };
  const ids = new Map<string, Claim>();
  const flags = new Map<string, Claim>();
  const rules = new Map<string, Claim>();
  const checks = new Map<string, Claim>();
  const vars = new Map<string, { file: string; v: RequiredVar; i: number }>();
  const allFlags = new Map(
    files.flatMap(({ file, feature }) =>
      feature.flags.map((f, i) => [f, { file, pointer: `/flags/${i}` }] as const),
    ),
  );
  for (const { file, feature } of files) {
    const claim = (map: Map<string, Claim>, key: string, what: string, pointer: string) => {
      const owner = map.get(key);
      if (owner !== undefined && owner.file !== file)
        problems.push(
          `${file}: ${pointer} ${what} is also ${owner.file}: ${owner.pointer}; each belongs to one feature: change it in one of the two files (the one you added or edited).`,
        );
      else map.set(key, { file, pointer });
    };
    claim(ids, feature.id, `id ${feature.id}`, "/id");
    feature.flags.forEach((f, i) => claim(flags, f, `flag ${f}`, `/flags/${i}`));
    feature.detection.forEach((r, i) =>
      claim(rules, r.id, `detection rule id ${r.id}`, `/detection/${i}/id`),
    );
    const sc = feature.startupCheck;
    claim(checks, `${sc.logger} ${sc.message}`, `startup check ${sc.message}`, "/startupCheck");
    feature.prerequisites.forEach((v, i) => {
      const flagOf = allFlags.get(v.name);
      // One owner per key on the app: the flags resource or the prerequisites one, never both.
      if (flagOf !== undefined && flagOf.file !== file)
        problems.push(
          `${file}: /prerequisites/${i}/name ${v.name} is a flag in ${flagOf.file}: ${flagOf.pointer}: a var is either a flag or a prerequisite. Rename it in one of the two files.`,
        );
      const earlier = vars.get(v.name);
      if (!earlier) return void vars.set(v.name, { file, v, i });
      // One var, one owner on the app: two features may share it only if it is the same value.
      if (
        earlier.v.secret !== v.secret ||
        JSON.stringify(earlier.v.source) !== JSON.stringify(v.source)
      ) {
        problems.push(
          `${file}: /prerequisites/${i} ${v.name} is also declared in ${earlier.file}: /prerequisites/${earlier.i} with another source or secret: a shared var has one value on the app, so declare it the same way in both files (change the one you added or edited).`,
        );
      }
    });
  }
  return problems;
}

function toFeature(f: FeatureFile, gates: readonly Gate[]): Feature {
  const gate = gates.find((g) => g.id === f.gate);
  return {
    id: f.id,
    description: f.description,
    ...(gate ? { gate } : {}),
    flags: f.flags,
    requires: f.prerequisites.some((v) => v.name === PREREQUISITES_VAR)
      ? f.prerequisites
      : [...f.prerequisites, PREREQUISITE_MAP],
    startupCheck: f.startupCheck,
    detection: f.detection,
    smoke: f.smoke,
  };
}

/**
 * Loads every feature file of the given directories (the schema is read from the first one's
 * sibling features/ directory, i.e. the project's). Throws one FeatureDataError listing every
 * problem of every file.
 */
export function loadFeatureCatalog(
  dirs: readonly string[] = [defaultFeaturesDir()],
  schemaDir: string = defaultFeaturesDir(),
): Feature[] {
  const problems: string[] = [];
  const files: { file: string; feature: FeatureFile }[] = [];
  const gates = loadGates(dirs, schemaDir, parseFile, problems);
  for (const dir of dirs) {
    const names = readdirSync(dir)
      .filter((n) => n.endsWith(".json") && n !== SCHEMA_FILE && n !== GATE_SCHEMA_FILE)
      .sort();
    for (const name of names) {
      const path = join(dir, name);
      const file = relative(process.cwd(), path) || path;
      const data = parseFile(path, file, problems);
      if (data === undefined) continue;
      const invalid = schemaProblems(file, data, schemaDir);
      if (invalid.length > 0) {
        problems.push(...invalid);
        continue;
      }
      const feature = data as FeatureFile;
      problems.push(...fileProblems(file, feature));
      problems.push(...featureRuleProblems(file, feature, PREREQUISITES_VAR));
      problems.push(...gateProblemsOf(file, feature, gates, join(FEATURES_DIR, GATES_DIR)));
      files.push({ file, feature });
    }
  }
  problems.push(...catalogProblems(files));
  problems.push(...configBudgetProblems(files, PREREQUISITES_VAR));
  if (problems.length > 0) throw new FeatureDataError(problems);
  return files.map((f) => toFeature(f.feature, gates));
}

/** One data file's JSON (./read-json.ts: encoding, size, duplicate keys), or undefined with the problem recorded. */
function parseFile(path: string, file: string, problems: string[]): unknown {
  const read = readJsonData(path, file);
  if (read.ok) return read.data;
  problems.push(read.problem);
  return undefined;
}

let cached: readonly Feature[] | undefined;

/** The project's catalog (features/*.json), loaded once per process. */
export function catalog(): readonly Feature[] {
  cached ??= loadFeatureCatalog();
  return cached;
}
