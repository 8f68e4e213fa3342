/**
 * The query language's abstract syntax tree (DESIGN.md §5.20). `parseQuery()` produces it, the store
 * receives it in `Store.query({ where })`, `matches()` evaluates it in memory and a SQL adapter compiles it.
 *
 * Field names are the query language's snake_case names (`created_at`); they map to camelCase record
 * paths (`createdAt`) with {@link fieldPath}.
 */
export type QueryNode = QueryAnd | QueryOr | QueryNot | QueryTerm;

/** All items must match. */
export interface QueryAnd {
  readonly type: "and";
  readonly items: readonly QueryNode[];
}

/** At least one item must match. */
export interface QueryOr {
  readonly type: "or";
  readonly items: readonly QueryNode[];
}

/** The item must not match. */
export interface QueryNot {
  readonly type: "not";
  readonly item: QueryNode;
}

/** One `field:value` condition. */
export type QueryTerm =
  | { readonly type: "term"; readonly field: string; readonly op: "eq" | "like" | "gt" | "gte" | "lt" | "lte"; readonly value: string }
  | { readonly type: "term"; readonly field: string; readonly op: "in"; readonly value: readonly string[] }
  | { readonly type: "term"; readonly field: string; readonly op: "range"; readonly value: readonly [string, string] }
  | { readonly type: "term"; readonly field: string; readonly op: "nil"; readonly value: null };

/** A term's operator. */
export type QueryOp = QueryTerm["op"];

/** One sort key: a snake_case field and a direction. Ties are always broken by the item's key, ascending. */
export interface SortField {
  readonly field: string;
  readonly direction: "asc" | "desc";
}

/** Maps a query field name to its record path: `created_at` -> `createdAt`, `is_promoted` -> `isPromoted`. */
export function fieldPath(field: string): string {
  return field.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** True for fields compared as UTC dates: `at` and every `*_at` field. */
export function isDateField(field: string): boolean {
  return field === "at" || field.endsWith("_at");
}
