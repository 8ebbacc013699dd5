import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FeatureDataError, loadFeatureCatalog } from "../infra/features/catalog";

// Gate data a feature could get wrong (issue 24, "What was seen" 1 and 5): a feature that claims
// another gate's token vars, a service-token var with no gate, and smoke probes that would send a
// gate's credentials where the gate does not check the host. Each is refused at load, naming the
// file, the field and the fix. The fixture pair (features/metrics.json, gates/metrics.json) loads
// as it is; each case breaks it once.
const FIXTURES = join(__dirname, "fixtures", "features");
type Json = Record<string, unknown>;
const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Json;
const metrics = () => read(join(FIXTURES, "metrics.json"));
const metricsGate = () => read(join(FIXTURES, "gates", "metrics.json"));
const smoke = (f: Json) => f["smoke"] as Json[];

/** A feature folder holding `features` and `gates/<id>.json` for each of `gates`. */
function folder(features: Record<string, Json>, gates: Json[] = [metricsGate()]): string {
  const dir = mkdtempSync(join(tmpdir(), "gate-data-"));
  mkdirSync(join(dir, "gates"));
  for (const [name, body] of Object.entries(features))
    writeFileSync(join(dir, name), JSON.stringify(body));
  for (const g of gates)
    writeFileSync(join(dir, "gates", `${String(g["id"])}.json`), JSON.stringify(g));
  return dir;
}

function problemsOf(features: Record<string, Json>, gates?: Json[]): string[] {
  try {
    loadFeatureCatalog([folder(features, gates)]);
  } catch (err) {
    expect(err).toBeInstanceOf(FeatureDataError);
    return [...(err as FeatureDataError).problems];
  }
  throw new Error("the catalog loaded");
}

