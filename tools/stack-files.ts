/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI builds a program's config: declared
 * defaults first, then the stack's values, every value as the string Pulumi hands the program
 * (objects and arrays as JSON). Used by the offline check and by tests, so that neither needs the
 * CLI.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isAlias, isNode, parseDocument, visit } from "yaml";

export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

export interface StackFiles {
  readonly project: string;
  /** Full keys (`project:key`) → value as the program sees it. */
  readonly config: Record<string, string>;
  /** Keys whose stack value is a `secure:` ciphertext (this project allows none). */
  readonly secureKeys: string[];
}

function asPulumiString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A stack name loadStackFiles accepts; `Pulumi.<name>.yaml` is its file. */
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** A stack file is a few dozen short lines: anything far larger is refused before parsing. */
export const MAX_FILE_BYTES = 64 * 1024;
export const MAX_LINE_CHARS = 4_096;

/** Reads a stack file's text within the limits; every failure is one line naming the file. */
export function readStackText(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new StackFileError(`cannot read ${path}`);
  }
  if (size > MAX_FILE_BYTES) {
    throw new StackFileError(
      `${path} is ${size} bytes, over the ${MAX_FILE_BYTES}-byte limit for a stack file`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new StackFileError(`cannot read ${path}`);
  }
  const lines = text.split("\n");
  const long = lines.findIndex((l) => l.length > MAX_LINE_CHARS);
  if (long >= 0) {
    throw new StackFileError(`${path} line ${long + 1} is over ${MAX_LINE_CHARS} characters`);
  }
  return text;
}

/**
 * Parses YAML with no anchors or aliases (a stack file needs none, and aliases are how a few
 * lines expand into gigabytes). Errors give the file and line, never a value.
 */
function readYaml(path: string): unknown {
  const text = readStackText(path);
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const line = text.slice(0, error.pos[0]).split("\n").length;
    throw new StackFileError(
      `${path} is not valid YAML${line ? ` (line ${line})` : ""}: ${error.code}`,
    );
  }
  let anchorLine: number | undefined;
  visit(doc, (_key, node) => {
    if (isAlias(node) || (isNode(node) && node.anchor)) {
      const offset = isNode(node) ? (node.range?.[0] ?? 0) : 0;
      anchorLine = text.slice(0, offset).split("\n").length;
      return visit.BREAK;
    }
    return undefined;
  });
  if (anchorLine !== undefined) {
    throw new StackFileError(
      `${path} line ${anchorLine}: YAML anchors and aliases are not accepted in stack files`,
    );
  }
  return doc.toJS({ maxAliasCount: 0 }) as unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function loadStackFiles(stack: string, dir: string = process.cwd()): StackFiles {
  if (!STACK_NAME.test(stack)) {
    throw new StackFileError(`stack name "${stack}" may contain only letters, digits, _, . and -`);
  }
  const projectFile = readYaml(join(dir, "Pulumi.yaml"));
  if (!isRecord(projectFile) || typeof projectFile["name"] !== "string") {
    throw new StackFileError(`Pulumi.yaml in ${dir} has no project name`);
  }
  const project = projectFile["name"];
  const config: Record<string, string> = {};
  const declared = isRecord(projectFile["config"]) ? projectFile["config"] : {};
  for (const [key, decl] of Object.entries(declared)) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    if (isRecord(decl)) {
      if ("default" in decl) config[full] = asPulumiString(decl["default"]);
      if ("value" in decl) config[full] = asPulumiString(decl["value"]);
    } else {
      config[full] = asPulumiString(decl);
    }
  }

  const stackPath = join(dir, `Pulumi.${stack}.yaml`);
  const stackFile = readYaml(stackPath);
  const secureKeys: string[] = [];
  const values = isRecord(stackFile) && isRecord(stackFile["config"]) ? stackFile["config"] : {};
  for (const [key, value] of Object.entries(values)) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    if (isRecord(value) && typeof value["secure"] === "string") {
      secureKeys.push(full);
      continue;
    }
    config[full] = asPulumiString(value);
  }
  return { project, config, secureKeys };
}

/** The stacks of a project directory: every `Pulumi.<stack>.yaml` beside Pulumi.yaml, sorted. */
export function listStacks(dir: string = process.cwd()): string[] {
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined && STACK_NAME.test(s))
    .sort();
}

/** Config of one namespace without its prefix, as infra/config.ts's parseConfig takes it. */
export function projectConfig(files: StackFiles): Record<string, string> {
  const prefix = `${files.project}:`;
  return Object.fromEntries(
    Object.entries(files.config)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
}
