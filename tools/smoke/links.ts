/**
 * The smoke check's links, each a small function: what the console app itself will do, checked
 * through the Cloudflare Access gate in front of FreeScout. Read-only unless a ticket is asked for.
 *
 *   config vars present → gate refuses without token → gate admits with token →
 *   FreeScout accepts key → mailbox exists → (ticket created) ; token not expiring
 *
 * Only the app's URLs and key names are ever printed; no credential leaves this module.
 */
import { credentialUrl } from "../../infra/credential-url";
import { catalog } from "../../infra/features/catalog";
import { type Feature } from "../../infra/features/manifest";

import type { LinkResult } from "./link-result";

export type { HttpOptions, LinkResult, Status } from "./link-result";

const FLAG_OFF = new Set(["", "0", "false", "off", "no"]);
export const isOn = (v: string | undefined) =>
  v !== undefined && !FLAG_OFF.has(v.trim().toLowerCase());

/**
 * A gate's URL var on the app, checked with the stack's rule before any credential is sent:
 * https to the gate's host or one of its allowedHosts (infra/credential-url.ts). A loopback
 * URL (http too) is accepted only when the caller says so (`allowLoopback`, the smoke check's
 * `--allow-loopback`, for local stand-ins); otherwise it is held to the same rule and refused.
 * Errors never echo the value.
 */
export function checkUrl(
  raw: string,
  name: string,
  allowedHosts?: readonly string[],
  allowLoopback = false,
): URL {
  let loopback: URL | undefined;
  try {
    const url = new URL(raw);
    const local = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    if (allowLoopback && local && (url.protocol === "http:" || url.protocol === "https:"))
      loopback = url;
  } catch {
    loopback = undefined;
  }
  const checked = credentialUrl(
    loopback ? raw.replace(/^http:/i, "https:") : raw,
    loopback ? undefined : allowedHosts,
  );
  if (!checked.ok) {
    const why = checked.problem.startsWith("must use https")
      ? "must be https:// (the API key and service-token headers travel with every call)"
      : `${checked.problem}: refused (value not shown)`;
    throw new Error(`${name} on the app ${why}`);
  }
  return loopback ?? checked.url;
}

/**
 * Link 0: the flags on the app are the ones the stack turns on. A flag the stack wants on but the
 * app has off (or on by hand while the stack has it off) means the last deploy did not land, or
 * someone changed the app: every later link would check the wrong thing.
 */
export function flagsMatchStack(
  vars: Readonly<Record<string, string>>,
  desired: Readonly<Record<string, boolean>>,
  features: readonly Feature[] = catalog(),
): LinkResult {
  const link = "flags as the stack wants";
  const all = features.flatMap((f) => f.flags);
  const wantedOn = all.filter((f) => desired[f] === true);
  const offAtApp = wantedOn.filter((f) => !isOn(vars[f]));
  const onByHand = all.filter((f) => desired[f] !== true && isOn(vars[f]));
  const problems: string[] = [];
  if (offAtApp.length > 0)
    problems.push(`on in the stack but off or absent on the app: ${offAtApp.join(", ")}`);
  if (onByHand.length > 0)
    problems.push(`on at the app but not in the stack: ${onByHand.join(", ")}`);
  if (problems.length > 0) {
    return {
      link,
      status: "fail",
      detail: `${problems.join("; ")}. Re-run deploy.yml so the app matches the stack (its pulumi up --refresh reads the app first; a plain pulumi up compares with state and may send nothing), or change the stack's flags.`,
    };
  }
  return {
    link,
    status: "pass",
    detail:
      wantedOn.length > 0
        ? `on at the app as in the stack: ${wantedOn.join(", ")}`
        : "no flag on, in the stack or at the app",
  };
}

/** Link 1: every var the app's enabled features need is set, non-empty. */
export function configVarsPresent(
  vars: Readonly<Record<string, string>>,
  features: readonly Feature[] = catalog(),
): LinkResult {
  const link = "config vars present";
  const on = features.filter((f) => f.flags.some((flag) => isOn(vars[flag])));
  if (on.length === 0) {
    return {
      link,
      status: "skip",
      detail: "no feature flag is on at the app: nothing the console would call",
    };
  }
  const needed = on.flatMap((f) => f.requires);
  const missing = needed.filter((v) => (vars[v.name] ?? "").trim() === "").map((v) => v.name);
  const flags = on.flatMap((f) => f.flags.filter((flag) => isOn(vars[flag])));
  const scope = `flags on: ${flags.join(", ")}`;
  if (missing.length > 0) {
    return {
      link,
      status: "fail",
      detail: `${scope}; missing or empty on the app: ${[...new Set(missing)].join(", ")}. Re-run deploy.yml (its pulumi up --refresh reads the app and puts them back; a plain pulumi up compares with state and sends nothing), and check who removed them (drift job).`,
    };
  }
  return {
    link,
    status: "pass",
    detail: `${scope}; ${new Set(needed.map((v) => v.name)).size} required vars set`,
  };
}

export * from "./access-gate";
export * from "./freescout";
export * from "./token-expiry";
export { accessSignal, apiUrl, type AccessSignal } from "./http";
