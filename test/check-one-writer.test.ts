import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheck } from "../tools/check";

// npm run check refuses a stack file that shares the Heroku app or a service-token name with
// another stack file (issue 25, finding 6): each case is a project directory with prod's files.
const root = resolve(__dirname, "..");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A project with Pulumi.yaml, prod's stack file, and `Pulumi.<name>.yaml` for each extra. */
function project(extra: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "console-wiring-one-writer-"));
  dirs.push(dir);
  copyFileSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  copyFileSync(join(root, "Pulumi.prod.yaml"), join(dir, "Pulumi.prod.yaml"));
  for (const [name, text] of Object.entries(extra)) {
    writeFileSync(join(dir, `Pulumi.${name}.yaml`), text);
  }
  return dir;
}

/** Staging's stack file with its app and token-name lines replaced. */
function staging(app: string, tokenLine?: string): string {
  return readFileSync(join(root, "Pulumi.staging.yaml"), "utf8")
    .replace(/console-wiring:herokuApp: .*/, `console-wiring:herokuApp: ${app}`)
    .replace(/ {6}serviceTokenName: .*\n/, tokenLine ? `      ${tokenLine}\n` : "");
}

const APP_LINE =
  "  - Pulumi.qa.yaml and Pulumi.prod.yaml both set console-wiring:herokuApp to raxx-console-prod: two stacks on one app take over each other's config vars, and destroying one deletes the other's. Give Pulumi.qa.yaml its own app: pulumi config set herokuApp <its-own-app> --stack qa";

describe("npm run check: one writer per app and per token", () => {
  it("refuses a second stack file on prod's Heroku app, naming both files, the key and the fix", async () => {
    const cwd = project({ qa: staging("raxx-console-prod") });
    const result = await runCheck({ stack: "qa", format: "text", cwd });
    expect(result).toEqual({
      exitCode: 1,
      output: [
        "console-wiring check: one writer per app and per token; Pulumi.qa.yaml shares with another stack file:",
        APP_LINE,
      ].join("\n"),
    });
  });

  it("fails prod's check too, naming the other file", async () => {
    const cwd = project({ qa: staging("raxx-console-prod") });
    const result = await runCheck({ stack: "prod", format: "text", cwd });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      "  - Pulumi.prod.yaml and Pulumi.qa.yaml both set console-wiring:herokuApp to raxx-console-prod:",
    );
  });

  it("refuses a stack file that names prod's service token, and says where to rename it", async () => {
    const cwd = project({
      qa: staging("raxx-console-qa", "serviceTokenName: console-investigate-tickets"),
    });
    const result = await runCheck({ stack: "qa", format: "text", cwd });
    expect(result).toEqual({
      exitCode: 1,
      output: [
        "console-wiring check: one writer per app and per token; Pulumi.qa.yaml shares with another stack file:",
        "  - Pulumi.qa.yaml and Pulumi.prod.yaml name the same Access service token: console-wiring:gates.tickets.serviceTokenName is \"console-investigate-tickets\" in Pulumi.qa.yaml and console-wiring:gates.tickets.serviceTokenName is \"console-investigate-tickets\" in Pulumi.prod.yaml. npm run recover finds an interrupted deploy's token by its name, so one stack could delete the other's. Rename it in the stack not deployed yet (a deployed stack's new name replaces its token), e.g. pulumi config set --path 'gates.tickets.serviceTokenName' console-qa-tickets --stack qa",
      ].join("\n"),
    });
  });

  it("counts a renewed generation's name (<name>-g<n>) as the same token", async () => {
    const cwd = project({
      qa: staging("raxx-console-qa", "serviceTokenName: console-investigate-tickets-g2"),
    });
    const result = await runCheck({ stack: "qa", format: "text", cwd });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      'console-wiring:gates.tickets.serviceTokenName is "console-investigate-tickets-g2" in Pulumi.qa.yaml and console-wiring:gates.tickets.serviceTokenName is "console-investigate-tickets" in Pulumi.prod.yaml (generation n of a token is named <name>-g<n>).',
    );
  });

  it("reports the app and the token of one stack file together", async () => {
    const cwd = project({
      qa: staging("raxx-console-prod", "serviceTokenName: console-investigate-tickets"),
    });
    const result = await runCheck({ stack: "qa", format: "text", cwd });
    expect(result.exitCode).toBe(1);
    expect(result.output.split("\n").filter((l) => l.startsWith("  - "))).toHaveLength(2);
  });

  it("passes a new stack file that leaves serviceTokenName unset: its default has the stack's name", async () => {
    const cwd = project({ qa: staging("raxx-console-qa") });
    const result = await runCheck({ stack: "qa", format: "text", cwd });
    expect(result.output).not.toContain("one writer");
    expect(result.exitCode).toBe(0);
  });

  it("passes the repository's own stack files", async () => {
    for (const stack of ["prod", "staging"]) {
      const result = await runCheck({ stack, format: "text" });
      expect(result.output).not.toContain("one writer");
      expect(result.exitCode).toBe(0);
    }
  });
});
