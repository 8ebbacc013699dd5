/**
 * The default name of a stack's Access service token. It carries the stack's name: two stacks in
 * one Cloudflare account that both left serviceTokenName unset would otherwise share a name, and
 * `npm run recover` finds an interrupted deploy's token by its name, so one stack could delete
 * the other's token. Prod sets its name explicitly (the name its token already has).
 */

export const TOKEN_NAME_BASE = "console-investigate-tickets";

/**
 * The name to use: the configured one, or `console-investigate-tickets-<stack>` when the key is
 * unset or holds Pulumi.yaml's empty default. Whitespace is not "unset": parseConfig refuses it.
 */
export function serviceTokenNameOrDefault(value: string | undefined, stack: string): string {
  return value === undefined || value === "" ? `${TOKEN_NAME_BASE}-${stack}` : value;
}
