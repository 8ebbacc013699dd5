/**
 * Pulumi program entry. package.json's `main` names this file; the Node.js language host runs it
 * from the project root through ts-node with the project's tsconfig.json. Exporting a function lets
 * the program await the Vault reads the gate needs before it registers anything; its result becomes
 * the stack outputs.
 */
import { readConfig } from "./config";
import { wire } from "./program";

export = async () => wire(readConfig());
