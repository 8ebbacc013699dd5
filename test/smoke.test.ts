import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { prerequisiteMap } from "../infra/features/manifest";
import { main, runSmoke, type SmokeOptions } from "../tools/smoke";
import { FakeHeroku } from "./support/fake-heroku";
import { FakeTickets, type TicketsOptions } from "./support/fake-tickets";
import { investigate } from "./support/investigate";

const HEROKU_TOKEN = "fake-heroku-key-smoke-test-token-000";
const CLIENT_ID = "sentinel-client-id.access";
const CLIENT_SECRET = "sentinel-client-secret-value";
const API_KEY = "sentinel-freescout-api-key";
const NOW = Date.parse("2026-11-29T00:00:00Z");

/** A project dir with prod's stack file as stack `flags-off`, its flags replaced. */
function stackDir(flags: Record<string, boolean>): string {
  const dir = mkdtempSync(join(tmpdir(), "smoke-stack-"));
  copyFileSync(join(__dirname, "..", "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  const prod = readFileSync(join(__dirname, "..", "Pulumi.prod.yaml"), "utf8");
  const withoutFlags = prod.replace(/ {2}console-wiring:flags:\n(?: {4}.*\n)+/, "");
  const lines = Object.entries(flags).map(([k, v]) => `    ${k}: ${v}`);
  writeFileSync(
    join(dir, "Pulumi.flags-off.yaml"),
    lines.length > 0
      ? `${withoutFlags}  console-wiring:flags:\n${lines.join("\n")}\n`
      : withoutFlags,
  );
  return dir;
}

let heroku: FakeHeroku;
let tickets: FakeTickets;
const saved = { ...process.env };

async function setup(
  gate: Partial<TicketsOptions> = {},
  appVars: Record<string, string | undefined> = {},
): Promise<void> {
  tickets = new FakeTickets({
    gate: "401",
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    apiKey: API_KEY,
    mailboxes: [1, 2, 3],
    ...gate,
  });
  const ticketsUrl = await tickets.start();
  const vars: Record<string, string | undefined> = {
    DATABASE_URL: "postgres://db",
    FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: "1",
    FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: "1",
    FREESCOUT_API_URL: ticketsUrl,
    FREESCOUT_INSTANCE_URL: ticketsUrl,
    FREESCOUT_API_KEY: API_KEY,
    FREESCOUT_OPERATIONS_MAILBOX_ID: "3",
    CF_ACCESS_SVC_TICKETS_CLIENT_ID: CLIENT_ID,
    CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: CLIENT_SECRET,
    CONSOLE_FEATURE_PREREQUISITES: JSON.stringify(prerequisiteMap([investigate()])),
    ...appVars,
  };
  heroku.apps.set(
    "raxx-console-prod",
    Object.fromEntries(
      Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  );
}

beforeEach(async () => {
  heroku = new FakeHeroku(HEROKU_TOKEN);
  process.env["HEROKU_API_URL"] = await heroku.start();
  process.env["HEROKU_API_KEY"] = HEROKU_TOKEN;
  process.env["HEROKU_API_MAX_ATTEMPTS"] = "1";
});

afterEach(async () => {
  await heroku.stop();
  await tickets?.stop();
  process.env = { ...saved };
});

const smoke = (o: Partial<SmokeOptions> = {}) =>
  runSmoke({
    stack: "prod",
    createTicket: false,
    tokenExpiresAt: "2027-06-19T00:00:00Z",
    now: () => NOW,
    timeoutMs: 2_000,
    // The Access and FreeScout stand-in listens on 127.0.0.1: the explicit test setting.
    allowLoopback: true,
    ...o,
  });

const statuses = (r: Awaited<ReturnType<typeof smoke>>) =>
  r.links.map((l) => `${l.status} ${l.link}`);
const linkOf = (r: Awaited<ReturnType<typeof smoke>>, name: string) =>
  r.links.find((l) => l.link === name);

describe("npm run smoke", () => {
  it("passes every link read-only, without writing anything", async () => {
    await setup();
    const result = await smoke();
    expect(statuses(result)).toEqual([
      "pass flags as the stack wants",
      "pass config vars present",
      "pass gate refuses without token",
      "pass gate admits with token",
      "pass FreeScout accepts key",
      "pass mailbox exists",
      "skip ticket created",
      "pass service token not expiring",
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.output.split("\n").at(-1)).toBe("Result: PASS");
    expect(tickets.calls.filter((c) => c.method !== "GET")).toEqual([]);
    expect(heroku.calls.map((c) => c.method)).toEqual(["GET"]);
  });

  it("files a clearly marked test conversation with --create-ticket", async () => {
    await setup();
    const result = await smoke({ createTicket: true });
    expect(result.links.find((l) => l.link === "ticket created")).toEqual({
      link: "ticket created",
      status: "pass",
      detail: "POST /api/conversations -> 201, conversation 26",
    });
    expect(tickets.conversations).toEqual([
      {
        id: 26,
        mailboxId: 3,
        subject: "[console-wiring smoke test] 2026-11-29T00:00:00.000Z - safe to ignore",
      },
    ]);
  });

  it("never prints a credential", async () => {
    await setup({ apiKey: "another-key" });
    const result = await smoke();
    for (const s of [CLIENT_ID, CLIENT_SECRET, API_KEY, HEROKU_TOKEN])
      expect(result.output).not.toContain(s);
  });

  it("fails link 1 naming a missing var, and skips what depends on it", async () => {
    await setup({}, { FREESCOUT_API_KEY: undefined });
    const result = await smoke();
    expect(linkOf(result, "config vars present")).toEqual({
      link: "config vars present",
      status: "fail",
      detail:
        "flags on: FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET; missing or empty on the app: FREESCOUT_API_KEY. Re-run deploy.yml (its pulumi up --refresh reads the app and puts them back; a plain pulumi up compares with state and sends nothing), and check who removed them (drift job).",
    });
    expect(statuses(result).slice(2, 6)).toEqual([
      "skip gate refuses without token",
      "skip gate admits with token",
      "skip FreeScout accepts key",
      "skip mailbox exists",
    ]);
    expect(result.exitCode).toBe(1);
    expect(tickets.calls).toEqual([]);
  });

  it("fails link 2 when the API path is not gated", async () => {
    await setup({ gate: "off" });
    const result = await smoke();
    expect(linkOf(result, "gate refuses without token")?.status).toBe("fail");
    expect(linkOf(result, "gate refuses without token")?.detail).toMatch(
      /answered 401 without any service token and without Access's challenge \(www-authenticate: Cloudflare-Access\); the body is FreeScout's own: the API path is not behind Cloudflare Access/,
    );
    expect(result.exitCode).toBe(1);
  });

  it("fails link 2 when Access redirects to the login page instead of answering 401", async () => {
    await setup({ gate: "redirect" });
    const result = await smoke();
    expect(linkOf(result, "gate refuses without token")).toMatchObject({
      link: "gate refuses without token",
      status: "fail",
    });
    expect(linkOf(result, "gate refuses without token")?.detail).toMatch(
      /-> 302 redirect to Access's login page \(Location https:\/\/raxx\.cloudflareaccess\.com\/cdn-cgi\/access\/login\/tickets\.raxx\.app\): .* Set serviceAuth401Redirect on the Access application/,
    );
  });

  it("fails link 2 on a login redirect that also carries Access's challenge, and files no ticket", async () => {
    await setup({ gate: "redirect", redirectChallenge: true });
    const result = await smoke({ createTicket: true });
    expect(tickets.calls.filter((c) => c.method === "POST")).toEqual([]);
    expect(tickets.conversations).toEqual([]);
    const apiUrl = heroku.apps.get("raxx-console-prod")!["FREESCOUT_API_URL"]!;
    expect(linkOf(result, "gate refuses without token")).toEqual({
      link: "gate refuses without token",
      status: "fail",
      detail: `GET ${apiUrl}/api/conversations -> 302 redirect to Access's login page (Location https://raxx.cloudflareaccess.com/cdn-cgi/access/login/tickets.raxx.app): a client that follows it sees a 200 HTML page. Set serviceAuth401Redirect on the Access application (re-running deploy.yml restores it: its pulumi up --refresh reads the application first).`,
    });
    expect(statuses(result).slice(3, 7)).toEqual([
      "skip gate admits with token",
      "skip FreeScout accepts key",
      "skip mailbox exists",
      "skip ticket created",
    ]);
    expect(result.exitCode).toBe(1);
    expect(tickets.calls.map((c) => `${c.method} ${c.path}`)).toEqual(["GET /api/conversations"]);
  });

  it("fails link 3 when the app's service token is not admitted", async () => {
    await setup({}, { CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "rotated-elsewhere" });
    const result = await smoke();
    expect(linkOf(result, "gate admits with token")).toEqual({
      link: "gate admits with token",
      status: "fail",
      detail:
        "with the service-token headers Access refused (401, www-authenticate: Cloudflare-Access): the token is expired, revoked, or not in the application's non_identity policy. Rotate it (gates.tickets.serviceTokenSecretVersion) or check the policy.",
    });
    expect(statuses(result).slice(4, 6)).toEqual([
      "skip FreeScout accepts key",
      "skip mailbox exists",
    ]);
  });

  it("fails link 4 when FreeScout refuses the API key", async () => {
    await setup({ apiKey: "the-real-key" });
    const result = await smoke();
    expect(linkOf(result, "FreeScout accepts key")).toMatchObject({
      link: "FreeScout accepts key",
      status: "fail",
    });
    expect(linkOf(result, "FreeScout accepts key")?.detail).toMatch(
      /^FreeScout refused FREESCOUT_API_KEY \(401\)/,
    );
  });

  it("fails link 5 when the operations mailbox does not exist (across pages)", async () => {
    await setup({}, { FREESCOUT_OPERATIONS_MAILBOX_ID: "9" });
    const result = await smoke();
    expect(linkOf(result, "mailbox exists")).toEqual({
      link: "mailbox exists",
      status: "fail",
      detail:
        "FREESCOUT_OPERATIONS_MAILBOX_ID is not among the mailboxes the API key can see (2 page(s) read): conversations cannot be created. Fix the id in Vault (<mount>/freescout) and run pulumi up.",
    });
    expect(tickets.calls.filter((c) => c.path === "/api/mailboxes")).toHaveLength(2);
  });

  it("fails when the token expires within the window, saying how to renew it (a rotation would not)", async () => {
    await setup();
    const result = await smoke({ tokenExpiresAt: "2026-12-09T00:00:00Z" });
    expect(result.links.at(-1)).toEqual({
      link: "service token not expiring",
      status: "fail",
      detail:
        "the service token expires in 10 day(s) (2026-12-09T00:00:00Z), within the 30-day window. " +
        "Renew it with a new token: pulumi config set --path 'gates.tickets.serviceTokenGeneration' 2 && pulumi up (Access admits the old and the new token while Vault and Heroku move to the new one); " +
        "once this check passes, pulumi config set --path 'gates.tickets.serviceTokenRetiredGeneration' 1 && pulumi up. " +
        "For a token that never expires, also set --path 'gates.tickets.serviceTokenDuration' forever in the first step. " +
        "A rotation (gates.tickets.serviceTokenSecretVersion) does not extend the expiry.",
    });
    expect(result.exitCode).toBe(1);
  });

  it("honours --expiry-days", async () => {
    await setup();
    const result = await smoke({ tokenExpiresAt: "2026-12-09T00:00:00Z", expiryDays: 7 });
    expect(result.links.at(-1)?.status).toBe("pass");
  });

  it("fails when the token already expired", async () => {
    await setup();
    const result = await smoke({ tokenExpiresAt: "2026-11-01T00:00:00Z" });
    expect(result.links.at(-1)?.detail).toMatch(/^the service token expired 28 day\(s\) ago/);
  });

  it("fails link 1 with Heroku's error when the API key is refused", async () => {
    await setup();
    process.env["HEROKU_API_KEY"] = "fake-heroku-key-wrong-wrong-wrong";
    const result = await smoke();
    expect(linkOf(result, "config vars present")?.status).toBe("fail");
    expect(linkOf(result, "config vars present")?.detail).toContain("HTTP 401 unauthorized");
    expect(result.output).not.toContain("fake-heroku-key-wrong-wrong-wrong");
  });

  it("refuses a plain-http API URL off loopback without calling it", async () => {
    await setup({}, { FREESCOUT_API_URL: "http://tickets.example.com" });
    const result = await smoke();
    expect(linkOf(result, "gate refuses without token")).toEqual({
      link: "gate refuses without token",
      status: "fail",
      detail:
        "FREESCOUT_API_URL on the app must be https:// (the API key and service-token headers travel with every call)",
    });
  });

  it("refuses the loopback stand-in without --allow-loopback, and sends it nothing", async () => {
    await setup();
    const result = await smoke({ allowLoopback: false });
    expect(linkOf(result, "gate refuses without token")).toEqual({
      link: "gate refuses without token",
      status: "fail",
      detail:
        "FREESCOUT_API_URL on the app must be https:// (the API key and service-token headers travel with every call)",
    });
    expect(tickets.calls).toEqual([]);
    expect(result.exitCode).toBe(1);
    expect(result.output).not.toContain("--allow-loopback");
    const allowed = await smoke();
    expect(allowed.output).toContain(
      "(--allow-loopback: a loopback FREESCOUT_API_URL is accepted; a test setting)",
    );
  });

  it("sends no credential to a host the stack does not allow", async () => {
    await setup({}, { FREESCOUT_API_URL: "https://evil.example/api" });
    const result = await smoke();
    expect(linkOf(result, "gate refuses without token")?.detail).toBe(
      "FREESCOUT_API_URL on the app must point at tickets.raxx.app (it points at evil.example): another host would receive the FreeScout API key and the service-token secret: refused (value not shown)",
    );
    expect(tickets.calls).toEqual([]);
    expect(result.exitCode).toBe(1);
  });

  it("fails when the stack wants the flags on and the app has them off", async () => {
    await setup(
      {},
      {
        FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: "0",
        FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: undefined,
      },
    );
    const result = await smoke();
    expect(linkOf(result, "flags as the stack wants")).toEqual({
      link: "flags as the stack wants",
      status: "fail",
      detail:
        "on in the stack but off or absent on the app: FLAG_CONSOLE_INVESTIGATE_FROM_STATUS, FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET. Re-run deploy.yml so the app matches the stack (its pulumi up --refresh reads the app first; a plain pulumi up compares with state and may send nothing), or change the stack's flags.",
    });
    expect(result.exitCode).toBe(1);
    expect(tickets.calls).toEqual([]);
  });

  it("has nothing to check when no flag is on, in the stack or at the app", async () => {
    await setup(
      {},
      {
        FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: "0",
        FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET: undefined,
      },
    );
    const result = await smoke({ stack: "flags-off", cwd: stackDir({}) });
    expect(linkOf(result, "flags as the stack wants")?.status).toBe("pass");
    expect(linkOf(result, "config vars present")?.status).toBe("skip");
    expect(result.exitCode).toBe(0);
    expect(tickets.calls).toEqual([]);
  });

  it("fails when a flag is on at the app but off in the stack", async () => {
    await setup();
    const result = await smoke({
      stack: "flags-off",
      cwd: stackDir({ FLAG_CONSOLE_INVESTIGATE_FROM_STATUS: true }),
    });
    expect(linkOf(result, "flags as the stack wants")?.detail).toBe(
      "on at the app but not in the stack: FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET. Re-run deploy.yml so the app matches the stack (its pulumi up --refresh reads the app first; a plain pulumi up compares with state and may send nothing), or change the stack's flags.",
    );
    expect(result.exitCode).toBe(1);
  });

  it("exits 2 for a stack file that does not exist", async () => {
    await setup();
    const result = await smoke({ stack: "nope" });
    expect(result.exitCode).toBe(2);
  });
});

describe("npm run smoke arguments", () => {
  it.each(["soon", "1e3", "0x10", "0", "7.5", " 7"])(
    "rejects --expiry-days %j as bad usage",
    async (days) => {
      const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      try {
        expect(await main(["--expiry-days", days])).toBe(2);
        expect(err).toHaveBeenCalledWith(
          expect.stringContaining("--expiry-days must be a whole number of days, 1 to 99999"),
        );
      } finally {
        err.mockRestore();
      }
    },
  );

  it.each(["garbage", "1", "2027-06-19", "2027-13-40T00:00:00Z"])(
    "rejects --token-expires-at %j as bad usage, not as an expired token",
    async (at) => {
      const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      try {
        expect(await main(["--token-expires-at", at])).toBe(2);
        expect(err).toHaveBeenCalledWith(
          expect.stringContaining("--token-expires-at must be an RFC 3339 time"),
        );
        expect(heroku.calls).toEqual([]);
      } finally {
        err.mockRestore();
      }
    },
  );

  it("prints no credential on a full passing run, in its output or its job summary", async () => {
    await setup();
    const summary = join(mkdtempSync(join(tmpdir(), "smoke-summary-")), "summary.md");
    process.env["GITHUB_STEP_SUMMARY"] = summary;
    let out = "";
    const o = vi
      .spyOn(process.stdout, "write")
      .mockImplementation((s) => ((out += String(s)), true));
    try {
      expect(await main(["--token-expires-at", "2099-01-01T00:00:00Z", "--allow-loopback"])).toBe(
        0,
      );
    } finally {
      o.mockRestore();
    }
    const written = readFileSync(summary, "utf8");
    expect(out).toContain("Result: PASS");
    expect(written).toContain("Result: PASS");
    for (const s of [
      CLIENT_ID,
      CLIENT_SECRET,
      API_KEY,
      HEROKU_TOKEN,
      "FREESCOUT_OPERATIONS_MAILBOX_ID 3",
    ]) {
      expect(out).not.toContain(s);
      expect(written).not.toContain(s);
    }
  });

  it("rejects an unknown option as bad usage", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["--create-tickets"])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });

  it("reads the expiry from SERVICE_TOKEN_EXPIRES_AT when no flag is given", async () => {
    await setup();
    process.env["SERVICE_TOKEN_EXPIRES_AT"] = "2020-01-01T00:00:00Z";
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(await main(["--allow-loopback"])).toBe(1);
      expect(out).toHaveBeenCalledWith(
        expect.stringMatching(
          /FAIL {2}service token not expiring: the service token expired \d+ day\(s\) ago/,
        ),
      );
    } finally {
      out.mockRestore();
    }
  });
});
