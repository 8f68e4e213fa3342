/**
 * Total orders over stored items for `Store.query({ sort })` (DESIGN.md §5.24, §5.41).
 * @module
 */
import { RegistryError } from "../../errors.js";
import type { SortField } from "./ast.js";
import { codeUnitCompare, fieldGetter, naturalCompare } from "./values.js";

/** What {@link compareBy} compares: a stored item's key, its commit `seq` and its value. */
export interface SortableItem {
  /** The stored item's key: the final tie-breaker. */
  readonly key: string;
  /** The sequence number of the commit that last wrote the item; what the pseudo-field `seq` sorts by. */
  readonly seq?: number;
  /** The record whose fields are compared. */
  readonly value: unknown;
}

/** The order of JSON types in sorts: null/absent < boolean < number < string < array < object. */
export function typeRank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  switch (typeof value) {
    case "boolean":
      return 1;
    case "number":
      return 2;
    case "string":
      return 3;
    default:
      return Array.isArray(value) ? 4 : 5;
  }
}

/**
 * Compares two field values in ascending order: `null`/missing first, then booleans (false < true),
 * numbers (numerically), strings (by code unit, or naturally when `natural`: `v2` < `v10`), arrays
 * (element by element, then shorter first) and objects (by their JSON text).
 */
export function compareValues(a: unknown, b: unknown, natural = false): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 3:
      return natural ? naturalCompare(a as string, b as string) : codeUnitCompare(a as string, b as string);
    case 4: {
      const xa = a as unknown[];
      const xb = b as unknown[];
      const n = Math.min(xa.length, xb.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(xa[i], xb[i], natural);
        if (c !== 0) return c;
      }
      return xa.length - xb.length;
    }
    default:
      return codeUnitCompare(JSON.stringify(a), JSON.stringify(b));
  }
}

/** One compiled sort key. */
interface CompiledField {
  readonly get: (item: SortableItem) => unknown;
  readonly sign: 1 | -1;
  readonly natural: boolean;
}

/**
 * @internal
 * How a sort reads one field from an item: by default the record's field (or the item's `seq`). A store
 * whose items can answer a field without their value (see `ProjectedItem`) passes its own.
 */
export type SortReader = (field: string) => (item: SortableItem) => unknown;

/** @internal The default {@link SortReader}: the item's `seq` for the pseudo-field `seq`, else the record's field. */
export const readValue: SortReader = (field) => {
  if (field === "seq") return (item) => item.seq;
  const getValue = fieldGetter(field);
  return (item) => getValue(item.value);
};

function compileFields(sort: readonly SortField[], read: SortReader = readValue): CompiledField[] {
  if (!Array.isArray(sort)) throw new RegistryError("VALIDATION", "Invalid sort: expected an array of { field, direction }", { sort: String(sort) });
  return sort.map((s: SortField) => {
    if (s === null || typeof s !== "object" || typeof s.field !== "string" || s.field === "" || (s.direction !== "asc" && s.direction !== "desc")) {
      throw new RegistryError("VALIDATION", `Invalid sort field ${JSON.stringify(s)}: expected { field, direction: "asc" | "desc" }`, { sort: JSON.parse(JSON.stringify(sort)) as unknown });
    }
    return { get: read(s.field), sign: s.direction === "desc" ? -1 : 1, natural: s.field === "name" };
  });
}

/**
 * The value an item sorts by for one field: the item's `seq` for the pseudo-field `seq`, else the
 * record's field (snake_case mapped with `fieldPath()`, dots for nesting).
 */
export function sortValue(field: string, item: SortableItem): unknown {
  return field === "seq" ? item.seq : fieldGetter(field)(item.value);
}

/**
 * Returns a comparator for `Array.prototype.sort` that orders items by the sort fields in turn and
 * breaks ties by `key` ascending, so the order is total. `seq` sorts by the item's commit sequence,
 * `name` naturally (`v2` before `v10`), other strings by code unit; `null`/missing values come first
 * ascending (last descending). An empty sort orders by key.
 *
 * @example
 * ```ts
 * items.sort(compareBy([{ field: "created_at", direction: "desc" }, { field: "name", direction: "asc" }]));
 * ```
 * @throws RegistryError `VALIDATION` for a malformed sort.
 */
export function compareBy(sort: readonly SortField[]): (a: SortableItem, b: SortableItem) => number {
  return compareReading(sort, readValue);
}

/** @internal {@link compareBy} reading fields with `read` (the same order, when `read` answers as the value would). */
export function compareReading<T extends SortableItem>(sort: readonly SortField[], read: SortReader): (a: T, b: T) => number {
  const fields = compileFields(sort, read);
  return (a, b) => {
    for (const f of fields) {
      const c = compareValues(f.get(a), f.get(b), f.natural);
      if (c !== 0) return c * f.sign;
    }
    return codeUnitCompare(a.key, b.key);
  };
}

/**
 * @internal
 * `items` in the order of {@link compareReading} (same arguments), as a new array, reading each item's
 * sort values once rather than on every comparison: sorting n items compares ~n log n times.
 */
export function sortReading<T extends SortableItem>(items: T[], sort: readonly SortField[], read: SortReader): T[] {
  const fields = compileFields(sort, read);
  const count = items.length;
  // `values[f][i]`: field f of items[i]; an index array is sorted, then the items follow it.
  const values = fields.map((f) => {
    const column = new Array<unknown>(count);
    for (let i = 0; i < count; i++) column[i] = f.get(items[i] as T);
    return column;
  });
  const order = new Array<number>(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => {
    for (let n = 0; n < fields.length; n++) {
      const column = values[n] as unknown[];
      const f = fields[n] as CompiledField;
      const c = compareValues(column[a], column[b], f.natural);
      if (c !== 0) return c * f.sign;
    }
    return codeUnitCompare((items[a] as T).key, (items[b] as T).key);
  });
  return order.map((i) => items[i] as T);
}

/**
 * Compares an item with a position given as its sort values (in `sort` order) and key, in the order
 * of {@link compareBy}: negative when the item comes before the position. Keyset paging keeps items
 * with a positive answer.
 */
export function compareToPosition(
  sort: readonly SortField[],
): (item: SortableItem, values: readonly unknown[], key: string) => number {
  return compareToPositionReading(sort, readValue);
}

/** @internal {@link compareToPosition} reading fields with `read`. */
export function compareToPositionReading<T extends SortableItem>(
  sort: readonly SortField[],
  read: SortReader,
): (item: T, values: readonly unknown[], key: string) => number {
  const fields = compileFields(sort, read);
  return (item, values, key) => {
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as CompiledField;
      const c = compareValues(f.get(item), values[i], f.natural);
      if (c !== 0) return c * f.sign;
    }
    return codeUnitCompare(item.key, key);
  };
}
