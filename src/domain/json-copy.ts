import { RegistryError } from "../errors.js";
import { isPlainObject, type JsonValue } from "./json.js";

/**
 * The roots this module built. A frozen copy is immutable all the way down and plain JSON, so copying
 * it again can hand back the same object: the registry builds a record once, and the store keeps that
 * object (and an audit entry holding it shares it) instead of duplicating it in memory.
 *
 * A mark is only needed from the moment the registry builds a value until its store takes it (the same
 * call), so marks live in two generations and older ones are dropped. A copy whose mark was dropped is
 * merely copied again. The shared constants below stay marked.
 *
 * The generations are strong sets, not weak ones: a WeakSet entry costs the garbage collector work on
 * every young-generation pass (an ephemeron), which showed as ~5% of a register; a WeakSet of every
 * record ever built, the first design, also cost about 200 bytes per version. A strong set keeps its
 * values alive, so a generation ends after {@link MARKS_PER_GENERATION} marks or
 * {@link MARK_GENERATION_MS}, whichever comes first: under load marks last a couple of thousand
 * writes, and once writes stop (or the store is closed) every value is let go within two periods. The
 * timer is unref'd: it never keeps a process alive.
 */
const MARKS_PER_GENERATION = 1024;
const MARK_GENERATION_MS = 500;
let recentMarks = new Set<object>();
let olderMarks = new Set<object>();
let marksInGeneration = 0;
let generationTimer: ReturnType<typeof setTimeout> | undefined;
const constants = new Set<object>();

function mark(value: object): void {
  recentMarks.add(value);
  if (++marksInGeneration >= MARKS_PER_GENERATION) nextGeneration();
  else if (generationTimer === undefined) startGenerationTimer();
}

function nextGeneration(): void {
  olderMarks = recentMarks;
  recentMarks = new Set<object>();
  marksInGeneration = 0;
}

function startGenerationTimer(): void {
  generationTimer = setTimeout(endGenerationByTime, MARK_GENERATION_MS);
  (generationTimer as { unref?: () => void }).unref?.();
}

function endGenerationByTime(): void {
  generationTimer = undefined;
  if (olderMarks.size === 0 && recentMarks.size === 0) return;
  nextGeneration();
  startGenerationTimer(); // once more, to let the older generation go too
}

function isMarked(value: object): boolean {
  return recentMarks.has(value) || olderMarks.has(value) || constants.has(value);
}

/** One frozen empty array stands in for every empty array kept (a version's `artifacts`, a patch's root `path`...). */
const EMPTY_ARRAY: readonly JsonValue[] = Object.freeze([]);
constants.add(EMPTY_ARRAY);

/**
 * True when `value` is a recent root returned by {@link frozenJsonCopy}, {@link plainJsonCopy} or
 * {@link adoptJson}: deeply frozen, plain JSON, safe to keep as is. (False for an old one: see the marks.)
 */
export function isFrozenJsonCopy(value: unknown): value is JsonValue {
  return value !== null && typeof value === "object" && isMarked(value);
}

/**
 * A deep, frozen copy of `value` exactly as `JSON.parse(JSON.stringify(value))` would give it, built
 * in one pass without the string round trip (it is on every store write's hot path).
 * `toJSON()` is honoured, `undefined`/functions/symbols are dropped from objects and become `null` in
 * arrays, non-finite numbers become `null`, `-0` becomes `0`. A value JSON cannot hold at all (a top-level
 * `undefined`, a BigInt, a cycle) throws `VALIDATION`. A value (or sub-value) that is itself a result of
 * this function is returned as is, not copied again.
 */
export function frozenJsonCopy(value: unknown, where: { collection: string; key: string }): JsonValue {
  if (value !== null && typeof value === "object" && isMarked(value)) return value as JsonValue;
  const copied = copyNode(value, "", [], where);
  if (copied === undefined) return notJson(where, "it serializes to nothing");
  if (copied !== null && typeof copied === "object") mark(copied);
  return copied;
}

/** Below this depth a cycle is not looked for: it shows up as an ancestor once the walk goes deeper. */
const CYCLE_CHECK_DEPTH = 32;

function notJson(where: { collection: string; key: string }, why: string): never {
  throw new RegistryError("VALIDATION", `The value for ${where.collection}/${where.key} is not plain JSON: ${why}`, { ...where });
}

/** Sets an own data property; `__proto__` too becomes an own property, as JSON.parse makes it, never the prototype. */
function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__") Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}

