/**
 * The program's Cloudflare Access inputs (infra/cloudflare/access-gate.ts) for the tickets gate,
 * as the SDK sends them to the provider: the fixtures of the Cloudflare stand-in tests.
 */
import type { P } from "./standins";

export const ACCOUNT = "0123456789abcdef0123456789abcdef";

/** The gate's Access application. */
export const app = (over: P = {}): P => ({
  accountId: ACCOUNT,
  type: "self_hosted",
  name: "tickets.raxx.app/api (service clients)",
  domain: "tickets.raxx.app/api",
  destinations: [{ type: "public", uri: "tickets.raxx.app/api" }],
  policies: [{ id: "pol-1", precedence: 1 }],
  serviceAuth401Redirect: true,
  appLauncherVisible: false,
  ...over,
});

/** The gate's reusable non_identity policy. */
export const policy = (over: P = {}): P => ({
  accountId: ACCOUNT,
  name: "tickets service clients",
  decision: "non_identity",
  includes: [{ serviceToken: { tokenId: "tok-1" } }],
  ...over,
});

/** The gate's service token. */
export const token = (over: P = {}): P => ({
  accountId: ACCOUNT,
  name: "tickets",
  duration: "8760h",
  ...over,
});
