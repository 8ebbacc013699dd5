/**
 * Pulumi program entry. The CLI runs its compiled form: Pulumi.yaml's `main`, program.cjs, checks
 * that bin/ matches the sources and requires bin/infra/index.js. Exporting a function lets
 * the program await the Vault reads the gate needs before it registers anything; its result becomes
 * the stack outputs. A feature file Sentry or the schema refuses stops it before anything else
 * (infra/features/catalog.ts), so the deploy never stops halfway at an alert.
 */
import { runStack } from "./stack";

export = () => runStack();
