/**
 * One collection of the memory store: the records plus secondary equality indexes, and the query
 * engine (index planning, residual filtering, bounded top-k selection, keyset cursors).
 * @module
 */
import { RegistryError } from "../errors.js";
import type { QueryNode, SortField } from "../domain/query/ast.js";
import { isDateField } from "../domain/query/ast.js";
import { compileQuery, type QueryPredicate } from "../domain/query/match.js";
import { compareBy, compareToPosition } from "../domain/query/sort.js";
import { decodeCursor, encodeCursor } from "../domain/query/cursor.js";
import { fieldGetter, scalarString } from "../domain/query/values.js";
import type { StoredItem, StoreQuery, StoreQueryResult } from "./store.js";

type Item = StoredItem;
const EMPTY: ReadonlySet<Item> = new Set();

/** The fields the memory store indexes by default (equality and membership, array elements included). */
export const DEFAULT_INDEXED_FIELDS: readonly string[] = Object.freeze(["project", "kind", "stage", "status", "tags"]);

/** A candidate set answered exactly by indexes: a union of index buckets. */
class Candidates {
  constructor(readonly parts: readonly ReadonlySet<Item>[]) {}
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
  *[Symbol.iterator](): IterableIterator<Item> {
    if (this.parts.length === 1) {
      yield* this.parts[0] as ReadonlySet<Item>;
      return;
    }
    const seen = new Set<Item>();
    for (const p of this.parts) {
      for (const item of p) {
        if (seen.has(item)) continue;
        seen.add(item);
        yield item;
      }
    }
  }
  toSet(): ReadonlySet<Item> {
    return this.parts.length === 1 ? (this.parts[0] as ReadonlySet<Item>) : new Set(this);
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

function checkCount(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RegistryError("VALIDATION", `Invalid query: ${name} must be a non-negative integer`, { [name]: String(value) });
  }
  return value;
}

/**
 * The records of one collection with secondary equality indexes. Items are the frozen
 * {@link StoredItem}s handed out to callers.
 */
export class MemoryTable {
  /** Records by key. */
  readonly rows = new Map<string, Item>();
  private readonly indexes = new Map<string, { get: (value: unknown) => unknown; buckets: Map<string, Set<Item>> }>();

  constructor(indexedFields: readonly string[] = DEFAULT_INDEXED_FIELDS) {
    for (const field of indexedFields) {
      if (isDateField(field)) continue; // dates match by span, not by string equality
      this.indexes.set(field, { get: fieldGetter(field), buckets: new Map() });
    }
  }

  /** Number of records. */
  get size(): number {
    return this.rows.size;
  }

  /** Replaces (or adds) the record `item.key`. */
  put(item: Item): void {
    const old = this.rows.get(item.key);
    if (old !== undefined) this.unindex(old);
    this.rows.set(item.key, item);
    this.index(item);
  }

  /** Removes the record `key` if present. */
  delete(key: string): void {
    const old = this.rows.get(key);
    if (old === undefined) return;
    this.unindex(old);
    this.rows.delete(key);
  }

