/**
 * Verdict parity: each incident fixture, and the prod program, through both `npm run check` (the
 * program under Pulumi's mock runtime, the pack through @pulumi/policy's runtime in-process) and
 * the real `pulumi preview --policy-pack policy` (the 3.248 engine loading the pack through the
 * language host). The two must give the same verdict: the same exit (zero or not) and the same
 * policies named, mandatory and remediated. Prints one table and `policy parity: N/N agree`, also
 * written to .cache/e2e/policy-parity.txt (.ci/run prints it last).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCheck } from "../../tools/check";
import { unrelatedVars } from "../support/fake-heroku";
import { e2eSuite, REPO, text, withTicketsGate, Workspace } from "./harness";

const FIXTURE_DIR = join(REPO, "test", "fixtures", "incidents");
const FIXTURES = readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith(".ts") && f !== "common.ts")
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();
const PROD = "prod program";

/** What both sides were given: the incident replays' Vault contents. */
const VAULT = {
  "MooseQuest/freescout": { FREESCOUT_API_KEY: "parity-key", FREESCOUT_OPERATIONS_MAILBOX_ID: "3" },
  "MooseQuest/cloudflare": {
    CF_ACCESS_SVC_TICKETS_CLIENT_ID: "parity-client.access",
    CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: "parity-client-secret",
  },
};

interface Verdict {
  readonly exit: number;
  readonly mandatory: string[];
  readonly advisory: string[];
  readonly remediated: string[];
  readonly ms: number;
}
interface Row {
  readonly fixture: string;
  readonly check: Verdict;
  readonly engine: Verdict;
}

const names = (output: string, pattern: RegExp) =>
  [...new Set([...output.matchAll(pattern)].map((m) => m[1]!))].sort();

/** The check's verdict, from its text plan: FAIL, WARN and NOTE lines. */
function checkVerdict(exit: number, output: string, ms: number): Verdict {
  return {
    exit,
    mandatory: names(output, /^ {2}FAIL {2}([a-z0-9-]+) \(mandatory\)/gm),
    advisory: names(output, /^ {2}WARN {2}([a-z0-9-]+) \(advisory\)/gm),
    remediated: names(output, /^ {2}NOTE {2}([a-z0-9-]+) \(remediate\)/gm),
    ms,
  };
}

/** The engine's verdict, from the CLI's display (pkg/backend/display/diff.go at 3.248). */
function engineVerdict(exit: number, output: string, ms: number): Verdict {
  const level = (l: string) =>
    names(output, new RegExp(`\\[${l}\\](?: \\[severity: \\w+\\])? {2}([a-z0-9-]+) {2}\\(`, "g"));
  return {
    exit,
    mandatory: level("mandatory"),
    advisory: level("advisory"),
    remediated: level("remediate"),
    ms,
  };
}

const named = (v: Verdict) => ({
  mandatory: v.mandatory,
  advisory: v.advisory,
  remediated: v.remediated,
});
const agree = (r: Row) =>
  (r.check.exit === 0) === (r.engine.exit === 0) &&
  JSON.stringify(named(r.check)) === JSON.stringify(named(r.engine));

function table(rows: readonly Row[]): string {
  const list = (v: Verdict) =>
    [
      ...v.mandatory,
      ...v.advisory.map((p) => `${p} (advisory)`),
      ...v.remediated.map((p) => `${p} (remediated)`),
    ].join(", ") || "-";
  const lines = [
    "| fixture | check exit | check names | engine exit | engine names | check ms | preview ms |",
    "|---|---:|---|---:|---|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.fixture} | ${r.check.exit} | ${list(r.check)} | ${r.engine.exit} | ${list(r.engine)} | ${r.check.ms} | ${r.engine.ms} |`,
    ),
  ];
  const ok = rows.filter(agree).length;
  return `${lines.join("\n")}\npolicy parity: ${ok}/${rows.length} agree\n`;
}

/** Pulumi.prod.yaml's config without the project namespace, as the workspace writes it. */
function prodConfig(): Record<string, unknown> {
  const file = parse(readFileSync(join(REPO, "Pulumi.prod.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(file.config).map(([k, v]) => [k.replace(/^console-wiring:/, ""), v]),
  );
}

const suite = e2eSuite();
const heroku = suite.heroku;
const rows: Row[] = [];

beforeAll(() => {
  heroku.apps.set("raxx-console-prod", unrelatedVars());
});

afterAll(() => {
  if (rows.length === 0) return;
  const out = table(rows);
  const dir = join(REPO, ".cache", "e2e");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "policy-parity.txt"), out);
  process.stdout.write(`\n${out}`);
});

async function enginePreview(fixture: string): Promise<Verdict> {
  const files =
    fixture === PROD
      ? {}
      : {
          "infra/index.ts": `import program from "../test/fixtures/incidents/${fixture}";\nexport = program;\n`,
          ...Object.fromEntries(
            ["common.ts", `${fixture}.ts`].map((f) => [
              `test/fixtures/incidents/${f}`,
              readFileSync(join(FIXTURE_DIR, f), "utf8"),
            ]),
          ),
        };
  const ws = await suite.workspace({
    stack: "prod",
    config: prodConfig(),
    files,
  });
  await ws.vault.seed(structuredClone(VAULT));
  const run = await ws.pulumi(["preview", "--policy-pack", "policy", "--show-policy-remediations"]);
  if (run.code !== 0 && !/\[mandatory\]/.test(text(run)))
    process.stdout.write(
      `parity: ${fixture}: the preview failed without a policy:\n${text(run)}\n`,
    );
  return engineVerdict(run.code, text(run), run.ms);
}

