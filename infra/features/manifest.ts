/**
 * The feature manifest: which Heroku config vars switch a feature on, and which vars the feature
 * needs before it may be switched on. Plain data: the program, the policy pack and the offline
 * check all read this one list, so adding a feature is a data change here.
 */

/** Where a required var's value comes from. */
export type VarSource =
  /** A stack config key of this project (`console-wiring:<key>`), validated in the given format. */
  | { readonly kind: "config"; readonly key: string; readonly format: "https-url" | "text" }
  /**
   * A field of a Vault KV v2 secret that a person provisions (never written by this stack).
   * `secret` names the path: the config key `vault<Secret>Path` under `vaultMount`.
   */
  | { readonly kind: "vault"; readonly secret: VaultSecretName; readonly field: string }
  /**
   * An output of the Cloudflare Access service token this stack manages; the stack writes it to
   * the Vault secret `cloudflare` under the var's name, and the Heroku var is read from there.
   */
  | { readonly kind: "service-token"; readonly output: "clientId" | "clientSecret" }
  /**
   * Written by this stack from this manifest: the prerequisite map the app's startup check reads
   * (see PREREQUISITES_VAR), so the app and the stack enforce one list.
   */
  | { readonly kind: "manifest" };

export type VaultSecretName = "freescout" | "cloudflare";

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

export interface Feature {
  readonly id: string;
  readonly description: string;
  /** Config vars that switch the feature on when set to "1". */
  readonly flags: readonly string[];
  /** Every var that must be set, non-empty, on the same app before any flag is on. */
  readonly requires: readonly RequiredVar[];
  /** Alerts that must exist before any flag is on. */
  readonly detection?: readonly DetectionRule[];
}

/** The config var holding the manifest's prerequisite map for the app's startup check. */
export const PREREQUISITES_VAR = "CONSOLE_FEATURE_PREREQUISITES";

export const FEATURES: readonly Feature[] = [
  {
    id: "investigate",
    description:
      // Stryker disable next-line StringLiteral: prose for people (see stryker-equivalents.md)
      "Console Investigate button: files FreeScout tickets through the Cloudflare Access gate on the tickets API.",
    flags: ["FLAG_CONSOLE_INVESTIGATE_FROM_STATUS", "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET"],
    requires: [
      {
        name: "FREESCOUT_API_URL",
        secret: false,
        source: { kind: "config", key: "freescoutApiUrl", format: "https-url" },
        // Stryker disable next-line StringLiteral: prose for people (see stryker-equivalents.md)
        purpose: "base URL of the FreeScout API the console calls",
      },
      {
        name: "FREESCOUT_INSTANCE_URL",
        secret: false,
        source: { kind: "config", key: "freescoutInstanceUrl", format: "https-url" },
        // Stryker disable next-line StringLiteral: prose for people (see stryker-equivalents.md)
        purpose: "FreeScout web URL used in ticket links",
      },
      {
        name: "FREESCOUT_API_KEY",
        secret: true,
        source: { kind: "vault", secret: "freescout", field: "FREESCOUT_API_KEY" },
        // Stryker disable next-line StringLiteral: prose for people (see stryker-equivalents.md)
        purpose: "sent as X-FreeScout-API-Key",
      },
      {
        name: "FREESCOUT_OPERATIONS_MAILBOX_ID",
        secret: true,
        source: { kind: "vault", secret: "freescout", field: "FREESCOUT_OPERATIONS_MAILBOX_ID" },
        // Stryker disable next-line StringLiteral: prose for people (see stryker-equivalents.md)
        purpose: "mailbox the Investigate conversations are created in",
      },
      {
        name: "CF_ACCESS_SVC_TICKETS_CLIENT_ID",
        secret: true,
        source: { kind: "service-token", output: "clientId" },
        // Stryker disable next-line StringLiteral: prose for people (see stryker-equivalents.md)
        purpose: "sent as CF-Access-Client-Id to pass the Access gate on the tickets API",
      },
      {
        name: "CF_ACCESS_SVC_TICKETS_CLIENT_SECRET",
        secret: true,
        source: { kind: "service-token", output: "clientSecret" },
        // Stryker disable next-line StringLiteral: prose for people (see stryker-equivalents.md)
        purpose: "sent as CF-Access-Client-Secret to pass the Access gate on the tickets API",
      },
      {
        name: PREREQUISITES_VAR,
        secret: false,
        source: { kind: "manifest" },
        purpose:
          // Stryker disable next-line StringLiteral: prose for people (see stryker-equivalents.md)
          "the prerequisite map (flag var -> the vars it needs) the console's startup check reads",
      },
    ],
    detection: [
      {
        id: "freescout-not-configured",
        summary:
          // Stryker disable next-line StringLiteral: prose for people (see stryker-equivalents.md)
          "the console logs freescout_not_configured (Investigate is on but FreeScout is not reachable as configured)",
        logger: "freescout_client",
        messageContains: "freescout_not_configured",
        moreThan: 2,
        // The incident's rule is "more than 2 in 10 minutes", but an issue alert has no 10-minute
        // interval (Sentry: 1m, 5m, 15m, 1h, ...). 15 with the same threshold fires in every case
        // 10 does: 3 events within 10 minutes are also within 15. It may fire where 10 would
        // not (3 events spread over 15 minutes), which for this message is no false alarm.
        windowMinutes: 15,
        // Unchanged from the first version of the alert: while the failure goes on, the ops team
        // hears of it again within 10 minutes.
        notifyAtMostEveryMinutes: 10,
        notify: "ops-team-email",
      },
    ],
  },
];

