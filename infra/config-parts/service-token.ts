/**
 * The service token's generations and rotation, from stack config (parts of infra/config.ts's
 * parseConfig, moved here unchanged: pure functions that add to the problem list).
 */
import { PROJECT } from "./patterns";

const set = (key: string, example: string) => `pulumi config set ${key} ${example}`;

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/**
 * The service token generations the stack declares: the current one (its token feeds Vault and
 * the app) and, while a renewal is in progress, the one before it. A renewal takes two updates:
 * bumping serviceTokenGeneration creates the new token and keeps the previous one admitted while
 * Vault and Heroku move to the new one; setting serviceTokenRetiredGeneration to the previous
 * generation then drops it from the policy and deletes it. A retired value left behind by an
 * earlier renewal keeps the previous generation, so forgetting to update it is safe.
 */
export function tokenGenerations(
  generation: number,
  retired: number,
  problems: string[],
): { readonly current: number; readonly previous: number | undefined } {
  const alone = { current: generation, previous: undefined };
  // Out of range, or malformed (NaN, which compares false throughout): its key's own problem.
  if (generation < 1 || retired < 0) return alone;
  if (retired >= generation) {
    const fix =
      generation > 1
        ? `Retire only an earlier one: pulumi config set serviceTokenRetiredGeneration ${generation - 1}`
        : "Remove it: pulumi config rm serviceTokenRetiredGeneration";
    problems.push(
      `${PROJECT}:serviceTokenRetiredGeneration is ${retired} but serviceTokenGeneration is ${generation}: the current generation's token is the one the app uses and cannot be retired. ${fix}`,
    );
    return alone;
  }
  return { current: generation, previous: retired < generation - 1 ? generation - 1 : undefined };
}

/**
 * The rotation to send with the current generation's token, if any. Cloudflare's provider keeps
 * `clientSecretVersion` at 1 until told otherwise and rotates only when the version differs from
 * its state, so 0 (the default) sends nothing and the first rotation is 2; 1 would rotate nothing
 * and say nothing, so it is refused. It takes the version only together with
 * `previousClientSecretExpiresAt`: the grace window in which the old secret still works while
 * Vault and Heroku take the new one. A rotation counts for one token: while a renewal keeps the
 * previous generation, the new token starts at version 1 and the version must be reset.
 */
export function secretRotation(
  version: number,
  previousExpiresAt: string,
  generations: ReturnType<typeof tokenGenerations>,
  problems: string[],
): { readonly version: number; readonly previousSecretExpiresAt: string } | undefined {
  const example = set("serviceTokenPreviousSecretExpiresAt", "2026-12-01T12:00:00Z");
  if (!Number.isInteger(version) || version < 0) return undefined;
  if (version === 0) {
    if (previousExpiresAt !== "") {
      problems.push(
        `${PROJECT}:serviceTokenPreviousSecretExpiresAt is set but serviceTokenSecretVersion is 0 (never rotated): it only applies to a rotation. Remove it (pulumi config rm serviceTokenPreviousSecretExpiresAt), or rotate: pulumi config set serviceTokenSecretVersion 2`,
      );
    }
    return undefined;
  }
  if (version === 1) {
    problems.push(
      `${PROJECT}:serviceTokenSecretVersion is 1, which rotates nothing: Cloudflare's provider starts every token at client secret version 1 and rotates only when the version differs from its state. The first rotation is 2, each later one the current value + 1. Fix: pulumi config set serviceTokenSecretVersion 2`,
    );
    return undefined;
  }
  if (generations.previous !== undefined) {
    problems.push(
      `${PROJECT}:serviceTokenSecretVersion is ${version} while generation ${generations.previous}'s token is still admitted (serviceTokenGeneration ${generations.current}: a renewal in progress). A rotation counts for one token, and generation ${generations.current}'s new token starts at version 1. Remove both: pulumi config rm serviceTokenSecretVersion && pulumi config rm serviceTokenPreviousSecretExpiresAt (generation ${generations.previous}'s token keeps its secret until it is retired).`,
    );
    return undefined;
  }
  if (previousExpiresAt === "") {
    problems.push(
      `${PROJECT}:serviceTokenPreviousSecretExpiresAt is missing: rotating the service token (serviceTokenSecretVersion ${version}) needs the time until which the previous client secret keeps working, so the app is not locked out before Heroku has the new one. Set it a few hours ahead: ${example}`,
    );
    return undefined;
  }
  if (!RFC3339_UTC.test(previousExpiresAt) || Number.isNaN(Date.parse(previousExpiresAt))) {
    problems.push(
      `${PROJECT}:serviceTokenPreviousSecretExpiresAt must be an RFC 3339 UTC time such as 2026-12-01T12:00:00Z. Example: ${example}`,
    );
    return undefined;
  }
  return { version, previousSecretExpiresAt: previousExpiresAt };
}
