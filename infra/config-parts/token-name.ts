/**
 * The default name of a gate's Access service token. It carries the stack's name and the gate's
 * id: two stacks in one Cloudflare account that both left the name unset would otherwise share a
 * name, and `npm run recover` finds an interrupted deploy's token by its name, so one stack could
 * delete the other's token. Prod sets its name explicitly (the name its token already has).
 * infra/config-parts/gates.ts applies the same default when it parses `gates.<id>`.
 */

/** The name to use: the configured one, or `console-<stack>-<gate>` when unset or empty. */
export function serviceTokenNameOrDefault(
  value: string | undefined,
  stack: string,
  gate: string,
): string {
  return value === undefined || value === "" ? `console-${stack}-${gate}` : value;
}
