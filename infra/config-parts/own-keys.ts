/**
 * The stack config keys the project reads itself (infra/config.ts), besides the keys feature files
 * declare as config sources. One list, used twice: config.ts refuses any other key in the
 * namespace as a typo, and the feature catalog refuses a config source named like one of these (a
 * feature's `herokuApp` or `flags` would be read as the project's setting, or the reverse).
 * Per-gate settings live under `gates` (./gates.ts).
 */
export const OWN_CONFIG_KEYS = [
  "herokuApp",
  "cloudflareAccountId",
  "features",
  "gates",
  "vaultMount",
  "flags",
  "sentryOrganization",
  "sentryProject",
  "sentryOpsTeamId",
  "adoptConfigVars",
] as const;
