/**
 * The stacks the end-to-end files deploy: the config every e2e stack starts from, the tickets
 * gate's settings, the Sentry settings, and deploy.yml's own `pulumi up` step.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";

const REPO = resolve(__dirname, "..", "..");

/**
 * The stack config every e2e stack starts from: the Investigate feature on the tickets host, the
 * stand-ins' account and Vault mount. Each test adds its flags and whatever it varies.
 */
export function stackConfig(app: string): Record<string, unknown> {
  return {
    features: { investigate: true },
    herokuApp: app,
    cloudflareAccountId: "0123456789abcdef0123456789abcdef",
    // The token name the suites expect (the default would carry the e2e stack's name).
    gates: {
      tickets: {
        host: "tickets.raxx.app",
        vaultPath: "cloudflare",
        serviceTokenName: "console-investigate-tickets",
      },
    },
    freescoutApiUrl: "https://tickets.raxx.app",
    freescoutInstanceUrl: "https://tickets.raxx.app",
    vaultMount: "MooseQuest",
  };
}

/** The config with `settings` merged into its `gates.tickets` (the tickets gate's own keys). */
export function withTicketsGate(
  config: Record<string, unknown>,
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const gates = (config["gates"] ?? {}) as Record<string, Record<string, unknown>>;
  return { ...config, gates: { ...gates, tickets: { ...gates["tickets"], ...settings } } };
}

/** deploy.yml's own `pulumi up` step, as the deploy runs it (a script for `bash -euo pipefail -c`). */
export function deployScript(): string {
  const wf = parse(readFileSync(join(REPO, ".github/workflows/deploy.yml"), "utf8")) as {
    jobs: Record<string, { steps: { run?: string }[] }>;
  };
  const step = wf.jobs["up"]?.steps.find((s) => /^pulumi up /m.test(s.run ?? ""));
  if (!step?.run) throw new Error("deploy.yml has no `pulumi up` step");
  return step.run;
}

/** The Sentry settings of a stack that deploys the detection alerts. */
export const SENTRY_CONFIG = {
  sentryOrganization: "raxx",
  sentryProject: "console",
  sentryOpsTeamId: "42",
} as const;
