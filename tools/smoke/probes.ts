/**
 * The probes a feature's file declares (`smoke`), run as one chain per feature while a flag of
 * it is on at the app: the Access gate (refuses without the service token, admits with it), then
 * FreeScout (accepts the key, sees the mailbox, optionally files a test conversation). A link
 * that cannot run because an earlier one failed is skipped. The vars the probes read are named
 * in the file; their values come from the app and are never printed.
 */
import type { Feature, SmokeProbe } from "../../infra/features/manifest";
import { gateAdmitsWithToken, gateRefusesWithoutToken } from "./access-gate";
import { targetOf } from "./gates";
import { freescoutAcceptsKey, mailboxExists, ticketCreated } from "./freescout";
import { checkUrl, type HttpOptions, type LinkResult } from "./links";

export interface ProbeContext {
  readonly vars: Readonly<Record<string, string>>;
  /** Hosts the feature's URL var may point at (its gate's); absent: https only. */
  readonly allowedHosts?: readonly string[];
  readonly http: HttpOptions;
  readonly createTicket: boolean;
  readonly now?: () => number;
  /** Accept a loopback FREESCOUT_API_URL (local stand-ins only; smoke's --allow-loopback). */
  readonly allowLoopback?: boolean;
}

type Probe<K extends SmokeProbe["probe"]> = Extract<SmokeProbe, { probe: K }>;

/** The link names of a feature's chain, in order (for skips). */
export function chainNames(feature: Feature, prefix = ""): string[] {
  const names: string[] = [];
  for (const p of feature.smoke ?? []) {
    if (p.probe === "access-gate")
      names.push("gate refuses without token", "gate admits with token");
    else names.push("FreeScout accepts key", "mailbox exists", "ticket created");
  }
  return names.map((n) => `${prefix}${n}`);
}

/** Runs a feature's probes; `prefix` tells features apart when more than one has probes. */
export async function runFeatureProbes(
  feature: Feature,
  ctx: ProbeContext,
  prefix = "",
): Promise<LinkResult[]> {
  const probes = feature.smoke ?? [];
  if (probes.length === 0) return [];
  const names = chainNames(feature, prefix);
  const gate = probes.find((p): p is Probe<"access-gate"> => p.probe === "access-gate");
  const api = probes.find((p): p is Probe<"freescout-api"> => p.probe === "freescout-api");
  const urlVar = gate?.urlVar ?? api!.urlVar;
  const value = (name: string | undefined) => (name ? (ctx.vars[name] ?? "") : "");
  let base: URL;
  try {
    base = checkUrl(value(urlVar), urlVar, ctx.allowedHosts, ctx.allowLoopback === true);
  } catch (err) {
    return [
      { link: names[0]!, status: "fail", detail: (err as Error).message },
      ...names.slice(1).map((n) => skipped(n, names[0]!)),
    ];
  }
  const creds = {
    clientId: value(gate?.clientIdVar),
    clientSecret: value(gate?.clientSecretVar),
    apiKey: value(api?.apiKeyVar),
  };
  const steps: (() => Promise<LinkResult>)[] = [];
  if (gate) {
    // The path and the rotation command come from the feature's gate; the vars from its probe.
    const target = feature.gate && {
      ...targetOf(feature.gate, [feature]),
      urlVar: gate.urlVar,
      clientIdVar: gate.clientIdVar,
      clientSecretVar: gate.clientSecretVar,
    };
    steps.push(() => gateRefusesWithoutToken(base, ctx.http, target));
    steps.push(() => gateAdmitsWithToken(base, creds, ctx.http, target));
  }
  if (api) {
    const mailbox = value(api.mailboxVar);
    steps.push(() => freescoutAcceptsKey(base, creds, ctx.http));
    steps.push(() => mailboxExists(base, creds, mailbox, ctx.http));
    steps.push(() =>
      ctx.createTicket
        ? ticketCreated(base, creds, mailbox, ctx.http, new Date(ctx.now ? ctx.now() : Date.now()))
        : Promise.resolve({
            link: "ticket created",
            status: "skip" as const,
            detail: "read-only run (pass --create-ticket to file a marked test conversation)",
          }),
    );
  }
  const links: LinkResult[] = [];
  let failedAt: string | undefined;
  for (const [i, step] of steps.entries()) {
    const name = names[i]!;
    if (failedAt) {
      links.push(skipped(name, failedAt));
      continue;
    }
    const result = await step();
    links.push({ ...result, link: `${prefix}${result.link}` });
    if (result.status === "fail") failedAt = `${prefix}${result.link}`;
  }
  return links;
}

export function skipped(link: string, because: string): LinkResult {
  return { link, status: "skip", detail: `not run: ${because} failed` };
}