describe("gate data refused at load", () => {
  it("the fixture pair loads: one gated feature, its gate", () => {
    const [feature] = loadFeatureCatalog([folder({ "metrics.json": metrics() })]);
    expect(feature?.gate?.id).toBe("metrics");
    expect(feature?.gate?.urlVars).toEqual(["METRICS_API_URL"]);
  });

  it("a feature that claims another gate's token var", () => {
    const thief = metrics();
    thief["id"] = "billing";
    thief["flags"] = ["FLAG_CONSOLE_BILLING"];
    delete thief["gate"];
    thief["smoke"] = [];
    (thief["startupCheck"] as Json)["logger"] = "billing_client";
    const problems = problemsOf({ "metrics.json": metrics(), "billing.json": thief });
    expect(problems).toContainEqual(
      expect.stringMatching(
        /billing\.json: \/prerequisites\/1\/name CF_ACCESS_SVC_METRICS_CLIENT_ID belongs to gate metrics \(\S+metrics\.json\), which this feature does not pass: set "gate": "metrics", or give the var another name\./,
      ),
    );
  });

  it("a gate named by a feature that does not exist", () => {
    const f = metrics();
    f["gate"] = "metrcs";
    expect(problemsOf({ "metrics.json": f })).toContainEqual(
      expect.stringContaining(`/gate "metrcs" is not a gate: add `),
    );
  });

  it("an access-gate probe on a feature without a gate", () => {
    const f = metrics();
    delete f["gate"];
    const problems = problemsOf({ "metrics.json": f }, []);
    expect(problems).toContainEqual(
      expect.stringContaining(
        `metrics.json: /smoke/0/probe "access-gate" needs a gate: add "gate": "<id>"`,
      ),
    );
  });

  it("a probe whose URL var is not one of its gate's (its host is not checked against the gate's)", () => {
    const f = metrics();
    (f["prerequisites"] as Json[]).push({
      name: "METRICS_STATUS_URL",
      secret: false,
      source: { kind: "config", key: "metricsStatusUrl", format: "https-url" },
      purpose: "a status page on any host",
    });
    smoke(f)[0]!["urlVar"] = "METRICS_STATUS_URL";
    const problems = problemsOf({ "metrics.json": f });
    expect(problems).toEqual([
      expect.stringMatching(
        /metrics\.json: \/smoke\/0\/urlVar METRICS_STATUS_URL is not a URL of gate metrics \(METRICS_API_URL\): its host is not checked against the gate's when the stack is configured, and the smoke check would refuse to send the gate's credentials there\. Use one of METRICS_API_URL, or add it to \/urlVars of \S+metrics\.json\./,
      ),
    ]);
  });

  it("an access-gate probe that would send another var than the gate's token", () => {
    const f = metrics();
    (f["prerequisites"] as Json[]).push({
      name: "METRICS_READ_KEY",
      secret: true,
      source: { kind: "vault", path: "metrics", field: "METRICS_READ_KEY" },
      purpose: "a key of the metrics API",
    });
    smoke(f)[0]!["clientSecretVar"] = "METRICS_READ_KEY";
    expect(problemsOf({ "metrics.json": f })).toEqual([
      expect.stringContaining(
        `/smoke/0/clientSecretVar is METRICS_READ_KEY but gate metrics carries its token in CF_ACCESS_SVC_METRICS_CLIENT_SECRET: use "CF_ACCESS_SVC_METRICS_CLIENT_SECRET".`,
      ),
    ]);
  });

  it("an access-gate probe whose client id var is not the gate's", () => {
    const f = metrics();
    (f["prerequisites"] as Json[]).push({
      name: "METRICS_CLIENT_LABEL",
      secret: false,
      source: { kind: "config", key: "metricsClientLabel", format: "text" },
      purpose: "a label",
    });
    smoke(f)[0]!["clientIdVar"] = "METRICS_CLIENT_LABEL";
    expect(problemsOf({ "metrics.json": f })).toEqual([
      expect.stringContaining(
        `/smoke/0/clientIdVar is METRICS_CLIENT_LABEL but gate metrics carries its token in CF_ACCESS_SVC_METRICS_CLIENT_ID: use "CF_ACCESS_SVC_METRICS_CLIENT_ID".`,
      ),
    ]);
  });

  it("a FreeScout probe on a gated feature without the access-gate probe that gives it the token", () => {
    const f = metrics();
    (f["prerequisites"] as Json[]).push(
      {
        name: "METRICS_API_KEY",
        secret: true,
        source: { kind: "vault", path: "metrics", field: "METRICS_API_KEY" },
        purpose: "key",
      },
      {
        name: "METRICS_MAILBOX_ID",
        secret: false,
        source: { kind: "vault", path: "metrics", field: "METRICS_MAILBOX_ID" },
        purpose: "mailbox",
      },
    );
    f["smoke"] = [
      {
        probe: "freescout-api",
        urlVar: "METRICS_API_URL",
        apiKeyVar: "METRICS_API_KEY",
        mailboxVar: "METRICS_MAILBOX_ID",
      },
    ];
    expect(problemsOf({ "metrics.json": f })).toEqual([
      expect.stringContaining(
        `/smoke/0 a FreeScout probe on a feature behind gate metrics needs an "access-gate" probe, which gives it the token: without one Access refuses every call. Add {"probe": "access-gate", "urlVar": "METRICS_API_URL", "clientIdVar": "CF_ACCESS_SVC_METRICS_CLIENT_ID", "clientSecretVar": "CF_ACCESS_SVC_METRICS_CLIENT_SECRET"} to /smoke.`,
      ),
    ]);
  });

  it("two probes of one kind (the smoke check would run the first only)", () => {
    const f = metrics();
    smoke(f).push({ ...smoke(f)[0]! });
    expect(problemsOf({ "metrics.json": f })).toEqual([
      expect.stringContaining(
        `/smoke/1/probe "access-gate" is also /smoke/0: the smoke check runs one probe of each kind per feature; remove one.`,
      ),
    ]);
  });

  it("probes on different URL vars (the smoke check sends both to one base URL)", () => {
    const f = metrics();
    (f["prerequisites"] as Json[]).push(
      {
        name: "METRICS_ALT_URL",
        secret: false,
        source: { kind: "config", key: "metricsAltUrl", format: "https-url" },
        purpose: "a second URL of the gate",
      },
      {
        name: "METRICS_API_KEY",
        secret: true,
        source: { kind: "vault", path: "metrics", field: "METRICS_API_KEY" },
        purpose: "key",
      },
      {
        name: "METRICS_MAILBOX_ID",
        secret: false,
        source: { kind: "vault", path: "metrics", field: "METRICS_MAILBOX_ID" },
        purpose: "mailbox",
      },
    );
    smoke(f).push({
      probe: "freescout-api",
      urlVar: "METRICS_ALT_URL",
      apiKeyVar: "METRICS_API_KEY",
      mailboxVar: "METRICS_MAILBOX_ID",
    });
    const gate = metricsGate();
    gate["urlVars"] = ["METRICS_API_URL", "METRICS_ALT_URL"];
    expect(problemsOf({ "metrics.json": f }, [gate])).toEqual([
      expect.stringContaining(
        "/smoke probes name different URL vars (METRICS_API_URL, METRICS_ALT_URL) but the smoke check sends them all to one base URL: give them the same urlVar.",
      ),
    ]);
  });
});
