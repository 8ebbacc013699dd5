/**
 * `HerokuConfigVars`: the config vars of one Heroku app that this resource owns (type token
 * `pulumi-nodejs:dynamic/heroku:ConfigVars`). Other keys on the app are never touched.
 */
import * as pulumi from "@pulumi/pulumi";
import { configVarsProvider, PROVIDER_VERSION } from "./provider";

export const CONFIG_VARS_TYPE = "pulumi-nodejs:dynamic/heroku:ConfigVars";

export interface HerokuConfigVarsArgs {
  /** Heroku app name or UUID. The app itself is never created or deleted. */
  readonly app: pulumi.Input<string>;
  /**
   * The owned vars. Keys are plain so that plans and drift reports can name them; values may be
   * secret Outputs and the whole map is stored as a secret output.
   */
  readonly vars: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * For flag vars: flag → the vars it needs on the same app. Create and update then refuse to
   * leave a declared flag on while one of them is missing or empty on the app, read just before
   * the PATCH (fail closed at apply time, whatever the state says).
   */
  readonly requires?: Readonly<Record<string, readonly string[]>>;
  /** Keys another config-vars resource of this stack declares on the app: never deleted here. */
  readonly ownedElsewhere?: readonly string[];
  /**
   * Keys the stack file lists for adoption (`console-wiring:adoptConfigVars`): only these may be
   * taken over while the app holds another value for them.
   */
  readonly adoptable?: readonly string[];
  /**
   * Every flag var of the feature catalog that the stack does not declare on: one found on at
   * the app is switched off by create and update, and reported by refresh (`strayFlags`).
   */
  readonly watchedFlags?: readonly string[];
}

export class HerokuConfigVars extends pulumi.dynamic.Resource {
  declare readonly app: pulumi.Output<string>;
  declare readonly vars: pulumi.Output<Record<string, string>>;
  declare readonly keys: pulumi.Output<string[]>;
  declare readonly requires: pulumi.Output<Record<string, string[]> | undefined>;
  declare readonly adoptedKeys: pulumi.Output<string[]>;
  declare readonly driftedKeys: pulumi.Output<string[]>;
  declare readonly strayFlags: pulumi.Output<string[]>;

  constructor(name: string, args: HerokuConfigVarsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      configVarsProvider,
      name,
      {
        app: args.app,
        vars: args.vars,
        keys: Object.keys(args.vars).sort(),
        providerVersion: PROVIDER_VERSION,
        requires: args.requires,
        ownedElsewhere:
          args.ownedElsewhere === undefined ? undefined : [...args.ownedElsewhere].sort(),
        adoptable: args.adoptable === undefined ? undefined : [...args.adoptable].sort(),
        watchedFlags: args.watchedFlags === undefined ? undefined : [...args.watchedFlags].sort(),
        adoptedKeys: undefined,
        driftedKeys: undefined,
        strayFlags: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "vars"],
      },
      "heroku",
      "ConfigVars",
    );
  }
}
