/**
 * The checks every store makes on its input, in one place so the memory, filesystem and PostgreSQL
 * stores refuse the same things with the same `VALIDATION` errors: collection names, keys, the shape
 * of a write, its `expect`, two writes to one record in a commit, and values that are not JSON.
 * @module
 */
import { RegistryError } from "../errors.js";
import type { StoreQuery, Write } from "./store.js";

/** Collection names every store accepts. */
export const COLLECTION_RE = /^[a-z][a-z0-9_]*$/;
/** The longest key (in UTF-16 code units) every store accepts. */
export const MAX_KEY_LENGTH = 512;

/** Answers `collection` when it is a valid collection name; throws `VALIDATION` otherwise. */
export function checkCollection(collection: unknown): string {
  if (typeof collection === "string" && checkedCollections.has(collection)) return collection;
  if (typeof collection !== "string" || !COLLECTION_RE.test(collection)) {
    throw new RegistryError("VALIDATION", `Invalid collection name ${JSON.stringify(collection)}: expected /^[a-z][a-z0-9_]*$/`, {
      collection: String(collection),
    });
  }
  // Every read and write names its collection: a set lookup is cheaper than the pattern (a few names; bounded anyway).
  if (checkedCollections.size < MAX_CHECKED_COLLECTIONS) checkedCollections.add(collection);
  return collection;
}

/** Collection names that passed {@link COLLECTION_RE}. */
const checkedCollections = new Set<string>();
const MAX_CHECKED_COLLECTIONS = 256;

/** Answers `key` when it is a non-empty string of at most {@link MAX_KEY_LENGTH} characters; throws `VALIDATION` otherwise. */
export function checkKey(key: unknown): string {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new RegistryError("VALIDATION", `Invalid key ${JSON.stringify(key)}: expected a non-empty string of at most ${MAX_KEY_LENGTH} characters`, {
      key: String(key),
    });
  }
  return key;
}

/** One write whose shape was checked: what a store's own preparation starts from. */
export interface CheckedWrite {
  /** Its position in the commit. */
  readonly index: number;
  readonly op: Write["op"];
  readonly collection: string;
  readonly key: string;
  readonly expect: number;
  /** The caller's value, unchecked and uncopied (puts only; `undefined` otherwise). */
  readonly value: unknown;
}

/** Options of {@link checkWrites}. */
export interface CheckWritesOptions {
  /** The largest `expect` the store can hold (PostgreSQL: an `int4` revision). Default `Number.MAX_SAFE_INTEGER`. */
  readonly maxExpect?: number;
}

/**
 * Checks a commit's writes in order and answers `prepare(write)` for each (called as soon as a write
 * is checked, so errors come in write order): `writes` must be an array of objects with `op` of
 * `put`/`delete`/`check`, a valid collection and key, an integer `expect` (non-negative, positive for
 * a delete), and at most one write per record.
 *
 * @throws RegistryError `VALIDATION` with the messages and details all stores share.
 */
export function checkWrites<T>(writes: readonly Write[], prepare: (write: CheckedWrite) => T, options: CheckWritesOptions = {}): T[] {
  if (!Array.isArray(writes)) throw new RegistryError("VALIDATION", "Invalid commit: writes must be an array", {});
  const maxExpect = options.maxExpect ?? Number.MAX_SAFE_INTEGER;
  // The records written so far, as collection/key pairs: a commit holds a handful of writes, and a
  // scan of them is cheaper than maps built per commit; a long commit switches to maps (by collection,
  // then key: the caller's key strings are hashed once).
  const written: string[] = [];
  let seen: Map<string, Set<string>> | undefined;
  const prepared: T[] = [];
  for (let index = 0; index < writes.length; index++) {
    const write = writes[index] as unknown;
    if (write === null || typeof write !== "object") throw new RegistryError("VALIDATION", `Invalid write #${index}: expected an object`, { index });
    const op = (write as { op?: unknown }).op;
    if (op !== "put" && op !== "delete" && op !== "check") {
      throw new RegistryError("VALIDATION", `Invalid write #${index}: op must be "put", "delete" or "check"`, { index, op: String(op) });
    }
    const collection = checkCollection((write as { collection?: unknown }).collection);
    const key = checkKey((write as { key?: unknown }).key);
    const expect = (write as { expect?: unknown }).expect;
    if (typeof expect !== "number" || !Number.isSafeInteger(expect) || expect < 0 || expect > maxExpect || (op === "delete" && expect < 1)) {
      throw new RegistryError("VALIDATION", `Invalid write #${index} (${collection}/${key}): expect must be ${op === "delete" ? "a positive" : "a non-negative"} integer`, {
        index,
        collection,
        key,
        expect: String(expect),
      });
    }
    if (seen === undefined && written.length >= 2 * SCAN_WRITES) {
      seen = new Map();
      for (let at = 0; at < written.length; at += 2) addSeen(seen, written[at] as string, written[at + 1] as string);
    }
    let twice: boolean;
    if (seen !== undefined) twice = !addSeen(seen, collection, key);
    else {
      twice = false;
      for (let at = 0; at < written.length && !twice; at += 2) twice = written[at + 1] === key && written[at] === collection;
      written.push(collection, key);
    }
    if (twice) throw new RegistryError("VALIDATION", `Invalid commit: two writes to ${collection}/${key} in one commit`, { collection, key });
    prepared.push(prepare({ index, op, collection, key, expect, value: op === "put" ? (write as { value?: unknown }).value : undefined }));
  }
  return prepared;
}

