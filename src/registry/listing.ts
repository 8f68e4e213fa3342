import { RegistryError } from "../errors.js";
import { parseQuery, parseSort } from "../domain/query/index.js";
import type { QueryNode, SortField } from "../domain/query/ast.js";
import type { Page } from "../domain/records.js";
import type { StoreQuery } from "../store/store.js";

/** Query fields of versions (DESIGN §2). */
export const VERSION_FIELDS = Object.freeze([
  "name", "description", "uuid", "kind", "stage", "state", "run", "tags", "created_at", "updated_at", "project", "contributors",
]);

/** Sort fields of versions. */
export const VERSION_SORT_FIELDS = Object.freeze([...VERSION_FIELDS.filter((field) => field !== "tags" && field !== "contributors"), "sequence"]);

/** Query and sort fields of runs (DESIGN §5.19). */
export const RUN_FIELDS = Object.freeze(["name", "description", "uuid", "status", "project", "created_at", "updated_at", "is_promoted"]);

/** Query and sort fields of projects. */
export const PROJECT_FIELDS = Object.freeze(["name", "owner", "description", "visibility", "created_at", "updated_at"]);

/** The default page size. */
export const DEFAULT_LIMIT = 20;

/** Parsed list options: the user's query and sort, and the page window. */
export interface ListPlan {
  readonly where: QueryNode | null;
  readonly sort: SortField[];
  readonly limit: number;
  readonly offset: number;
  readonly cursor: string | undefined;
}

/** Parses `{ query, sort, limit, offset, cursor }` against a field list. */
export function planList(
  options: { query?: string | undefined; sort?: string | undefined; limit?: number | undefined; offset?: number | undefined; cursor?: string | undefined },
  fields: readonly string[],
  sortFields: readonly string[],
  defaultSort = "-updated_at",
): ListPlan {
  if (options.offset !== undefined && options.cursor !== undefined) {
    throw new RegistryError("VALIDATION", "Pass either `offset` or `cursor`, not both.", { issues: [{ path: ["cursor"], message: "offset and cursor together" }] });
  }
  return {
    where: options.query === undefined ? null : parseQuery(options.query, { fields }),
    sort: parseSort(options.sort, { fields: sortFields, default: defaultSort }),
    limit: options.limit ?? DEFAULT_LIMIT,
    offset: options.offset ?? 0,
    cursor: options.cursor,
  };
}

/** `and` of the given conditions, dropping absent ones. */
export function allOf(...items: (QueryNode | null | undefined)[]): QueryNode | null {
  const present = items.filter((item): item is QueryNode => item !== null && item !== undefined);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0] ?? null;
  return { type: "and", items: present };
}

/** The store query for a plan and a scope condition. */
export function storeQuery(plan: ListPlan, scope: QueryNode | null): StoreQuery {
  return {
    where: allOf(scope, plan.where),
    sort: plan.sort,
    limit: plan.limit,
    ...(plan.cursor === undefined ? { offset: plan.offset } : { cursor: plan.cursor }),
  };
}

/** Builds the page shape of DESIGN §5.23 from a store answer. */
export function toPage<T>(results: readonly T[], total: number, plan: ListPlan, cursor: string | null | undefined): Page<T> {
  const { limit, offset } = plan;
  const usingCursor = plan.cursor !== undefined;
  const end = offset + results.length;
  return {
    count: total,
    results,
    next: !usingCursor && limit > 0 && end < total ? { limit, offset: end } : null,
    previous: !usingCursor && offset > 0 ? { limit, offset: Math.max(0, offset - limit) } : null,
    cursor: cursor ?? null,
  };
}

/** A page over an in-memory list (already filtered and sorted). */
export function pageOf<T>(all: readonly T[], plan: ListPlan): Page<T> {
  if (plan.cursor !== undefined) {
    throw new RegistryError("VALIDATION", "This listing pages by `offset`; `cursor` is not supported here.", { issues: [{ path: ["cursor"], message: "not supported" }] });
  }
  const results = all.slice(plan.offset, plan.offset + plan.limit);
  return toPage(results, all.length, plan, null);
}
