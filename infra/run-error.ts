/**
 * The program's way to stop with a message for the user: a `RunError` (the CLI prints its message
 * without a stack trace) that carries no stack at all.
 *
 * Why no stack: Pulumi's Node.js host (cmd/run/run.js in @pulumi/pulumi 3.248) passes every
 * uncaught error, RunErrors included, through util.inspect for a tracing event. On Node 20 that
 * inspect of the error's stack took ~20 s of CPU (mostly garbage collection) before the process
 * could exit: a failed `pulumi preview` took 30 s instead of 4 (measured with the real CLI, see
 * the end-to-end suite, scenario a). Without a stack the host formats the message alone.
 */
import * as pulumi from "@pulumi/pulumi";

export function runError(message: string): pulumi.RunError {
  const error = new pulumi.RunError(message);
  error.stack = undefined;
  return error;
}
