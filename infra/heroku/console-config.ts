/**
 * The console app's config, in resources laid out so that a feature's flags wait for its own
 * prerequisites, alerts and gate, and for nothing of another feature:
 *
 * - `<name>-prerequisites`: the vars no gate provides (config values, Vault reads, the
 *   prerequisite map), of every selected feature. They depend on no resource (their values are
 *   read before anything is registered), so sharing one resource costs no feature any wait, and
 *   a deploy that changes several features' values makes one Heroku release for them, not one each.
 * - `<name>-<gate>-prerequisites`, per gate: the gate's token vars, after its Vault secret and
 *   its admission of the token.
 * - `<name>-<feature>-flags`, per selected feature: its flag vars, after the shared
 *   prerequisites, its gate's prerequisites and admission, and its own detection alerts.
 *
 * A flag that is off is not written at all. Each key has one owner: each resource is told the
 * keys the others own (`ownedElsewhere`), so a key that moves between them (a feature file
 * changed its role, or the token vars moved to their gate's resource) is never deleted, whichever
 * the engine applies first. For the same reason a feature's flags resource stays registered, with
 * no keys, while none of its flags is on: were it deleted, its delete would run with the keys of
 * its last update.
 *
 * Prod had one `<name>-flags` for its one feature: the first feature's flags resource takes it
 * over by alias, so prod's first deploy after the change moves nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { HerokuConfigVars } from "./config-vars";

export const CONSOLE_CONFIG_TYPE = "console-wiring:heroku:ConsoleConfig";

export interface FeatureFlagsArgs {
  /** The feature id: the flags resource is `<name>-<id>-flags`. */
  readonly id: string;
  /** Flag vars to switch on ("1"); only passed once the gate has accepted them. */
  readonly flagsOn: readonly string[];
  /** The gate the feature's calls pass, if any: its prerequisites come first. */
  readonly gate?: string;
  /**
   * Flag var → every var it needs on the app. The flags resource checks the app's live config
   * against it before its PATCH and refuses a flag whose vars are missing there.
   */
  readonly flagRequirements?: Readonly<Record<string, readonly string[]>>;
  /** What else its flags wait for: its detection alerts and its gate's admission. */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export interface ConsoleConfigArgs {
  /** Heroku app name; the app is never created or deleted. */
  readonly app: string;
  /** The vars no gate provides, with their values (secret Outputs where they are credentials). */
  readonly prerequisites: Readonly<Record<string, pulumi.Input<string>>>;
  /** Gate id → its token vars and what they are applied after (its Vault secret, its admission). */
  readonly gatePrerequisites?: Readonly<
    Record<
      string,
      {
        readonly vars: Readonly<Record<string, pulumi.Input<string>>>;
        readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
      }
    >
  >;
  /** The selected features, in catalog order (the first takes over `<name>-flags`). */
  readonly features: readonly FeatureFlagsArgs[];
  /** Vars the stack file lists for adoption (console-wiring:adoptConfigVars). */
  readonly adoptConfigVars?: readonly string[];
  /** Every catalog flag var the stack does not declare on: switched off if found on. */
  readonly watchedFlags?: readonly string[];
}

export class ConsoleConfig extends pulumi.ComponentResource {
  readonly prerequisites?: HerokuConfigVars;
  /** Gate id → the resource holding its token vars. */
  readonly gatePrerequisites: Readonly<Record<string, HerokuConfigVars>>;
  /** Feature id → its flags resource. */
  readonly flags: Readonly<Record<string, HerokuConfigVars>>;
  /** Every config-vars resource, prerequisites first. */
  readonly all: readonly HerokuConfigVars[];

  constructor(name: string, args: ConsoleConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CONSOLE_CONFIG_TYPE, name, {}, opts);

    // Every key each resource will own, so each can be told the others' keys.
    const owned = new Map<string, string[]>();
    const shared = Object.keys(args.prerequisites).sort();
    if (shared.length > 0) owned.set(`${name}-prerequisites`, shared);
    for (const [gate, g] of Object.entries(args.gatePrerequisites ?? {})) {
      const keys = Object.keys(g.vars).sort();
      if (keys.length > 0) owned.set(`${name}-${gate}-prerequisites`, keys);
    }
    for (const f of args.features) owned.set(`${name}-${f.id}-flags`, [...f.flagsOn].sort());
    const elsewhere = (self: string) =>
      [...owned].flatMap(([r, keys]) => (r === self ? [] : keys)).sort();

    if (shared.length > 0) {
      const r = `${name}-prerequisites`;
      this.prerequisites = new HerokuConfigVars(
        r,
        {
          app: args.app,
          vars: args.prerequisites,
          ownedElsewhere: elsewhere(r),
          adoptable: args.adoptConfigVars,
          // Applied before the flags: a reverted feature's flag goes off in the same PATCH that
          // removes its vars, never after it.
          watchedFlags: args.watchedFlags,
        },
        { parent: this },
      );
    }
    const gatePrerequisites: Record<string, HerokuConfigVars> = {};
    for (const [gate, g] of Object.entries(args.gatePrerequisites ?? {})) {
      const r = `${name}-${gate}-prerequisites`;
      if (!owned.has(r)) continue;
      gatePrerequisites[gate] = new HerokuConfigVars(
        r,
        {
          app: args.app,
          vars: g.vars,
          ownedElsewhere: elsewhere(r),
          adoptable: args.adoptConfigVars,
          watchedFlags: args.watchedFlags,
        },
        { parent: this, dependsOn: g.dependsOn },
      );
    }
    this.gatePrerequisites = gatePrerequisites;

    const flags: Record<string, HerokuConfigVars> = {};
    args.features.forEach((f, i) => {
      const before = [
        ...(this.prerequisites ? [this.prerequisites] : []),
        ...(f.gate && gatePrerequisites[f.gate] ? [gatePrerequisites[f.gate]!] : []),
      ];
      if (before.length === 0) {
        if (f.flagsOn.length > 0) {
          throw new Error(
            `${name}: flags ${f.flagsOn.join(", ")} of feature ${f.id} cannot be set without prerequisites.`,
          );
        }
        return;
      }
      const r = `${name}-${f.id}-flags`;
      flags[f.id] = new HerokuConfigVars(
        r,
        {
          app: args.app,
          vars: Object.fromEntries(f.flagsOn.map((flag) => [flag, "1"])),
          requires: requirementsOf(f.flagsOn, f.flagRequirements),
          ownedElsewhere: elsewhere(r),
          adoptable: args.adoptConfigVars,
          watchedFlags: args.watchedFlags,
        },
        {
          parent: this,
          dependsOn: [...before, ...(f.dependsOn ?? [])],
          // Prod's one flags resource (the stack had one feature) is the first feature's now.
          ...(i === 0 ? { aliases: [{ name: `${name}-flags` }] } : {}),
        },
      );
    });
    this.flags = flags;
    this.all = [
      ...(this.prerequisites ? [this.prerequisites] : []),
      ...Object.values(gatePrerequisites),
      ...Object.values(flags),
    ];

    this.registerOutputs({
      prerequisiteKeys: this.prerequisites?.keys ?? [],
      flagKeys: Object.fromEntries(Object.entries(flags).map(([id, r]) => [id, r.keys])),
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
