/**
 * Stack config helpers for the e2e suites: the tickets gate's settings live under
 * `console-wiring:gates.tickets` (issue 24), so a scenario that rotates, renews or retires the
 * token merges its settings into that entry rather than setting top-level keys (refused now).
 */

/** `config` with `settings` merged into `gates.tickets` (the other gates and keys kept). */
export function withTicketsGate(
  config: Record<string, unknown>,
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const gates = (config["gates"] ?? {}) as Record<string, Record<string, unknown>>;
  return {
    ...config,
    gates: { ...gates, tickets: { ...gates["tickets"], ...settings } },
  };
}
