/**
 * Counting a project's versions of one kind without reading them (migration 4). A list's `total` of
 * `project:X, kind:Y` (every unfiltered `models.list(project)`) was counted from the `eq_keys` GIN
 * index, which cannot answer a count alone: PostgreSQL read every matching heap page (~100 ms for
 * 100,000 versions). Two generated columns hold `project` and `kind` when they are strings (of at most
 * {@link KEY_COLUMN_BYTES} bytes), so a btree index over `(collection, project_key, kind_key)` counts
 * those rows by an index-only scan; the rows whose `project` or `kind` is something else (an array, a
 * number, a long string) are few, kept in a partial index, and counted through `eq_keys` as before.
 * @module
 */
import type { QueryNode } from "../../domain/query/ast.js";
import type { CompileContext } from "./compile.js";
import { compileWhere, conjuncts } from "./compile.js";

/** The longest `project` / `kind` a key column holds (bytes in the server's encoding): two of them fit a btree entry (2,704 bytes). */
export const KEY_COLUMN_BYTES = 1000;

/**
 * Rows an index-only count of `(collection, project_key, kind_key)` misses although an `eq` term on
 * `project` or `kind` may match them: the field is there but its key column is NULL. The predicate of
 * the partial index `av_items_scope_odd`; a query must repeat it word for word to use that index.
 */
export const SCOPE_ODD_ROWS = "((value ? 'project' AND project_key IS NULL) OR (value ? 'kind' AND kind_key IS NULL))";

/**
 * A query value a key column can be compared with: no NUL and no lone surrogate (jsonb holds either as
 * U+FFFD, so the stored text is no longer the record's) and no U+FFFD. A record whose string jsonb
 * altered keeps a key with U+FFFD in it, which no compared value can equal; such values are counted
 * through `eq_keys`, which keep every string apart.
 */
const NOT_COMPARABLE = /[\u0000\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The values of `where` when it is exactly `project:X, kind:Y` (in any order and nesting of `and`), both comparable strings. */
function scopeOf(where: QueryNode | null | undefined): { project: string; kind: string } | undefined {
  if (where === null || where === undefined) return undefined;
  const values: Record<string, string> = {};
  for (const term of conjuncts(where)) {
    if (term.type !== "term" || term.op !== "eq" || (term.field !== "project" && term.field !== "kind")) return undefined;
    if (typeof term.value !== "string" || NOT_COMPARABLE.test(term.value) || values[term.field] !== undefined) return undefined;
    values[term.field] = term.value;
  }
  const { project, kind } = values;
  return project === undefined || kind === undefined ? undefined : { project, kind };
}

/**
 * SQL for the number of rows of `ctx.collection` matching `where`, as an index-only count plus the
 * odd rows, when `where` is exactly a project and kind scope (without a `prefix`); else `undefined`
 * (count the usual way). The two parts are disjoint: a row in the first has both fields as key strings.
 */
export function scopeCount(where: QueryNode | null | undefined, prefix: string | undefined, ctx: CompileContext): string | undefined {
  const scope = prefix === undefined || prefix === "" ? scopeOf(where) : undefined;
  if (scope === undefined) return undefined;
  const { schema: q, params } = ctx;
  const collection = params.add(ctx.collection, "text");
  const plain =
    `SELECT count(*) FROM ${q}.av_items WHERE collection = ${collection} ` +
    `AND project_key = ${params.add(scope.project, "text")} AND kind_key = ${params.add(scope.kind, "text")}`;
  // Fenced (OFFSET 0): without it the planner intersects the whole `eq_keys` posting lists first.
  const odd = `SELECT count(*) FROM (SELECT eq_keys FROM ${q}.av_items WHERE collection = ${collection} AND ${SCOPE_ODD_ROWS} OFFSET 0) o WHERE ${compileWhere(where, ctx)}`;
  return `(${plain}) + (${odd})`;
}