/** {@link primitiveJson}'s answer for a value JSON drops (`undefined`, a function, a symbol). */
const DROP = Symbol("drop");
/** {@link primitiveJson}'s answer for an object or array (not null). */
const OBJECT = Symbol("object");

/** JSON's value for a primitive (`-0` becomes 0, a non-finite number null), {@link DROP}, or {@link OBJECT}. */
function primitiveJson(node: unknown, where: { collection: string; key: string }): unknown {
  switch (typeof node) {
    case "string":
    case "boolean":
      return node;
    case "number":
      return Number.isFinite(node) ? (node === 0 ? 0 : node) : null;
    case "bigint":
      return notJson(where, "a BigInt cannot be serialized");
    case "object":
      return node === null ? null : OBJECT;
    default:
      return DROP;
  }
}

/** One node of {@link frozenJsonCopy}; `ancestors` are the objects being copied above it. */
function copyNode(input: unknown, key: string | number, ancestors: object[], where: { collection: string; key: string }): JsonValue | undefined {
  let node = input;
  if (node !== null && (typeof node === "object" || typeof node === "bigint") && typeof (node as { toJSON?: unknown }).toJSON === "function") {
    node = (node as { toJSON: (key: string) => unknown }).toJSON(String(key));
  }
  // Boxed primitives serialize as their value, as JSON.stringify does.
  if (node instanceof Number) node = Number(node);
  else if (node instanceof String) node = String(node);
  else if (node instanceof Boolean) node = node.valueOf();
  const primitive = primitiveJson(node, where);
  if (primitive === DROP) return undefined;
  if (primitive !== OBJECT) return primitive as JsonValue;
  const object = node as object;
  if (isMarked(object)) return object as JsonValue;
  if (Array.isArray(object) && object.length === 0) return EMPTY_ARRAY as JsonValue;
  // A cycle repeats its objects forever, so it always passes the check depth with an ancestor repeated.
  if (ancestors.length >= CYCLE_CHECK_DEPTH && ancestors.includes(object)) return notJson(where, "it is circular");
  ancestors.push(object);
  let result: JsonValue;
  if (Array.isArray(object)) {
    const items: JsonValue[] = new Array<JsonValue>(object.length);
    for (let index = 0; index < object.length; index++) items[index] = copyNode(object[index], index, ancestors, where) ?? null;
    result = Object.freeze(items) as JsonValue;
  } else {
    const out: Record<string, JsonValue> = {};
    for (const name of Object.keys(object)) {
      const child = copyNode((object as Record<string, unknown>)[name], name, ancestors, where);
      if (child === undefined) continue;
      setOwn(out, name, child);
    }
    result = Object.freeze(out);
  }
  ancestors.pop();
  return result;
}

/** Why a value is not accepted as plain JSON input, or its frozen copy. */
export type PlainJsonResult = { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly problem: string };

/** How deep input JSON may nest. */
export const MAX_JSON_DEPTH = 64;

/**
 * Checks that `value` is plain JSON input (null, strings, booleans, finite numbers, arrays, and objects
 * whose prototype is `Object.prototype` or `null`; no cycles; nested at most {@link MAX_JSON_DEPTH}
 * levels; at most `maxBytes` of UTF-8 JSON) and answers a frozen copy of it in the same walk. The
 * copy is what the registry keeps, so a caller changing its object later changes nothing stored.
 * Stricter than {@link frozenJsonCopy}, which copies whatever `JSON.stringify` accepts.
 */
export function plainJsonCopy(value: unknown, maxBytes: number): PlainJsonResult {
  const walk: PlainCopyWalk = { problem: undefined, ancestors: [], bound: 0 };
  const copied = copyPlain(value, 0, walk);
  if (walk.problem !== undefined) return { ok: false, problem: walk.problem };
  // The walk's upper bound settles the usual case (a few fields against a limit of megabytes); the
  // exact UTF-8 count of the JSON text is only needed when the bound passes the limit.
  if (walk.bound > maxBytes) {
    const bytes = utf8JsonBytes(JSON.stringify(copied), maxBytes);
    if (bytes > maxBytes) return { ok: false, problem: `is ${bytes} bytes of JSON, more than the limit of ${maxBytes}` };
  }
  if (copied !== null && typeof copied === "object") mark(copied);
  return { ok: true, value: copied };
}

