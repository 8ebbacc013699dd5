import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  defaultFeaturesDir,
  FeatureDataError,
  loadFeatureCatalog,
  PREREQUISITES_VAR,
} from "../infra/features/catalog";
import { OWN_CONFIG_KEYS } from "../infra/config-parts/own-keys";
import { knownConfigKeys } from "../infra/config";
import { CONFIG_LIMIT_BYTES as HEROKU_LIMIT } from "../infra/heroku/validate";
import {
  CONFIG_LIMIT_BYTES,
  configEstimate,
  FEATURES_SHARE_BYTES,
  MAP_BUDGET_BYTES,
} from "../infra/features/feature-rules";
import { duplicateKeys, MAX_FILE_BYTES } from "../infra/features/read-json";
import { prerequisiteMap } from "../infra/features/manifest";

// Bad feature data the loader used to accept (issue 24, "What was seen" 5): each is refused when
// the catalog loads, naming the file, the field (a JSON pointer) and the fix.
const FIXTURE = join(__dirname, "fixtures", "features", "audit-export.json");
const INVESTIGATE = join(defaultFeaturesDir(), "investigate.json");
type Json = Record<string, unknown>;
const good = (path = FIXTURE) => JSON.parse(readFileSync(path, "utf8")) as Json;
const prereqs = (f: Json) => f["prerequisites"] as Json[];

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "features-"));
  for (const [name, body] of Object.entries(files))
    writeFileSync(
      join(dir, name),
      typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    );
  return dir;
}

function problemsOf(files: Record<string, unknown>): { file: string; problems: string[] } {
  const dir = dirWith(files);
  const file = relative(process.cwd(), join(dir, Object.keys(files)[0]!));
  try {
    loadFeatureCatalog([dir]);
  } catch (err) {
    expect(err).toBeInstanceOf(FeatureDataError);
    return { file, problems: [...(err as FeatureDataError).problems] };
  }
  throw new Error("the catalog loaded");
}

/** The one problem of a file with one mistake. */
function onlyProblem(body: unknown): string {
  const { file, problems } = problemsOf({ "audit-export.json": body });
  expect(problems).toHaveLength(1);
  expect(problems[0]!.startsWith(`${file}: `)).toBe(true);
  return problems[0]!;
}

