/**
 * The console app's config: the prerequisite vars, then the flag vars in a second resource that
 * depends on the first (and on the detection alerts), so the engine sets prerequisites before
 * flags and removes flags before prerequisites. A flag that is off is not written at all.
 */
import * as pulumi from "@pulumi/pulumi";
import { HerokuConfigVars } from "./config-vars";

export const CONSOLE_CONFIG_TYPE = "console-wiring:heroku:ConsoleConfig";

export interface ConsoleConfigArgs {
  /** Heroku app name; the app is never created or deleted. */
  readonly app: string;
  /** Prerequisite vars with their values (secret Outputs where they are credentials). */
  readonly prerequisites: Readonly<Record<string, pulumi.Input<string>>>;
  /** Flag vars to switch on ("1"); only passed once the gate has accepted them. */
  readonly flagsOn: readonly string[];
  /** Resources the prerequisite values are read from (the Vault secret), made explicit edges. */
  readonly prerequisitesDependOn?: pulumi.Input<pulumi.Resource>[];
  /** What must exist before any flag is on besides the prerequisites: the detection alerts. */
  readonly flagsDependOn?: pulumi.Input<pulumi.Resource>[];
}

export class ConsoleConfig extends pulumi.ComponentResource {
  readonly prerequisites?: HerokuConfigVars;
  readonly flags?: HerokuConfigVars;

  constructor(name: string, args: ConsoleConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CONSOLE_CONFIG_TYPE, name, {}, opts);

    if (Object.keys(args.prerequisites).length > 0) {
      this.prerequisites = new HerokuConfigVars(
        `${name}-prerequisites`,
        { app: args.app, vars: args.prerequisites },
        { parent: this, dependsOn: args.prerequisitesDependOn },
      );
    }

    if (args.flagsOn.length > 0) {
      if (!this.prerequisites) {
        throw new Error(
          `${name}: flags ${args.flagsOn.join(", ")} cannot be set without prerequisites.`,
        );
      }
      this.flags = new HerokuConfigVars(
        `${name}-flags`,
        { app: args.app, vars: Object.fromEntries(args.flagsOn.map((f) => [f, "1"])) },
        { parent: this, dependsOn: [this.prerequisites, ...(args.flagsDependOn ?? [])] },
      );
    }

    this.registerOutputs({
      prerequisiteKeys: this.prerequisites?.keys ?? [],
      flagKeys: this.flags?.keys ?? [],
    });
  }
}
