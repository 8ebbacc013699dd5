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
 * Where each adopted object's ID is once it is in the stack: the gate's entry of the `gates`
 * output (infra/program.ts). The adopted token is generation 1: after a renewal it is the previous
 * generation until retired. A state the previous main deployed (one gate, outputs at top level)
 * has the same names at top level: prod's first deploy after the change reads those.
 */
export const ADOPTION_OUTPUTS = {
  applicationId: ["accessApplicationId"],
  policyId: ["accessPolicyId"],
  serviceTokenId: ["serviceTokenId", "previousServiceTokenId"],
} as const satisfies Record<keyof AccessAdoption, readonly string[]>;

export type AdoptionsDone = Readonly<Record<keyof AccessAdoption, boolean>>;

/** Which of the IDs in `adopt` the outputs hold, in the gate's entry or at top level. */
export function adoptionsIn(
  adopt: AccessAdoption,
  outputs: Readonly<Record<string, unknown>>,
  gateId: string,
): AdoptionsDone {
  const gates = outputs["gates"];
  const entry =
    typeof gates === "object" && gates !== null
      ? ((gates as Record<string, unknown>)[gateId] as Record<string, unknown> | undefined)
      : undefined;
  const keys = Object.keys(ADOPTION_OUTPUTS) as (keyof AccessAdoption)[];
  return Object.fromEntries(
    keys.map((k) => [
      k,
      adopt[k] !== undefined &&
        adopt[k] !== "" &&
        ADOPTION_OUTPUTS[k].some((o) => entry?.[o] === adopt[k] || outputs[o] === adopt[k]),
    ]),
  ) as Record<keyof AccessAdoption, boolean>;
}

/**
 * Reads the outputs of this stack's last deployment, only when an adoption is configured, and
 * tells per gate which of its adoptions are done.
 */
export async function adoptionsDone(
  adopts: Readonly<Record<string, AccessAdoption>>,
): Promise<Record<string, AdoptionsDone>> {
  const any = Object.values(adopts).some((a) => a.applicationId || a.policyId || a.serviceTokenId);
  let outputs: Record<string, unknown> = {};
  if (any) {
    const self = new pulumi.StackReference("adoption-record", {
      name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    outputs = {};
    for (const name of ["gates", ...new Set(Object.values(ADOPTION_OUTPUTS).flat())])
      outputs[name] = (await self.getOutputDetails(name)).value;
  }
  return Object.fromEntries(
    Object.entries(adopts).map(([id, adopt]) => [id, adoptionsIn(adopt, outputs, id)]),
  );
}
