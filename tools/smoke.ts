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
import {
  checkUrl,
  configVarsPresent,
  flagsMatchStack,
  freescoutAcceptsKey,
  gateAdmitsWithToken,
  gateRefusesWithoutToken,
  mailboxExists,
  ticketCreated,
  tokenNotExpiring,
  type LinkResult,
  type TokenGenerations,
} from "./smoke/links";
import { loadStackFiles, projectConfig, StackFileError } from "./stack-files";
import { appendSummary, logSafe } from "./summary";

export interface SmokeOptions {
  readonly stack: string;
  readonly createTicket: boolean;
  readonly tokenExpiresAt?: string;
  readonly expiryDays?: number;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export interface SmokeResult {
  readonly exitCode: 0 | 1 | 2;
  readonly links: LinkResult[];
  readonly output: string;
}

export const USAGE =
  "usage: npm run smoke -- [--stack <name>] [--create-ticket] [--token-expires-at <iso>] [--expiry-days <n>]\n" +
  "  needs HEROKU_API_KEY; reads the app's config vars, then calls FREESCOUT_API_URL through Cloudflare Access";

function render(stack: string, app: string, links: readonly LinkResult[]): string {
  const lines = [`console-wiring smoke: stack ${stack}, Heroku app ${app}`];
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
  let expiryDays: number;
  let token: TokenGenerations;
  let desiredFlags: Readonly<Record<string, boolean>>;
  let allowedHosts: readonly string[];
  try {
    const config = parseConfig(projectConfig(loadStackFiles(options.stack, options.cwd)));
    app = config.herokuApp;
    desiredFlags = config.flags;
    allowedHosts = config.allowedHosts;
    expiryDays = options.expiryDays ?? config.serviceToken.expiryWarningDays;
    const { generation, previousGeneration, duration } = config.serviceToken;
    token = { generation, previousGeneration, duration };
  } catch (err) {
    if (err instanceof StackFileError || err instanceof ConfigError) {
      return { exitCode: 2, links: [], output: `console-wiring smoke: ${err.message}` };
    }
    throw err;
  }
  const http = { timeoutMs: options.timeoutMs ?? 10_000 };
  const links: LinkResult[] = [];
  const skip = (link: string, because: string) =>
    links.push({ link, status: "skip", detail: `not run: ${because} failed` });

  let vars: Record<string, string> | undefined;
  try {
    vars = await getConfigVars(app, clientOptionsFromEnv());
  } catch (err) {
    links.push({ link: "config vars present", status: "fail", detail: (err as Error).message });
  }

  const chain = [
    "gate refuses without token",
    "gate admits with token",
    "FreeScout accepts key",
    "mailbox exists",
  ];
  if (vars) links.push(flagsMatchStack(vars, desiredFlags));
  if (vars) {
    const present = configVarsPresent(vars);
    links.push(present);
    let base: URL | undefined;
    if (present.status === "pass") {
      try {
        base = checkUrl(vars["FREESCOUT_API_URL"] ?? "", "FREESCOUT_API_URL", allowedHosts);
      } catch (err) {
        links.push({
          link: "gate refuses without token",
          status: "fail",
          detail: (err as Error).message,
        });
      }
    }
    if (base) {
      const creds = {
        clientId: vars["CF_ACCESS_SVC_TICKETS_CLIENT_ID"] ?? "",
        clientSecret: vars["CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"] ?? "",
        apiKey: vars["FREESCOUT_API_KEY"] ?? "",
      };
      const mailbox = vars["FREESCOUT_OPERATIONS_MAILBOX_ID"] ?? "";
      const steps: (() => Promise<LinkResult>)[] = [
        () => gateRefusesWithoutToken(base, http),
        () => gateAdmitsWithToken(base, creds, http),
        () => freescoutAcceptsKey(base, creds, http),
        () => mailboxExists(base, creds, mailbox, http),
      ];
      if (options.createTicket) {
        const when = options.now ? new Date(options.now()) : new Date();
        steps.push(() => ticketCreated(base, creds, mailbox, http, when));
      }
      let failedAt: string | undefined;
      for (const [i, step] of steps.entries()) {
        const name = chain[i] ?? "ticket created";
        if (failedAt) {
          skip(name, failedAt);
          continue;
        }
        const result = await step();
        links.push(result);
        if (result.status === "fail") failedAt = result.link;
      }
      if (!options.createTicket) {
        links.push({
          link: "ticket created",
          status: "skip",
          detail: "read-only run (pass --create-ticket to file a marked test conversation)",
        });
      }
    } else if (present.status === "skip") {
      for (const name of chain)
        links.push({ link: name, status: "skip", detail: "no feature flag is on" });
    } else if (!links.some((l) => l.link === "gate refuses without token")) {
      for (const name of chain) skip(name, "config vars present");
    }
  } else {
    for (const name of chain) skip(name, "reading the app's config vars");
  }

  links.push(tokenNotExpiring(options.tokenExpiresAt, expiryDays, options.now?.(), token));
  const exitCode = links.some((l) => l.status === "fail") ? 1 : 0;
  return { exitCode, links, output: render(options.stack, app, links) };
}

/** RFC 3339 date-time (what `pulumi stack output serviceTokenExpiresAt` gives), and a real one. */
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
        "expiry-days": { type: "string" },
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
  const result = await runSmoke({
    stack: v.stack ?? "prod",
    createTicket: v["create-ticket"] ?? false,
    tokenExpiresAt: expiresAt,
    expiryDays: days,
  });
  (result.exitCode === 2 ? process.stderr : process.stdout).write(`${logSafe(result.output)}\n`);
  if (result.exitCode !== 2) appendSummary("Smoke check", result.output);
  return result.exitCode;
}