/**
 * The prerequisite map written to PREREQUISITES_VAR: each flag var → the var names its feature
 * needs (the map itself excluded), keys sorted so the value is stable.
 */
export function prerequisiteMap(features: readonly Feature[] = FEATURES): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const feature of features) {
    const names = feature.requires.map((v) => v.name).filter((n) => n !== PREREQUISITES_VAR);
    for (const flag of feature.flags) map[flag] = [...names].sort();
  }
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every detection rule of the features, each once. */
export function allDetectionRules(features: readonly Feature[] = FEATURES): DetectionRule[] {
  const byId = new Map<string, DetectionRule>();
  for (const f of features) for (const r of f.detection ?? []) byId.set(r.id, r);
  return [...byId.values()];
}

/** Every flag var of every feature, for validating stack config. */
export function allFlags(features: readonly Feature[] = FEATURES): string[] {
  return features.flatMap((f) => f.flags);
}

/** The feature a flag var belongs to, if any. */
export function featureOfFlag(
  flag: string,
  features: readonly Feature[] = FEATURES,
): Feature | undefined {
  return features.find((f) => f.flags.includes(flag));
}

/** Required vars of all features, each once (features may share a prerequisite). */
export function allRequiredVars(features: readonly Feature[] = FEATURES): RequiredVar[] {
  const byName = new Map<string, RequiredVar>();
  for (const feature of features) {
    for (const v of feature.requires) if (!byName.has(v.name)) byName.set(v.name, v);
  }
  return [...byName.values()];
}

/** Config keys the manifest reads values from, with their format. */
export function manifestConfigKeys(
  features: readonly Feature[] = FEATURES,
): Map<string, "https-url" | "text"> {
  const keys = new Map<string, "https-url" | "text">();
  for (const v of allRequiredVars(features)) {
    if (v.source.kind === "config") keys.set(v.source.key, v.source.format);
  }
  return keys;
}

/** Where a required var is provided, for messages that tell a person what to do. */
export function describeSource(v: RequiredVar): string {
  const s = v.source;
  switch (s.kind) {
    case "config":
      return `stack config console-wiring:${s.key} (pulumi config set ${s.key} <value>)`;
    case "vault": {
      const key = `vault${s.secret.charAt(0).toUpperCase()}${s.secret.slice(1)}Path`;
      return `Vault KV v2 secret console-wiring:${key} under console-wiring:vaultMount, field ${s.field}`;
    }
    case "service-token":
      return `the Cloudflare Access service token's ${s.output}, written to Vault by this stack and read back for Heroku`;
    case "manifest":
      return "written by this stack from infra/features/manifest.ts (compact JSON)";
  }
}

/** Names that mark a var as a credential whatever the manifest says. */
export const SECRET_NAME = /_(KEY|SECRET|TOKEN|PASSWORD)$/;