async function check(fixture: string): Promise<Verdict> {
  const program =
    fixture === PROD
      ? undefined
      : (
          (await import(join(FIXTURE_DIR, `${fixture}.ts`))) as {
            default: () => Promise<Record<string, unknown>>;
          }
        ).default;
  const started = Date.now();
  const result = await runCheck({
    stack: "prod",
    format: "text",
    cwd: REPO,
    vault: structuredClone(VAULT),
    ...(program ? { program } : {}),
  });
  return checkVerdict(result.exitCode, result.output, Date.now() - started);
}

describe.sequential("policy verdicts: npm run check and the engine's preview agree", () => {
  it("the host runs policy packs", () => {
    expect(suite.cli.runsPolicyPacks, suite.cli.languageHost).toBe(true);
  });

  it.each([...FIXTURES, PROD])("%s", async (fixture) => {
    const row: Row = { fixture, check: await check(fixture), engine: await enginePreview(fixture) };
    rows.push(row);
    expect(named(row.engine), `check said ${JSON.stringify(row.check)}`).toEqual(named(row.check));
    expect(row.engine.exit === 0).toBe(row.check.exit === 0);
    // Every incident is caught or remediated; the prod program passes clean.
    if (fixture === PROD)
      expect(row.check).toMatchObject({ exit: 0, mandatory: [], advisory: [], remediated: [] });
    else expect([...row.check.mandatory, ...row.check.remediated].length).toBeGreaterThan(0);
  });
});

describe.sequential("on a stack that exists: stack policies read outputs", () => {
  const APP = "raxx-console-existing";
  const TOKEN = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";
  let ws: Workspace;

  beforeAll(async () => {
    heroku.apps.set(APP, unrelatedVars());
    ws = await suite.workspace({
      stack: "existing",
      config: withTicketsGate({ ...prodConfig(), herokuApp: APP }, { adoptVaultSecret: false }),
    });
    await ws.vault.seed({ "MooseQuest/freescout": structuredClone(VAULT["MooseQuest/freescout"]) });
    const up = await ws.pulumi(["up", "--yes", "--policy-pack", "policy"]);
    expect(up.code, text(up)).toBe(0);
  }, 300_000);

  it("the alert as Sentry reads it back, the ids and the token's expiry pass a refreshed preview", async () => {
    const run = await ws.pulumi([
      "preview",
      "--refresh",
      "--expect-no-changes",
      "--policy-pack",
      "policy",
    ]);
    expect(run.code, text(run)).toBe(0);
    expect(engineVerdict(run.code, text(run), run.ms)).toMatchObject({
      mandatory: [],
      advisory: [],
    });
  });

  it("a token that expires within 30 days: the refreshed preview warns, from the token's outputs", async () => {
    const store = ws.standin("cloudflare");
    const token = Object.values(store.objects).find((o) => o.type === TOKEN)!;
    const soon = new Date(Date.now() + 10 * 24 * 3_600_000 + 3_600_000).toISOString();
    token.computed["expiresAt"] = soon;
    ws.writeStandin("cloudflare", store);
    const run = await ws.pulumi(["preview", "--refresh", "--policy-pack", "policy"]);
    expect(run.code, text(run)).toBe(0);
    expect(engineVerdict(run.code, text(run), run.ms)).toMatchObject({
      mandatory: [],
      advisory: ["service-token-expiry"],
    });
    expect(text(run)).toContain(`expires in 10 day(s) (${soon})`);
  });
});

describe.sequential(
  "on a stack that exists: an inline Access policy whose decision is unknown",
  () => {
    const NAME = "existing stack: inline decision unknown";
    const fixture = join(REPO, "test", "fixtures", "existing-stack", "inline-decision-unknown.ts");
    let ws: Workspace;

    beforeAll(async () => {
      ws = await suite.workspace({
        stack: "existing-inline",
        config: prodConfig(),
        files: {
          "infra/index.ts":
            'import program from "../test/fixtures/existing-stack/inline-decision-unknown";\nexport = program;\n',
          "test/fixtures/existing-stack/inline-decision-unknown.ts": readFileSync(fixture, "utf8"),
          "test/fixtures/incidents/common.ts": readFileSync(join(FIXTURE_DIR, "common.ts"), "utf8"),
        },
      });
      const up = await ws.pulumi(["up", "--yes", "--policy-pack", "policy"]);
      expect(up.code, text(up)).toBe(0);
    }, 300_000);

    it("service-auth-returns-401 still decides (mandatory, no 'can't run'), as the check does", async () => {
      process.env["PARITY_SECOND_CLIENT"] = "1";
      let checked: Verdict;
      try {
        const program = (
          (await import(fixture)) as { default: () => Promise<Record<string, unknown>> }
        ).default;
        const started = Date.now();
        const result = await runCheck({ stack: "prod", format: "text", cwd: REPO, program });
        checked = checkVerdict(result.exitCode, result.output, Date.now() - started);
      } finally {
        delete process.env["PARITY_SECOND_CLIENT"];
      }
      const run = await ws.pulumi(["preview", "--policy-pack", "policy"], {
        PARITY_SECOND_CLIENT: "1",
      });
      const row: Row = {
        fixture: NAME,
        check: checked,
        engine: engineVerdict(run.code, text(run), run.ms),
      };
      rows.push(row);
      expect(text(run)).not.toContain("can't run policy");
      expect(run.code, text(run)).toBe(0);
      expect(named(row.engine)).toEqual(named(row.check));
      expect(row.engine).toMatchObject({ exit: 0, mandatory: [], advisory: [] });
    });
  },
);
