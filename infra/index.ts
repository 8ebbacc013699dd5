/**
 * Pulumi program entry (compiled to bin/infra/index.js, which Pulumi.yaml names as `main`).
 * Exporting a function lets the program await the Vault reads the gate needs before it registers
 * anything; its result becomes the stack outputs.
 */
import { readConfig } from "./config";
import { wire } from "./program";

export = async () => wire(readConfig());
