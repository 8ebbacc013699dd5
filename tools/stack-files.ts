/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI builds a program's config: declared
 * defaults first, then the stack's values, every value as the string Pulumi hands the program
 * (objects and arrays as JSON). Used by the offline check and by tests, so that neither needs the
 * CLI.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
// js-yaml: already loaded by @pulumi/pulumi, so reading stack files adds no module load.
import { load } from "js-yaml";

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

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new StackFileError(`cannot read ${path}`);
  }
  try {
    return load(text);
  } catch (err) {
    throw new StackFileError(`${path} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function loadStackFiles(stack: string, dir: string = process.cwd()): StackFiles {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
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

/** Config of one namespace without its prefix, as infra/config.ts's parseConfig takes it. */
export function projectConfig(files: StackFiles): Record<string, string> {
  const prefix = `${files.project}:`;
  return Object.fromEntries(
    Object.entries(files.config)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
}
