/**
 * For each pending operation an interrupted deploy left in state: what it means, and the safe
 * action. A pending create stays in state until cleared; any other pending operation is dropped
 * by the engine at its next write, and the deploy's own refresh (`up --refresh`) reads the live
 * object before it plans, so it needs nothing, except an interrupted rotation.
 */
import type { ServiceToken } from "./cloudflare";
import { gateOfTokenResource } from "./gates";
import type { PendingOperation, RecordedResource } from "./state";
import { plainString } from "./state";

export const CONFIG_VARS_TYPE = "pulumi-nodejs:dynamic/heroku:ConfigVars";
export const SECRET_TYPE = "vault:kv/secretV2:SecretV2";
export const TOKEN_TYPE =
  "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";

export type Verdict =
  /** A pending create that is safe to drop: the next create converges. */
  | { readonly kind: "clear"; readonly why: string }
  /** A pending token create whose token exists, unrecorded: delete it, then drop the create. */
  | {
      readonly kind: "delete-orphan";
      readonly token: ServiceToken;
      readonly accountId: string;
      readonly why: string;
    }
  /** Nothing to do: the next `up --refresh` handles it. */
  | { readonly kind: "nothing"; readonly why: string }
  /** Only a person can decide; `todo` says what to do. */
  | { readonly kind: "person"; readonly why: string; readonly todo: string };

export interface PlanContext {
  readonly resources: readonly RecordedResource[];
  /** Access service tokens of the account with this exact name (the orphan search). */
  readonly findTokens: (accountId: string, name: string) => Promise<ServiceToken[]>;
  /**
   * Each gate's current generation's token resource name in the stack config, when it could be
   * read (`<gate>-service-token`, `<gate>-service-token-g<n>`).
   */
  readonly currentTokenResources: readonly string[] | undefined;
}

/** What a pending operation is, for a person: never a value. */
export function describe(op: PendingOperation): string {
  const keys = Array.isArray(op.inputs["keys"])
    ? (op.inputs["keys"] as unknown[]).filter((k) => typeof k === "string")
    : [];
  const detail =
    op.type === CONFIG_VARS_TYPE
      ? `Heroku config vars ${keys.join(", ")} on ${plainString(op.inputs, "app") ?? "?"}`
      : op.type === TOKEN_TYPE
        ? `Access service token "${plainString(op.inputs, "name") ?? "?"}"`
        : op.type === SECRET_TYPE
          ? `Vault secret ${plainString(op.inputs, "mount") ?? "?"}/${plainString(op.inputs, "name") ?? "?"}`
          : op.type;
  return `${op.kind} ${op.name} (${detail})`;
}

export async function judge(op: PendingOperation, ctx: PlanContext): Promise<Verdict> {
  if (op.kind === "creating") return judgeCreate(op, ctx);
  if (op.type === TOKEN_TYPE && op.kind === "updating" && rotates(op, ctx.resources)) {
    // Each gate's token is judged against its own gate's current generation only.
    const gate = gateOfTokenResource(op.name);
    const current = ctx.currentTokenResources?.find((r) => gateOfTokenResource(r) === gate);
    if (current !== undefined && current !== op.name) {
      return {
        kind: "nothing",
        why: `an interrupted rotation of ${op.name}, superseded: the stack config now renews gate ${gate}'s token (current generation: ${current}); the next up drops this operation`,
      };
    }
    const key = (k: string) => `--path 'gates.${gate ?? "<gate>"}.${k}'`;
    return {
      kind: "person",
      why:
        "an interrupted rotation: Cloudflare may have issued a new client secret that nobody holds (its only copy was in the lost answer), " +
        "while state, Vault and the app keep the old one, which Access refuses after previousClientSecretExpiresAt. A refresh cannot tell, and a plain up then sees no change",
      todo:
        `renew the token (README, "When a deploy was interrupted"): pulumi config set ${key("serviceTokenGeneration")} <current + 1>, ` +
        `pulumi config rm ${key("serviceTokenSecretVersion")}, pulumi config rm ${key("serviceTokenPreviousSecretExpiresAt")}, commit, and deploy before the old secret's grace ends; then retire the old generation`,
    };
  }
  return {
    kind: "nothing",
    why: `${op.kind === "deleting" ? "a delete" : op.kind === "updating" ? "an update" : "an operation"} whose outcome is unknown: the engine drops it at its next write, and up --refresh reads the live object before planning`,
  };
}

