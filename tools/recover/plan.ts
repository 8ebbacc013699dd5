/**
 * For each pending operation an interrupted deploy left in state: what it means, and the safe
 * action. A pending create stays in state until cleared; any other pending operation is dropped
 * by the engine at its next write, and the deploy's own refresh (`up --refresh`) reads the live
 * object before it plans, so it needs nothing, except an interrupted rotation, and a Heroku
 * config-vars operation that wrote keys state does not record: the provider's read reads only
 * recorded keys, so a flag among them is switched off first (recover/config-vars.ts).
 */
import type { ServiceToken } from "./cloudflare";
import { gateOfTokenResource } from "./gates";
import { CONFIG_VARS_TYPE, unrecordedKeys } from "./config-vars";
import type { PendingOperation, RecordedResource } from "./state";
import { plainString } from "./state";

export { CONFIG_VARS_TYPE };
export const SECRET_TYPE = "vault:kv/secretV2:SecretV2";
export const TOKEN_TYPE =
  "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";

export type Verdict =
  /** A pending create that is safe to drop: the next create converges. */
  (
    | { readonly kind: "clear"; readonly why: string }
    /**
     * A config-vars operation that wrote flags no resource records: switch them off at the app,
     * then clear it (a create) or let the engine drop it (anything else).
     */
    | {
        readonly kind: "switch-off";
        readonly app: string;
        readonly flags: readonly string[];
        readonly then: "clear" | "nothing";
        readonly why: string;
      }
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
    | { readonly kind: "person"; readonly why: string; readonly todo: string }
  ) & {
    /** What a person should know besides: keys or tokens reported and left as they are. */
    readonly note?: string;
  };

/** When the interrupted deploy ran: from its (stale) lock to this deploy's start. */
export type TokenWindow =
  | { readonly from: Date; readonly to: Date }
  /** No window can be proven; `why` says why. */
  | { readonly from?: undefined; readonly why: string };

