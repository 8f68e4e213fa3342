/**
 * One collection of the memory store: the records plus secondary equality indexes, and the query
 * engine (index planning, residual filtering, bounded top-k selection, keyset cursors).
 * @module
 */
import type { QueryNode, SortField } from "../domain/query/ast.js";
import { fieldPath, isDateField } from "../domain/query/ast.js";
import { compileQuery } from "../domain/query/match.js";
import { compareReading, compareToPositionReading, readValue, sortReading, type SortReader } from "../domain/query/sort.js";
import { decodeCursor, encodeCursor, type CursorPosition } from "../domain/query/cursor.js";
import { fieldGetter, scalarString } from "../domain/query/values.js";
import type { StoredItem, StoreQuery, StoreQueryResult } from "./store.js";
import { checkQueryWindow } from "./write-validation.js";

type Item = StoredItem;

/**
 * What an index answers for one condition: the live items of a bucket, or a set built by a query.
 * `has` is asked only about live items.
 */
interface ItemSet extends Iterable<Item> {
  readonly size: number;
  has(item: Item): boolean;
}

const EMPTY: ItemSet = new Set<Item>();

/** The fields the memory store indexes by default (equality and membership, array elements included). */
export const DEFAULT_INDEXED_FIELDS: readonly string[] = Object.freeze(["project", "kind", "stage", "status", "tags"]);

/** A candidate set answered exactly by indexes: a union of index buckets. */
class Candidates {
  /** `disjoint`: the parts never share an item (buckets of a field no record holds an array in). */
  constructor(
    readonly parts: readonly ItemSet[],
    readonly disjoint = false,
  ) {}
  /** An upper bound of the number of items (exact when the parts are disjoint). */
  get size(): number {
    let n = 0;
    for (const p of this.parts) n += p.size;
    return n;
  }
  has(item: Item): boolean {
    for (const p of this.parts) if (p.has(item)) return true;
    return false;
  }
  /** A membership test, specialised for the common single-bucket case. */
  tester(): (item: Item) => boolean {
    const parts = this.parts;
    if (parts.length === 1) {
      const only = parts[0] as ItemSet;
      return (item) => only.has(item);
    }
    return (item) => this.has(item);
  }
  [Symbol.iterator](): Iterator<Item> {
    if (this.parts.length === 1) return (this.parts[0] as ItemSet)[Symbol.iterator]();
    if (this.disjoint) return this.parts.flatMap((p) => [...p])[Symbol.iterator]();
    // Buckets of one field may overlap (tags): walk their union once.
    const union = new Set<Item>();
    for (const p of this.parts) for (const item of p) union.add(item);
    return union[Symbol.iterator]();
  }
}

/** A max-heap (by `compare`) keeping the `capacity` smallest items seen. */
function topK(items: Iterable<Item>, capacity: number, compare: (a: Item, b: Item) => number, accept: (item: Item) => boolean): Item[] {
  const heap: Item[] = [];
  const up = (index: number): void => {
    let i = index;
    const x = heap[i] as Item;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Item;
      if (compare(x, p) <= 0) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = x;
  };
  const down = (): void => {
    let i = 0;
    const n = heap.length;
    const x = heap[0] as Item;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && compare(heap[r] as Item, heap[l] as Item) > 0) c = r;
      const child = heap[c] as Item;
      if (compare(child, x) <= 0) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = x;
  };
  for (const item of items) {
    if (!accept(item)) continue;
    if (heap.length < capacity) {
      heap.push(item);
      up(heap.length - 1);
    } else if (capacity > 0 && compare(item, heap[0] as Item) < 0) {
      heap[0] = item;
      down();
    }
  }
  return heap.sort(compare);
}

/** Tables smaller than this answer limited queries by top-k selection only (no sorted views). */
const VIEW_MIN_ROWS = 2048;
/** At most this many sorted views per table (least recently used dropped first). */
const MAX_VIEWS = 8;
/** Pending inserts / dead entries a view tolerates before it is rebuilt (merged) in O(n). */
const VIEW_SLACK = 2048;

