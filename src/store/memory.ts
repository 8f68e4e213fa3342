/**
 * `memoryStore()`: the reference {@link Store} adapter, kept in memory. The default store of a
 * registry, the one tests use, and a browser-safe one.
 * @module
 */
import { frozenJsonCopy } from "../domain/json-copy.js";
import { RegistryError } from "../errors.js";
import type { JsonValue } from "../domain/json.js";
import { MemoryTable } from "./memory-table.js";
import type { CommitResult, Store, StoredItem, StoreQuery, StoreQueryResult, Write } from "./store.js";
import { checkCollection, checkKey, checkWrites } from "./write-validation.js";

export { DEFAULT_INDEXED_FIELDS, DEFAULT_COMPOUND_INDEXES, MemoryTable } from "./memory-table.js";
export type { MemoryTableOptions } from "./memory-table.js";

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Record fields (query-language names) kept in equality indexes in every collection, so terms like
   * `project:acme/churn`, `kind:model|artifact` or `tags:a` answer without scanning. Default:
   * `project`, `kind`, `stage`, `status`, `tags`. Date fields are never indexed.
   */
  readonly indexes?: readonly string[];
  /** Field combinations kept in one compound equality index each. Default: `[["project", "kind"]]`. */
  readonly compoundIndexes?: readonly (readonly string[])[];
}

/**
 * Creates an in-memory {@link Store}: the reference adapter and the registry's default.
 *
 * - `commit` is all-or-nothing and checks every write's expected revision; a mismatch throws
 *   `RegistryError("CONFLICT")` with `details: { collection, key, expected, actual, conflicts }`; two writes
 *   to one record in a commit, a malformed write or a non-JSON value throw `VALIDATION`.
 * - Every commit gets a strictly increasing `seq` (1, 2, ...), carried by the items it wrote.
 * - Values are deep-copied in (as JSON) and handed out deeply frozen; a value that already is such a
 *   frozen copy (what the registry hands over) is kept as is, not copied again.
 * - `query` uses equality indexes (see {@link MemoryStoreOptions.indexes}) and a bounded top-k
 *   selection when a `limit` is given; the answer always equals filtering and sorting everything.
 * - After `close()`, every call rejects with `STORAGE`.
 *
 * @throws RegistryError never from `memoryStore()` itself; the store's methods reject with `VALIDATION`
 *   (a malformed collection, key, write or query), `CONFLICT` (`commit` with a stale `expect`) and
 *   `STORAGE` (after `close()`).
 * @example
 * ```ts
 * const store = memoryStore();
 * const { seq } = await store.commit([{ op: "put", collection: "projects", key: "acme/churn", expect: 0, value: { name: "churn" } }]);
 * const page = await store.query("versions", { where: parseQuery("stage:production"), sort: parseSort("-created_at"), limit: 20 });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const tableOptions = {
    ...(options.indexes === undefined ? {} : { indexes: options.indexes }),
    ...(options.compoundIndexes === undefined ? {} : { compoundIndexes: options.compoundIndexes }),
  };
  const tables = new Map<string, MemoryTable>();
  let seq = 0;
  let closed = false;

  const ensureOpen = (doing: string): void => {
    if (closed) throw new RegistryError("STORAGE", `The memory store is closed (while ${doing})`, { doing });
  };
  const table = (collection: string): MemoryTable | undefined => tables.get(collection);

  const store: Store = {
    async get(collection: string, key: string): Promise<StoredItem | undefined> {
      ensureOpen("reading a record");
      checkCollection(collection);
      checkKey(key);
      return table(collection)?.rows.get(key);
    },

    async query(collection: string, query: StoreQuery = {}): Promise<StoreQueryResult> {
      ensureOpen("querying");
      checkCollection(collection);
        return (table(collection) ?? new MemoryTable({ indexes: [], compoundIndexes: [] })).query(query);
    },

    appliesCommitsOnCall: true,

    async commit(writes: readonly Write[]): Promise<CommitResult> {
      ensureOpen("committing");
      // 1. Validate every write and copy the values, before looking at the state.
      const prepared = checkWrites(writes, (write) => ({
        write,
        collection: write.collection,
        key: write.key,
        value: write.op === "put" ? frozenJsonCopy(write.value, { collection: write.collection, key: write.key }) : undefined,
        current: undefined as StoredItem | undefined,
      }));
      // 2. Check every expected revision (keeping the row found: step 3 replaces it without a second lookup).
      const conflicts: { collection: string; key: string; expected: number; actual: number }[] = [];
      for (const entry of prepared) {
        const { write, collection, key } = entry;
        entry.current = table(collection)?.rows.get(key);
        const actual = entry.current?.revision ?? 0;
        if (actual !== write.expect) conflicts.push({ collection, key, expected: write.expect, actual });
      }
      if (conflicts.length > 0) {
        const first = conflicts[0] as (typeof conflicts)[number];
        throw new RegistryError(
          "CONFLICT",
          `Revision conflict on ${first.collection}/${first.key}: expected revision ${first.expected}, found ${first.actual}` +
            (conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ""),
          { ...first, conflicts },
        );
      }
      // 3. Apply: nothing below can fail.
      seq += 1;
      for (const { write, collection, key, value, current } of prepared) {
        if (write.op === "check") continue;
        let t = tables.get(collection);
        if (t === undefined) tables.set(collection, (t = new MemoryTable(tableOptions)));
        if (write.op === "delete") t.delete(key);
        else t.replace(Object.freeze({ key, revision: write.expect + 1, seq, value: value as JsonValue }), current);
      }
      return { seq };
    },

    async close(): Promise<void> {
      closed = true;
      tables.clear();
    },
  };
  return store;
}
