/**
 * `npm run smoke -- --stack prod [--create-ticket] [--token-expires-at <iso>] [--expiry-days 30]`
 *
 * Reads the console app's actual config vars from the Heroku API (HEROKU_API_KEY), then checks,
 * through the Cloudflare Access gate, what the app itself will do. Each link is printed with
 * PASS/FAIL/SKIP; a link that cannot run because an earlier one failed is skipped. Secrets are
 * never printed. Exit codes: 0 all links pass, 1 a link failed, 2 bad usage or stack file.
 */
import { parseArgs } from "node:util";
import { parseConfig, ConfigError } from "../infra/config";
import { clientOptionsFromEnv, getConfigVars } from "../infra/heroku/client";
import { gatesOf, type Feature } from "../infra/features/manifest";
import { configVarsPresent, flagsMatchStack, isOn, type LinkResult } from "./smoke/links";
import {
  gateChainNames,
  gateExpiryLinks,
  gateSettingsOf,
  GatesOutputError,
  gatesToProbe,
  parseGatesOutput,
  runGateProbes,
  type GateOutput,
  type GateSettings,
} from "./smoke/gates";
import { chainNames, runFeatureProbes, skipped } from "./smoke/probes";
import { unaccountedFlags } from "./smoke/unaccounted-flags";
import { loadStackFiles, projectConfig, StackFileError } from "./stack-files";
import { appendSummary, logSafe } from "./summary";

export interface SmokeOptions {
  readonly stack: string;
  readonly createTicket: boolean;
  /** A stack with one gate: its token's expiry (the `gates` output gives it per gate). */
  readonly tokenExpiresAt?: string;
  /** The `gates` stack output (`pulumi stack output gates --json`), parsed. */
  readonly gates?: Readonly<Record<string, GateOutput>>;
  readonly expiryDays?: number;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** The feature catalog (tests pass fixtures); default: infra/features/data/*.json. */
  readonly features?: readonly Feature[];
  /**
   * Accept a loopback FREESCOUT_API_URL on the app (--allow-loopback): a test setting for local
   * Access and FreeScout stand-ins. Off by default, so an app pointed at localhost fails the check.
   */
  readonly allowLoopback?: boolean;
}

export interface SmokeResult {
  readonly exitCode: 0 | 1 | 2;
  readonly links: LinkResult[];
  readonly output: string;
}

export const USAGE =
  "usage: npm run smoke -- [--stack <name>] [--create-ticket] [--gates <json>] [--token-expires-at <iso>] [--expiry-days <n>] [--allow-loopback]\n" +
  "  needs HEROKU_API_KEY; reads the app's config vars, then runs the probes of each selected feature's file\n" +
  "  (Investigate: FREESCOUT_API_URL through Cloudflare Access) and the probes of each gate the stack uses\n" +
  "  --gates: the output of pulumi stack output gates --json (or env CONSOLE_WIRING_GATES): each gate's token expiry\n" +
  "  --allow-loopback: a test setting; accepts a FREESCOUT_API_URL on 127.0.0.1/localhost/[::1] (http too)\n" +
  "    for local stand-ins. Never in a workflow: without it such a URL fails the check.";

function render(
  stack: string,
  app: string,
  links: readonly LinkResult[],
  allowLoopback: boolean,
): string {
  const lines = [`console-wiring smoke: stack ${stack}, Heroku app ${app}`];
  if (allowLoopback)
    lines.push("  (--allow-loopback: a loopback FREESCOUT_API_URL is accepted; a test setting)");
  for (const l of links)
    lines.push(`  ${l.status.toUpperCase().padEnd(4)}  ${l.link}: ${l.detail}`);
  const failed = links.filter((l) => l.status === "fail");
  lines.push(
    failed.length === 0 ? "Result: PASS" : `Result: FAIL (${failed.map((l) => l.link).join("; ")})`,
  );
  return lines.join("\n");
}

