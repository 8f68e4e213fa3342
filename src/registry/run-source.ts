import type { QueryNode, SortField } from "../domain/query/ast.js";
import type { Run, RunArtifact } from "../domain/records.js";

/** What {@link RunSource.list} is asked for. */
export interface RunListRequest {
  readonly where: QueryNode | null;
  readonly sort: readonly SortField[];
  readonly limit: number;
  readonly offset?: number;
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
  list(project: string, request: RunListRequest): Promise<{ items: readonly Run[]; total: number; cursor?: string | null }>;
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
