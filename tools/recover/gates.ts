/**
 * Which gate a service-token resource belongs to, and the current generation's resource name of
 * each gate, by the names the program gives (per gate G: `G-service-token`, generation n>1
 * `G-service-token-g<n>`): recovery judges each gate's token against its own gate's config.
 */

/** The resource name of a gate's token generation. */
export function tokenResourceName(gate: string, generation: number): string {
  return generation === 1 ? `${gate}-service-token` : `${gate}-service-token-g${generation}`;
}

/** The gate id a token resource is named for, if it is named like one. */
export function gateOfTokenResource(name: string): string | undefined {
  return /^(.+)-service-token(?:-g\d+)?$/.exec(name)?.[1];
}

/**
 * The current generation's token resource of every gate in the parsed stack config
 * (console-wiring:gates, WiringConfig.gates), read by shape: only the generations are needed.
 */
export function currentTokenResources(config: object): string[] {
  const gates =
    (config as { gates?: Record<string, { serviceToken?: { generation?: number } }> }).gates ?? {};
  return Object.entries(gates).map(([id, g]) =>
    tokenResourceName(id, g.serviceToken?.generation ?? 1),
  );
}
