/**
 * Cloudflare Access in front of one gated API (a gate, infra/features/data/gates/<id>.json): a
 * service token, a reusable `non_identity`
 * policy that includes it, and a self-hosted application on `<host><apiPath>` that uses the policy.
 * Edges: service token → policy → application.
 *
 * Renewal: each token generation is a resource of its own (a new name), since a rotation never
 * extends a token's expiry. While a renewal is in progress the previous generation's token is kept,
 * unchanged, and the policy includes both; the program makes Vault and Heroku wait for the policy
 * (see `admission`), so the app's token is admitted before, during and after the switch.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { AccessAdoption, AdoptionsDone } from "./adoption";

export const ACCESS_GATE_TYPE = "console-wiring:cloudflare:AccessGate";
/**
 * The type this component had while the stack knew one gate only: prod's `tickets` was created
 * with it, so it stays an alias and the component and its children keep their URNs.
 */
export const TICKETS_ACCESS_TYPE = "console-wiring:cloudflare:TicketsAccess";

export interface AccessGateArgs {
  /** Cloudflare account id (Access policies are account-scoped, so everything here is). */
  readonly accountId: string;
  /** The gate's host on this stack, e.g. `tickets.raxx.app`. */
  readonly host: string;
  /** Path gated for service clients, e.g. `/api` (sub-paths are covered). */
  readonly apiPath: string;
  /** Name of the service token in the Zero Trust dashboard. */
  readonly tokenName: string;
  /** Token lifetime, e.g. `8760h`. @default given by stack config */
  readonly tokenDuration: string;
  /**
   * A client secret rotation of the current generation's token: Cloudflare's provider takes
   * `clientSecretVersion` only together with `previousClientSecretExpiresAt`. Absent: the token was
   * never rotated and neither is sent.
   */
  readonly rotation?: { readonly version: number; readonly previousSecretExpiresAt: string };
  /** Generation of the token the app uses. @default 1 */
  readonly generation?: number;
  /** The previous generation, kept and admitted while a renewal is in progress. */
  readonly previousGeneration?: number;
  /** Existing objects to adopt by ID instead of creating them. */
  readonly adopt?: AccessAdoption;
  /**
   * Which of them the stack already holds (./adoption.ts): those keep retain-on-delete and
   * ignoreChanges, but are not imported again.
   */
  readonly adopted?: Partial<AdoptionsDone>;
}

/** Import IDs in the formats the Cloudflare provider documents for each resource. */
export function importIds(accountId: string, adopt: AccessGateArgs["adopt"] = {}) {
  return {
    application: adopt.applicationId && `accounts/${accountId}/${adopt.applicationId}`,
    policy: adopt.policyId && `${accountId}/${adopt.policyId}`,
    serviceToken: adopt.serviceTokenId && `accounts/${accountId}/${adopt.serviceTokenId}`,
  };
}

/**
 * A generation's resource name and token name. Generation 1 keeps the names the stack always had,
 * so existing stacks (and adopted tokens) need no move; later ones get a suffix, so a renewal is a
 * new resource next to the old one, never a replacement of it.
 */
export function tokenGenerationNames(
  name: string,
  tokenName: string,
  generation: number,
): { readonly resource: string; readonly token: string } {
  if (generation === 1) return { resource: `${name}-service-token`, token: tokenName };
  return { resource: `${name}-service-token-g${generation}`, token: `${tokenName}-g${generation}` };
}

/**
 * What a previous generation's token must not change while it is kept: it is the credential the
 * app still presents until Heroku restarts with the new one. Without this, dropping
 * serviceTokenSecretVersion for the new token would plan the provider's default version (1) for
 * the old one too and rotate its secret with no grace window. The engine keeps the state's inputs
 * for these, and the stack only ever sent the rotation fields together (or neither).
 */
export const FROZEN_TOKEN_INPUTS = [
  "name",
  "duration",
  "clientSecretVersion",
  "previousClientSecretExpiresAt",
] as const;

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
  alreadyAdopted = false,
): pulumi.CustomResourceOptions {
  if (!importId) return {};
  const kept = { retainOnDelete: true, ignoreChanges: [...notOwned] };
  return alreadyAdopted ? kept : { import: importId, ...kept };
}