/** The state of one {@link plainJsonCopy} walk. */
interface PlainCopyWalk {
  /** The first problem found (the walk stops adding to the copy once there is one). */
  problem: string | undefined;
  /** The objects being copied above the current node, for the cycle check. */
  readonly ancestors: object[];
  /** An upper bound of the UTF-8 bytes of the copy's JSON text. */
  bound: number;
}

/** The most UTF-8 bytes one UTF-16 code unit takes in JSON text (`\u001f` is 6). */
const MAX_BYTES_PER_CODE_UNIT = 6;
/** The longest JSON text of a finite number (`-0.0000012345678901234567`). */
const MAX_NUMBER_BYTES = 25;

function stringBound(text: string): number {
  return 2 + MAX_BYTES_PER_CODE_UNIT * text.length;
}

/** One node of {@link plainJsonCopy}. */
function copyPlain(node: unknown, depth: number, walk: PlainCopyWalk): JsonValue {
  if (depth > MAX_JSON_DEPTH) {
    walk.problem ??= `is nested deeper than ${MAX_JSON_DEPTH} levels`;
    return null;
  }
  if (node === null || typeof node === "boolean") {
    walk.bound += 5;
    return node;
  }
  if (typeof node === "string") {
    walk.bound += stringBound(node);
    return node;
  }
  if (typeof node === "number") {
    if (!Number.isFinite(node)) walk.problem ??= "holds a number that is not finite";
    walk.bound += MAX_NUMBER_BYTES;
    return node === 0 ? 0 : node;
  }
  if (typeof node !== "object") {
    walk.problem ??= `holds a ${typeof node}, which is not JSON`;
    return null;
  }
  const ancestors = walk.ancestors;
  if (ancestors.includes(node)) {
    walk.problem ??= "is circular";
    return null;
  }
  if (Array.isArray(node)) {
    walk.bound += 2 + node.length;
    if (node.length === 0) return EMPTY_ARRAY as JsonValue;
    ancestors.push(node);
    const items = new Array<JsonValue>(node.length);
    for (let index = 0; index < node.length && walk.problem === undefined; index++) items[index] = copyPlain(node[index], depth + 1, walk);
    ancestors.pop();
    return Object.freeze(items) as JsonValue;
  }
  if (!isPlainObject(node)) {
    walk.problem ??= "holds an object that is not a plain object";
    return null;
  }
  ancestors.push(node);
  const out: Record<string, JsonValue> = {};
  const names = Object.keys(node);
  walk.bound += 2 + names.length;
  for (const name of names) {
    if (walk.problem !== undefined) break;
    walk.bound += stringBound(name) + 1;
    setOwn(out, name, copyPlain((node as Record<string, unknown>)[name], depth + 1, walk));
  }
  ancestors.pop();
  return Object.freeze(out);
}

