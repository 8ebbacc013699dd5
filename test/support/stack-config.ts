/**
 * Stack config overrides for tests, in the per-gate layout: a key that moved into
 * console-wiring:gates.<id> (see infra/config-parts/gates.ts, MOVED_KEYS) is written into that
 * gate's entry under its new name, so a test says `serviceTokenGeneration: "2"` and gets
 * `gates.tickets.serviceTokenGeneration`. Undefined removes the key.
 */
import { MOVED_KEYS } from "../../infra/config-parts/gates";

export function withStackConfig(
  base: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string | undefined>>,
  gateId = "tickets",
): Record<string, string> {
  const config = { ...base };
  const gates = JSON.parse(config["console-wiring:gates"] ?? "{}") as Record<
    string,
    Record<string, unknown>
  >;
  let gatesTouched = false;
  for (const [k, v] of Object.entries(overrides)) {
    const moved = MOVED_KEYS[k];
    if (moved) {
      const entry = (gates[gateId] ??= {});
      if (v === undefined) delete entry[moved];
      else entry[moved] = v;
      gatesTouched = true;
    } else if (v === undefined) delete config[`console-wiring:${k}`];
    else config[`console-wiring:${k}`] = v;
  }
  if (gatesTouched) config["console-wiring:gates"] = JSON.stringify(gates);
  return config;
}