export class AccessGate extends pulumi.ComponentResource {
  /** The current generation's token: its credentials go to Vault and the app. */
  readonly serviceToken: cloudflare.ZeroTrustAccessServiceToken;
  /** The previous generation's token while a renewal is in progress. */
  readonly previousServiceToken?: cloudflare.ZeroTrustAccessServiceToken;
  readonly policy: cloudflare.ZeroTrustAccessPolicy;
  readonly application: cloudflare.ZeroTrustAccessApplication;
  /** The gated prefix, `<host><apiPath>`. */
  readonly gatedUri: string;

  constructor(name: string, args: AccessGateArgs, opts?: pulumi.ComponentResourceOptions) {
    // The children inherit the alias (the SDK derives theirs from the parent's), so prod's
    // tickets-service-token, -policy and -application keep their URNs too.
    super(
      ACCESS_GATE_TYPE,
      name,
      {},
      {
        ...opts,
        aliases: [...(opts?.aliases ?? []), { type: TICKETS_ACCESS_TYPE }],
      },
    );
    const ids = importIds(args.accountId, args.adopt);
    this.gatedUri = `${args.host}${args.apiPath}`;

    this.previousServiceToken =
      args.previousGeneration === undefined
        ? undefined
        : this.createToken(name, args, args.previousGeneration, "previous");
    this.serviceToken = this.createToken(name, args, args.generation ?? 1, "current");
    const tokens = [this.previousServiceToken, this.serviceToken].filter((t) => t !== undefined);

    this.policy = new cloudflare.ZeroTrustAccessPolicy(
      `${name}-policy`,
      {
        accountId: args.accountId,
        name: `${this.gatedUri} service clients`,
        decision: "non_identity",
        // During a renewal both generations: the app's token is admitted whichever it holds.
        includes: tokens.map((t) => ({ serviceToken: { tokenId: t.id } })),
      },
      { parent: this, ...adoptOptions(ids.policy, ["name"], args.adopted?.policyId) },
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
      {
        parent: this,
        ...adoptOptions(
          ids.application,
          ["name", "appLauncherVisible"],
          args.adopted?.applicationId,
        ),
      },
    );

    this.registerOutputs({
      applicationId: this.application.id,
      policyId: this.policy.id,
      serviceTokenId: this.serviceToken.id,
      previousServiceTokenId: this.previousServiceToken?.id,
      expiresAt: this.serviceToken.expiresAt,
    });
  }

  /**
   * What the gate's admission of the app's token rests on: the token, the policy that includes it
   * and the application that uses the policy. The app's credentials and flags are applied after
   * these (dependsOn), so a new token reaches Vault and Heroku only once Access admits it.
   */
  get admission(): pulumi.Resource[] {
    return [this.serviceToken, this.policy, this.application];
  }

  /** One generation's token: the current one takes the rotation, a previous one is frozen. */
  private createToken(
    name: string,
    args: AccessGateArgs,
    generation: number,
    role: "current" | "previous",
  ): cloudflare.ZeroTrustAccessServiceToken {
    const names = tokenGenerationNames(name, args.tokenName, generation);
    const rotation = role === "current" ? args.rotation : undefined;
    // An adopted token is generation 1: the one that existed before the stack.
    const adoptedId =
      generation === 1 ? importIds(args.accountId, args.adopt).serviceToken : undefined;
    const adopt = adoptOptions(adoptedId, ["name"], args.adopted?.serviceTokenId);
    const frozen = role === "previous" ? FROZEN_TOKEN_INPUTS : [];
    const ignoreChanges = [...new Set([...(adopt.ignoreChanges ?? []), ...frozen])];
    return new cloudflare.ZeroTrustAccessServiceToken(
      names.resource,
      // clientSecret is a secret output by the provider's schema (the SDK adds it to
      // additionalSecretOutputs); tests assert it stays so.
      {
        accountId: args.accountId,
        name: names.token,
        duration: args.tokenDuration,
        ...(rotation
          ? {
              clientSecretVersion: rotation.version,
              previousClientSecretExpiresAt: rotation.previousSecretExpiresAt,
            }
          : {}),
      },
      // No deleteBeforeReplace: a token is never deleted before its successor exists. A retired
      // generation is a removed resource, which the engine deletes at the end of the deployment,
      // after the policy that included it has been updated.
      {
        parent: this,
        ...adopt,
        ...(ignoreChanges.length > 0 ? { ignoreChanges } : {}),
      },
    );
  }
}