/** The UTF-8 length of JSON text; skips counting when even 3 bytes per code unit stays within `limit`. */
function utf8JsonBytes(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length;
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      // JSON.stringify leaves only well-formed pairs unescaped: a pair is one 4-byte character.
      bytes += 4;
      index += 1;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Makes `value` the frozen JSON the store keeps, with the result `JSON.parse(JSON.stringify(value))`
 * would give, but in place where it can: for values the registry built itself (from inputs that were
 * already copied), so the store can keep them without copying. Objects not yet frozen are ours to
 * finish: `undefined`/function/symbol properties are deleted (and become `null` in arrays), `-0` and
 * non-finite numbers become `0` and `null`, empty and one-string arrays are swapped for shared ones,
 * then the object is frozen. A node that cannot be kept as is (a class instance, an object with
 * `toJSON`, an already frozen object that JSON would change) is replaced by a {@link frozenJsonCopy}.
 * Keeping the objects V8 built from object literals saves memory: they are smaller than objects grown
 * key by key. Never pass a caller's object: it would be frozen.
 * @returns the value to store: `value` itself, or a copy when the root could not be kept.
 * @throws RegistryError `VALIDATION` for what JSON cannot hold (a BigInt, a cycle, a root that
 *   serializes to nothing).
 */
export function adoptJson<T>(value: T, where: { collection: string; key: string }): T {
  const adopted = adoptNode(value, [], where);
  if (adopted === DROP) return notJson(where, "it serializes to nothing");
  if (adopted !== null && typeof adopted === "object") mark(adopted);
  return adopted as T;
}

/** The JSON value to keep for `node`: itself (frozen), a replacement, or {@link DROP}. */
function adoptNode(value: unknown, ancestors: object[], where: { collection: string; key: string }): unknown {
  const primitive = primitiveJson(value, where);
  if (primitive !== OBJECT) return primitive;
  const node = value as object;
  if (isMarked(node)) return node;
  const prototype = Object.getPrototypeOf(node) as unknown;
  const plain = (prototype === Object.prototype || prototype === null || Array.isArray(node)) && typeof (node as { toJSON?: unknown }).toJSON !== "function";
  // What JSON would turn into something else (a Date, a class instance): a copy with its semantics.
  if (!plain) return copyNode(node, "", ancestors, where) ?? DROP;
  if (ancestors.length >= CYCLE_CHECK_DEPTH && ancestors.includes(node)) return notJson(where, "it is circular");
  // Not yet frozen means ours to finish in place; a frozen node is kept only if JSON leaves it as is.
  const ours = !Object.isFrozen(node);
  ancestors.push(node);
  let changed = false;
  if (Array.isArray(node)) {
    for (let index = 0; index < node.length; index++) {
      const item: unknown = node[index];
      if (keptAsIs(item)) continue;
      const shared = ours ? shareable(item, undefined) : undefined;
      const kept = shared ?? adoptNode(item, ancestors, where);
      const next = kept === DROP ? null : kept;
      if (Object.is(next, item)) continue;
      if (ours) node[index] = next;
      else changed = true;
    }
  } else {
    const record = node as Record<string, unknown>;
    // for-in (own names only) rather than Object.keys(): no array per object on every store write.
    // Written out as `Object.prototype.hasOwnProperty.call`: V8 then answers it from the loop's enum
    // cache. `Object.hasOwn`, or the same function held in a variable (a bundler turns a module's
    // `const` into `var`), costs a full lookup per name: a version record's walk was ~5x slower.
    for (const name in record) {
      if (!Object.prototype.hasOwnProperty.call(record, name)) continue;
      const item = record[name];
      if (keptAsIs(item)) continue;
      const shared = ours ? shareable(item, name) : undefined;
      const kept = shared ?? adoptNode(item, ancestors, where);
      if (Object.is(kept, item)) continue;
      if (!ours) changed = true;
      else if (kept === DROP) delete record[name];
      else setOwn(record, name, kept);
    }
  }
  ancestors.pop();
  if (changed) return copyNode(node, "", ancestors, where) ?? DROP;
  Object.freeze(node);
  return node;
}

/** A primitive JSON keeps as it is (most fields of a record): no call to {@link adoptNode} for it. */
function keptAsIs(value: unknown): boolean {
  return typeof value === "string" || value === null || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value) && !Object.is(value, -0));
}

/**
 * Fields whose one-string arrays repeat across records: a version's `contributors` (`[actor]`) and
 * `tags`, and audit patch paths (`["stage"]`). Others (a run's `promotedBy: [uuid]`) would only fill
 * the bounded table with values that never repeat.
 */
const REPEATING_SINGLES: ReadonlySet<string> = new Set(["contributors", "tags", "path"]);

/** The shared array equal to `value` (empty; or one short string under a repeating field), if there is one. */
function shareable(value: unknown, field: string | undefined): readonly JsonValue[] | undefined {
  if (!Array.isArray(value) || value.length > 1) return undefined;
  if (value.length === 0) return value === EMPTY_ARRAY ? undefined : EMPTY_ARRAY;
  return field !== undefined && REPEATING_SINGLES.has(field) && !Object.isFrozen(value) ? sharedSingle(value[0]) : undefined;
}

/**
 * Shared frozen one-string arrays: a version's `contributors` (`[actor]`) and most audit patch paths
 * (`["stage"]`, `["updatedAt"]`) repeat across thousands of records. Bounded, so odd values cannot
 * grow it without limit.
 */
const SINGLE_STRING_ARRAYS = new Map<string, readonly string[]>();
const MAX_SHARED_SINGLES = 1024;
const MAX_SHARED_SINGLE_LENGTH = 64;

/** The shared frozen `[only]` when `only` is a short string (and the table has room or holds it). */
function sharedSingle(only: unknown): readonly string[] | undefined {
  if (typeof only !== "string" || only.length > MAX_SHARED_SINGLE_LENGTH) return undefined;
  let shared = SINGLE_STRING_ARRAYS.get(only);
  if (shared === undefined && SINGLE_STRING_ARRAYS.size < MAX_SHARED_SINGLES) {
    shared = Object.freeze([only]);
    constants.add(shared);
    SINGLE_STRING_ARRAYS.set(only, shared);
  }
  return shared;
}