/** Up to this many writes, {@link checkWrites} finds a record written twice by scanning. */
const SCAN_WRITES = 16;

/** Adds collection/key to `seen`; false when it was there already. */
function addSeen(seen: Map<string, Set<string>>, collection: string, key: string): boolean {
  let keys = seen.get(collection);
  if (keys === undefined) seen.set(collection, (keys = new Set()));
  if (keys.has(key)) return false;
  keys.add(key);
  return true;
}

/**
 * The JSON text of a put's value (`JSON.stringify`), for stores that keep text.
 * @throws RegistryError `VALIDATION` when the value cannot be serialized (a cycle, a BigInt) or serializes to nothing.
 */
export function jsonTextOf(value: unknown, collection: string, key: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new RegistryError("VALIDATION", `The value for ${collection}/${key} is not plain JSON: ${error instanceof Error ? error.message : String(error)}`, { collection, key });
  }
  if (text === undefined) throw new RegistryError("VALIDATION", `The value for ${collection}/${key} is not plain JSON`, { collection, key });
  return text;
}

function checkCount(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RegistryError("VALIDATION", `Invalid query: ${name} must be a non-negative integer`, { [name]: String(value) });
  }
  return value;
}

/** A query's paging window, checked: `limit` and `offset` non-negative integers, never `offset` with `cursor`. */
export interface QueryWindow {
  /** At most this many items (absent: all). */
  readonly limit: number | undefined;
  /** Matching items to skip first (0 when absent). */
  readonly offset: number;
  /** The cursor to continue after, when one was given. */
  readonly cursor: string | undefined;
  /** False when the caller passed `total: false` (it does not read the total). */
  readonly countTotal: boolean;
}

/**
 * Checks a `Store.query` argument's paging and prefix the way every store must: throws `VALIDATION`
 * for a non-object query, a negative or fractional `limit`/`offset`, `offset` together with `cursor`,
 * a `prefix` that is not a string, or a `total` that is not a boolean. (`where` and `sort` are checked
 * by `compileQuery` and `compareBy`.)
 */
export function checkQueryWindow(query: StoreQuery): QueryWindow {
  if (query === null || typeof query !== "object") throw new RegistryError("VALIDATION", "Invalid query: expected an object", {});
  const limit = checkCount("limit", query.limit);
  const offset = checkCount("offset", query.offset) ?? 0;
  const hasCursor = query.cursor !== undefined && query.cursor !== null;
  if (hasCursor && query.offset !== undefined) {
    throw new RegistryError("VALIDATION", "Invalid query: offset and cursor cannot be used together", {});
  }
  if (query.prefix !== undefined && typeof query.prefix !== "string") {
    throw new RegistryError("VALIDATION", "Invalid query: prefix must be a string", { prefix: String(query.prefix) });
  }
  if (query.total !== undefined && typeof query.total !== "boolean") {
    throw new RegistryError("VALIDATION", "Invalid query: total must be a boolean", { total: String(query.total) });
  }
  return { limit, offset, cursor: hasCursor ? String(query.cursor) : undefined, countTotal: query.total !== false };
}
