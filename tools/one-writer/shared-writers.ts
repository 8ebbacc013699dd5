/**
 * One writer per app and per token. Two stack files on one Heroku app take over each other's
 * config vars (and a destroy of one deletes the other's); two stacks whose service tokens share a
 * name let `npm run recover` take the other stack's token for an interrupted deploy's orphan and
 * delete it. `npm run check` refuses both, naming the two stack files, the key and the fix.
 */
import { serviceTokenNameOrDefault } from "../../infra/config-parts/token-name";
import { listStacks, loadStackFiles, projectConfig, StackFileError } from "../stack-files";
import { serviceTokenNames, type TokenName } from "./token-names";

export interface StackWriters {
  readonly stack: string;
  readonly herokuApp?: string;
  readonly tokens: readonly TokenName[];
}

const fileOf = (stack: string) => `Pulumi.${stack}.yaml`;

/** Generation n ≥ 2 of a token is named `<name>-g<n>` (infra/cloudflare/tickets-access.ts). */
function isGenerationOf(name: string, base: string): boolean {
  return name.startsWith(`${base}-g`) && /^\d+$/.test(name.slice(base.length + 2));
}

/** Whether two names can ever be the same token name, counting renewed generations. */
export function tokenNamesCollide(a: string, b: string): boolean {
  return a === b || isGenerationOf(a, b) || isGenerationOf(b, a);
}

function appProblem(stack: string, other: string, app: string): string {
  return (
    `${fileOf(stack)} and ${fileOf(other)} both set console-wiring:herokuApp to ${app}: two stacks on one app ` +
    `take over each other's config vars, and destroying one deletes the other's. Give ${fileOf(stack)} ` +
    `its own app: pulumi config set herokuApp <its-own-app> --stack ${stack}`
  );
}

function tokenProblem(stack: string, mine: TokenName, other: string, theirs: TokenName): string {
  const generations =
    mine.name === theirs.name ? "" : " (generation n of a token is named <name>-g<n>)";
  // Suggest the rename to a stack that does not already use its own default name.
  const [target, token] =
    mine.name === serviceTokenNameOrDefault(undefined, stack, mine.gate ?? "")
      ? [other, theirs]
      : [stack, mine];
  const fix = `pulumi config set --path '${token.key}' ${serviceTokenNameOrDefault(undefined, target, token.gate ?? "")} --stack ${target}`;
  return (
    `${fileOf(stack)} and ${fileOf(other)} name the same Access service token: ` +
    `console-wiring:${mine.key} is "${mine.name}" in ${fileOf(stack)} and ` +
    `console-wiring:${theirs.key} is "${theirs.name}" in ${fileOf(other)}${generations}. ` +
    `npm run recover finds an interrupted deploy's token by its name, so one stack could delete the other's. ` +
    `Rename it in the stack not deployed yet (a deployed stack's new name replaces its token), e.g. ${fix}`
  );
}

/** Every app and token name `stack` shares with another stack, each as one line. Pure. */
export function sharedWriters(stack: string, all: readonly StackWriters[]): string[] {
  const mine = all.find((s) => s.stack === stack);
  if (!mine) return [];
  const problems: string[] = [];
  for (const other of all) {
    if (other.stack === stack) continue;
    if (mine.herokuApp !== undefined && mine.herokuApp === other.herokuApp) {
      problems.push(appProblem(stack, other.stack, mine.herokuApp));
    }
    for (const token of mine.tokens) {
      const clash = other.tokens.find((t) => tokenNamesCollide(token.name, t.name));
      if (clash) problems.push(tokenProblem(stack, token, other.stack, clash));
    }
  }
  return problems;
}

/** The app and token names of a stack file; undefined when it cannot be read (its own check says why). */
export function writersOf(stack: string, dir: string): StackWriters | undefined {
  let config: Record<string, string>;
  try {
    config = projectConfig(loadStackFiles(stack, dir));
  } catch (err) {
    if (err instanceof StackFileError) return undefined;
    throw err;
  }
  const app = config["herokuApp"]?.trim().toLowerCase();
  return {
    stack,
    ...(app ? { herokuApp: app } : {}),
    tokens: serviceTokenNames(config, stack),
  };
}

/** What `stack` shares with the other stack files of `dir`: the lines npm run check prints. */
export function oneWriterProblems(stack: string, dir: string): string[] {
  const listed = listStacks(dir);
  const stacks = listed.includes(stack) ? listed : [...listed, stack];
  const writers = stacks.flatMap((s) => writersOf(s, dir) ?? []);
  return sharedWriters(stack, writers);
}