/**
 * A sort order of all rows of a table, kept up to date incrementally: a sorted main array, a small
 * sorted buffer of items added since the last rebuild, and the set of items that died (replaced or
 * deleted) since then. Walking merges main and buffer and skips dead items.
 */
class SortedView {
  private main: Item[];
  private buffer: Item[] = [];
  private readonly dead = new Set<Item>();
  private readonly toPosition: (item: Item, values: readonly unknown[], key: string) => number;

  constructor(
    readonly sort: readonly SortField[],
    private readonly compare: (a: Item, b: Item) => number,
    rows: Iterable<Item>,
    read: SortReader,
  ) {
    this.main = sortReading([...rows], sort, read);
    this.toPosition = compareToPositionReading(sort, read);
  }

  added(item: Item): void {
    const b = this.buffer;
    const last = b.length - 1;
    // New records usually sort at one end (newest first, or last): one or two comparisons, no search.
    if (last < 0 || this.compare(b[last] as Item, item) < 0) {
      b.push(item);
      if (b.length > VIEW_SLACK) this.rebuild();
      return;
    }
    let lo = 0;
    let hi = this.compare(b[0] as Item, item) < 0 ? last : 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(b[mid] as Item, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    b.splice(lo, 0, item);
    if (b.length > VIEW_SLACK) this.rebuild();
  }

  removed(item: Item): void {
    this.dead.add(item);
    if (this.dead.size > VIEW_SLACK) this.rebuild();
  }

  private rebuild(): void {
    const { main, buffer, dead } = this;
    const live = (items: Item[]): Item[] => (dead.size === 0 ? items : items.filter((item) => !dead.has(item)));
    let out: Item[];
    const lastOfMain = main[main.length - 1];
    if (lastOfMain === undefined || (buffer.length > 0 && this.compare(lastOfMain, buffer[0] as Item) < 0)) {
      // New records sort after every older one (an ascending time order): two copies, no merge.
      out = live(main).concat(live(buffer));
    } else {
      out = [];
      let i = 0;
      let j = 0;
      while (i < main.length && j < buffer.length) {
        const item = this.compare(main[i] as Item, buffer[j] as Item) < 0 ? (main[i++] as Item) : (buffer[j++] as Item);
        if (!dead.has(item)) out.push(item);
      }
      // One side is used up: the rest of the other is copied in one go (the rest of main, when new
      // records sort first: a descending time order, the usual list).
      out = out.concat(live(main.slice(i)), live(buffer.slice(j)));
    }
    this.main = out;
    this.buffer = [];
    this.dead.clear();
  }

  /** First index in `list` strictly after the position. */
  private after(list: readonly Item[], position: CursorPosition): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.toPosition(list[mid] as Item, position.values, position.key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Visits live items in order, strictly after `position` when given, until `visit` returns false. */
  walk(position: CursorPosition | undefined, visit: (item: Item) => boolean): void {
    const { main, buffer, dead } = this;
    let i = position === undefined ? 0 : this.after(main, position);
    let j = position === undefined ? 0 : this.after(buffer, position);
    while (i < main.length || j < buffer.length) {
      let item: Item;
      if (j >= buffer.length || (i < main.length && this.compare(main[i] as Item, buffer[j] as Item) < 0)) item = main[i++] as Item;
      else item = buffer[j++] as Item;
      if (dead.size > 0 && dead.has(item)) continue;
      if (!visit(item)) return;
    }
  }
}

/**
 * The items filed under one key of an index, in filing order. An entry is not removed when its item is
 * replaced or deleted (removing one from the middle of an array, or a hash-set insert per bucket on
 * every put, cost more than the rest of a put): `live` counts the entries whose item is still the
 * table's row for its key, and the array is compacted once dead entries pass half the live ones (see
 * {@link BUCKET_SLACK}).
 * `members` is made the first time a query tests membership in the bucket, and kept up to date from
 * then on: only buckets that queries intersect with pay a set insert per put.
 */
interface Bucket {
  items: Item[];
  live: number;
  members: Set<Item> | undefined;
}

type Index = {
  readonly fields: readonly string[];
  readonly gets: readonly ((value: unknown) => unknown)[];
  /** The same fields read from an item's {@link ProjectedItem.projection} (keyed by field name). */
  readonly projectedGets: readonly ((projection: unknown) => unknown)[];
  /** The last projection field set seen, and whether it holds every field of this index. */
  coverSeen: ReadonlySet<string> | undefined;
  covered: boolean;
  readonly buckets: Map<string, Bucket>;
  /** Set once any indexed record held an array in this field: buckets may then overlap. */
  multi: boolean;
  /** False until a query first needs the index: it is then filled from the rows and kept up to date. */
  built: boolean;
};

/**
 * A bucket is compacted once its dead entries pass half its live ones (plus this): a dead entry keeps an
 * old record alive, so they stay a bounded share of the records, and a compaction (a lookup per entry)
 * is paid about once per half a bucket's worth of replacements.
 */
const BUCKET_SLACK = 2;
/** Array fields longer than this are deduplicated with a set rather than by scanning earlier elements. */
const SCAN_DUPLICATES = 16;

/** The live items of one bucket as an {@link ItemSet}. */
class BucketSet implements ItemSet {
  constructor(
    private readonly bucket: Bucket,
    private readonly rows: ReadonlyMap<string, Item>,
  ) {}
  get size(): number {
    return this.bucket.live;
  }
  has(item: Item): boolean {
    const bucket = this.bucket;
    bucket.members ??= new Set(this);
    return bucket.members.has(item);
  }
  [Symbol.iterator](): Iterator<Item> {
    const { items, live } = this.bucket;
    // No dead entries (a bucket nothing was replaced or deleted from since its last compaction): every
    // entry is a row, so no lookup per entry.
    if (items.length === live) return items[Symbol.iterator]();
    return liveEntries(items, this.rows);
  }
}

/** The entries of `items` that are still rows. Compaction only happens on writes, never during a query's walk. */
function* liveEntries(items: readonly Item[], rows: ReadonlyMap<string, Item>): Generator<Item> {
  for (const item of items) if (rows.get(item.key) === item) yield item;
}

/** The distinct scalar keys of a field's value (its elements' for an array). */
function scalarKeys(x: unknown): string[] {
  if (Array.isArray(x)) {
    const out: string[] = [];
    for (const e of x) {
      const s = scalarString(e);
      if (s !== undefined && !out.includes(s)) out.push(s);
    }
    return out;
  }
  const s = scalarString(x);
  return s === undefined ? [] : [s];
}

/** True when the projection fields `fields` hold every field of `index` (remembered for the last set seen). */
function covers(index: Index, fields: ReadonlySet<string>): boolean {
  if (index.coverSeen !== fields) {
    index.coverSeen = fields;
    index.covered = index.fields.every((field) => fields.has(field));
  }
  return index.covered;
}

/** The distinct bucket keys of a value in an index (read with `gets`): the product of its fields' scalar keys. */
function indexKeys(gets: readonly ((value: unknown) => unknown)[], value: unknown): string[] {
  let keys: string[] = [""];
  gets.forEach((get, n) => {
    const parts = scalarKeys(get(value));
    keys = n === 0 ? parts : keys.flatMap((k) => parts.map((p) => `${k}\u0000${p}`));
  });
  return keys;
}

/** True when `x[index]` repeats the scalar key `k` of an earlier element (`seen`: the keys so far, for long arrays). */
function repeatsEarlier(x: readonly unknown[], index: number, k: string, seen: Set<string> | undefined): boolean {
  if (seen !== undefined) {
    if (seen.has(k)) return true;
    seen.add(k);
    return false;
  }
  for (let j = 0; j < index; j++) if (scalarString(x[j]) === k) return true;
  return false;
}

/**
 * @internal
 * An item that can answer its index fields without its value: a store that keeps values as text (the
 * file store's snapshot rows) hands these over so building an index parses no value. `projection`
 * holds, under each field name in `projectionFields`, what the index reads for that field: its scalar
 * key (`scalarString`), or for an array the keys of its elements (`null` for an element without one);
 * a field without a key is absent. An index reads the projection only when it holds all the index's
 * fields; otherwise the value.
 */
export interface ProjectedItem extends StoredItem {
  readonly projectionFields: ReadonlySet<string> | undefined;
  readonly projection: Readonly<Record<string, unknown>> | undefined;
  /**
   * Record fields (top-level, as `fieldPath` names them: `updatedAt`) whose raw values `projection` also
   * holds, under their own names, for sorting: a sort by one of them reads the projection, so sorting
   * parses no value. None of them is a `projectionFields` field.
   */
  readonly orderFields: ReadonlySet<string> | undefined;
}

/**
 * How the sorts of a table of {@link ProjectedItem}s read a field: from an item's projection when it
 * holds the field's raw value (see {@link ProjectedItem.orderFields}), else from the value. Both answer
 * the same, so an order built from one holds for the other.
 */
const readProjections: SortReader = (field) => {
  const fromValue = readValue(field);
  if (field === "seq") return fromValue;
  const path = fieldPath(field);
  return (item) => {
    const fields = (item as Partial<ProjectedItem>).orderFields;
    if (fields === undefined || !fields.has(path)) return fromValue(item);
    const projection = (item as ProjectedItem).projection;
    return projection !== undefined && Object.prototype.hasOwnProperty.call(projection, path) ? projection[path] : undefined;
  };
};

/** @internal What an index reads for `field` from `value`, as {@link ProjectedItem.projection} holds it; `undefined` when nothing. */
export function projectedField(value: unknown, field: string): unknown {
  const x = fieldGetter(field)(value);
  if (Array.isArray(x)) return x.map((element) => scalarString(element) ?? null);
  return scalarString(x);
}

/** The getter of one field of a projection (own properties only: a projection is parsed JSON). */
function projectionGetter(field: string): (projection: unknown) => unknown {
  return (projection) => (Object.prototype.hasOwnProperty.call(projection, field) ? (projection as Record<string, unknown>)[field] : undefined);
}

function newIndex(fields: readonly string[]): Index {
  return {
    fields: [...fields],
    gets: fields.map(fieldGetter),
    projectedGets: fields.map(projectionGetter),
    coverSeen: undefined,
    covered: false,
    buckets: new Map(),
    multi: false,
    built: false,
  };
}

/** Options of a {@link MemoryTable}. */
export interface MemoryTableOptions {
  /** Fields with an equality index each (see `MemoryStoreOptions.indexes`). */
  readonly indexes?: readonly string[];
  /** Field combinations with one compound equality index each (default `[["project", "kind"]]`). */
  readonly compoundIndexes?: readonly (readonly string[])[];
  /**
   * @internal
   * A query whose matches are one index bucket (or more than a few thousand) pages through a sorted
   * view of all rows only when that bucket holds at least this share of them; a smaller one is sorted
   * on its own. Default 0: always through a view. A store whose values are parsed on first use (the
   * file store) sets it: a view sorts, so parses, every row.
   */
  readonly viewMinShare?: number;
  /**
   * @internal
   * Set by a store whose items may be {@link ProjectedItem}s (the file store): sorts then read a field
   * from an item's projection when it holds it. Default false: sorts read values only.
   */
  readonly projectedItems?: boolean;
}

/** The fields of the single-field and compound indexes a table with `options` keeps. */
function indexFieldsOf(options: MemoryTableOptions): { single: string[]; compound: (readonly string[])[] } {
  // Dates match by span, not by string equality: no index holds them.
  const single = (options.indexes ?? DEFAULT_INDEXED_FIELDS).filter((field) => !isDateField(field));
  const compound = (options.compoundIndexes ?? DEFAULT_COMPOUND_INDEXES).filter((fields) => fields.length >= 2 && !fields.some(isDateField));
  return { single, compound };
}

/** @internal Every field an index of a table with `options` reads, once each (what a {@link ProjectedItem} projects). */
export function indexedFields(options: MemoryTableOptions): string[] {
  const { single, compound } = indexFieldsOf(options);
  return [...new Set([...single, ...compound.flat()])];
}

/** The compound indexes the memory store keeps by default: versions of one project and kind. */
export const DEFAULT_COMPOUND_INDEXES: readonly (readonly string[])[] = Object.freeze([Object.freeze(["project", "kind"])]);

/**
 * The records of one collection with secondary equality indexes (single-field and compound) and
 * lazily created sorted views. Items are the frozen {@link StoredItem}s handed out to callers.
 * Exported for adapters that keep their state in memory (a journal-backed store, say).
 */
export class MemoryTable {
  /** Records by key. Read only: writes go through {@link put}, {@link replace}, {@link delete} and {@link load}, which keep the indexes. */
  readonly rows: Map<string, Item>;
  private readonly single = new Map<string, Index>();
  private readonly compound: Index[] = [];
  /** Every index, single-field then compound (an array: a generator cost ~1 µs per put). */
  private readonly indexes: Index[];
  private readonly views = new Map<string, SortedView>();
  private readonly viewMinShare: number;
  /** How this table's sorts read a field (see {@link MemoryTableOptions.projectedItems}). */
  private readonly read: SortReader;

  /**
   * @param options The indexes to keep.
   * @param rows @internal Records to start from, taken over as they are (no copy, nothing filed yet: an
   *   index is filled when a query first needs it): a store that kept its records in a map until its
   *   first query (the file store) hands the map over, and from then on writes only through the table.
   */
  constructor(options: MemoryTableOptions = {}, rows: Map<string, Item> = new Map()) {
    this.rows = rows;
    this.viewMinShare = options.viewMinShare ?? 0;
    this.read = options.projectedItems === true ? readProjections : readValue;
    const { single, compound } = indexFieldsOf(options);
    for (const field of single) this.single.set(field, newIndex([field]));
    for (const fields of compound) this.compound.push(newIndex(fields));
    this.indexes = [...this.single.values(), ...this.compound];
  }

  /** Number of records. */
  get size(): number {
    return this.rows.size;
  }

  /**
   * Replaces (or adds) the record `item.key`. Every write hands a new item object (the stores make one
   * frozen item per write): putting back an object this table held before, and has since replaced or
   * deleted, is not supported (its old index entries may still be filed and would count twice).
   */
  put(item: Item): void {
    this.replace(item, this.rows.get(item.key));
  }

  /**
   * {@link put} for a caller that has just read the row now held under `item.key` (`undefined`:
   * none): saves a lookup. `current` must be exactly that row.
   */
  replace(item: Item, current: Item | undefined): void {
    if (current === item) return;
    // The row first: a bucket compacted while `current` is unfiled must already see it as dead.
    this.rows.set(item.key, item);
    if (current !== undefined) this.unindex(current);
    this.index(item);
  }

  /**
   * Adds many records at once (a store loading its state): into an empty table, the rows go in
   * first and then each index is filled in one pass over them, with no per-record bookkeeping.
   * Same result as calling {@link put} for each item.
   */
  load(items: Iterable<Item>): void {
    if (this.rows.size > 0 || this.views.size > 0 || this.indexes.some((index) => index.built)) {
      for (const item of items) this.put(item);
      return;
    }
    const rows = this.rows;
    for (const item of items) rows.set(item.key, item);
    // Indexes are filled when a query first needs them (see `built`).
  }

  /** Fills an index from every row the first time a query needs it; answers the index. */
  private built(index: Index): Index {
    if (index.built) return index;
    index.built = true;
    for (const item of this.rows.values()) this.file(index, item, true);
    return index;
  }

  /**
   * Adds `item` to its buckets of `index` (`add`), or counts it out of them (its row must already be
   * gone). A single-field index files a scalar without building a key list (every put files an item
   * in each index); an array's repeated elements are filed once.
   */
  private file(index: Index, item: Item, add: boolean): void {
    // A projected item is read from its projection when that holds the index's fields: no value parsed.
    const fields = (item as Partial<ProjectedItem>).projectionFields;
    const projected = fields !== undefined && covers(index, fields);
    const gets = projected ? index.projectedGets : index.gets;
    const source = projected ? (item as ProjectedItem).projection : item.value;
    if (gets.length === 1) {
      const x = (gets[0] as (value: unknown) => unknown)(source);
      if (!Array.isArray(x)) {
        const k = scalarString(x);
        if (k !== undefined) this.fileUnder(index, k, item, add);
        return;
      }
      if (add) index.multi = true;
      const seen = x.length > SCAN_DUPLICATES ? new Set<string>() : undefined;
      for (let n = 0; n < x.length; n++) {
        const k = scalarString(x[n]);
        if (k !== undefined && !repeatsEarlier(x, n, k, seen)) this.fileUnder(index, k, item, add);
      }
      return;
    }
    // A compound index over scalar fields (the usual record): one key, without the key product.
    let joined = "";
    for (let n = 0; n < gets.length; n++) {
      const x = (gets[n] as (value: unknown) => unknown)(source);
      if (Array.isArray(x)) {
        if (add) index.multi = true;
        for (const k of indexKeys(gets, source)) this.fileUnder(index, k, item, add);
        return;
      }
      const part = scalarString(x);
      if (part === undefined) return; // a field without a value: no key at all (an empty product)
      joined = n === 0 ? part : `${joined}\u0000${part}`;
    }
    this.fileUnder(index, joined, item, add);
  }

  private fileUnder(index: Index, k: string, item: Item, add: boolean): void {
    let bucket = index.buckets.get(k);
    if (add) {
      if (bucket === undefined) index.buckets.set(k, (bucket = { items: [], live: 0, members: undefined }));
      bucket.items.push(item);
      bucket.live += 1;
      bucket.members?.add(item);
    } else if (bucket !== undefined) {
      bucket.live -= 1;
      bucket.members?.delete(item);
      if (bucket.live <= 0) index.buckets.delete(k);
      else if (bucket.items.length - bucket.live > (bucket.live >> 1) + BUCKET_SLACK) this.compact(bucket);
    }
  }

  /** Drops the entries of items that are no longer rows (order kept). */
  private compact(bucket: Bucket): void {
    const rows = this.rows;
    bucket.items = bucket.items.filter((item) => rows.get(item.key) === item);
  }

  /** Removes the record `key` if present. */
  delete(key: string): void {
    const old = this.rows.get(key);
    if (old === undefined) return;
    this.rows.delete(key);
    this.unindex(old);
  }

  private index(item: Item): void {
    for (const index of this.indexes) if (index.built) this.file(index, item, true);
    for (const view of this.views.values()) view.added(item);
  }

  private unindex(item: Item): void {
    for (const index of this.indexes) if (index.built) this.file(index, item, false);
    for (const view of this.views.values()) view.removed(item);
  }

  /** The live items filed under `key` in `index` (empty when none). */
  private bucket(index: Index, key: string): ItemSet {
    const bucket = index.buckets.get(key);
    return bucket === undefined ? EMPTY : new BucketSet(bucket, this.rows);
  }

  /** The exact candidate set of a node answerable from single-field indexes alone, else `undefined`. */
  private lookup(node: QueryNode): Candidates | undefined {
    switch (node.type) {
      case "term": {
        const found = this.single.get(node.field);
        if (found === undefined) return undefined;
        const index = this.built(found);
        if (node.op === "eq" && typeof node.value === "string") return new Candidates([this.bucket(index, node.value)]);
        if (node.op === "in" && Array.isArray(node.value) && node.value.every((v) => typeof v === "string")) {
          const parts: ItemSet[] = [];
          for (const v of new Set(node.value)) {
            const bucket = this.bucket(index, v);
            if (bucket !== EMPTY) parts.push(bucket);
          }
          return new Candidates(parts.length === 0 ? [EMPTY] : parts, !index.multi);
        }
        return undefined;
      }
      case "or": {
        if (!Array.isArray(node.items) || node.items.length === 0) return undefined;
        const parts: ItemSet[] = [];
        for (const child of node.items) {
          const c = this.lookup(child);
          if (c === undefined) return undefined;
          parts.push(...c.parts);
        }
        return new Candidates(parts);
      }
      case "and": {
        if (!Array.isArray(node.items) || node.items.length === 0) return undefined;
        const found: Candidates[] = [];
        for (const child of node.items) {
          const c = this.lookup(child);
          if (c === undefined) return undefined;
          found.push(c);
        }
        return new Candidates([intersect(found)]); // only for an AND nested in an OR: rare
      }
      default:
        return undefined;
    }
  }

  /**
   * Plans `where`: compound and single-field indexes answer what they can; the smallest exact
   * candidate set drives the scan, the other candidate sets become membership tests and the rest a
   * compiled residual predicate. Nothing is materialized.
   */
  private plan(where: QueryNode | null | undefined): { source: Candidates | undefined; filter: ((item: Item) => boolean) | undefined } {
    if (where === null || where === undefined) return { source: undefined, filter: undefined };
    // Compile the whole query first, so a malformed AST is refused even where indexes answer it.
    compileQuery(where);
    let conjuncts: QueryNode[] = [];
    const flatten = (node: QueryNode): void => {
      if (node.type === "and" && Array.isArray(node.items) && node.items.length > 0) node.items.forEach(flatten);
      else conjuncts.push(node);
    };
    flatten(where);
    const indexed: Candidates[] = [];
    for (const index of this.compound) {
      const used: QueryNode[] = [];
      const values: string[] = [];
      for (const field of index.fields) {
        const term = conjuncts.find((c) => c.type === "term" && c.field === field && c.op === "eq" && typeof c.value === "string" && !used.includes(c));
        if (term === undefined || term.type !== "term") break;
        used.push(term);
        values.push(term.value as string);
      }
      // A value holding the key separator could name another bucket ("a\u0000b" + "c" = "a" + "b\u0000c"):
      // such a query leaves the compound index to the single-field indexes and the residual filter.
      if (used.length !== index.fields.length || values.some((value) => value.includes("\u0000"))) continue;
      indexed.push(new Candidates([this.bucket(this.built(index), values.join("\u0000"))]));
      conjuncts = conjuncts.filter((c) => !used.includes(c));
    }
    const rest: QueryNode[] = [];
    for (const node of conjuncts) {
      const c = this.lookup(node);
      if (c === undefined) rest.push(node);
      else indexed.push(c);
    }
    const residual = rest.length === 0 ? undefined : compileQuery(rest.length === 1 ? rest[0] : { type: "and", items: rest });
    indexed.sort((a, b) => a.size - b.size);
    const source = indexed[0];
    const tests = indexed.slice(1).map((c) => c.tester());
    if (tests.length === 0 && residual === undefined) return { source, filter: undefined };
    const filter = (item: Item): boolean => {
      for (const test of tests) if (!test(item)) return false;
      return residual === undefined || residual(item.value);
    };
    return { source, filter };
  }

  private view(sort: readonly SortField[], compare: (a: Item, b: Item) => number): SortedView {
    const id = JSON.stringify(sort.map((s) => [s.field, s.direction]));
    let view = this.views.get(id);
    if (view !== undefined) {
      this.views.delete(id); // most recently used last
    } else {
      view = new SortedView(sort, compare, this.rows.values(), this.read);
      if (this.views.size >= MAX_VIEWS) {
        const oldest = this.views.keys().next().value;
        if (oldest !== undefined) this.views.delete(oldest);
      }
    }
    this.views.set(id, view);
    return view;
  }

  /** Answers a {@link StoreQuery} (see the Store port for the contract). */
  query(query: StoreQuery = {}): StoreQueryResult {
    const { limit, offset, cursor: after } = checkQueryWindow(query);
    const sort = query.sort ?? [];
    const compare = compareReading<Item>(sort, this.read);
    const position = after === undefined ? undefined : decodeCursor(after, sort);
    const { source, filter } = this.plan(query.where);
    const prefix = query.prefix ?? "";
    const accept =
      prefix === "" ? filter : filter === undefined ? (item: Item) => item.key.startsWith(prefix) : (item: Item) => item.key.startsWith(prefix) && filter(item);

    // 1. Count every match; keep the matches while they are few.
    const KEEP = 4096;
    let total = 0;
    let hits: Item[] | undefined = [];
    const viewable = limit !== undefined && this.rows.size >= VIEW_MIN_ROWS && (source === undefined || source.size >= this.viewMinShare * this.rows.size);
    if (viewable && accept === undefined && (source === undefined || source.parts.length === 1)) {
      total = source === undefined ? this.rows.size : source.size;
      hits = undefined;
    } else {
      for (const item of source ?? this.rows.values()) {
        if (accept !== undefined && !accept(item)) continue;
        total++;
        if (hits !== undefined) {
          if (viewable && hits.length >= KEEP) hits = undefined;
          else hits.push(item);
        }
      }
    }

    // 2. The page: from the kept matches (top-k), or by walking a sorted view.
    let page: Item[];
    let more: boolean;
    if (hits !== undefined || limit === undefined) {
      const toPosition = position === undefined ? undefined : compareToPositionReading<Item>(sort, this.read);
      let candidates = hits ?? [];
      if (toPosition !== undefined && position !== undefined) candidates = candidates.filter((item) => toPosition(item, position.values, position.key) > 0);
      if (limit === undefined) {
        page = sortReading(candidates, sort, this.read).slice(offset);
        more = false;
      } else {
        page = topK(candidates, offset + limit, compare, () => true).slice(offset);
        more = candidates.length > offset + limit;
      }
    } else {
      page = [];
      if (limit > 0 && total > offset) {
        let skip = offset;
        const member = source === undefined ? undefined : source.tester();
        this.view(sort, compare).walk(position, (item) => {
          if (member !== undefined && !member(item)) return true;
          if (accept !== undefined && !accept(item)) return true;
          if (skip > 0) {
            skip--;
            return true;
          }
          page.push(item);
          return page.length <= limit;
        });
      }
      more = page.length > limit;
      if (more) page.length = limit;
    }
    const last = page[page.length - 1];
    const cursor = limit !== undefined && more && last !== undefined ? encodeCursor(sort, last) : null;
    return { items: page, total, cursor };
  }
}

/** Intersects exact candidate sets, walking the smallest. */
function intersect(sets: readonly Candidates[]): ItemSet {
  const ordered = [...sets].sort((a, b) => a.size - b.size);
  const smallest = ordered[0] as Candidates;
  const others = ordered.slice(1).map((o) => o.tester());
  const out = new Set<Item>();
  outer: for (const item of smallest) {
    for (const test of others) if (!test(item)) continue outer;
    out.add(item);
  }
  return out;
}
