/**
 * The gate probes for every gate a stack uses, read from the gate files and the `gates` stack
 * output (`pulumi stack output gates --json`): Access refuses a call without the gate's token
 * with a 401 (not a login redirect), admits it with the app's token, and the token is not about to
 * expire. A gate whose feature's file already declares the access-gate probe on one of the gate's
 * URL vars is probed in that feature's chain (before the API's own links), not twice.
 */
import type { Feature, Gate } from "../../infra/features/manifest";
import { featuresOfGate, gatesOf } from "../../infra/features/manifest";
import { gateAdmitsWithToken, gateRefusesWithoutToken, type GateTarget } from "./access-gate";
import { checkUrl, type HttpOptions, type LinkResult } from "./links";
import { tokenNotExpiring, type TokenGenerations } from "./token-expiry";

/** One gate's entry in the `gates` stack output (the fields the smoke check reads). */
export interface GateOutput {
  readonly host?: string;
  readonly apiPath?: string;
  readonly serviceTokenExpiresAt?: string;
  readonly serviceTokenExpiryWarningDays?: number;
  readonly serviceTokenGeneration?: number;
}

/** What the stack config says of a gate (console-wiring:gates.<id>), as the smoke check uses it. */
export interface GateSettings {
  /** The hosts the gate's URL vars may point at: its host, then its allowedHosts. */
  readonly allowedHosts?: readonly string[];
  readonly token?: TokenGenerations;
  readonly expiryWarningDays?: number;
}

/** Problems with the `gates` output given to the smoke check: bad usage (exit 2). */
export class GatesOutputError extends Error {}

/**
 * Parses `pulumi stack output gates --json`, from `from` (the flag or env var, for the message).
 * The values are ids and dates, never secrets; a bad value is still not echoed back.
 */
export function parseGatesOutput(text: string, from: string): Record<string, GateOutput> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new GatesOutputError(
      `${from} is not JSON: give it the output of pulumi stack output gates --json`,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new GatesOutputError(
      `${from} must be an object keyed by gate id (the output of pulumi stack output gates --json)`,
    );
  for (const [id, entry] of Object.entries(data as Record<string, unknown>)) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      throw new GatesOutputError(`${from}: gate ${id} must be an object`);
    const at = (entry as GateOutput).serviceTokenExpiresAt;
    if (at !== undefined && at !== "" && (typeof at !== "string" || Number.isNaN(Date.parse(at))))
      throw new GatesOutputError(
        `${from}: ${id}.serviceTokenExpiresAt must be an RFC 3339 time such as 2027-06-19T00:00:00Z (value not shown)`,
      );
  }
  return data as Record<string, GateOutput>;
}

/**
 * The per-gate stack config (console-wiring:gates, parsed by infra/config.ts), read by shape: the
 * smoke check needs only the hosts and the token's generations.
 */
export function gateSettingsOf(config: object): Record<string, GateSettings> {
  const gates =
    (
      config as {
        gates?: Record<
          string,
          {
            allowedHosts?: readonly string[];
            serviceToken?: TokenGenerations & { expiryWarningDays?: number };
          }
        >;
      }
    ).gates ?? {};
  return Object.fromEntries(
    Object.entries(gates).map(([id, g]) => [
      id,
      {
        allowedHosts: g.allowedHosts,
        token: g.serviceToken && {
          generation: g.serviceToken.generation,
          previousGeneration: g.serviceToken.previousGeneration,
          duration: g.serviceToken.duration,
        },
        expiryWarningDays: g.serviceToken?.expiryWarningDays,
      },
    ]),
  );
}