export interface PlanContext {
  readonly resources: readonly RecordedResource[];
  /** Access service tokens of the account with this exact name (the orphan search). */
  readonly findTokens: (accountId: string, name: string) => Promise<ServiceToken[]>;
  /**
   * Each gate's current generation's token resource name in the stack config, when it could be
   * read (`<gate>-service-token`, `<gate>-service-token-g<n>`).
   */
  readonly currentTokenResources: readonly string[] | undefined;
  /** Every flag var of the catalog's features. */
  readonly catalogFlags: readonly string[];
  /** Only a token created inside this window can be the interrupted create's. */
  readonly tokenWindow: TokenWindow;
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
  if (op.type === CONFIG_VARS_TYPE) return judgeConfigVars(op, ctx);
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
        `renew the token (docs/runbook.md, "When a deploy was interrupted"): pulumi config set ${key("serviceTokenGeneration")} <current + 1>, ` +
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

/**
 * A config-vars operation: its keys against what state records. Before issue 25 any pending
 * update passed as "up --refresh reads the live object", but the read covers only recorded keys.
 */
function judgeConfigVars(op: PendingOperation, ctx: PlanContext): Verdict {
  const keys = unrecordedKeys(op, ctx.resources, ctx.catalogFlags);
  const note =
    keys.others.length > 0
      ? `not recorded by state, left as they are on the app: ${keys.others.join(", ")} (remove them by hand once nothing on the app uses them; the stack will not)`
      : undefined;
  const withNote = (v: Verdict): Verdict => (note === undefined ? v : { ...v, note });
  if (!keys.readable || (keys.flags.length > 0 && keys.app === undefined)) {
    return {
      kind: "person",
      why: `an interrupted ${op.kind} of Heroku config vars whose ${keys.readable ? "app" : "keys"} ${keys.readable ? "is" : "are"} not in plain text in state: a flag it wrote may be on at the app, recorded by no resource`,
      todo: "compare the app's flag vars (heroku config) with the stack's flags, remove any flag the stack does not have on, then run recover again",
    };
  }
  const then = op.kind === "creating" ? "clear" : "nothing";
  if (keys.flags.length > 0) {
    return withNote({
      kind: "switch-off",
      app: keys.app!,
      flags: keys.flags,
      then,
      why:
        `${keys.flags.join(", ")} may be on at ${keys.app!}, written by the interrupted ${op.kind} and recorded by no resource: ` +
        "a refresh reads only recorded keys, so nothing would ever switch them off, even once their vars are gone",
    });
  }
  if (op.kind === "creating") {
    return withNote({
      kind: "clear",
      why: "idempotent: the next create reads the app and writes only what differs, taking over what the interrupted one wrote (a PATCH sent twice is the same release)",
    });
  }
  return withNote({
    kind: "nothing",
    why: `${op.kind === "deleting" ? "a delete" : op.kind === "updating" ? "an update" : "an operation"} whose outcome is unknown, every flag of it recorded by state: the engine drops it at its next write, and up --refresh reads the recorded keys before planning`,
  });
}

async function judgeCreate(op: PendingOperation, ctx: PlanContext): Promise<Verdict> {
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
  const unrecorded = found.filter((t) => !recorded.includes(t.id));
  if (unrecorded.length === 0) {
    return {
      kind: "clear",
      why: `no token named "${name}" exists besides the ones state records: the create never reached Cloudflare`,
    };
  }
  const list = (ts: readonly ServiceToken[]) =>
    ts.map((t) => `${t.id}, created ${t.createdAt ?? "?"}`).join("; ");
  const window = ctx.tokenWindow;
  if (window.from === undefined) {
    return {
      kind: "person",
      why: `${unrecorded.length} token(s) named "${name}" that no resource records (${list(unrecorded)}), and no window to tell the interrupted create's from someone else's: ${window.why}`,
      todo: "delete the one the interrupted deploy created (created while it ran) if any, keep the others, then pulumi refresh --clear-pending-creates",
    };
  }
  // Only a token created while the interrupted deploy held its lock can be its create's: a token
  // made by hand before adoption, or by another stack using the same name, is someone else's.
  const inWindow = unrecorded.filter((t) => {
    const at = t.createdAt === undefined ? NaN : Date.parse(t.createdAt);
    return at >= window.from.getTime() && at < window.to.getTime();
  });
  const others = unrecorded.filter((t) => !inWindow.includes(t));
  const span = `between ${window.from.toISOString()} (the interrupted deploy's lock) and ${window.to.toISOString()} (this deploy's start)`;
  const note =
    others.length > 0
      ? `not deleted, created outside the interrupted deploy's window (${span}): ${list(others)}; a person decides whether each is someone else's (a token made by hand, another stack using this name) or stale`
      : undefined;
  if (inWindow.length > 1) {
    return {
      kind: "person",
      why: `${inWindow.length} tokens named "${name}" that no resource records were created ${span} (${list(inWindow)}): only one create was interrupted`,
      todo: "delete the one the interrupted deploy created, keep or adopt the others, then pulumi refresh --clear-pending-creates",
      ...(note === undefined ? {} : { note }),
    };
  }
  if (inWindow.length === 0) {
    return {
      kind: "clear",
      why: `no unrecorded token named "${name}" was created ${span}: the create never reached Cloudflare`,
      ...(note === undefined ? {} : { note }),
    };
  }
  const token = inWindow[0]!;
  return {
    kind: "delete-orphan",
    token,
    accountId,
    why:
      `token ${token.id} named "${name}" (created ${token.createdAt ?? "?"}, ${span}) exists but no resource records it: the interrupted create made it. ` +
      "Its client secret was only in the lost answer, so nothing can present it: delete it, then clear (importing it would leave the stack a token whose secret nobody has)",
    ...(note === undefined ? {} : { note }),
  };
}
