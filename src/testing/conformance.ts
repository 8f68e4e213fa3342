/**
 * The store conformance suite (DESIGN.md §5.34): every adapter, ours and yours, runs the same tests.
 *
 * You pass your test runner's `test` and `expect` and a factory; every test gets its own fresh store,
 * fresh random keys and collections, and the store is closed afterwards, so tests never depend on
 * each other. Only common matchers are used (`toBe`, `toEqual`, `toMatchObject`, `toBeUndefined`,
 * `toHaveLength`), so any runner with a Jest-compatible `expect` works.
 * @module
 */
import { customAlphabet } from "nanoid";
import type { JsonValue } from "../domain/json.js";
import type { QueryNode, SortField } from "../domain/query/ast.js";
import type { Store, StoredItem, StoreQuery, StoreQueryResult, Write } from "../store/store.js";

/** The matchers the suite uses; vitest's, Jest's and most compatible `expect`s fit. */
export interface ConformanceMatchers {
  /** Strict identity (`Object.is`). */
  toBe(expected: unknown): void;
  /** Deep equality. */
  toEqual(expected: unknown): void;
  /** The actual object has at least these properties, deeply equal. */
  toMatchObject(expected: object): void;
  /** The actual value is `undefined`. */
  toBeUndefined(): void;
  /** The actual array or string has this length. */
  toHaveLength(length: number): void;
}

/** An `expect` function compatible with the suite. */
export type ConformanceExpect = (actual: unknown) => ConformanceMatchers;

/** A `test`/`it` function compatible with the suite: `(name, fn)`; an optional third argument is the timeout. */
export type ConformanceTest = (name: string, fn: () => Promise<void>, timeout?: number) => unknown;

/** The groups of the suite; pass some of them in `skip` to switch them off. */
export const CONFORMANCE_GROUPS = Object.freeze([
  "get",
  "commit",
  "conflict",
  "delete",
  "check",
  "atomicity",
  "seq",
  "query-prefix",
  "query-where",
  "query-sort",
  "query-paging",
  "cursor",
  "json",
  "keys",
  "isolation",
  "concurrency",
] as const);

/** A group of the suite. */
export type ConformanceGroup = (typeof CONFORMANCE_GROUPS)[number];

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions {
  /** Your runner's `test` (or `it`). */
  readonly test: ConformanceTest;
  /** Your runner's `expect`. */
  readonly expect: ConformanceExpect;
  /** Makes a fresh, empty store; may return a promise. Called once per test (twice in the isolation tests). */
  readonly create: () => Store | Promise<Store>;
  /** Groups to switch off (see {@link CONFORMANCE_GROUPS}). */
  readonly skip?: readonly (ConformanceGroup | (string & {}))[];
  /** Prefix of every test name; default `"store conformance"`. */
  readonly name?: string;
  /** Timeout per test in ms, passed as the third argument of `test`; default: the runner's own. */
  readonly timeout?: number;
}

/** One test of the suite, as {@link storeConformanceCases} lists them. */
export interface ConformanceCase {
  /** The group it belongs to (switch groups off with `skip`). */
  readonly group: ConformanceGroup;
  /** The test's name. */
  readonly name: string;
  /** Runs the case against the context's fresh store; rejects when the store fails it. */
  readonly run: (context: ConformanceContext) => Promise<void>;
}

/** What a case gets: the `expect`, a fresh store and helpers for fresh names. */
export interface ConformanceContext {
  /** The `expect` given to {@link runStoreConformance}. */
  readonly expect: ConformanceExpect;
  /** A fresh, empty store from your `create` factory, closed after the test. */
  readonly store: Store;
  /** Another fresh store from the factory (closed after the test). */
  readonly another: () => Promise<Store>;
  /** A fresh collection name matching `/^[a-z][a-z0-9_]*$/`. */
  readonly collection: () => string;
  /** A fresh random key (with an optional readable prefix). */
  readonly key: (prefix?: string) => string;
}

const randomId = customAlphabet("abcdefghijklmnopqrstuvwxyz0123456789", 10);

/**
 * Registers the conformance tests with your runner.
 *
 * @example
 * ```ts
 * import { test, expect } from "vitest";
 * import { runStoreConformance } from "artifact-versions/testing";
 * runStoreConformance({ test, expect, create: () => myStore() });
 * ```
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  const skip = new Set<string>(options.skip ?? []);
  const prefix = options.name ?? "store conformance";
  for (const testCase of storeConformanceCases()) {
    if (skip.has(testCase.group)) continue;
    const body = () => runConformanceCase(testCase, options.expect, options.create);
    const title = `${prefix} › ${testCase.group} › ${testCase.name}`;
    if (options.timeout === undefined) options.test(title, body);
    else options.test(title, body, options.timeout);
  }
}

/** Runs one case with a fresh store from `create`, closing every store it made afterwards. */
export async function runConformanceCase(
  testCase: ConformanceCase,
  expect: ConformanceExpect,
  create: () => Store | Promise<Store>,
): Promise<void> {
  const stores: Store[] = [];
  const make = async () => {
    const store = await create();
    stores.push(store);
    return store;
  };
  try {
    const store = await make();
    await testCase.run({
      expect,
      store,
      another: make,
      collection: () => `c_${randomId()}`,
      key: (keyPrefix = "k") => `${keyPrefix}-${randomId()}`,
    });
  } finally {
    for (const store of stores) await store.close?.();
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

function put(collection: string, key: string, expect: number, value: JsonValue): Write {
  return { op: "put", collection, key, expect, value };
}
function del(collection: string, key: string, expect: number): Write {
  return { op: "delete", collection, key, expect };
}
function check(collection: string, key: string, expect: number): Write {
  return { op: "check", collection, key, expect };
}

/** Asserts that `promise` rejects with a `RegistryError` of `code` (by name and code, so dual packages work). */
async function expectError(expect: ConformanceExpect, promise: Promise<unknown>, code: string): Promise<void> {
  let outcome: { rejected: boolean; name?: unknown; code?: unknown };
  try {
    await promise;
    outcome = { rejected: false };
  } catch (error) {
    const record = (error ?? {}) as { name?: unknown; code?: unknown };
    outcome = { rejected: true, name: record.name, code: record.code };
  }
  expect(outcome).toEqual({ rejected: true, name: "RegistryError", code });
}

function keysOf(result: StoreQueryResult | readonly StoredItem[]): string[] {
  const items = "items" in result ? result.items : result;
  return items.map((item) => item.key);
}

/** A snapshot of everything a store holds in the given collections, for "nothing changed" checks. */
async function dump(store: Store, collections: readonly string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const collection of collections) {
    const result = await store.query(collection);
    out[collection] = result.items.map((item) => ({ key: item.key, revision: item.revision, seq: item.seq, value: item.value }));
  }
  return out;
}

async function seed(store: Store, collection: string, records: readonly { key: string; value: JsonValue }[]): Promise<void> {
  await store.commit(records.map((record) => put(collection, record.key, 0, record.value)));
}

async function pageAll(store: Store, collection: string, query: StoreQuery, limit: number): Promise<{ keys: string[]; pages: number }> {
  const keys: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const result = await store.query(collection, cursor === undefined ? { ...query, limit } : { ...query, limit, cursor });
    pages++;
    keys.push(...keysOf(result));
    if (result.cursor === null || result.cursor === undefined) break;
    cursor = result.cursor;
    if (pages > 1000) throw new Error("paging did not end");
  }
  return { keys, pages };
}