/** What the gate probes call: `<url var><apiPath>/` (FreeScout's list call for its API). */
export function targetOf(gate: Gate, features: readonly Feature[]): GateTarget {
  const base = gate.apiPath.replace(/\/+$/, "");
  const freescout = featuresOfGate(gate, features).some((f) =>
    (f.smoke ?? []).some((p) => p.probe === "freescout-api"),
  );
  return {
    path: freescout ? `${base}/conversations?pageSize=1` : `${base}/`,
    urlVar: gate.urlVars[0]!,
    clientIdVar: gate.clientIdVar,
    clientSecretVar: gate.clientSecretVar,
    destination: `console-wiring:gates.${gate.id}.host + ${gate.apiPath}`,
    gate: gate.id,
  };
}

/** Whether a feature of the gate declares the access-gate probe on one of the gate's URL vars. */
export function probedByFeature(gate: Gate, features: readonly Feature[]): boolean {
  return featuresOfGate(gate, features).some((f) =>
    (f.smoke ?? []).some((p) => p.probe === "access-gate" && gate.urlVars.includes(p.urlVar)),
  );
}

/** The gates whose own chain the smoke check runs (the ones no feature chain probes). */
export function gatesToProbe(features: readonly Feature[]): Gate[] {
  return gatesOf(features).filter((g) => !probedByFeature(g, features));
}

/** The link names of a gate's own chain. */
export function gateChainNames(gate: Gate): string[] {
  return [`${gate.id} gate refuses without token`, `${gate.id} gate admits with token`];
}

export interface GateProbeContext {
  readonly vars: Readonly<Record<string, string>>;
  readonly settings: GateSettings | undefined;
  readonly http: HttpOptions;
  readonly allowLoopback: boolean;
}

/** A gate's own chain: refused without the token (401, not a redirect), admitted with it. */
export async function runGateProbes(
  gate: Gate,
  features: readonly Feature[],
  ctx: GateProbeContext,
): Promise<LinkResult[]> {
  const [refuses, admits] = gateChainNames(gate) as [string, string];
  const target = targetOf(gate, features);
  let base: URL;
  try {
    base = checkUrl(
      ctx.vars[target.urlVar] ?? "",
      target.urlVar,
      ctx.settings?.allowedHosts,
      ctx.allowLoopback,
    );
  } catch (err) {
    return [
      { link: refuses, status: "fail", detail: (err as Error).message },
      { link: admits, status: "skip", detail: `not run: ${refuses} failed` },
    ];
  }
  const first = await gateRefusesWithoutToken(base, ctx.http, target);
  if (first.status === "fail")
    return [
      { ...first, link: refuses },
      { link: admits, status: "skip", detail: `not run: ${refuses} failed` },
    ];
  const creds = {
    clientId: ctx.vars[gate.clientIdVar] ?? "",
    clientSecret: ctx.vars[gate.clientSecretVar] ?? "",
    apiKey: "",
  };
  const second = await gateAdmitsWithToken(base, creds, ctx.http, target);
  return [
    { ...first, link: refuses },
    { ...second, link: admits },
  ];
}

/**
 * Each gate's token expiry link. The expiry comes from the `gates` output; `--token-expires-at`
 * still gives it for a stack with one gate. The link is named by its gate when there are several.
 */
export function gateExpiryLinks(
  gates: readonly Gate[],
  outputs: Readonly<Record<string, GateOutput>> | undefined,
  settings: Readonly<Record<string, GateSettings>>,
  options: { tokenExpiresAt?: string; expiryDays?: number; now?: number },
): LinkResult[] {
  return gates.map((gate) => {
    const out = outputs?.[gate.id];
    const set = settings[gate.id];
    const expiresAt =
      (out?.serviceTokenExpiresAt || undefined) ??
      (gates.length === 1 ? options.tokenExpiresAt : undefined);
    const days =
      options.expiryDays ?? out?.serviceTokenExpiryWarningDays ?? set?.expiryWarningDays ?? 30;
    const link =
      gates.length === 1
        ? "service token not expiring"
        : `${gate.id} gate: service token not expiring`;
    return tokenNotExpiring(expiresAt, days, options.now, set?.token, gate.id, link);
  });
}
