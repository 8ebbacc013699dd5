import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { runError } from "../infra/run-error";

describe("runError", () => {
  it("is a RunError (printed without a stack) that carries no stack for the host to inspect", () => {
    const error = runError("console-wiring: something to fix");
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error.message).toBe("console-wiring: something to fix");
    expect(error.stack).toBeUndefined();
  });
});
