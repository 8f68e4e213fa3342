/**
 * Builders for query ASTs in normal form, for code that composes queries (the registry adds
 * `project` and `kind` terms to a user's query).
 * @module
 */
import type { QueryNode, QueryTerm, SortField } from "./ast.js";

/**
 * Combines queries with AND in normal form: `null`/`undefined` items are skipped, nested ANDs are
 * flattened, one item is returned as it is, none gives `null` (match everything).
 *
 * @example
 * ```ts
 * andQuery(termQuery("project", "eq", "acme/churn"), termQuery("kind", "eq", "model"), parseQuery(userText))
 * ```
 */
export function andQuery(...nodes: readonly (QueryNode | null | undefined)[]): QueryNode | null {
  return combine("and", nodes);
}

/**
 * Combines queries with OR in normal form: `null`/`undefined` items are skipped, nested ORs are
 * flattened, one item is returned as it is, none gives `null`. (Note that `null` means "match
 * everything" elsewhere: an OR with a `null` item is not made "match everything" here; do that yourself.)
 */
export function orQuery(...nodes: readonly (QueryNode | null | undefined)[]): QueryNode | null {
  return combine("or", nodes);
}

function combine(type: "and" | "or", nodes: readonly (QueryNode | null | undefined)[]): QueryNode | null {
  const items: QueryNode[] = [];
  for (const node of nodes) {
    if (node === null || node === undefined) continue;
    if (node.type === type) items.push(...node.items);
    else items.push(node);
  }
  if (items.length === 0) return null;
  if (items.length === 1) return items[0] as QueryNode;
  return { type, items };
}

/** Negates a query: `{ type: "not", item }`. */
export function notQuery(item: QueryNode): QueryNode {
  return { type: "not", item };
}

/**
 * Builds one term. `in` takes an array of strings, `range` a `[from, to]` pair, `nil` no value,
 * every other operator a string.
 *
 * @example
 * ```ts
 * termQuery("stage", "in", ["staging", "production"])
 * termQuery("created_at", "range", ["2026-01-01", "2026-01-31"])
 * ```
 */
export function termQuery(field: string, op: "eq" | "like" | "gt" | "gte" | "lt" | "lte", value: string): QueryTerm;
export function termQuery(field: string, op: "in", value: readonly string[]): QueryTerm;
export function termQuery(field: string, op: "range", value: readonly [string, string]): QueryTerm;
export function termQuery(field: string, op: "nil"): QueryTerm;
export function termQuery(field: string, op: QueryTerm["op"], value?: unknown): QueryTerm {
  return { type: "term", field, op, value: op === "nil" ? null : value } as QueryTerm;
}

/**
 * Brings an AST into the normal form that `parseQuery()` produces (and that
 * `parseQuery(printQuery(ast))` reproduces): ANDs directly inside ANDs and ORs directly inside ORs are
 * flattened, and single-item ANDs/ORs are replaced by their item. Empty ANDs/ORs are kept (they have no
 * text form). Returns a new tree; the input is not changed.
 */
export function normalizeQuery(node: QueryNode | null | undefined): QueryNode | null {
  if (node === null || node === undefined) return null;
  switch (node.type) {
    case "and":
    case "or": {
      const items: QueryNode[] = [];
      for (const child of node.items) {
        const n = normalizeQuery(child) as QueryNode;
        if (n.type === node.type) items.push(...n.items);
        else items.push(n);
      }
      if (items.length === 1) return items[0] as QueryNode;
      return { type: node.type, items };
    }
    case "not":
      return { type: "not", item: normalizeQuery(node.item) as QueryNode };
    default:
      return node;
  }
}

/** The default sort of lists: most recently updated first. */
export const DEFAULT_SORT: readonly SortField[] = Object.freeze([Object.freeze({ field: "updated_at", direction: "desc" as const })]);
