/**
 * Every policy of the pack, in one list: the pack's entry (policy/index.ts) serves them to the
 * engine, and the offline check (tools/check.ts) runs the same list through the policy runtime.
 */
import type { Policies } from "@pulumi/policy";
import { apiUrlOnGatedHost } from "./api-url-on-gated-host";
import type { Feature } from "../../infra/features/manifest";
import { flagsAppliedAfterAccessGate } from "./flags-applied-after-access-gate";
import { flagsAppliedAfterPrerequisites } from "./flags-applied-after-prerequisites";
import { flagsRequireDetection } from "./flags-require-detection";
import { flagsRequirePrerequisites } from "./flags-require-prerequisites";
import { gatedApiRequiresServiceToken } from "./gated-api-requires-service-token";
import { secretsStaySecret } from "./secrets-stay-secret";
import { serviceAuthReturns401 } from "./service-auth-returns-401";
import { serviceTokenExpiry, type ServiceTokenExpiryOptions } from "./service-token-expiry";
import { urlsAreHttps } from "./urls-are-https";

export interface PolicyOptions {
  readonly features?: readonly Feature[];
  readonly expiry?: ServiceTokenExpiryOptions;
}

export function allPolicies(options: PolicyOptions = {}): Policies {
  // Each factory defaults to the manifest's FEATURES when none are given.
  const features = options.features;
  return [
    flagsRequirePrerequisites(features),
    flagsAppliedAfterPrerequisites(features),
    flagsAppliedAfterAccessGate(features),
    flagsRequireDetection(features),
    gatedApiRequiresServiceToken(features),
    serviceAuthReturns401(),
    secretsStaySecret(features),
    urlsAreHttps(features),
    apiUrlOnGatedHost({}, features),
    serviceTokenExpiry(options.expiry, features),
  ];
}
