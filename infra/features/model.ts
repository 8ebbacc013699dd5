/**
 * The shape of a feature, a gate and their vars: types only, and the one name every reader
 * shares (PREREQUISITES_VAR). A leaf of the feature model, so that the model runs one way:
 * the data files are loaded and checked by ./catalog.ts (and its rule files), which build these
 * shapes; ./manifest.ts answers questions over the loaded catalog. Neither of those is imported
 * here.
 */

/**
 * The config var holding the prerequisite map the app's startup check reads. Every feature needs
 * it (a flag on without the map would go unchecked), so the catalog adds it to each feature that
 * does not declare it: a feature file need not name it.
 */
export const PREREQUISITES_VAR = "CONSOLE_FEATURE_PREREQUISITES";

/** Where a required var's value comes from. */
export type VarSource =
  /** A stack config key of this project (`console-wiring:<key>`), validated in the given format. */
  | { readonly kind: "config"; readonly key: string; readonly format: "https-url" | "text" }
  /**
   * A field of a Vault KV v2 secret that a person provisions (never written by this stack), at
   * `path` under the stack's `vaultMount`. Any path the data names (validated in shape by the
   * schema): a stack reads only the paths of the features it selects.
   */
  | { readonly kind: "vault"; readonly path: string; readonly field: string }
  /**
   * An output of the Cloudflare Access service token this stack manages; the stack writes it to
   * its gate's Vault secret (console-wiring:gates.<id>.vaultPath) under the var's name, and the Heroku var
   * is read from there. A feature with such a prerequisite is gated: only stacks selecting one get
   * the Access objects and that secret.
   */
  | { readonly kind: "service-token"; readonly output: "clientId" | "clientSecret" }
  /**
   * Written by this stack from this manifest: the prerequisite map the app's startup check reads
   * (see PREREQUISITES_VAR), so the app and the stack enforce one list.
   */
  | { readonly kind: "manifest" };

export interface RequiredVar {
  /** The Heroku config var name. */
  readonly name: string;
  /** Whether the value is a credential: it is only ever handled as a Pulumi secret. */
  readonly secret: boolean;
  readonly source: VarSource;
  /** Why the feature needs it, for error messages and the plan. */
  readonly purpose: string;
}

/**
 * A detection rule: the alert that notices when the feature fails in production. The stack
 * creates it (as a Sentry issue alert) before any flag of the feature is on. Its numbers must be
 * values Sentry accepts for an issue alert (infra/features/detection-rules.ts checks them).
 */
export interface DetectionRule {
  /** Kebab-case id, also the alert's name suffix. */
  readonly id: string;
  /** What it catches, for the checklist and the runbook. */
  readonly summary: string;
  /** The app's logger that reports the failure (Sentry event attribute `logger`). */
  readonly logger: string;
  /** Text the event's message contains. */
  readonly messageContains: string;
  /** Fires when there are more than this many events (of one issue: Sentry counts per issue)... */
  readonly moreThan: number;
  /**
   * ...within this window, in minutes: one of the event-frequency intervals Sentry accepts
   * (1, 5, 15, 60, 1440, 10080, 43200; there is no 10).
   */
  readonly windowMinutes: number;
  /**
   * While it keeps firing, the ops team is emailed at most once per issue in this many minutes
   * (the alert's `frequency`; Sentry accepts 5, 10, 30, 60, 180, 720, 1440, 10080, 43200).
   */
  readonly notifyAtMostEveryMinutes: number;
  /** Who is told: the stack config's ops team, by email. */
  readonly notify: "ops-team-email";
}

/**
 * A Cloudflare Access gate in front of an API the console calls, declared once as data
 * (infra/features/data/gates/<id>.json, schema gate.schema.json). A stack that selects a feature
 * of the gate gets one Access application on `<host><apiPath>`, one reusable non_identity policy,
 * one service token and one Vault secret for it; features of one gate share them. The host is
 * per stack (console-wiring:gates.<id>.host).
 */
export interface Gate {
  readonly id: string;
  readonly description: string;
  /** The path guarded for service clients on the gate's host, like `/api`. */
  readonly apiPath: string;
  /** Config vars whose URL must point at the gate's host. */
  readonly urlVars: readonly string[];
  /** The var carrying the service token's client id (a service-token source, output clientId). */
  readonly clientIdVar: string;
  /** The var carrying the service token's client secret (output clientSecret). */
  readonly clientSecretVar: string;
}

export interface Feature {
  readonly id: string;
  readonly description: string;
  /** The Access gate the feature's calls pass, resolved from the file's `gate` id. */
  readonly gate?: Gate;
  /** Config vars that switch the feature on when set to "1". */
  readonly flags: readonly string[];
  /** Every var that must be set, non-empty, on the same app before any flag is on. */
  readonly requires: readonly RequiredVar[];
  /**
   * What the app's startup check logs for this feature (its own logger and message). Every
   * feature file declares it (the schema requires it); in-code test features may leave it out.
   */
  readonly startupCheck?: StartupCheck;
  /** Alerts that must exist before any flag is on. */
  readonly detection?: readonly DetectionRule[];
  /** Probes the smoke check runs while a flag of the feature is on. */
  readonly smoke?: readonly SmokeProbe[];
}

export interface StartupCheck {
  readonly logger: string;
  readonly message: string;
}

/** A smoke probe a feature's file declares; the vars name where the probe finds its inputs. */
export type SmokeProbe =
  | {
      readonly probe: "access-gate";
      readonly urlVar: string;
      readonly clientIdVar: string;
      readonly clientSecretVar: string;
    }
  | {
      readonly probe: "freescout-api";
      readonly urlVar: string;
      readonly apiKeyVar: string;
      readonly mailboxVar: string;
    };
