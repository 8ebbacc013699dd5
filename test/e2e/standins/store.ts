/**
 * The stand-in providers' "cloud": one JSON file per provider in E2E_STANDIN_DIR that the
 * end-to-end tests read and edit (objects that already exist, hand edits), plus an append-only
 * log of the calls each provider received. Synchronous file I/O keeps each call atomic.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface StoredObject {
  readonly type: string;
  /** Inputs as the provider accepted them (secrets unwrapped: this is the cloud's copy). */
  inputs: Record<string, unknown>;
  /** Computed properties (ids, secrets returned only at create, expiry). */
  computed: Record<string, unknown>;
}

export interface StoreFile {
  objects: Record<string, StoredObject>;
  /** Vault KV v2: `<mount>/<name>` → data. */
  secrets: Record<string, Record<string, string>>;
}

function dir(): string {
  const d = process.env["E2E_STANDIN_DIR"];
  if (!d)
    throw new Error(
      "E2E_STANDIN_DIR is not set: the stand-in providers run only under the end-to-end suite",
    );
  return d;
}

export function storePath(provider: string): string {
  return path.join(dir(), `${provider}.json`);
}

export function load(provider: string): StoreFile {
  const file = storePath(provider);
  if (!fs.existsSync(file)) return { objects: {}, secrets: {} };
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<StoreFile>;
  return { objects: parsed.objects ?? {}, secrets: parsed.secrets ?? {} };
}

export function save(provider: string, store: StoreFile): void {
  const file = storePath(provider);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(store, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

export function log(provider: string, entry: Record<string, unknown>): void {
  fs.appendFileSync(path.join(dir(), `${provider}.log.jsonl`), JSON.stringify(entry) + "\n");
  holdIfAsked(provider, entry);
}

/**
 * The e2e suite's hold (interrupt.e2e.test.ts): when E2E_STANDIN_DIR/hold.json names this call
 * (`provider` and every other field equal to the log entry's), the stand-in, which has stored the
 * call's effect and logged it, renames it to held.json and blocks before answering until a file
 * `release` appears, or until it is killed: the cloud has done it, the engine never hears.
 */
function holdIfAsked(provider: string, entry: Record<string, unknown>): void {
  const file = path.join(dir(), "hold.json");
  if (!fs.existsSync(file)) return;
  const want = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const { provider: who, ...fields } = want;
  if (who !== provider || Object.entries(fields).some(([k, v]) => entry[k] !== v)) return;
  fs.renameSync(file, path.join(dir(), "held.json"));
  const tick = new Int32Array(new SharedArrayBuffer(4));
  while (!fs.existsSync(path.join(dir(), "release"))) Atomics.wait(tick, 0, 0, 50);
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Values as the engine sends them to a provider that accepts secrets: `{ sig, value }` wrappers. */
export function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrap);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG] === SECRET_VALUE) return unwrap(o["value"]);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrap(v)]));
  }
  return value;
}

export function secret(value: unknown): unknown {
  return { [SECRET_SIG]: SECRET_VALUE, value };
}

/** `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>` → `<type>`. */
export function typeFromUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

/** How the engine spells a value not known yet (preview): providers skip checks on it. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A string input, or `fallback` when absent or not a string. */
export function str(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}