export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  let app: string;
  let desiredFlags: Readonly<Record<string, boolean>>;
  let features: readonly Feature[];
  let settings: Record<string, GateSettings>;
  try {
    const config = parseConfig(
      projectConfig(loadStackFiles(options.stack, options.cwd)),
      options.features,
    );
    app = config.herokuApp;
    desiredFlags = config.flags;
    features = config.features;
    settings = gateSettingsOf(config);
  } catch (err) {
    if (err instanceof StackFileError || err instanceof ConfigError) {
      return { exitCode: 2, links: [], output: `console-wiring smoke: ${err.message}` };
    }
    throw err;
  }
  const http = { timeoutMs: options.timeoutMs ?? 10_000 };
  const links: LinkResult[] = [];

  let vars: Record<string, string> | undefined;
  try {
    vars = await getConfigVars(app, clientOptionsFromEnv());
  } catch (err) {
    links.push({ link: "config vars present", status: "fail", detail: (err as Error).message });
  }

  if (vars) links.push(flagsMatchStack(vars, desiredFlags, features));
  const unaccounted = vars && unaccountedFlags(app, vars, desiredFlags, features, options.features);
  if (unaccounted) links.push(unaccounted);
  // The probes each selected feature's file declares; with more than one such feature, each
  // link names its feature.
  const probing = features.filter((f) => (f.smoke ?? []).length > 0);
  const prefixOf = (f: Feature) => (probing.length > 1 ? `${f.id}: ` : "");
  if (vars) {
    const present = configVarsPresent(vars, features);
    links.push(present);
    for (const feature of probing) {
      const names = chainNames(feature, prefixOf(feature));
      const on = feature.flags.some((flag) => isOn(vars[flag]));
      if (present.status === "fail") {
        for (const name of names) links.push(skipped(name, "config vars present"));
      } else if (!on) {
        for (const name of names)
          links.push({ link: name, status: "skip", detail: "no feature flag is on" });
      } else {
        const ctx = {
          vars,
          allowedHosts: feature.gate && settings[feature.gate.id]?.allowedHosts,
          http,
          createTicket: options.createTicket,
          now: options.now,
          allowLoopback: options.allowLoopback === true,
        };
        links.push(...(await runFeatureProbes(feature, ctx, prefixOf(feature))));
      }
    }
  } else {
    for (const feature of probing)
      for (const name of chainNames(feature, prefixOf(feature)))
        links.push(skipped(name, "reading the app's config vars"));
  }

  // Every gate the stack uses: its own probes (unless a feature's chain ran them) and its token's
  // expiry. A stack without a gate has no service token.
  for (const gate of gatesToProbe(features)) {
    const on = features.some(
      (f) => f.gate?.id === gate.id && f.flags.some((flag) => isOn(vars?.[flag])),
    );
    if (!vars) {
      for (const name of gateChainNames(gate))
        links.push(skipped(name, "reading the app's config vars"));
    } else if (!on) {
      for (const name of gateChainNames(gate))
        links.push({ link: name, status: "skip", detail: "no flag of the gate's features is on" });
    } else {
      const ctx = {
        vars,
        settings: settings[gate.id],
        http,
        allowLoopback: options.allowLoopback === true,
      };
      links.push(...(await runGateProbes(gate, features, ctx)));
    }
  }
  links.push(
    ...gateExpiryLinks(gatesOf(features), options.gates, settings, {
      tokenExpiresAt: options.tokenExpiresAt,
      expiryDays: options.expiryDays,
      now: options.now?.(),
    }),
  );
  const exitCode = links.some((l) => l.status === "fail") ? 1 : 0;
  return {
    exitCode,
    links,
    output: render(options.stack, app, links, options.allowLoopback === true),
  };
}

/** RFC 3339 date-time (a gate's serviceTokenExpiresAt in `pulumi stack output gates --json`), and a real one. */
function isTimestamp(text: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(text) &&
    !Number.isNaN(Date.parse(text))
  );
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string", default: "prod" },
        "create-ticket": { type: "boolean", default: false },
        "token-expires-at": { type: "string" },
        gates: { type: "string" },
        "expiry-days": { type: "string" },
        "allow-loopback": { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    process.stderr.write(`console-wiring smoke: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const rawDays = v["expiry-days"];
  if (rawDays !== undefined && !/^[1-9]\d{0,4}$/.test(rawDays)) {
    process.stderr.write(
      `console-wiring smoke: --expiry-days must be a whole number of days, 1 to 99999 (digits only)\n${USAGE}\n`,
    );
    return 2;
  }
  const days = rawDays === undefined ? undefined : Number(rawDays);
  const expiresAt = v["token-expires-at"] || process.env["SERVICE_TOKEN_EXPIRES_AT"] || undefined;
  if (expiresAt !== undefined && !isTimestamp(expiresAt)) {
    const from = v["token-expires-at"] ? "--token-expires-at" : "SERVICE_TOKEN_EXPIRES_AT";
    process.stderr.write(
      `console-wiring smoke: ${from} must be an RFC 3339 time such as 2027-06-19T00:00:00Z (value not shown)\n${USAGE}\n`,
    );
    return 2;
  }
  const gatesText = v.gates ?? process.env["CONSOLE_WIRING_GATES"];
  let gates: Record<string, GateOutput> | undefined;
  try {
    gates = gatesText
      ? parseGatesOutput(gatesText, v.gates ? "--gates" : "CONSOLE_WIRING_GATES")
      : undefined;
  } catch (err) {
    if (!(err instanceof GatesOutputError)) throw err;
    process.stderr.write(`console-wiring smoke: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  const result = await runSmoke({
    gates,
    stack: v.stack ?? "prod",
    createTicket: v["create-ticket"] ?? false,
    tokenExpiresAt: expiresAt,
    expiryDays: days,
    allowLoopback: v["allow-loopback"] ?? false,
  });
  (result.exitCode === 2 ? process.stderr : process.stdout).write(`${logSafe(result.output)}\n`);
  if (result.exitCode !== 2) appendSummary("Smoke check", result.output);
  return result.exitCode;
}