  private static indexKeys(x: unknown): string[] {
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

  private index(item: Item): void {
    for (const { get, buckets } of this.indexes.values()) {
      for (const k of MemoryTable.indexKeys(get(item.value))) {
        let bucket = buckets.get(k);
        if (bucket === undefined) buckets.set(k, (bucket = new Set()));
        bucket.add(item);
      }
    }
  }

  private unindex(item: Item): void {
    for (const { get, buckets } of this.indexes.values()) {
      for (const k of MemoryTable.indexKeys(get(item.value))) {
        const bucket = buckets.get(k);
        if (bucket === undefined) continue;
        bucket.delete(item);
        if (bucket.size === 0) buckets.delete(k);
      }
    }
  }

  /** The exact candidate set of a node answerable from indexes alone, else `undefined`. */
  private lookup(node: QueryNode): Candidates | undefined {
    switch (node.type) {
      case "term": {
        const index = this.indexes.get(node.field);
        if (index === undefined) return undefined;
        if (node.op === "eq" && typeof node.value === "string") return new Candidates([index.buckets.get(node.value) ?? EMPTY]);
        if (node.op === "in" && Array.isArray(node.value) && node.value.every((v) => typeof v === "string")) {
          const parts: ReadonlySet<Item>[] = [];
          for (const v of new Set(node.value)) {
            const bucket = index.buckets.get(v);
            if (bucket !== undefined) parts.push(bucket);
          }
          return new Candidates(parts.length === 0 ? [EMPTY] : parts);
        }
        return undefined;
      }
      case "or": {
        if (!Array.isArray(node.items) || node.items.length === 0) return undefined;
        const parts: ReadonlySet<Item>[] = [];
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
        return new Candidates([intersect(found)]);
      }
      default:
        return undefined;
    }
  }

  /** Plans `where`: index candidates (or all rows) plus the residual predicate still to apply. */
  private plan(where: QueryNode | null | undefined): { source: Iterable<Item>; residual: QueryPredicate | undefined } {
    if (where === null || where === undefined) return { source: this.rows.values(), residual: undefined };
    const conjuncts: QueryNode[] = [];
    const flatten = (node: QueryNode): void => {
      if (node !== null && typeof node === "object" && node.type === "and" && Array.isArray(node.items)) node.items.forEach(flatten);
      else conjuncts.push(node);
    };
    flatten(where);
    const indexed: Candidates[] = [];
    const rest: QueryNode[] = [];
    for (const node of conjuncts) {
      const c = node !== null && typeof node === "object" ? this.lookup(node) : undefined;
      if (c === undefined) rest.push(node);
      else indexed.push(c);
    }
    const residual = rest.length === 0 ? undefined : compileQuery(rest.length === 1 ? rest[0] : { type: "and", items: rest });
    // Compile the whole query too, so a malformed AST is refused even where indexes answered it.
    compileQuery(where);
    if (indexed.length === 0) return { source: this.rows.values(), residual };
    if (indexed.length === 1) return { source: indexed[0] as Candidates, residual };
    return { source: intersect(indexed), residual };
  }

  /** Answers a {@link StoreQuery} (see the Store port for the contract). */
  query(query: StoreQuery = {}): StoreQueryResult {
    const limit = checkCount("limit", query.limit);
    const offset = checkCount("offset", query.offset) ?? 0;
    if (query.cursor !== undefined && query.cursor !== null && query.offset !== undefined) {
      throw new RegistryError("VALIDATION", "Invalid query: offset and cursor cannot be used together", {});
    }
    if (query.prefix !== undefined && typeof query.prefix !== "string") {
      throw new RegistryError("VALIDATION", "Invalid query: prefix must be a string", {});
    }
    const sort = query.sort ?? [];
    const compare = compareBy(sort);
    const { source, residual } = this.plan(query.where);
    const prefix = query.prefix ?? "";
    const position = query.cursor !== undefined && query.cursor !== null ? decodeCursor(query.cursor, sort) : undefined;
    const toPosition = position === undefined ? undefined : compareToPosition(sort);

    let total = 0;
    let after = 0;
    const accept = (item: Item): boolean => {
      if (prefix !== "" && !item.key.startsWith(prefix)) return false;
      if (residual !== undefined && !residual(item.value)) return false;
      total++;
      if (toPosition !== undefined && toPosition(item, (position as { values: readonly unknown[] }).values, (position as { key: string }).key) <= 0) return false;
      after++;
      return true;
    };

    let page: Item[];
    if (limit === undefined) {
      const all: Item[] = [];
      for (const item of source) if (accept(item)) all.push(item);
      page = all.sort(compare).slice(offset);
    } else {
      page = topK(source, offset + limit, compare, accept).slice(offset);
    }
    const more = limit !== undefined && after > offset + limit;
    const last = page[page.length - 1];
    const cursor = more && last !== undefined ? encodeCursor(sort, last) : null;
    return { items: page, total, cursor };
  }
}

/** Intersects exact candidate sets, walking the smallest. */
function intersect(sets: readonly Candidates[]): ReadonlySet<Item> {
  const ordered = [...sets].sort((a, b) => a.size - b.size);
  const smallest = ordered[0] as Candidates;
  const others = ordered.slice(1);
  const out = new Set<Item>();
  outer: for (const item of smallest) {
    for (const o of others) if (!o.has(item)) continue outer;
    out.add(item);
  }
  return out;
}
