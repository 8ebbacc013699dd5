/**
 * The gate files: `gates/<id>.json` beside the feature files, validated against
 * gate.schema.json, and the rules that tie features to gates. A gated feature names its gate;
 * the gate's service-token vars belong to the features of that gate alone, and its URL vars are
 * declared only by them (as https-url config values), so a URL that must pass a gate is never
 * configured without the token that passes it. Every problem names the file, the field and the fix.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import Ajv from "ajv";
import type { Gate, RequiredVar, SmokeProbe } from "./model";

export const GATE_SCHEMA_FILE = "gate.schema.json";
/** The gates' folder inside a feature folder. */
export const GATES_DIR = "gates";

/** A feature file's fields the gate rules read. */
export interface GatedFeatureFile {
  readonly id: string;
  readonly gate?: string;
  readonly prerequisites: readonly RequiredVar[];
  readonly smoke?: readonly SmokeProbe[];
}

let validator: ReturnType<Ajv["compile"]> | undefined;
let validatorDir: string | undefined;

function validate(schemaDir: string): ReturnType<Ajv["compile"]> {
  if (validator && validatorDir === schemaDir) return validator;
  const schema = JSON.parse(readFileSync(join(schemaDir, GATE_SCHEMA_FILE), "utf8")) as object;
  validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  validatorDir = schemaDir;
  return validator;
}

/**
 * Loads `<dir>/gates/*.json` of every feature folder. Problems go to `problems`; a file with
 * one is left out (the features naming it then report an unknown gate as well).
 */
export function loadGates(
  dirs: readonly string[],
  schemaDir: string,
  parse: (path: string, file: string, problems: string[]) => unknown,
  problems: string[],
): Gate[] {
  const gates: Gate[] = [];
  const owners = new Map<string, string>();
  for (const dir of dirs) {
    const gateDir = join(dir, GATES_DIR);
    if (!existsSync(gateDir)) continue;
    const names = readdirSync(gateDir)
      .filter((n) => n.endsWith(".json"))
      .sort();
    for (const name of names) {
      const path = join(gateDir, name);
      const file = relative(process.cwd(), path) || path;
      const data = parse(path, file, problems);
      if (data === undefined) continue;
      const check = validate(schemaDir);
      if (!check(data)) {
        for (const e of check.errors ?? [])
          problems.push(
            `${file}: ${e.instancePath || "/"} ${e.message ?? "is invalid"}: see ${GATE_SCHEMA_FILE}.`,
          );
        continue;
      }
      const gate = data as Gate & { $schema?: string };
      const stem = basename(name, ".json");
      if (gate.id !== stem) {
        problems.push(
          `${file}: /id is "${gate.id}" but the file is ${stem}.json: rename one to match.`,
        );
        continue;
      }
      if (
        gate.clientIdVar === gate.clientSecretVar ||
        gate.urlVars.includes(gate.clientIdVar) ||
        gate.urlVars.includes(gate.clientSecretVar)
      )
        problems.push(
          `${file}: /clientIdVar, /clientSecretVar and /urlVars name one var twice: each var carries one thing.`,
        );
      let clash = false;
      for (const [field, v] of [
        ...gate.urlVars.map((v, i) => [`/urlVars/${i}`, v] as const),
        ["/clientIdVar", gate.clientIdVar] as const,
        ["/clientSecretVar", gate.clientSecretVar] as const,
      ]) {
        const owner = owners.get(v);
        if (owner !== undefined) {
          problems.push(
            `${file}: ${field} ${v} is also a var of ${owner}: a var belongs to one gate. Give this gate vars of its own (like CF_ACCESS_SVC_${gate.id.toUpperCase().replace(/-/g, "_")}_CLIENT_ID).`,
          );
          clash = true;
        }
      }
      const earlier = gates.find((g) => g.id === gate.id);
      if (earlier) {
        problems.push(`${file}: /id gate ${gate.id} is declared twice: remove one file.`);
        continue;
      }
      if (clash) continue;
      for (const v of [...gate.urlVars, gate.clientIdVar, gate.clientSecretVar])
        owners.set(v, file);
      const { $schema: _schema, ...rest } = gate;
      gates.push(rest);
    }
  }
  return gates;
}

/**
 * The rules between a feature file and the gates: its `gate` exists; a gated feature declares
 * the gate's two token vars as service-token prerequisites with the right outputs; no feature
 * takes another gate's vars, or a service-token var without a gate; URL vars of a gate are
 * https-url config values declared only by that gate's features.
 */
