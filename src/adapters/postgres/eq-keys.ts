/**
 * Equality keys: the maintained `av_items.eq_keys text[]` column (migration 2). For each of a few
 * fields every collection is commonly filtered on, a record carries one key per value an `eq` term
 * on that field matches, so `field:value` and `field:a|b` compile to `eq_keys @> ARRAY[...]` /
 * `eq_keys && ARRAY[...]`, served exactly (no recheck) by a GIN index. The keys are computed here, in
 * JavaScript, with the memory store's own rule (`scalarString()`), so the answers are identical.
 * @module
 */
import { fieldGetter, scalarString } from "../../domain/query/values.js";

/** Query fields with equality keys (the memory store's default equality indexes). Never date fields. */
export const KEYED_FIELDS: ReadonlySet<string> = new Set(["project", "kind", "stage", "status", "tags"]);

/**
 * Makes a string storable in PostgreSQL `text` (no NUL, no lone surrogates) without ever mapping two
 * strings to one: `\`, NUL and lone surrogates become `\` + four hex digits.
 */
function storable(s: string): string {
  return s.replace(/[\\\u0000]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The key an `eq` term `field:value` looks up in `collection` (collections and keyed fields contain no `:`). */
export function eqKey(collection: string, field: string, value: string): string {
  return `${collection}:${field}:${storable(value)}`;
}

/**
 * Every key of a record: for each keyed field, the `scalarString()` of its value, or of each element
 * of an array value (what `matches()` compares an `eq` term with). Sorted and distinct.
 */
export function eqKeysOf(collection: string, record: unknown): string[] {
  const keys = new Set<string>();
  for (const field of KEYED_FIELDS) {
    const x = fieldGetter(field)(record);
    if (Array.isArray(x)) {
      for (const element of x) {
        const s = scalarString(element);
        if (s !== undefined) keys.add(eqKey(collection, field, s));
      }
    } else {
      const s = scalarString(x);
      if (s !== undefined) keys.add(eqKey(collection, field, s));
    }
  }
  return [...keys].sort();
}