describe("refused at load: detection, names, Vault paths, config keys, probes", () => {
  it("detection: [] (the flag would go on with no alert)", () => {
    const f = good();
    f["detection"] = [];
    const p = onlyProblem(f);
    expect(p).toContain("/detection is empty");
    expect(p).toContain(
      `"logger": "audit_export" and "messageContains": "audit_export_not_configured"`,
    );
  });

  it.each([
    ["DATABASE_URL", "Heroku Postgres"],
    ["PORT", "port Heroku"],
    ["HEROKU_APP_NAME", "Heroku's"],
    ["REDIS_TLS_URL", "Redis"],
    ["ANALYTICS_DATABASE_URL", "Postgres attachment"],
    ["MEMCACHIER_SERVERS", "MemCachier"],
    ["NODE_ENV", "runtime"],
    ["WEB_CONCURRENCY", "buildpack"],
  ])("reserved name %s as a prerequisite", (name, owner) => {
    const f = good();
    prereqs(f)[1]!["name"] = name;
    const p = onlyProblem(f);
    expect(p).toContain(`/prerequisites/1/name ${name} is`);
    expect(p).toContain(owner);
    expect(p).toContain("reserved-names.ts");
    expect(p).toContain("Use a name of the feature's own");
  });

  it("reserved name as a flag", () => {
    const f = good();
    f["flags"] = ["HEROKU_SLUG_COMMIT"];
    expect(onlyProblem(f)).toContain("/flags/0 HEROKU_SLUG_COMMIT is Heroku's");
  });

  it("the prerequisite map var is the catalog's own, not reserved", () => {
    const f = good();
    prereqs(f).push({
      name: PREREQUISITES_VAR,
      secret: false,
      source: { kind: "manifest" },
      purpose: "the map",
    });
    expect(loadFeatureCatalog([dirWith({ "audit-export.json": f })])).toHaveLength(1);
  });

  it.each([
    ["stripe/../cloudflare", "the secret cloudflare", "write the path itself: cloudflare"],
    ["./audit", "the secret audit", "write the path itself: audit"],
    ["../other-mount/x", "a secret outside the mount", "without dot segments"],
  ])("a Vault path with dot segments: %s", (path, reads, fix) => {
    const f = good();
    (prereqs(f)[0]!["source"] as Json)["path"] = path;
    const p = onlyProblem(f);
    expect(p).toContain(`/prerequisites/0/source/path ${path} has a "." or ".." segment`);
    expect(p).toContain(reads);
    expect(p).toContain(fix);
  });

  it("a dot inside a segment name stays allowed", () => {
    const f = good();
    (prereqs(f)[0]!["source"] as Json)["path"] = "audit.v2/x..y";
    expect(loadFeatureCatalog([dirWith({ "audit-export.json": f })])).toHaveLength(1);
  });

  it.each(["herokuApp", "flags", "features", "vaultMount", "gates"])(
    "a config source keyed by the project's own setting %s",
    (key) => {
      const f = good();
      (prereqs(f)[1]!["source"] as Json)["key"] = key;
      const p = onlyProblem(f);
      expect(p).toContain(
        `/prerequisites/1/source/key ${key} is one of the project's own settings`,
      );
      expect(p).toContain(`${key}For<Feature>`);
    },
  );

  it("the project's own settings are one list: config.ts knows each key of it", () => {
    const known = knownConfigKeys([]);
    expect(known).toEqual([...OWN_CONFIG_KEYS]);
  });

  it("a smoke probe whose URL var is not an https-url config source", () => {
    const f = good(INVESTIGATE);
    // FREESCOUT_API_URL as plain text: nothing would hold it to https.
    (prereqs(f)[0]!["source"] as Json)["format"] = "text";
    const { file, problems } = problemsOf({ "investigate.json": f });
    // Besides the gate rules (the tickets gate is not in this folder, and its URL var must be an
    // https-url too: infra/features/gates.ts), each probe on that URL is refused.
    expect(problems.filter((p) => p.includes("/smoke/"))).toEqual([
      `${file}: /smoke/0/urlVar FREESCOUT_API_URL does not come from a config source with "format": "https-url", so nothing holds it to https: the probe would send the service token and API key to whatever it holds. Give /prerequisites/0/source {"kind": "config", "key": "<key>", "format": "https-url"}.`,
      expect.stringContaining("/smoke/1/urlVar FREESCOUT_API_URL does not come from"),
    ]);
  });

  it("a smoke probe whose URL var comes from Vault", () => {
    const f = good(INVESTIGATE);
    prereqs(f)[0]!["source"] = { kind: "vault", path: "freescout", field: "URL" };
    const { problems } = problemsOf({ "investigate.json": f });
    expect(problems.filter((p) => p.includes("/smoke/"))).toHaveLength(2);
  });
});

