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
      // A list (allowedHosts) is written as JSON, as the CLI passes it; anything else stays text.
      else entry[moved] = moved === "allowedHosts" ? parseOr(v) : v;
      gatesTouched = true;
    } else if (v === undefined) delete config[`console-wiring:${k}`];
    else config[`console-wiring:${k}`] = v;
  }
  if (gatesTouched) config["console-wiring:gates"] = JSON.stringify(gates);
  return config;
}

/**
 * The same for raw config as parseConfig takes it (keys without the namespace): the suites that
 * pin each rule of a gate setting write it by its one-gate name, and it lands in gates.tickets.
 */
export function inGate(
  raw: Readonly<Record<string, string | undefined>>,
  gateId = "tickets",
): Record<string, string | undefined> {
  const prefixed = Object.fromEntries(
    Object.entries(raw).flatMap(([k, v]) => (v === undefined ? [] : [[`console-wiring:${k}`, v]])),
  );
  const overrides = Object.fromEntries(
    Object.entries(raw).filter(([k]) => Object.hasOwn(MOVED_KEYS, k)),
  );
  const base = Object.fromEntries(
    Object.entries(prefixed).filter(([k]) => !Object.hasOwn(MOVED_KEYS, k.slice(15))),
  );
  const out = withStackConfig(base, overrides, gateId);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k.slice(15), v]));
}

function parseOr(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