function term(field: string, op: "eq" | "like" | "gt" | "gte" | "lt" | "lte", value: string): QueryNode {
  return { type: "term", field, op, value };
}

/** The versions-like data set the query cases use; keys sort as q01 < q02 < ... */
function querySet(): { key: string; value: JsonValue }[] {
  const rows: [string, string, string, string[], string, string | null, string][] = [
    // name, stage, kind, tags, created_at, description, updated_at
    ["v1", "production", "model", ["a", "b"], "2026-01-20T10:00:00.000Z", null, "2026-02-01T00:00:00.000Z"],
    ["v2", "staging", "model", ["b"], "2026-01-20T23:59:59.999Z", "second", "2026-02-03T00:00:00.000Z"],
    ["v10", "testing", "model", [], "2026-01-21T00:00:00.000Z", "tenth", "2026-02-02T00:00:00.000Z"],
    ["V1x", "testing", "artifact", ["c"], "2026-01-19T23:59:59.999Z", null, "2026-02-05T00:00:00.000Z"],
    ["data", "disabled", "artifact", ["a"], "2026-01-22T08:00:00.000Z", "Data set", "2026-02-04T00:00:00.000Z"],
    ["xv1", "staging", "component", ["a", "c"], "2026-01-18T12:00:00.000Z", "", "2026-02-06T00:00:00.000Z"],
  ];
  return rows.map(([name, stage, kind, tags, createdAt, description, updatedAt], index) => ({
    key: `q${String(index + 1).padStart(2, "0")}`,
    value: { name, stage, kind, tags, createdAt, description, updatedAt, nested: { depth: index } },
  }));
}

function byName(names: readonly string[]): string[] {
  const set = querySet();
  return names.map((name) => {
    const found = set.find((row) => (row.value as { name: string }).name === name);
    if (found === undefined) throw new Error(`no row ${name}`);
    return found.key;
  });
}

async function whereKeys(context: ConformanceContext, collection: string, where: QueryNode): Promise<string[]> {
  const result = await context.store.query(collection, { where });
  context.expect(result.total).toBe(result.items.length);
  return keysOf(result);
}

// ---------------------------------------------------------------------------------------------
// the cases