describe("refused at load: encoding, size and duplicate keys", () => {
  const text = () => readFileSync(FIXTURE, "utf8");

  it("a key twice in one object (JSON.parse keeps the last)", () => {
    const body = text().replace(
      '"flags": ["FLAG_CONSOLE_AUDIT_EXPORT"],',
      '"flags": ["FLAG_CONSOLE_AUDIT_EXPORT"],\n  "flags": ["FLAG_CONSOLE_OTHER"],',
    );
    expect(onlyProblem(body)).toMatch(
      /: \/flags is a key given twice in one object \(JSON keeps only the last, silently\): remove the extra one\.$/,
    );
  });

  it("a key twice deep inside, named by its pointer", () => {
    const body = text().replace(
      '"field": "AUDIT_EXPORT_TOKEN" }',
      '"field": "AUDIT_EXPORT_TOKEN", "path": "cloudflare" }',
    );
    expect(onlyProblem(body)).toContain("/prerequisites/0/source/path is a key given twice");
  });

  it("duplicateKeys: escapes, nesting, arrays and the same key in two objects", () => {
    expect(
      duplicateKeys('{"a/b": 1, "a/b": [ {"x": "\\"}", "x": 2}, {"x": 3} ], "y": {"x": 1}}'),
    ).toEqual(["/a~1b", "/a~1b/0/x"]);
    expect(duplicateKeys('{"a": {}, "b": [], "c": -1.5e3, "d": null}')).toEqual([]);
  });

  it("a byte order mark", () => {
    const p = onlyProblem(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text())]));
    expect(p).toContain("remove the byte order mark");
    expect(p).not.toContain("Unexpected token");
  });

  it("bytes that are not UTF-8", () => {
    const bytes = Buffer.from(text());
    const at = bytes.indexOf("Console audit");
    bytes[at] = 0xff;
    expect(onlyProblem(bytes)).toMatch(
      new RegExp(`: is not valid UTF-8 \\(first bad byte at offset ${at}\\): save it as UTF-8\\.$`),
    );
  });

  it("a file over 64 KiB, with the limit in the fix", () => {
    const f = good();
    f["pad"] = "x".repeat(MAX_FILE_BYTES);
    const p = onlyProblem(f);
    expect(p).toContain(`over the limit of ${MAX_FILE_BYTES} bytes`);
    expect(p).toContain(`shorten it to at most ${MAX_FILE_BYTES} bytes`);
  });

  it.each([
    ["description", 500, (f: Json) => (f["description"] = "d".repeat(501)), "/description"],
    [
      "purpose",
      300,
      (f: Json) => (prereqs(f)[0]!["purpose"] = "p".repeat(301)),
      "/prerequisites/0/purpose",
    ],
    [
      "summary",
      300,
      (f: Json) => ((f["detection"] as Json[])[0]!["summary"] = "s".repeat(301)),
      "/detection/0/summary",
    ],
  ])("a %s over %d characters", (_, limit, edit, pointer) => {
    const f = good();
    edit(f);
    expect(onlyProblem(f)).toMatch(
      new RegExp(
        `: ${pointer} must NOT have more than ${limit} characters: shorten it to at most ${limit} characters\\.$`,
      ),
    );
  });
});

/** A feature file with `flags` flags and `vars` prerequisites, all its own. */
function bigFeature(id: string, flags: number, vars: number): Json {
  const up = id.toUpperCase().replace(/-/g, "_");
  const token = id.replace(/-/g, "_");
  return {
    id,
    description: id,
    flags: Array.from({ length: flags }, (_, i) => `FLAG_${up}_${i}`),
    prerequisites: Array.from({ length: vars }, (_, i) => ({
      name: `${up}_VAR_${i}`,
      secret: false,
      source: {
        kind: "config",
        key: `${id.replace(/-(.)/g, (_m, c: string) => c.toUpperCase())}Var${i}`,
        format: "text",
      },
      purpose: "p",
    })),
    startupCheck: { logger: token, message: `${token}_down` },
    detection: [
      {
        id: `${id}-down`,
        summary: "s",
        logger: token,
        messageContains: `${token}_down`,
        moreThan: 2,
        windowMinutes: 15,
        notifyAtMostEveryMinutes: 10,
        notify: "ops-team-email",
      },
    ],
    smoke: [],
  };
}

