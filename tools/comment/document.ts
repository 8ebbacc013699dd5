/**
 * The check's result as data (`npm run check -- --format json`): what the PR comment is built
 * from. A pull request's own code produces it, so the comment workflow trusts nothing in it:
 * `parseCheckDocument` checks its shape and bounds before anything is rendered.
 */
export const CHECK_SCHEMA = "console-wiring-check/v1";
export const PREVIEW_SCHEMA = "console-wiring-preview/v1";

export interface CheckDocument {
  readonly schema: typeof CHECK_SCHEMA;
  readonly stack: string;
  readonly result: "pass" | "fail";
  /** The verdict line, e.g. "PASS (0 mandatory violations, 0 advisories)". */
  readonly summary: string;
  readonly programError?: string;
  readonly notes: readonly string[];
  readonly policies: {
    readonly passed: readonly string[];
    readonly notApplicable: readonly { readonly policy: string; readonly reason: string }[];
    readonly violations: readonly {
      readonly policy: string;
      readonly level: string;
      readonly message: string;
      readonly resource?: string;
    }[];
  };
  readonly apps: readonly {
    readonly app: string;
    readonly flagsOn: readonly string[];
    readonly holders: readonly {
      readonly name: string;
      readonly keys: readonly {
        readonly key: string;
        readonly secret: boolean;
        readonly computed: boolean;
      }[];
    }[];
  }[];
  readonly graph: {
    readonly resourceCount: number;
    readonly components: readonly {
      readonly name: string;
      readonly type: string;
      readonly children: readonly {
        readonly name: string;
        readonly type: string;
        readonly importId?: string;
      }[];
    }[];
    readonly edges: readonly {
      readonly from: string;
      readonly to: string;
      readonly via: readonly string[];
    }[];
  };
}

export interface PreviewDocument {
  readonly schema: typeof PREVIEW_SCHEMA;
  readonly outcome: string;
  readonly tail: readonly string[];
}

const MAX_STRING = 10_000;
const MAX_ITEMS = 5_000;

/** A shape check with bounds; the first problem found is reported by path, never by value. */
class Reader {
  constructor(private readonly root: string) {}

  fail(path: string, what: string): never {
    throw new Error(`${this.root}${path}: ${what}`);
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v))
      this.fail(path, "must be an object");
    return v as Record<string, unknown>;
  }

  string(v: unknown, path: string, max = MAX_STRING): string {
    if (typeof v !== "string") this.fail(path, "must be a string");
    if (v.length > max) this.fail(path, `must be at most ${max} characters`);
    return v;
  }

  optionalString(v: unknown, path: string): string | undefined {
    return v === undefined ? undefined : this.string(v, path);
  }

  boolean(v: unknown, path: string): boolean {
    if (typeof v !== "boolean") this.fail(path, "must be true or false");
    return v;
  }

  count(v: unknown, path: string): number {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
      this.fail(path, "must be a whole number");
    return v;
  }

  array<T>(v: unknown, path: string, item: (x: unknown, p: string) => T): T[] {
    if (!Array.isArray(v)) this.fail(path, "must be an array");
    if (v.length > MAX_ITEMS) this.fail(path, `must have at most ${MAX_ITEMS} items`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  }

  oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
    if (typeof v !== "string" || !values.includes(v as T))
      this.fail(path, `must be one of ${values.join(", ")}`);
    return v as T;
  }
}

