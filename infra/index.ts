/**
 * Pulumi program entry. package.json's `main` names this file; the Node.js language host runs it
 * from the project root through ts-node with the project's tsconfig.json. Exporting a function lets
 * the program await the Vault reads the gate needs before it registers anything; its result becomes
 * the stack outputs. A feature file Sentry or the schema refuses stops it before anything else
 * (infra/features/catalog.ts), so the deploy never stops halfway at an alert.
 */
import { runStack } from "./stack";

export = () => runStack();
