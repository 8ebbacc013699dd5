/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policy`. Only this file constructs the
 * pack (which starts a gRPC server); tests and the offline check import policies/index.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policies";

new PolicyPack("console-wiring", { policies: allPolicies() });
