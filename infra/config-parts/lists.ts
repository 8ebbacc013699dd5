/**
 * List and map values of stack config (parts of infra/config.ts's parseConfig): the allowed
 * hosts and the flags. Pure functions that add to the problem list.
 */
import type { Feature } from "../features/manifest";
import { HOSTNAME, PROJECT } from "./patterns";

/** Hostnames besides ticketsHost that the FreeScout URLs may point at (stack config, JSON array). */
export function parseHostList(value: string | undefined, problems: string[]): string[] {
  if (value === undefined || value === "" || value === "[]") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const example = "pulumi config set --path 'freescoutAllowedHosts[0]' tickets-eu.raxx.app";
  if (!Array.isArray(parsed) || !parsed.every((h) => typeof h === "string" && HOSTNAME.test(h))) {
    problems.push(
      `${PROJECT}:freescoutAllowedHosts must be a list of bare lowercase hostnames. Example: ${example}`,
    );
    return [];
  }
  return parsed as string[];
}

export function parseFlags(
  value: string | undefined,
  known: readonly string[],
  problems: string[],
  catalog: readonly Feature[] = [],
): Record<string, boolean> {
  const flags = Object.fromEntries(known.map((f) => [f, false]));
  if (value === undefined || value === "") return flags;
  const example = `pulumi config set --path 'flags.${known[0] ?? "FLAG_NAME"}' true`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(`${PROJECT}:flags must be a map of flag var to true/false. Example: ${example}`);
    return flags;
  }
  for (const [flag, on] of Object.entries(parsed)) {
    const owner = catalog.find((f) => f.flags.includes(flag));
    if (!known.includes(flag) && owner) {
      problems.push(
        `${PROJECT}:flags.${flag} is a flag of feature ${owner.id}, which this stack does not select. Add the feature (pulumi config set --path 'features.${owner.id}' true) or remove the flag: pulumi config rm --path 'flags.${flag}'`,
      );
    } else if (!known.includes(flag)) {
      problems.push(
        `${PROJECT}:flags.${flag} is not a flag of any selected feature (known: ${known.join(", ") || "none"}; the flags are in infra/features/data/*.json).`,
      );
    } else if (typeof on !== "boolean") {
      problems.push(
        `${PROJECT}:flags.${flag} must be true or false (a YAML boolean, not a string or number). Fix: pulumi config set --path 'flags.${flag}' true`,
      );
    } else {
      flags[flag] = on;
    }
  }
  return flags;
}
