import { describe, expect, it } from "vitest";
import { logSafe, neutralizeCommands, summarySection } from "../tools/summary";

// What a CI log line may carry: server messages and names from the program must not become
// workflow commands (`::cmd::` at a line's start, the legacy `##[cmd]` anywhere in a line).
const WJ = "\u2060";

describe("neutralizeCommands", () => {
  it("breaks `::` at the start of a line, after blanks too", () => {
    expect(neutralizeCommands("::warning::pwned")).toBe(`:${WJ}:warning::pwned`);
    expect(neutralizeCommands("ok\n  ::add-mask::x")).toBe(`ok\n  :${WJ}:add-mask::x`);
  });

  it("leaves `::` inside a line alone (the runner reads it only at the start)", () => {
    expect(neutralizeCommands("urn:pulumi:prod::console-wiring::x")).toBe(
      "urn:pulumi:prod::console-wiring::x",
    );
  });

  it("breaks `##[` at the start of a line", () => {
    expect(neutralizeCommands("##[error]boom")).toBe(`#${WJ}#[error]boom`);
  });

  it("breaks `##[` in the middle of a line, every time it occurs", () => {
    expect(neutralizeCommands("Heroku said: ##[error]pwned and ##[group]x")).toBe(
      `Heroku said: #${WJ}#[error]pwned and #${WJ}#[group]x`,
    );
    expect(neutralizeCommands("###[warning]x")).toBe(`##${WJ}#[warning]x`);
  });

  it("leaves text with no command as it was", () => {
    expect(neutralizeCommands("## heading\n#[x] and # [y]")).toBe("## heading\n#[x] and # [y]");
  });
});

describe("logSafe and summarySection", () => {
  it("strip control characters first, so an ANSI code cannot hide a command", () => {
    const out = logSafe("msg \u001b[31m##[error]x\u001b[0m");
    expect(out).not.toContain("##[");
    expect(out).not.toContain("\u001b");
  });

  it("carry no `##[` into a job summary", () => {
    expect(summarySection("t", "a ##[error]b")).not.toContain("##[");
  });
});
