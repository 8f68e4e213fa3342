import type { QueryNode, SortField } from "../domain/query/ast.js";
import type { Run, RunArtifact } from "../domain/records.js";

/** What {@link RunSource.list} is asked for. */
export interface RunListRequest {
  /** The caller's query as an AST over snake_case run fields, or `null` for every run of the project. */
  readonly where: QueryNode | null;
  /** Sort keys, most significant first; `-updated_at` (updated_at descending) when the caller gave none. */
  readonly sort: readonly SortField[];
  /** Page size, 0 to 1000 (default 20); 0 asks for the count only. */
  readonly limit: number;
  /** Runs to skip, from 0; absent when the caller pages by `cursor`. */
  readonly offset?: number;
  /** The opaque cursor your `list` returned for the previous page; absent when paging by `offset`. */
  readonly cursor?: string;
}

/**
 * The run port: lets an app serve runs from its own tracking system with `createRegistry({ runs })`.
 * Without it, runs live in the store and promotion flags change in the same commit as the version.
 *
 * Consistency with an external source is weaker: the source is told of promotion changes
 * (`recordPromotion`) only after the registry's commit, retried a few times; if it still fails, the
 * registry warns and `registry.reconcileRuns()` brings every run's `promotedBy` back in line.
 * The optional write methods make the runs API writable; without them those calls answer `VALIDATION`.
 */
export interface RunSource {
  /** The run with its artifacts and `promotedBy`, or `undefined` when there is none. */
  get(uuid: string): Promise<Run | undefined>;
  /** A page of a project's runs for a query-language AST (snake_case fields of runs). */
  list(
    project: string,
    request: RunListRequest,
  ): Promise<{
    /** The runs of the page, in the requested order. */
    items: readonly Run[];
    /** How many runs match in all, ignoring `limit`, `offset` and `cursor`. */
    total: number;
    /** An opaque cursor for the next page, or `null` / absent at the end or when cursors are not supported. */
    cursor?: string | null;
  }>;
  /** Records the exact set of version uuids that lock the run (idempotent). */
  recordPromotion(uuid: string, promotedBy: readonly string[]): Promise<void>;
  /** Optional: store a new run. */
  create?(run: Run): Promise<void>;
  /** Optional: store a changed run (name, description, status). */
  update?(run: Run): Promise<void>;
  /** Optional: replace the run's artifacts with this list (the registry has already merged by name). */
  logArtifacts?(uuid: string, artifacts: readonly RunArtifact[]): Promise<void>;
  /** Optional: delete a run. */
  delete?(uuid: string): Promise<void>;
}
