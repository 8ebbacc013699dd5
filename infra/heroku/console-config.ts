/**
 * The console app's config: the prerequisite vars, then the flag vars in a second resource that
 * depends on the first (and on the detection alerts and the Access gate), so the engine sets
 * prerequisites before flags and removes flags before prerequisites. A flag that is off is not
 * written at all.
 *
 * Each key has one owner: a var is a prerequisite or a flag (the catalog refuses a var that is
 * both), and each resource is told the keys the other owns (`ownedElsewhere`), so a key that
 * moves from one to the other (a feature file changed its role) is never deleted, whichever the
 * engine applies first. For the same reason the flags resource stays registered, with no keys,
 * while no flag is on: were it deleted, its delete would run with the keys of its last update.
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
  /**
   * Flag var → every var it needs on the app (the feature manifest's). The flags resource
   * checks the app's live config against it before its PATCH and refuses a flag whose vars are
   * missing there, whatever the state says.
   */
  readonly flagRequirements?: Readonly<Record<string, readonly string[]>>;
  /**
   * What the prerequisites are applied after: the Vault secret their values are read from, and
   * the Access gate's admission of the token whose credentials they carry.
   */
  readonly prerequisitesDependOn?: pulumi.Input<pulumi.Resource>[];
  /**
   * What must be in place before any flag is on besides the prerequisites: the detection alerts,
   * and the Access application and policy that admit the app's token (the feature's calls go
   * through that gate).
   */
  readonly flagsDependOn?: pulumi.Input<pulumi.Resource>[];
  /** Vars the stack file lists for adoption (console-wiring:adoptConfigVars). */
  readonly adoptConfigVars?: readonly string[];
  /** Every catalog flag var the stack does not declare on: switched off if found on. */
  readonly watchedFlags?: readonly string[];
}

export class ConsoleConfig extends pulumi.ComponentResource {
  readonly prerequisites?: HerokuConfigVars;
  readonly flags?: HerokuConfigVars;

  constructor(name: string, args: ConsoleConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CONSOLE_CONFIG_TYPE, name, {}, opts);

    const prerequisiteKeys = Object.keys(args.prerequisites).sort();
    const flagKeys = [...args.flagsOn].sort();
    if (prerequisiteKeys.length > 0) {
      this.prerequisites = new HerokuConfigVars(
        `${name}-prerequisites`,
        {
          app: args.app,
          vars: args.prerequisites,
          ownedElsewhere: flagKeys,
          adoptable: args.adoptConfigVars,
          // Applied before the flags: a reverted feature's flag goes off in the same PATCH that
          // removes its vars, never after it.
          watchedFlags: args.watchedFlags,
        },
        { parent: this, dependsOn: args.prerequisitesDependOn },
      );
    }

    if (args.flagsOn.length > 0 && !this.prerequisites) {
      throw new Error(
        `${name}: flags ${args.flagsOn.join(", ")} cannot be set without prerequisites.`,
      );
    }
    if (this.prerequisites) {
      this.flags = new HerokuConfigVars(
        `${name}-flags`,
        {
          app: args.app,
          vars: Object.fromEntries(args.flagsOn.map((f) => [f, "1"])),
          requires: requirementsOf(args.flagsOn, args.flagRequirements),
          ownedElsewhere: prerequisiteKeys,
          adoptable: args.adoptConfigVars,
          watchedFlags: args.watchedFlags,
        },
        { parent: this, dependsOn: [this.prerequisites, ...(args.flagsDependOn ?? [])] },
      );
    }

    this.registerOutputs({
      prerequisiteKeys: this.prerequisites?.keys ?? [],
      flagKeys: this.flags?.keys ?? [],
    });
  }
}

/** The requirements of the flags switched on, or none when the program gives none. */
function requirementsOf(
  flagsOn: readonly string[],
  all: Readonly<Record<string, readonly string[]>> | undefined,
): Record<string, string[]> | undefined {
  if (all === undefined) return undefined;
  return Object.fromEntries(
    flagsOn.filter((f) => Object.hasOwn(all, f)).map((f) => [f, [...(all[f] ?? [])].sort()]),
  );
}
