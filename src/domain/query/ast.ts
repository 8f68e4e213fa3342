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
  /** Discriminant: `"and"`. */
  readonly type: "and";
  /** The operands, all of which must match. */
  readonly items: readonly QueryNode[];
}

/** At least one item must match. */
export interface QueryOr {
  /** Discriminant: `"or"`. */
  readonly type: "or";
  /** The operands, at least one of which must match. */
  readonly items: readonly QueryNode[];
}

/** The item must not match. */
export interface QueryNot {
  /** Discriminant: `"not"`. */
  readonly type: "not";
  /** The negated operand. */
  readonly item: QueryNode;
}

/** One `field:value` condition. */
export type QueryTerm =
  | {
      /** Discriminant: `"term"`. */
      readonly type: "term";
      /** The snake_case field name (`created_at`). */
      readonly field: string;
      /** `eq` (exact, case-sensitive; on a list field: contains), `like` (`%` wildcards, anchored, case-insensitive) or a comparison. */
      readonly op: "eq" | "like" | "gt" | "gte" | "lt" | "lte";
      /** The value compared with; a date-only value means that whole UTC day. */
      readonly value: string;
    }
  | {
      /** Discriminant: `"term"`. */
      readonly type: "term";
      /** The snake_case field name. */
      readonly field: string;
      /** `in`: the field equals one of the values (for a list field such as `tags`: overlaps them). */
      readonly op: "in";
      /** The accepted values (`a|b` in the query). */
      readonly value: readonly string[];
    }
  | {
      /** Discriminant: `"term"`. */
      readonly type: "term";
      /** The snake_case field name. */
      readonly field: string;
      /** `range`: from the first value to the second, both included (`a..b` in the query). */
      readonly op: "range";
      /** `[from, to]`; a date-only bound covers its whole UTC day. */
      readonly value: readonly [string, string];
    }
  | {
      /** Discriminant: `"term"`. */
      readonly type: "term";
      /** The snake_case field name. */
      readonly field: string;
      /** `nil`: the field is `null`, missing or an empty array. */
      readonly op: "nil";
      /** Always `null`. */
      readonly value: null;
    };

/** A term's operator. */
export type QueryOp = QueryTerm["op"];

/** One sort key: a snake_case field and a direction. Ties are always broken by the item's key, ascending. */
export interface SortField {
  /** The snake_case field (`created_at`, dots for nested paths, `seq` for commit order); `name` sorts naturally (`v2` before `v10`). */
  readonly field: string;
  /** `"asc"` or `"desc"`. */
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