export function parseCheckDocument(value: unknown): CheckDocument {
  const r = new Reader("check.json");
  const d = r.object(value, "");
  if (d["schema"] !== CHECK_SCHEMA) r.fail(".schema", `must be "${CHECK_SCHEMA}"`);
  const policies = r.object(d["policies"], ".policies");
  const graph = r.object(d["graph"], ".graph");
  return {
    schema: CHECK_SCHEMA,
    stack: r.string(d["stack"], ".stack", 200),
    result: r.oneOf(d["result"], ".result", ["pass", "fail"] as const),
    summary: r.string(d["summary"], ".summary", 500),
    ...(d["programError"] === undefined
      ? {}
      : { programError: r.string(d["programError"], ".programError") }),
    notes: r.array(d["notes"], ".notes", (x, p) => r.string(x, p)),
    policies: {
      passed: r.array(policies["passed"], ".policies.passed", (x, p) => r.string(x, p, 200)),
      notApplicable: r.array(policies["notApplicable"], ".policies.notApplicable", (x, p) => {
        const o = r.object(x, p);
        return {
          policy: r.string(o["policy"], `${p}.policy`, 200),
          reason: r.string(o["reason"], `${p}.reason`),
        };
      }),
      violations: r.array(policies["violations"], ".policies.violations", (x, p) => {
        const o = r.object(x, p);
        const resource = r.optionalString(o["resource"], `${p}.resource`);
        return {
          policy: r.string(o["policy"], `${p}.policy`, 200),
          level: r.oneOf(o["level"], `${p}.level`, [
            "advisory",
            "mandatory",
            "remediate",
            "disabled",
          ] as const),
          message: r.string(o["message"], `${p}.message`),
          ...(resource === undefined ? {} : { resource }),
        };
      }),
    },
    apps: r.array(d["apps"], ".apps", (x, p) => {
      const o = r.object(x, p);
      return {
        app: r.string(o["app"], `${p}.app`, 200),
        flagsOn: r.array(o["flagsOn"], `${p}.flagsOn`, (f, fp) => r.string(f, fp, 200)),
        holders: r.array(o["holders"], `${p}.holders`, (h, hp) => {
          const ho = r.object(h, hp);
          return {
            name: r.string(ho["name"], `${hp}.name`, 200),
            keys: r.array(ho["keys"], `${hp}.keys`, (k, kp) => {
              const ko = r.object(k, kp);
              return {
                key: r.string(ko["key"], `${kp}.key`, 200),
                secret: r.boolean(ko["secret"], `${kp}.secret`),
                computed: r.boolean(ko["computed"], `${kp}.computed`),
              };
            }),
          };
        }),
      };
    }),
    graph: {
      resourceCount: r.count(graph["resourceCount"], ".graph.resourceCount"),
      components: r.array(graph["components"], ".graph.components", (x, p) => {
        const o = r.object(x, p);
        return {
          name: r.string(o["name"], `${p}.name`, 200),
          type: r.string(o["type"], `${p}.type`, 300),
          children: r.array(o["children"], `${p}.children`, (c, cp) => {
            const co = r.object(c, cp);
            const importId = r.optionalString(co["importId"], `${cp}.importId`);
            return {
              name: r.string(co["name"], `${cp}.name`, 200),
              type: r.string(co["type"], `${cp}.type`, 300),
              ...(importId === undefined ? {} : { importId }),
            };
          }),
        };
      }),
      edges: r.array(graph["edges"], ".graph.edges", (x, p) => {
        const o = r.object(x, p);
        return {
          from: r.string(o["from"], `${p}.from`, 200),
          to: r.string(o["to"], `${p}.to`, 200),
          via: r.array(o["via"], `${p}.via`, (v, vp) => r.string(v, vp, 200)),
        };
      }),
    },
  };
}

export function parsePreviewDocument(value: unknown): PreviewDocument {
  const r = new Reader("preview.json");
  const d = r.object(value, "");
  if (d["schema"] !== PREVIEW_SCHEMA) r.fail(".schema", `must be "${PREVIEW_SCHEMA}"`);
  return {
    schema: PREVIEW_SCHEMA,
    outcome: r.oneOf(d["outcome"], ".outcome", [
      "success",
      "failure",
      "cancelled",
      "skipped",
      "unknown",
    ] as const),
    tail: r.array(d["tail"], ".tail", (x, p) => r.string(x, p, 1_000)).slice(-60),
  };
}
