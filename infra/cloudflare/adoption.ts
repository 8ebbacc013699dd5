/**
 * Which configured adoptions this stack has already made.
 *
 * The adopt IDs stay in the stack file after the first `up` (they document where the objects came
 * from, and removing them would also drop retain-on-delete and ignoreChanges). But an `import`
 * option left in the program is not inert: in CLI 3.248 an import followed by an update in the
 * same deployment (ours always is: the stack turns the 401 switch on) stores no import ID
 * (resource/deploy/step_generator.go, the state built after an import has `ImportID: ""`). The
 * next deployment then compares the import ID (`accounts/<account>/<id>`) with the object's ID,
 * finds them different and imports the object again as an "import replacement": the token comes
 * back without its client secret (Cloudflare never returns it), and Vault and the app would get
 * a changed value. Found under the real engine (test/e2e/engine.e2e.test.ts, scenario h).
 *
 * So the program reads this stack's own last outputs (a stack reference to itself: the outputs of
 * the last deployment that finished) and keeps `import` only for an object whose ID is not there
 * yet. An adoption interrupted before its outputs were written imports again, which is what the
 * first adoption did.
 */
import * as pulumi from "@pulumi/pulumi";

export interface AccessAdoption {
  readonly applicationId?: string;
  readonly policyId?: string;
  readonly serviceTokenId?: string;
}

/**
 * The stack outputs (infra/program.ts) that hold each adopted object's ID once it is in the stack.
 * The adopted token is generation 1: after a renewal it is the previous generation until retired.
 */
export const ADOPTION_OUTPUTS = {
  applicationId: ["accessApplicationId"],
  policyId: ["accessPolicyId"],
  serviceTokenId: ["serviceTokenId", "previousServiceTokenId"],
} as const satisfies Record<keyof AccessAdoption, readonly string[]>;

export type AdoptionsDone = Readonly<Record<keyof AccessAdoption, boolean>>;

/** Reads the outputs of this stack's last deployment, only when an adoption is configured. */
export async function adoptionsDone(adopt: AccessAdoption): Promise<AdoptionsDone> {
  const keys = Object.keys(ADOPTION_OUTPUTS) as (keyof AccessAdoption)[];
  const none = Object.fromEntries(keys.map((k) => [k, false])) as Record<
    keyof AccessAdoption,
    boolean
  >;
  if (keys.every((k) => !adopt[k])) return none;
  const self = new pulumi.StackReference("adoption-record", {
    name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  });
  const done = { ...none };
  for (const k of keys) {
    if (!adopt[k]) continue;
    for (const output of ADOPTION_OUTPUTS[k])
      if ((await self.getOutputDetails(output)).value === adopt[k]) done[k] = true;
  }
  return done;
}