export function gateProblemsOf(
  file: string,
  f: GatedFeatureFile,
  gates: readonly Gate[],
  gatesDirHint: string,
): string[] {
  const problems: string[] = [];
  const gate = f.gate === undefined ? undefined : gates.find((g) => g.id === f.gate);
  if (f.gate !== undefined && !gate) {
    problems.push(
      `${file}: /gate "${f.gate}" is not a gate: add ${gatesDirHint}/${f.gate}.json, or use one of ${gates.map((g) => `"${g.id}"`).join(", ") || "(none yet)"}.`,
    );
    return problems;
  }
  f.prerequisites.forEach((v, i) => {
    const owner = gates.find(
      (g) => g.urlVars.includes(v.name) || g.clientIdVar === v.name || g.clientSecretVar === v.name,
    );
    if (owner && owner.id !== gate?.id) {
      problems.push(
        `${file}: /prerequisites/${i}/name ${v.name} belongs to gate ${owner.id} (${gatesDirHint}/${owner.id}.json), which this feature does not pass: set "gate": "${owner.id}", or give the var another name.`,
      );
      return;
    }
    if (v.source.kind === "service-token") {
      if (!gate) {
        problems.push(
          `${file}: /prerequisites/${i}/source a service-token var needs a gate: add "gate": "<id>" naming ${gatesDirHint}/<id>.json, whose clientIdVar/clientSecretVar this var must be.`,
        );
        return;
      }
      const want =
        v.name === gate.clientIdVar
          ? "clientId"
          : v.name === gate.clientSecretVar
            ? "clientSecret"
            : undefined;
      if (want === undefined)
        problems.push(
          `${file}: /prerequisites/${i}/name ${v.name} has a service-token source but gate ${gate.id} carries its token in ${gate.clientIdVar} and ${gate.clientSecretVar}: use those names.`,
        );
      else if (v.source.output !== want)
        problems.push(
          `${file}: /prerequisites/${i}/source/output is "${v.source.output}" but ${v.name} is gate ${gate.id}'s ${want} var: use "${want}".`,
        );
    }
    if (
      gate?.urlVars.includes(v.name) &&
      !(v.source.kind === "config" && v.source.format === "https-url")
    )
      problems.push(
        `${file}: /prerequisites/${i}/source ${v.name} is a URL of gate ${gate.id}: give it {"kind": "config", "key": "<key>", "format": "https-url"} so its host is checked against the gate's.`,
      );
  });
  if (gate) {
    for (const [name, output] of [
      [gate.clientIdVar, "clientId"],
      [gate.clientSecretVar, "clientSecret"],
    ] as const) {
      if (!f.prerequisites.some((v) => v.name === name))
        problems.push(
          `${file}: /prerequisites lacks ${name}, gate ${gate.id}'s ${output} var: add {"name": "${name}", "secret": true, "source": {"kind": "service-token", "output": "${output}"}, "purpose": "..."}, or drop "gate".`,
        );
    }
  }
  problems.push(...probeProblems(file, f.smoke ?? [], gate, gatesDirHint));
  return problems;
}

/**
 * The smoke probes send credentials: an access-gate probe the gate's token, a FreeScout probe its
 * API key (and, on a gated feature, the token its access-gate probe names). So on a gated feature
 * a probe's URL var is one the stack checks against the gate's host when it is configured, its
 * token vars are the gate's own, and a FreeScout probe comes with the access-gate probe that
 * gives it the token (without it, Access would refuse every call and the smoke check could never
 * pass). One probe of each kind, on one URL var, since the smoke check runs one of each against
 * one base URL (tools/smoke/probes.ts).
 */
function probeProblems(
  file: string,
  smoke: readonly SmokeProbe[],
  gate: Gate | undefined,
  gatesDirHint: string,
): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  smoke.forEach((probe, i) => {
    const first = seen.get(probe.probe);
    if (first !== undefined)
      problems.push(
        `${file}: /smoke/${i}/probe "${probe.probe}" is also /smoke/${first}: the smoke check runs one probe of each kind per feature; remove one.`,
      );
    else seen.set(probe.probe, i);
    if (probe.probe === "access-gate" && !gate) {
      problems.push(
        `${file}: /smoke/${i}/probe "access-gate" needs a gate: add "gate": "<id>" naming ${gatesDirHint}/<id>.json, or remove the probe.`,
      );
      return;
    }
    if (!gate) return;
    if (!gate.urlVars.includes(probe.urlVar))
      problems.push(
        `${file}: /smoke/${i}/urlVar ${probe.urlVar} is not a URL of gate ${gate.id} (${gate.urlVars.join(", ")}): its host is not checked against the gate's when the stack is configured, and the smoke check would refuse to send the gate's credentials there. Use one of ${gate.urlVars.join(", ")}, or add it to /urlVars of ${gatesDirHint}/${gate.id}.json.`,
      );
    if (probe.probe === "access-gate")
      for (const [field, want] of [
        ["clientIdVar", gate.clientIdVar],
        ["clientSecretVar", gate.clientSecretVar],
      ] as const)
        if (probe[field] !== want)
          problems.push(
            `${file}: /smoke/${i}/${field} is ${probe[field]} but gate ${gate.id} carries its token in ${want}: use "${want}".`,
          );
  });
  const api = smoke.findIndex((p) => p.probe === "freescout-api");
  if (gate && api >= 0 && !smoke.some((p) => p.probe === "access-gate"))
    problems.push(
      `${file}: /smoke/${api} a FreeScout probe on a feature behind gate ${gate.id} needs an "access-gate" probe, which gives it the token: without one Access refuses every call. Add {"probe": "access-gate", "urlVar": "${probe0Url(smoke, gate)}", "clientIdVar": "${gate.clientIdVar}", "clientSecretVar": "${gate.clientSecretVar}"} to /smoke.`,
    );
  const urls = new Set(smoke.map((p) => p.urlVar));
  if (urls.size > 1)
    problems.push(
      `${file}: /smoke probes name different URL vars (${[...urls].join(", ")}) but the smoke check sends them all to one base URL: give them the same urlVar.`,
    );
  return problems;
}

/** The URL var a suggested access-gate probe should name: the feature's probe's, else the gate's first. */
function probe0Url(smoke: readonly SmokeProbe[], gate: Gate): string {
  return (
    smoke.find((p) => gate.urlVars.includes(p.urlVar))?.urlVar ?? gate.urlVars[0] ?? "<url var>"
  );
}