/** Every case of the suite, in order. Useful to run the suite by hand (as our own test of the suite does). */
export function storeConformanceCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const add = (group: ConformanceGroup, name: string, run: (context: ConformanceContext) => Promise<void>) => {
    cases.push({ group, name, run });
  };

  // get -----------------------------------------------------------------------------------------
  add("get", "resolves undefined for a missing record", async ({ expect, store, collection, key }) => {
    expect(await store.get(collection(), key())).toBeUndefined();
  });
  add("get", "resolves undefined for a missing key in a collection that has records", async ({ expect, store, collection, key }) => {
    const c = collection();
    await store.commit([put(c, key(), 0, { a: 1 })]);
    expect(await store.get(c, key())).toBeUndefined();
  });
  add("get", "answers an empty page for a collection never written", async ({ expect, store, collection }) => {
    const result = await store.query(collection());
    expect(result.items).toHaveLength(0);
    expect(result.total).toBe(0);
  });

  // commit --------------------------------------------------------------------------------------
  add("commit", "creates a record with expect 0 at revision 1", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    const { seq } = await store.commit([put(c, k, 0, { name: "first" })]);
    expect(await store.get(c, k)).toEqual({ key: k, revision: 1, seq, value: { name: "first" } });
  });
  add("commit", "counts revisions 1, 2, 3 on later puts", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, { n: 1 })]);
    await store.commit([put(c, k, 1, { n: 2 })]);
    const { seq } = await store.commit([put(c, k, 2, { n: 3 })]);
    expect(await store.get(c, k)).toEqual({ key: k, revision: 3, seq, value: { n: 3 } });
  });
  add("commit", "replaces the value entirely (no merge)", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, { a: 1, b: 2 })]);
    await store.commit([put(c, k, 1, { c: 3 })]);
    expect((await store.get(c, k))?.value).toEqual({ c: 3 });
  });
  add("commit", "applies several writes to several collections in one commit", async ({ expect, store, collection, key }) => {
    const c1 = collection();
    const c2 = collection();
    const [k1, k2, k3] = [key(), key(), key()];
    const { seq } = await store.commit([put(c1, k1, 0, 1), put(c1, k2, 0, "two"), put(c2, k3, 0, [3])]);
    expect(await store.get(c1, k1)).toEqual({ key: k1, revision: 1, seq, value: 1 });
    expect(await store.get(c1, k2)).toEqual({ key: k2, revision: 1, seq, value: "two" });
    expect(await store.get(c2, k3)).toEqual({ key: k3, revision: 1, seq, value: [3] });
  });
  add("commit", "when it says appliesCommitsOnCall, shows a commit's writes to reads started right after the call", async ({ expect, store, collection, key }) => {
    if (store.appliesCommitsOnCall !== true) return;
    const c = collection();
    const k = key();
    const committing = store.commit([{ op: "put", collection: c, key: k, expect: 0, value: { n: 1 } }]);
    const read = store.get(c, k);
    expect((await read)?.revision).toBe(1);
    await committing;
  });

  add("commit", "refuses two writes to the same record in one commit with VALIDATION", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    const other = key();
    await expectError(expect, store.commit([put(c, other, 0, 1), put(c, k, 0, 1), put(c, k, 1, 2)]), "VALIDATION");
    await store.commit([put(c, k, 0, { v: 1 })]);
    await expectError(expect, store.commit([put(c, k, 1, 2), del(c, k, 1)]), "VALIDATION");
    await expectError(expect, store.commit([check(c, k, 1), put(c, k, 1, 3)]), "VALIDATION");
    expect(await store.get(c, other)).toBeUndefined();
    expect(await store.get(c, k)).toMatchObject({ revision: 1, value: { v: 1 } });
  });
  add("commit", "refuses a record written twice in a long commit (40 writes) with VALIDATION", async ({ expect, store, collection, key }) => {
    const c = collection();
    const c2 = collection();
    const keys = Array.from({ length: 40 }, () => key());
    const writes = keys.map((k) => put(c, k, 0, 1));
    // The same keys in a second collection are other records: accepted.
    await expectError(expect, store.commit([...writes, put(c2, keys[0] as string, 0, 1), put(c, keys[3] as string, 0, 2)]), "VALIDATION");
    await expectError(expect, store.commit([...writes.slice(0, 10), put(c, keys[9] as string, 0, 2), ...writes.slice(10)]), "VALIDATION");
    expect(await store.get(c, keys[0] as string)).toBeUndefined();
    await store.commit([...writes, ...keys.map((k) => put(c2, k, 0, 2))]);
    expect((await store.get(c2, keys[39] as string))?.value).toBe(2);
  });
  add("commit", "accepts the same key in two collections in one commit", async ({ expect, store, collection, key }) => {
    const c1 = collection();
    const c2 = collection();
    const k = key();
    await store.commit([put(c1, k, 0, "one"), put(c2, k, 0, "two")]);
    expect((await store.get(c1, k))?.value).toBe("one");
    expect((await store.get(c2, k))?.value).toBe("two");
  });
  add("commit", "stores every JSON scalar as a value", async ({ expect, store, collection, key }) => {
    const c = collection();
    const values: JsonValue[] = [null, true, false, 0, 42, -1.5, "", "text", [], {}];
    const keys = values.map(() => key());
    await store.commit(values.map((value, index) => put(c, keys[index] ?? "", 0, value)));
    for (const [index, value] of values.entries()) expect((await store.get(c, keys[index] ?? ""))?.value).toEqual(value);
  });

  // conflict ------------------------------------------------------------------------------------
  add("conflict", "rejects a create (expect 0) of an existing record with CONFLICT", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, { v: 1 })]);
    const before = await dump(store, [c]);
    await expectError(expect, store.commit([put(c, k, 0, { v: 2 })]), "CONFLICT");
    expect(await dump(store, [c])).toEqual(before);
  });
  add("conflict", "rejects a put with a stale revision with CONFLICT", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, { v: 1 })]);
    await store.commit([put(c, k, 1, { v: 2 })]);
    const before = await dump(store, [c]);
    await expectError(expect, store.commit([put(c, k, 1, { v: "stale" })]), "CONFLICT");
    await expectError(expect, store.commit([put(c, k, 3, { v: "future" })]), "CONFLICT");
    expect(await dump(store, [c])).toEqual(before);
  });
  add("conflict", "rejects a put expecting a revision of a missing record with CONFLICT", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await expectError(expect, store.commit([put(c, k, 1, { v: 1 })]), "CONFLICT");
    expect(await store.get(c, k)).toBeUndefined();
  });
  add("conflict", "rejects a delete with a stale revision with CONFLICT", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, { v: 1 })]);
    await store.commit([put(c, k, 1, { v: 2 })]);
    const before = await dump(store, [c]);
    await expectError(expect, store.commit([del(c, k, 1)]), "CONFLICT");
    expect(await dump(store, [c])).toEqual(before);
  });
  add("conflict", "rejects a delete of a missing record with CONFLICT", async ({ expect, store, collection, key }) => {
    const c = collection();
    await expectError(expect, store.commit([del(c, key(), 1)]), "CONFLICT");
  });
  add("conflict", "rejects a stale check with CONFLICT", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    const target = key();
    await store.commit([put(c, k, 0, { v: 1 }), put(c, target, 0, "t")]);
    await store.commit([put(c, k, 1, { v: 2 })]);
    const before = await dump(store, [c]);
    await expectError(expect, store.commit([check(c, k, 1), put(c, target, 1, "changed")]), "CONFLICT");
    await expectError(expect, store.commit([check(c, key(), 1), put(c, target, 1, "changed")]), "CONFLICT");
    await expectError(expect, store.commit([check(c, k, 0), put(c, target, 1, "changed")]), "CONFLICT");
    expect(await dump(store, [c])).toEqual(before);
  });
  add("conflict", "accepts the write again with the current revision after a conflict", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, 1)]);
    await store.commit([put(c, k, 1, 2)]);
    await expectError(expect, store.commit([put(c, k, 1, 3)]), "CONFLICT");
    await store.commit([put(c, k, 2, 3)]);
    expect(await store.get(c, k)).toMatchObject({ revision: 3, value: 3 });
  });

  // delete --------------------------------------------------------------------------------------
  add("delete", "removes a record at its current revision", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    const kept = key();
    await store.commit([put(c, k, 0, { v: 1 }), put(c, kept, 0, { v: 2 })]);
    await store.commit([put(c, k, 1, { v: 3 })]);
    await store.commit([del(c, k, 2)]);
    expect(await store.get(c, k)).toBeUndefined();
    expect(keysOf(await store.query(c))).toEqual([kept]);
    expect((await store.query(c)).total).toBe(1);
  });
  add("delete", "lets a deleted key be created again with expect 0, starting at revision 1", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, "a")]);
    await store.commit([del(c, k, 1)]);
    await expectError(expect, store.commit([del(c, k, 1)]), "CONFLICT");
    await store.commit([put(c, k, 0, "b")]);
    expect(await store.get(c, k)).toMatchObject({ key: k, revision: 1, value: "b" });
  });
  add("delete", "deletes and puts in one commit", async ({ expect, store, collection, key }) => {
    const c = collection();
    const [a, b] = [key(), key()];
    await store.commit([put(c, a, 0, "a")]);
    const { seq } = await store.commit([del(c, a, 1), put(c, b, 0, "b")]);
    expect(await store.get(c, a)).toBeUndefined();
    expect(await store.get(c, b)).toEqual({ key: b, revision: 1, seq, value: "b" });
  });

  // check ---------------------------------------------------------------------------------------
  add("check", "passes for the current revision and changes nothing", async ({ expect, store, collection, key }) => {
    const c = collection();
    const [k, target] = [key(), key()];
    await store.commit([put(c, k, 0, { v: 1 })]);
    await store.commit([put(c, k, 1, { v: 2 })]);
    const { seq } = await store.commit([check(c, k, 2), put(c, target, 0, "t")]);
    expect(await store.get(c, k)).toMatchObject({ revision: 2, value: { v: 2 } });
    expect(await store.get(c, target)).toEqual({ key: target, revision: 1, seq, value: "t" });
  });
  add("check", "passes with expect 0 for a missing record", async ({ expect, store, collection, key }) => {
    const c = collection();
    const [missing, target] = [key(), key()];
    await store.commit([check(c, missing, 0), put(c, target, 0, "t")]);
    expect(await store.get(c, missing)).toBeUndefined();
    expect((await store.get(c, target))?.value).toBe("t");
  });
  add("check", "does not change the checked record's revision or seq", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, "v")]);
    const before = await store.get(c, k);
    await store.commit([check(c, k, 1)]);
    expect(await store.get(c, k)).toEqual(before);
  });
  add("check", "fails for a deleted record and for a missing record expected to exist", async ({ expect, store, collection, key }) => {
    const c = collection();
    const [k, target] = [key(), key()];
    await store.commit([put(c, k, 0, "v"), put(c, target, 0, "t")]);
    await store.commit([del(c, k, 1)]);
    await expectError(expect, store.commit([check(c, k, 1), put(c, target, 1, "x")]), "CONFLICT");
    expect((await store.get(c, target))?.value).toBe("t");
  });

  // atomicity -----------------------------------------------------------------------------------
  add("atomicity", "applies nothing when one write among many conflicts", async ({ expect, store, collection, key }) => {
    const c1 = collection();
    const c2 = collection();
    const existing = key();
    const doomed = key();
    await store.commit([put(c1, existing, 0, { v: 1 }), put(c2, doomed, 0, { v: 1 })]);
    const before = await dump(store, [c1, c2]);
    const fresh = Array.from({ length: 8 }, () => key());
    const bad: Write[] = [put(c1, existing, 0, { v: 2 }), put(c1, existing, 2, { v: 2 }), del(c2, doomed, 2), check(c2, doomed, 0), put(c2, key(), 1, "missing")];
    for (const badWrite of bad) {
      for (const position of [0, 4, 8]) {
        const writes: Write[] = [put(c2, doomed, 1, { v: "changed" }), ...fresh.map((k) => put(c1, k, 0, { k }))];
        if (badWrite.key === doomed) writes.shift();
        writes.splice(position, 0, badWrite);
        await expectError(expect, store.commit(writes), "CONFLICT");
        expect(await dump(store, [c1, c2])).toEqual(before);
      }
    }
    for (const k of fresh) expect(await store.get(c1, k)).toBeUndefined();
  });
  add("atomicity", "applies nothing when the last write is a failing check", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, 1)]);
    const before = await dump(store, [c]);
    await expectError(expect, store.commit([put(c, key(), 0, 1), put(c, k, 1, 2), check(c, key(), 3)]), "CONFLICT");
    expect(await dump(store, [c])).toEqual(before);
  });
  add("atomicity", "applies nothing when a commit is refused for a duplicate write", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    const other = key();
    await expectError(expect, store.commit([put(c, other, 0, 1), put(c, k, 0, 1), del(c, k, 1)]), "VALIDATION");
    expect((await store.query(c)).total).toBe(0);
  });

  // seq -----------------------------------------------------------------------------------------
  add("seq", "increases strictly across commits of every kind", async ({ expect, store, collection, key }) => {
    const c = collection();
    const [a, b] = [key(), key()];
    const seqs: number[] = [];
    seqs.push((await store.commit([put(c, a, 0, 1)])).seq);
    seqs.push((await store.commit([put(c, b, 0, 1), put(c, a, 1, 2)])).seq);
    seqs.push((await store.commit([check(c, a, 2)])).seq);
    seqs.push((await store.commit([del(c, b, 1)])).seq);
    await expectError(expect, store.commit([put(c, a, 1, 3)]), "CONFLICT");
    seqs.push((await store.commit([put(c, a, 2, 3)])).seq);
    for (let i = 1; i < seqs.length; i++) expect((seqs[i] ?? 0) > (seqs[i - 1] ?? 0)).toBe(true);
    for (const seq of seqs) expect(Number.isSafeInteger(seq) && seq > 0).toBe(true);
  });
  add("seq", "is carried by each item: the seq of the commit that last wrote it", async ({ expect, store, collection, key }) => {
    const c = collection();
    const [a, b] = [key("a"), key("b")];
    const first = await store.commit([put(c, a, 0, 1), put(c, b, 0, 1)]);
    const second = await store.commit([put(c, b, 1, 2)]);
    expect((await store.get(c, a))?.seq).toBe(first.seq);
    expect((await store.get(c, b))?.seq).toBe(second.seq);
    const items = (await store.query(c)).items;
    expect(items.map((item) => [item.key, item.seq])).toEqual([
      [a, first.seq],
      [b, second.seq],
    ]);
  });
  add("seq", "increases across concurrent commits and each item carries its own commit's seq", async ({ expect, store, collection, key }) => {
    const c = collection();
    const keys = Array.from({ length: 20 }, () => key());
    const results = await Promise.all(keys.map((k) => store.commit([put(c, k, 0, k)])));
    const seqs = results.map((result) => result.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const [index, k] of keys.entries()) expect((await store.get(c, k))?.seq).toBe(seqs[index]);
    const later = await store.commit([put(c, key(), 0, 1)]);
    expect(later.seq > Math.max(...seqs)).toBe(true);
  });
  add("seq", "sorts by the pseudo-field seq", async ({ expect, store, collection }) => {
    const c = collection();
    await store.commit([put(c, "b", 0, 1)]);
    await store.commit([put(c, "c", 0, 1)]);
    await store.commit([put(c, "a", 0, 1)]);
    await store.commit([put(c, "b", 1, 2)]);
    expect(keysOf(await store.query(c, { sort: [{ field: "seq", direction: "asc" }] }))).toEqual(["c", "a", "b"]);
    expect(keysOf(await store.query(c, { sort: [{ field: "seq", direction: "desc" }] }))).toEqual(["b", "a", "c"]);
  });

  // query-prefix --------------------------------------------------------------------------------
  add("query-prefix", "returns only keys starting with the prefix", async ({ expect, store, collection }) => {
    const c = collection();
    await seed(store, c, ["a/1", "a/2", "ab/1", "b/1", "a", "A/1"].map((key) => ({ key, value: key })));
    const result = await store.query(c, { prefix: "a/" });
    expect(keysOf(result)).toEqual(["a/1", "a/2"]);
    expect(result.total).toBe(2);
    expect(keysOf(await store.query(c, { prefix: "a" }))).toEqual(["a", "a/1", "a/2", "ab/1"]);
    expect((await store.query(c, { prefix: "zzz" })).total).toBe(0);
    expect((await store.query(c, { prefix: "" })).total).toBe(6);
  });
  add("query-prefix", "treats %, _, \\ and regex characters in a prefix literally", async ({ expect, store, collection }) => {
    const c = collection();
    await seed(store, c, ["x%1", "x_1", "xa1", "x\\1", "x.1", "x*1", "xx1"].map((key) => ({ key, value: 1 })));
    expect(keysOf(await store.query(c, { prefix: "x%" }))).toEqual(["x%1"]);
    expect(keysOf(await store.query(c, { prefix: "x_" }))).toEqual(["x_1"]);
    expect(keysOf(await store.query(c, { prefix: "x\\" }))).toEqual(["x\\1"]);
    expect(keysOf(await store.query(c, { prefix: "x." }))).toEqual(["x.1"]);
    expect(keysOf(await store.query(c, { prefix: "x*" }))).toEqual(["x*1"]);
  });
  add("query-prefix", "combines prefix with where, sort and limit", async ({ expect, store, collection }) => {
    const c = collection();
    await seed(store, c, [
      { key: "p/1", value: { stage: "x", name: "b" } },
      { key: "p/2", value: { stage: "y", name: "a" } },
      { key: "p/3", value: { stage: "x", name: "a" } },
      { key: "q/1", value: { stage: "x", name: "a" } },
    ]);
    const result = await store.query(c, { prefix: "p/", where: term("stage", "eq", "x"), sort: [{ field: "name", direction: "asc" }], limit: 1 });
    expect(keysOf(result)).toEqual(["p/3"]);
    expect(result.total).toBe(2);
  });

  // query-where ---------------------------------------------------------------------------------
  const withQuerySet = (name: string, run: (context: ConformanceContext, c: string) => Promise<void>) =>
    add("query-where", name, async (context) => {
      const c = context.collection();
      await seed(context.store, c, querySet());
      await run(context, c);
    });
  withQuerySet("matches all with where null or absent", async (context, c) => {
    context.expect((await context.store.query(c, { where: null })).total).toBe(6);
    context.expect((await context.store.query(c, {})).total).toBe(6);
  });
  withQuerySet("eq is exact and case-sensitive", async (context, c) => {
    context.expect(await whereKeys(context, c, term("stage", "eq", "staging"))).toEqual(byName(["v2", "xv1"]));
    context.expect(await whereKeys(context, c, term("name", "eq", "v1"))).toEqual(byName(["v1"]));
    context.expect(await whereKeys(context, c, term("name", "eq", "V1"))).toEqual([]);
  });
  withQuerySet("maps snake_case fields to camelCase paths", async (context, c) => {
    context.expect(await whereKeys(context, c, term("updated_at", "gte", "2026-02-05"))).toEqual(byName(["V1x", "xv1"]));
  });
  withQuerySet("and, or and not combine terms", async (context, c) => {
    const { expect } = context;
    expect(await whereKeys(context, c, { type: "and", items: [term("kind", "eq", "model"), term("stage", "eq", "staging")] })).toEqual(byName(["v2"]));
    expect(await whereKeys(context, c, { type: "or", items: [term("stage", "eq", "production"), term("kind", "eq", "component")] })).toEqual(
      byName(["v1", "xv1"]),
    );
    expect(await whereKeys(context, c, { type: "not", item: term("kind", "eq", "model") })).toEqual(byName(["V1x", "data", "xv1"]));
    expect(
      await whereKeys(context, c, {
        type: "or",
        items: [
          { type: "and", items: [term("kind", "eq", "artifact"), { type: "not", item: term("stage", "eq", "disabled") }] },
          term("name", "eq", "v10"),
        ],
      }),
    ).toEqual(byName(["v10", "V1x"]));
  });
  withQuerySet("in matches any of the values", async (context, c) => {
    context.expect(await whereKeys(context, c, { type: "term", field: "stage", op: "in", value: ["testing", "disabled"] })).toEqual(
      byName(["v10", "V1x", "data"]),
    );
  });
  withQuerySet("like uses anchored, case-insensitive % wildcards", async (context, c) => {
    const { expect } = context;
    expect(await whereKeys(context, c, term("name", "like", "v1%"))).toEqual(byName(["v1", "v10", "V1x"]));
    expect(await whereKeys(context, c, term("name", "like", "%v1%"))).toEqual(byName(["v1", "v10", "V1x", "xv1"]));
    expect(await whereKeys(context, c, term("name", "like", "%1"))).toEqual(byName(["v1", "xv1"]));
    expect(await whereKeys(context, c, term("description", "like", "data%"))).toEqual(byName(["data"]));
  });
  withQuerySet("nil matches null values", async (context, c) => {
    context.expect(await whereKeys(context, c, { type: "term", field: "description", op: "nil", value: null })).toEqual(byName(["v1", "V1x"]));
    context.expect(
      await whereKeys(context, c, { type: "not", item: { type: "term", field: "description", op: "nil", value: null } }),
    ).toEqual(byName(["v2", "v10", "data", "xv1"]));
  });
  withQuerySet("an empty string is a value, not nil", async (context, c) => {
    context.expect(await whereKeys(context, c, term("description", "eq", ""))).toEqual(byName(["xv1"]));
  });
  withQuerySet("a date-only value on a date field means that whole UTC day", async (context, c) => {
    const { expect } = context;
    expect(await whereKeys(context, c, term("created_at", "eq", "2026-01-20"))).toEqual(byName(["v1", "v2"]));
    expect(await whereKeys(context, c, term("created_at", "gt", "2026-01-20"))).toEqual(byName(["v10", "data"]));
    expect(await whereKeys(context, c, term("created_at", "gte", "2026-01-20"))).toEqual(byName(["v1", "v2", "v10", "data"]));
    expect(await whereKeys(context, c, term("created_at", "lt", "2026-01-20"))).toEqual(byName(["V1x", "xv1"]));
    expect(await whereKeys(context, c, term("created_at", "lte", "2026-01-20"))).toEqual(byName(["v1", "v2", "V1x", "xv1"]));
  });
  withQuerySet("a date range runs from the start of the first day to the end of the last", async (context, c) => {
    context.expect(
      await whereKeys(context, c, { type: "term", field: "created_at", op: "range", value: ["2026-01-19", "2026-01-20"] }),
    ).toEqual(byName(["v1", "v2", "V1x"]));
    context.expect(
      await whereKeys(context, c, { type: "term", field: "created_at", op: "range", value: ["2026-01-20T12:00:00.000Z", "2026-01-21"] }),
    ).toEqual(byName(["v2", "v10"]));
  });
  withQuerySet("a term on a list field means contains; in means overlaps", async (context, c) => {
    const { expect } = context;
    expect(await whereKeys(context, c, term("tags", "eq", "a"))).toEqual(byName(["v1", "data", "xv1"]));
    expect(await whereKeys(context, c, { type: "term", field: "tags", op: "in", value: ["b", "c"] })).toEqual(byName(["v1", "v2", "V1x", "xv1"]));
    expect(await whereKeys(context, c, { type: "and", items: [term("tags", "eq", "a"), term("tags", "eq", "c")] })).toEqual(byName(["xv1"]));
    expect(await whereKeys(context, c, term("tags", "eq", "zzz"))).toEqual([]);
  });
  withQuerySet("keeps key order for a where without sort", async (context, c) => {
    const result = await context.store.query(c, { where: term("kind", "eq", "model") });
    context.expect(keysOf(result)).toEqual(byName(["v1", "v2", "v10"]));
  });

  // query-sort ----------------------------------------------------------------------------------
  const withSortSet = (name: string, run: (context: ConformanceContext, c: string) => Promise<void>) =>
    add("query-sort", name, async (context) => {
      const c = context.collection();
      await seed(context.store, c, querySet());
      await run(context, c);
    });
  withSortSet("sorts by key ascending when no sort is given", async (context, c) => {
    context.expect(keysOf(await context.store.query(c))).toEqual(["q01", "q02", "q03", "q04", "q05", "q06"]);
  });
  withSortSet("sorts ascending and descending by a field", async (context, c) => {
    const asc = await context.store.query(c, { sort: [{ field: "created_at", direction: "asc" }] });
    context.expect(keysOf(asc)).toEqual(byName(["xv1", "V1x", "v1", "v2", "v10", "data"]));
    const desc = await context.store.query(c, { sort: [{ field: "updated_at", direction: "desc" }] });
    context.expect(keysOf(desc)).toEqual(byName(["xv1", "V1x", "data", "v2", "v10", "v1"]));
  });
  withSortSet("sorts by several keys in order", async (context, c) => {
    const sort: SortField[] = [
      { field: "kind", direction: "desc" },
      { field: "created_at", direction: "asc" },
    ];
    context.expect(keysOf(await context.store.query(c, { sort }))).toEqual(byName(["v1", "v2", "v10", "xv1", "V1x", "data"]));
  });
  withSortSet("breaks ties by key ascending, whatever the direction", async (context, c) => {
    const asc = await context.store.query(c, { sort: [{ field: "stage", direction: "asc" }] });
    context.expect(keysOf(asc)).toEqual(["q05", "q01", "q02", "q06", "q03", "q04"]);
    const desc = await context.store.query(c, { sort: [{ field: "stage", direction: "desc" }] });
    context.expect(keysOf(desc)).toEqual(["q03", "q04", "q02", "q06", "q01", "q05"]);
  });
  withSortSet("sorts name naturally: v2 before v10", async (context, c) => {
    const result = await context.store.query(c, { where: term("kind", "eq", "model"), sort: [{ field: "name", direction: "asc" }] });
    context.expect(keysOf(result)).toEqual(byName(["v1", "v2", "v10"]));
  });
  add("query-sort", "sorts a tie on every field by key, also with prefix", async ({ expect, store, collection }) => {
    const c = collection();
    await seed(store, c, ["p/c", "p/a", "p/b", "o/a"].map((key) => ({ key, value: { stage: "same" } })));
    expect(keysOf(await store.query(c, { prefix: "p/", sort: [{ field: "stage", direction: "desc" }] }))).toEqual(["p/a", "p/b", "p/c"]);
  });

  // query-paging --------------------------------------------------------------------------------
  const withPagingSet = (name: string, run: (context: ConformanceContext, c: string) => Promise<void>) =>
    add("query-paging", name, async (context) => {
      const c = context.collection();
      await seed(context.store, c, querySet());
      await run(context, c);
    });
  withPagingSet("limit cuts the page and total counts every match", async ({ expect, store }, c) => {
    const result = await store.query(c, { limit: 2 });
    expect(keysOf(result)).toEqual(["q01", "q02"]);
    expect(result.total).toBe(6);
    const filtered = await store.query(c, { where: term("kind", "eq", "model"), limit: 1 });
    expect(filtered.items).toHaveLength(1);
    expect(filtered.total).toBe(3);
  });
  withPagingSet("limit 0 returns no items but the total", async ({ expect, store }, c) => {
    const result = await store.query(c, { limit: 0 });
    expect(result.items).toHaveLength(0);
    expect(result.total).toBe(6);
    const filtered = await store.query(c, { where: term("stage", "eq", "staging"), limit: 0 });
    expect(filtered.total).toBe(2);
  });
  withPagingSet("offset skips matches; total ignores offset", async ({ expect, store }, c) => {
    const result = await store.query(c, { offset: 2, limit: 3 });
    expect(keysOf(result)).toEqual(["q03", "q04", "q05"]);
    expect(result.total).toBe(6);
    expect(keysOf(await store.query(c, { offset: 4 }))).toEqual(["q05", "q06"]);
    const sorted = await store.query(c, { sort: [{ field: "created_at", direction: "desc" }], offset: 1, limit: 2 });
    expect(keysOf(sorted)).toEqual(byName(["v10", "v2"]));
  });
  withPagingSet("an offset past the end gives an empty page with the total", async ({ expect, store }, c) => {
    const result = await store.query(c, { offset: 10, limit: 5 });
    expect(result.items).toHaveLength(0);
    expect(result.total).toBe(6);
  });
  withPagingSet("a limit larger than the matches returns them all without a cursor", async ({ expect, store }, c) => {
    const result = await store.query(c, { limit: 100 });
    expect(result.items).toHaveLength(6);
    expect(result.cursor ?? null).toBe(null);
    const exact = await store.query(c, { limit: 6 });
    expect(exact.items).toHaveLength(6);
    expect(exact.cursor ?? null).toBe(null);
  });

  withPagingSet("total: false answers the same page, with a total between its items and the exact count", async ({ expect, store }, c) => {
    const queries: StoreQuery[] = [
      { limit: 2 },
      { where: term("kind", "eq", "model"), sort: [{ field: "sequence", direction: "desc" }], limit: 1 },
      { where: term("stage", "eq", "staging"), limit: 0 },
      { sort: [{ field: "created_at", direction: "desc" }], offset: 1, limit: 2 },
      { offset: 10, limit: 5 },
      { offset: 4 },
      { where: term("kind", "eq", "artifact") },
      { prefix: "q0", sort: [{ field: "name", direction: "asc" }], limit: 6 },
    ];
    for (const query of queries) {
      const exact = await store.query(c, query);
      const uncounted = await store.query(c, { ...query, total: false });
      expect(keysOf(uncounted)).toEqual(keysOf(exact));
      expect(uncounted.cursor ?? null).toBe(exact.cursor ?? null);
      expect({ total: uncounted.total, atLeastItems: uncounted.total >= uncounted.items.length, atMostExact: uncounted.total <= exact.total }).toEqual({
        total: uncounted.total,
        atLeastItems: true,
        atMostExact: true,
      });
      expect((await store.query(c, { ...query, total: true })).total).toBe(exact.total);
    }
    // Paging by cursor without totals visits the same items.
    const byUpdate: SortField[] = [{ field: "updated_at", direction: "desc" }];
    const { keys } = await pageAll(store, c, { sort: byUpdate, total: false }, 4);
    expect(keys).toEqual(keysOf(await store.query(c, { sort: byUpdate })));
  });

  // cursor --------------------------------------------------------------------------------------
  add("cursor", "pages through everything by key without gaps or repeats", async ({ expect, store, collection }) => {
    const c = collection();
    const keys = Array.from({ length: 23 }, (_, i) => `k${String(i).padStart(3, "0")}`);
    await seed(store, c, keys.map((key) => ({ key, value: { i: key } })));
    for (const limit of [1, 4, 23]) {
      const { keys: seen, pages } = await pageAll(store, c, {}, limit);
      expect(seen).toEqual(keys);
      expect(pages).toBe(Math.ceil(23 / limit));
    }
  });
  add("cursor", "pages through a sorted, filtered list with ties and keeps total", async ({ expect, store, collection }) => {
    const c = collection();
    const rows = Array.from({ length: 30 }, (_, i) => ({
      key: `r${String(i).padStart(2, "0")}`,
      value: { group: ["x", "y", "z"][i % 3] ?? "x", stage: i % 4 === 0 ? "skip" : "keep", createdAt: `2026-01-${String(10 + (i % 5)).padStart(2, "0")}T00:00:00.000Z` },
    }));
    await seed(store, c, rows);
    const query: StoreQuery = {
      where: term("stage", "eq", "keep"),
      sort: [
        { field: "group", direction: "desc" },
        { field: "created_at", direction: "asc" },
      ],
    };
    const all = await store.query(c, query);
    expect(all.total).toBe(22);
    const { keys } = await pageAll(store, c, query, 4);
    expect(keys).toEqual(keysOf(all));
    const first = await store.query(c, { ...query, limit: 4 });
    expect(first.total).toBe(22);
    const second = await store.query(c, { ...query, limit: 4, cursor: first.cursor ?? "" });
    expect(second.total).toBe(22);
    expect(keysOf(second)).toEqual(keysOf(all).slice(4, 8));
  });
  add("cursor", "pages by seq, descending", async ({ expect, store, collection }) => {
    const c = collection();
    for (let i = 0; i < 7; i++) await store.commit([put(c, `s${i}`, 0, i)]);
    const { keys } = await pageAll(store, c, { sort: [{ field: "seq", direction: "desc" }] }, 3);
    expect(keys).toEqual(["s6", "s5", "s4", "s3", "s2", "s1", "s0"]);
  });
  add("cursor", "neither skips nor repeats items when records are added or deleted between pages", async ({ expect, store, collection }) => {
    const c = collection();
    const original = Array.from({ length: 20 }, (_, i) => `m${String(i * 10).padStart(3, "0")}`);
    await seed(store, c, original.map((key) => ({ key, value: { n: key } })));
    const seen: string[] = [];
    let page = await store.query(c, { limit: 5 });
    seen.push(...keysOf(page));
    // add one before the cursor and one after it, delete one seen and one not yet seen
    await store.commit([put(c, "m005", 0, { n: "m005" }), put(c, "m155", 0, { n: "m155" }), del(c, "m010", 1), del(c, "m120", 1)]);
    page = await store.query(c, { limit: 5, cursor: page.cursor ?? "" });
    seen.push(...keysOf(page));
    // change a seen and an unseen record (keyed by key order, so their position does not move)
    await store.commit([put(c, "m000", 1, { n: "changed" }), put(c, "m190", 1, { n: "changed" })]);
    while (page.cursor !== null && page.cursor !== undefined) {
      page = await store.query(c, { limit: 5, cursor: page.cursor });
      seen.push(...keysOf(page));
    }
    expect(new Set(seen).size).toBe(seen.length);
    const expected = [...original.filter((key) => key !== "m120"), "m155"].sort();
    expect(seen).toEqual(expected);
    expect(seen.includes("m005")).toBe(false);
    expect(seen.includes("m120")).toBe(false);
  });
  add("cursor", "keeps its place in a sorted list when the last item of a page is deleted", async ({ expect, store, collection }) => {
    const c = collection();
    const rows = Array.from({ length: 9 }, (_, i) => ({ key: `d${i}`, value: { rank: `r${8 - i}` } }));
    await seed(store, c, rows);
    const sort: SortField[] = [{ field: "rank", direction: "asc" }];
    let page = await store.query(c, { sort, limit: 3 });
    expect(keysOf(page)).toEqual(["d8", "d7", "d6"]);
    // "r25" sorts between "r2" (d6, the page's last item) and "r3"
    await store.commit([del(c, "d6", 1), put(c, "d9", 0, { rank: "r25" })]);
    const rest: string[] = [];
    while (page.cursor !== null && page.cursor !== undefined) {
      page = await store.query(c, { sort, limit: 3, cursor: page.cursor });
      rest.push(...keysOf(page));
    }
    expect(rest).toEqual(["d9", "d5", "d4", "d3", "d2", "d1", "d0"]);
  });

  // json ----------------------------------------------------------------------------------------
  add("json", "round-trips nested objects, arrays, unicode, empty strings and numbers", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    const value: JsonValue = {
      empty: "",
      emptyObject: {},
      emptyArray: [],
      nested: { a: { b: { c: [1, [2, [3, { d: null }]]] } } },
      unicode: "héllo ✓ 日本語 🚀 \u2028\u2029 \u0000 tab\t newline\n quote\" backslash\\",
      combining: "e\u0301",
      numbers: [0, 1, -1, 1.5, -0.25, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
      booleans: [true, false],
      nulls: [null, { x: null }],
      "key with spaces": 1,
      "ключ": "значение",
      "": "empty key",
    };
    await store.commit([put(c, k, 0, value)]);
    expect((await store.get(c, k))?.value).toEqual(value);
    expect((await store.query(c)).items[0]?.value).toEqual(value);
    expect(JSON.stringify((await store.get(c, k))?.value)).toBe(JSON.stringify(value));
  });
  add("json", "keeps the stored value when the caller mutates the value it put", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    const value = { list: [1, 2], nested: { a: "a" } };
    await store.commit([put(c, k, 0, value)]);
    value.list.push(3);
    value.nested.a = "changed";
    expect((await store.get(c, k))?.value).toEqual({ list: [1, 2], nested: { a: "a" } });
  });
  add("json", "keeps the stored value when the caller mutates a value it got (or the value is frozen)", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, { list: [1, 2], nested: { a: "a" } })]);
    const mutate = (item: StoredItem | undefined) => {
      try {
        const value = item?.value as { list: number[]; nested: { a: string }; extra?: number };
        value.list.push(3);
        value.nested.a = "changed";
        value.extra = 1;
      } catch {
        // frozen values are fine too
      }
    };
    mutate(await store.get(c, k));
    mutate((await store.query(c)).items[0]);
    expect((await store.get(c, k))?.value).toEqual({ list: [1, 2], nested: { a: "a" } });
    expect((await store.query(c)).items[0]?.value).toEqual({ list: [1, 2], nested: { a: "a" } });
  });
  add("json", "keeps a record's data after a later failed commit", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, { big: "x".repeat(10_000), list: Array.from({ length: 100 }, (_, i) => i) })]);
    await expectError(expect, store.commit([put(c, k, 0, { big: "y" })]), "CONFLICT");
    expect(((await store.get(c, k))?.value as { big: string }).big).toHaveLength(10_000);
  });

  // keys ----------------------------------------------------------------------------------------
  add("keys", "round-trips unusual keys: dots, slashes, case, unicode, spaces, 512 chars", async ({ expect, store, collection }) => {
    const c = collection();
    const keys = [".", "..", "../x", "a/../../b", "/abs", "con", "CON", "nul.txt", "V1", "v1", " lead", "trail ", "日本/語", "🚀", "a\\b", "x".repeat(512), "é", "e\u0301"];
    await store.commit(keys.map((key, index) => put(c, key, 0, index)));
    for (const [index, key] of keys.entries()) expect(await store.get(c, key)).toMatchObject({ key, revision: 1, value: index });
    const result = await store.query(c);
    expect(result.total).toBe(keys.length);
    expect(keysOf(result)).toEqual([...keys].sort());
  });
  add("keys", "treats keys differing only in case as different records", async ({ expect, store, collection }) => {
    const c = collection();
    await store.commit([put(c, "Name", 0, "upper"), put(c, "name", 0, "lower")]);
    await store.commit([put(c, "name", 1, "lower2")]);
    expect(await store.get(c, "Name")).toMatchObject({ revision: 1, value: "upper" });
    expect(await store.get(c, "name")).toMatchObject({ revision: 2, value: "lower2" });
  });

  // isolation -----------------------------------------------------------------------------------
  add("isolation", "keeps collections independent", async ({ expect, store, collection, key }) => {
    const c1 = collection();
    const c2 = collection();
    const k = key();
    await store.commit([put(c1, k, 0, "one")]);
    await store.commit([put(c1, k, 1, "one again")]);
    await store.commit([put(c2, k, 0, "two")]);
    expect(await store.get(c1, k)).toMatchObject({ revision: 2, value: "one again" });
    expect(await store.get(c2, k)).toMatchObject({ revision: 1, value: "two" });
    await store.commit([del(c2, k, 1)]);
    expect(await store.get(c1, k)).toMatchObject({ revision: 2 });
    expect(keysOf(await store.query(c1))).toEqual([k]);
    expect((await store.query(c2)).total).toBe(0);
  });
  add("isolation", "gives fresh stores that share nothing", async ({ expect, store, another, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, "first")]);
    const second = await another();
    expect(await second.get(c, k)).toBeUndefined();
    expect((await second.query(c)).total).toBe(0);
    await second.commit([put(c, k, 0, "second")]);
    expect((await store.get(c, k))?.value).toBe("first");
  });
  add("isolation", "accepts every collection name of the documented form", async ({ expect, store, key }) => {
    const k = key();
    const names = ["projects", "versions", "runs", "counters", "names", "holders", "audit", "a", "z9_x"];
    await store.commit(names.map((name) => put(name, k, 0, name)));
    for (const name of names) expect((await store.get(name, k))?.value).toBe(name);
  });

  // concurrency ---------------------------------------------------------------------------------
  add("concurrency", "lets exactly one of many concurrent creates of a key win", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.commit([put(c, k, 0, i)])));
    const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const outcome of outcomes)
      if (outcome.status === "rejected") expect((outcome.reason as { code?: unknown }).code).toBe("CONFLICT");
    expect(await store.get(c, k)).toMatchObject({ revision: 1 });
  });
  add("concurrency", "loses no update of a counter under concurrent read-modify-write with retries", async ({ expect, store, collection, key }) => {
    const c = collection();
    const k = key();
    await store.commit([put(c, k, 0, { n: 0 })]);
    const increment = async () => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const current = await store.get(c, k);
        const n = (current?.value as { n: number }).n;
        try {
          await store.commit([put(c, k, current?.revision ?? 0, { n: n + 1 })]);
          return;
        } catch (error) {
          if ((error as { code?: unknown }).code !== "CONFLICT") throw error;
        }
      }
      throw new Error("too many conflicts");
    };
    await Promise.all(Array.from({ length: 12 }, increment));
    expect(await store.get(c, k)).toMatchObject({ revision: 13, value: { n: 12 } });
  });

  return cases;
}
