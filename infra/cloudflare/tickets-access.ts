/**
 * Cloudflare Access in front of the tickets API: a service token, a reusable `non_identity`
 * policy that includes it, and a self-hosted application on `<host><apiPath>` that uses the policy.
 * Edges: service token → policy → application.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export const TICKETS_ACCESS_TYPE = "console-wiring:cloudflare:TicketsAccess";

export interface TicketsAccessArgs {
  /** Cloudflare account id (Access policies are account-scoped, so everything here is). */
  readonly accountId: string;
  /** Host of the tickets service, e.g. `tickets.raxx.app`. */
  readonly host: string;
  /** Path gated for service clients, e.g. `/api` (sub-paths are covered). */
  readonly apiPath: string;
  /** Name of the service token in the Zero Trust dashboard. */
  readonly tokenName: string;
  /** Token lifetime, e.g. `8760h`. @default given by stack config */
  readonly tokenDuration: string;
  /**
   * A client secret rotation: Cloudflare's provider takes `clientSecretVersion` only together with
   * `previousClientSecretExpiresAt`. Absent: the token was never rotated and neither is sent.
   */
  readonly rotation?: { readonly version: number; readonly previousSecretExpiresAt: string };
  /** Existing objects to adopt by ID instead of creating them. */
  readonly adopt?: {
    readonly applicationId?: string;
    readonly policyId?: string;
    readonly serviceTokenId?: string;
  };
}

/** Import IDs in the formats the Cloudflare provider documents for each resource. */
export function importIds(accountId: string, adopt: TicketsAccessArgs["adopt"] = {}) {
  return {
    application: adopt.applicationId && `accounts/${accountId}/${adopt.applicationId}`,
    policy: adopt.policyId && `${accountId}/${adopt.policyId}`,
    serviceToken: adopt.serviceTokenId && `accounts/${accountId}/${adopt.serviceTokenId}`,
  };
}

/**
 * Adoption: `import`, retain-on-delete (an adopted object outlives a `pulumi destroy` of this
 * stack), and `ignoreChanges` for what the stack does not own. Since CLI 3.248 an import is
 * followed by an update in the same deployment whenever the program differs from the live object,
 * so without `ignoreChanges` adopting would rename the existing prod objects. What the gate depends
 * on (domain, destinations, policies, decision, includes, serviceAuth401Redirect) stays owned:
 * review `pulumi preview --diff` before the first `up`.
 */
function adoptOptions(
  importId: string | undefined,
  notOwned: readonly string[],
): pulumi.CustomResourceOptions {
  return importId ? { import: importId, retainOnDelete: true, ignoreChanges: [...notOwned] } : {};
}

export class TicketsAccess extends pulumi.ComponentResource {
  readonly serviceToken: cloudflare.ZeroTrustAccessServiceToken;
  readonly policy: cloudflare.ZeroTrustAccessPolicy;
  readonly application: cloudflare.ZeroTrustAccessApplication;
  /** The gated prefix, `<host><apiPath>`. */
  readonly gatedUri: string;

  constructor(name: string, args: TicketsAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TICKETS_ACCESS_TYPE, name, {}, opts);
    const ids = importIds(args.accountId, args.adopt);
    this.gatedUri = `${args.host}${args.apiPath}`;

    this.serviceToken = new cloudflare.ZeroTrustAccessServiceToken(
      `${name}-service-token`,
      // clientSecret is a secret output by the provider's schema (the SDK adds it to
      // additionalSecretOutputs); tests assert it stays so.
      {
        accountId: args.accountId,
        name: args.tokenName,
        duration: args.tokenDuration,
        ...(args.rotation
          ? {
              clientSecretVersion: args.rotation.version,
              previousClientSecretExpiresAt: args.rotation.previousSecretExpiresAt,
            }
          : {}),
      },
      { parent: this, ...adoptOptions(ids.serviceToken, ["name"]) },
    );

    this.policy = new cloudflare.ZeroTrustAccessPolicy(
      `${name}-policy`,
      {
        accountId: args.accountId,
        name: `${this.gatedUri} service clients`,
        decision: "non_identity",
        includes: [{ serviceToken: { tokenId: this.serviceToken.id } }],
      },
      { parent: this, ...adoptOptions(ids.policy, ["name"]) },
    );

    this.application = new cloudflare.ZeroTrustAccessApplication(
      `${name}-application`,
      {
        accountId: args.accountId,
        type: "self_hosted",
        name: `${this.gatedUri} (service clients)`,
        domain: this.gatedUri,
        destinations: [{ type: "public", uri: this.gatedUri }],
        policies: [{ id: this.policy.id, precedence: 1 }],
        // Blocked service clients get a 401 instead of a redirect to the login page, which an
        // HTTP client follows into a 200 HTML page: the silent failure of the incident.
        serviceAuth401Redirect: true,
        appLauncherVisible: false,
      },
      { parent: this, ...adoptOptions(ids.application, ["name", "appLauncherVisible"]) },
    );

    this.registerOutputs({
      applicationId: this.application.id,
      policyId: this.policy.id,
      serviceTokenId: this.serviceToken.id,
      expiresAt: this.serviceToken.expiresAt,
    });
  }
}