/** Whether a pending token update changes the client secret version (a rotation). */
function rotates(op: PendingOperation, resources: readonly RecordedResource[]): boolean {
  const planned = op.inputs["clientSecretVersion"];
  if (typeof planned !== "number") return false;
  const recorded = resources.find((r) => r.urn === op.urn);
  const before =
    recorded?.outputs["clientSecretVersion"] ?? recorded?.inputs["clientSecretVersion"] ?? 1;
  return planned !== before;
}

async function judgeCreate(op: PendingOperation, ctx: PlanContext): Promise<Verdict> {
  if (op.type === CONFIG_VARS_TYPE) {
    return {
      kind: "clear",
      why: "idempotent: the next create reads the app and writes only what differs, taking over what the interrupted one wrote (a PATCH sent twice is the same release)",
    };
  }
  if (op.type === SECRET_TYPE) {
    return {
      kind: "clear",
      why: "idempotent: the next create writes the same declared fields from the program to the same path",
    };
  }
  if (op.type.startsWith("pulumi:providers:")) {
    return {
      kind: "clear",
      why: "a provider's configuration, nothing outside the state: the next deployment registers it again",
    };
  }
  if (op.type === TOKEN_TYPE) return judgeTokenCreate(op, ctx);
  return {
    kind: "person",
    why: `an interrupted create of ${op.type}: the object may exist, unrecorded`,
    todo:
      `find it by name in its service; if it exists, adopt it (pulumi refresh --import-pending-creates '${op.urn}' <id>) or delete it by hand, ` +
      "then clear: pulumi refresh --clear-pending-creates",
  };
}

async function judgeTokenCreate(op: PendingOperation, ctx: PlanContext): Promise<Verdict> {
  const accountId = plainString(op.inputs, "accountId");
  const name = plainString(op.inputs, "name");
  if (accountId === undefined || name === undefined) {
    return {
      kind: "person",
      why: "an interrupted service token create whose account or name is not in plain text in state",
      todo: "find the token in Zero Trust → Access → Service Tokens, delete it if no resource of the stack records its id, then pulumi refresh --clear-pending-creates",
    };
  }
  let found: ServiceToken[];
  try {
    found = await ctx.findTokens(accountId, name);
  } catch (err) {
    return {
      kind: "person",
      why: `an interrupted service token create; the orphan search failed: ${(err as Error).message}`,
      todo: `look for a token named "${name}" in the account, delete it if no resource of the stack records its id, then pulumi refresh --clear-pending-creates`,
    };
  }
  const recorded = ctx.resources.map((r) => r.id).filter((id): id is string => id !== undefined);
  const orphans = found.filter((t) => !recorded.includes(t.id));
  if (orphans.length === 0) {
    return {
      kind: "clear",
      why: `no token named "${name}" exists besides the ones state records: the create never reached Cloudflare`,
    };
  }
  if (orphans.length > 1) {
    return {
      kind: "person",
      why: `${orphans.length} tokens named "${name}" that no resource records (${orphans.map((t) => `${t.id}, created ${t.createdAt ?? "?"}`).join("; ")}): one may be someone else's`,
      todo: "delete the one the interrupted deploy created (its create time matches the deploy), keep or adopt the others, then pulumi refresh --clear-pending-creates",
    };
  }
  const token = orphans[0]!;
  return {
    kind: "delete-orphan",
    token,
    accountId,
    why:
      `token ${token.id} named "${name}" (created ${token.createdAt ?? "?"}) exists but no resource records it: the interrupted create made it. ` +
      "Its client secret was only in the lost answer, so nothing can present it: delete it, then clear (importing it would leave the stack a token whose secret nobody has)",
  };
}
