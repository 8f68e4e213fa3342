import type { JsonValue } from "../domain/json.js";
import type { QueryNode, SortField } from "../domain/query/ast.js";

/**
 * The collections the registry writes. A store must accept any collection name matching
 * `/^[a-z][a-z0-9_]*$/`; these are the ones the core uses.
 */
export const COLLECTIONS = Object.freeze(["projects", "versions", "runs", "counters", "names", "holders", "audit"] as const);

/** A collection the core writes. */
export type CollectionName = (typeof COLLECTIONS)[number];

/** One stored record as a store hands it back. */
export interface StoredItem<T = JsonValue> {
  /** The record's key, unique within its collection. Any non-empty string up to 512 chars. */
  readonly key: string;
  /** 1 after the first put, +1 for every later put. */
  readonly revision: number;
  /** The `seq` of the commit that last wrote this record. */
  readonly seq: number;
  /** The record itself: plain JSON. */
  readonly value: T;
}

/** What to read with {@link Store.query}. */
export interface StoreQuery {
  /** Only keys that start with this string. */
  readonly prefix?: string;
  /** A query-language AST over the value (snake_case fields, see `fieldPath()`); `null`/absent matches all. */
  readonly where?: QueryNode | null;
  /**
   * Sort keys, applied in order; ties are broken by `key` ascending, so the order is total.
   * The pseudo-field `seq` sorts by the item's commit sequence. Absent: by `key` ascending.
   */
  readonly sort?: readonly SortField[];
  /** At most this many items (absent: all). 0 returns no items but still the `total`. */
  readonly limit?: number;
  /** Skip this many matching items first. Never given together with `cursor`. */
  readonly offset?: number;
  /**
   * An opaque cursor from a previous answer to the same `prefix`/`where`/`sort`: continue after the
   * last item of that page (keyset paging: items added or deleted meanwhile are neither skipped nor repeated).
   */
  readonly cursor?: string;
  /**
   * `false`: the caller does not read the answer's `total`, so the adapter may skip counting the
   * matches (on a database, counting 100,000 matches can cost a hundred times the page). The answer's
   * `total` is then only a lower bound: at least the number of items returned, at most the exact count.
   * Absent or `true`: the exact count. An adapter whose count is cheap may ignore this.
   */
  readonly total?: boolean;
}

/** The answer to {@link Store.query}. */
export interface StoreQueryResult<T = JsonValue> {
  /** The matching items of this page, in sort order. */
  readonly items: readonly StoredItem<T>[];
  /**
   * How many items match `prefix` and `where` in all, ignoring `limit`, `offset` and `cursor`
   * (a lower bound when the query passed `total: false`).
   */
  readonly total: number;
  /** A cursor for the next page when `limit` cut the answer short and more items follow; else `null`/absent. */
  readonly cursor?: string | null;
}

/** Create or replace a record. `expect` is its current revision, or 0 when it must not exist yet. */
export interface PutWrite {
  /** Discriminant: `"put"`. */
  readonly op: "put";
  /** The collection name (matches `/^[a-z][a-z0-9_]*$/`). */
  readonly collection: string;
  /** The record's key within the collection: a non-empty string of at most 512 characters. */
  readonly key: string;
  /** The record's current revision, or 0 when it must not exist yet; otherwise the commit fails with `CONFLICT`. */
  readonly expect: number;
  /** The new record: plain JSON. */
  readonly value: JsonValue;
}

/** Remove a record that is at revision `expect` (at least 1). */
export interface DeleteWrite {
  /** Discriminant: `"delete"`. */
  readonly op: "delete";
  /** The collection name. */
  readonly collection: string;
  /** The record's key within the collection. */
  readonly key: string;
  /** The record's current revision (at least 1); otherwise the commit fails with `CONFLICT`. */
  readonly expect: number;
}

/** Change nothing; only assert that the record is at revision `expect` (0 = absent). */
export interface CheckWrite {
  /** Discriminant: `"check"`. */
  readonly op: "check";
  /** The collection name. */
  readonly collection: string;
  /** The record's key within the collection. */
  readonly key: string;
  /** The revision the record must be at, or 0 when it must not exist; otherwise the commit fails with `CONFLICT`. */
  readonly expect: number;
}

/** One write of a {@link Store.commit}. */
export type Write = PutWrite | DeleteWrite | CheckWrite;

/** The answer to {@link Store.commit}. */
export interface CommitResult {
  /** This commit's store-wide sequence number: strictly greater than every earlier commit's. */
  readonly seq: number;
}

/**
 * The storage port: everything the registry needs from a store. Small on purpose, so an adapter
 * is an afternoon's work; run `runStoreConformance()` from `artifact-versions/testing` to prove one.
 *
 * Values are plain JSON; a store must hand back a value equal to the one put (a deep copy, or frozen).
 * The registry hands `commit` deeply frozen values and never changes them afterwards, so a store may
 * keep them as they are; a store must never change a value it was given.
 */
export interface Store {
  /** Resolves the record, or `undefined` when it does not exist. Never rejects for a missing record. */
  get(collection: string, key: string): Promise<StoredItem | undefined>;

  /** Resolves the records of one collection that match, sorted and paged. See {@link StoreQuery}. */
  query(collection: string, query?: StoreQuery): Promise<StoreQueryResult>;

  /**
   * Applies every write or none. Each write's `expect` must equal the record's current revision
   * (0 = absent); any mismatch rejects the whole commit with `new RegistryError("CONFLICT", ...)` and
   * changes nothing. A put's new revision is the old one plus 1. Two writes to the same record in one
   * commit are refused with `VALIDATION`. Resolves once the commit is as durable as the store promises.
   */
  commit(writes: readonly Write[]): Promise<CommitResult>;

  /**
   * Optional capability, default `false`: `true` when `commit()` validates and applies its writes to
   * what `get`/`query` answer synchronously, before it returns its promise (the memory and filesystem
   * stores do; the promise then settles once the commit is durable). The registry uses it to compute the
   * next mutation while this commit becomes durable, so concurrent writes share fsyncs (group commit).
   * A store that leaves it unset gets each commit awaited before the next mutation in the same process
   * is computed, so that process's writers never conflict with each other.
   */
  readonly appliesCommitsOnCall?: boolean;

  /**
   * Optional: bring the store's view up to date with commits made by other processes. The registry
   * calls it once at the start of every attempt of a call. Stores that always read fresh data omit it.
   */
  refresh?(): Promise<void>;

  /** Optional: release files, locks and connections. Later calls may reject with `STORAGE`. */
  close?(): Promise<void>;
}