describe("refused at load: vars that could pass Heroku's 32 kB config limit", () => {
  it("counts against the same limit the Heroku provider checks", () => {
    expect(CONFIG_LIMIT_BYTES).toBe(HEROKU_LIMIT);
  });

  it("the estimate counts the map exactly as the program writes it", () => {
    const dir = dirWith({
      "wide-a.json": bigFeature("wide-a", 3, 2),
      "audit-export.json": good(),
    });
    const features = loadFeatureCatalog([dir, defaultFeaturesDir()]);
    const files = features.map((f) => ({
      file: f.id,
      feature: {
        ...f,
        prerequisites: f.requires,
        startupCheck: f.startupCheck!,
        detection: [],
        smoke: [],
      },
    }));
    const written = Buffer.byteLength(
      PREREQUISITES_VAR + JSON.stringify(prerequisiteMap(features)),
    );
    expect(configEstimate(files, PREREQUISITES_VAR).mapBytes).toBe(written);
    expect(written).toBeLessThan(MAP_BUDGET_BYTES);
  });

  it("many flags: the prerequisite map alone is over its budget, with the numbers by file", () => {
    const { problems } = problemsOf({
      "wide-a.json": bigFeature("wide-a", 60, 3),
      "wide-b.json": bigFeature("wide-b", 60, 3),
    });
    const map = problems.find((p) => p.includes(`make ${PREREQUISITES_VAR}`))!;
    expect(map).toMatch(
      new RegExp(
        `${PREREQUISITES_VAR} \\d+ bytes, over its budget of ${MAP_BUDGET_BYTES} bytes \\(by file: .*wide-a\\.json ~\\d+, .*wide-b\\.json ~\\d+\\)`,
      ),
    );
    expect(map).toContain("remove flags or prerequisites");
  });

  it("many prerequisites: the vars could pass the features' share of the limit", () => {
    const { problems } = problemsOf({ "many-vars.json": bigFeature("many-vars", 1, 16) });
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `could write \\d+ bytes of config vars to one Heroku app \\(${PREREQUISITES_VAR} \\d+, 1 flags \\d+, 16 prerequisites at 1024 bytes a value \\d+\\), over ${FEATURES_SHARE_BYTES} bytes, the half of Heroku's 32768-byte config limit`,
        ),
      ),
    ]);
  });

  it("a feature just under the share loads", () => {
    expect(
      loadFeatureCatalog([dirWith({ "ok-vars.json": bigFeature("ok-vars", 1, 12) })]),
    ).toHaveLength(1);
  });
});

describe("a conflict between two files names both, with the field in each", () => {
  it("a flag in two files", () => {
    const other = bigFeature("audit-import", 1, 1);
    other["flags"] = ["FLAG_X", "FLAG_CONSOLE_AUDIT_EXPORT"];
    const { problems } = problemsOf({ "audit-import.json": other, "audit-export.json": good() });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /audit-import\.json: \/flags\/1 flag FLAG_CONSOLE_AUDIT_EXPORT is also \S*audit-export\.json: \/flags\/0; each belongs to one feature: change it in one of the two files/,
    );
  });

  it("a shared var declared two ways", () => {
    const other = bigFeature("audit-import", 1, 1);
    prereqs(other)[0] = { ...prereqs(good())[1]!, secret: true };
    const { problems } = problemsOf({ "audit-export.json": good(), "audit-import.json": other });
    expect(problems).toEqual([
      expect.stringMatching(
        /audit-import\.json: \/prerequisites\/0 AUDIT_EXPORT_BUCKET is also declared in \S*audit-export\.json: \/prerequisites\/1 with another source or secret/,
      ),
    ]);
  });

  it("a prerequisite that is another file's flag", () => {
    const other = bigFeature("audit-import", 1, 1);
    prereqs(other)[0]!["name"] = "FLAG_CONSOLE_AUDIT_EXPORT";
    const { problems } = problemsOf({ "audit-export.json": good(), "audit-import.json": other });
    expect(problems).toEqual([
      expect.stringMatching(
        /audit-import\.json: \/prerequisites\/0\/name FLAG_CONSOLE_AUDIT_EXPORT is a flag in \S*audit-export\.json: \/flags\/0: .*Rename it in one of the two files\./,
      ),
    ]);
  });
});
