import { RegistryError } from "../errors.js";
import { SYSTEM } from "../domain/access.js";
import { parseInput } from "../domain/schemas.js";
import type { QueryNode } from "../domain/query/ast.js";
import type { AuditEntry, AuditTargetType, Page, Project } from "../domain/records.js";
import type { StoredItem } from "../store/store.js";
import type { RegistryContext } from "./context.js";
import type { AccessGuard } from "./guard.js";
import { directReader } from "./unit-of-work.js";
import { fromStored, projectFromStored, type StoredProject } from "./stored-records.js";
import { readableProjects } from "./projects.js";
import { allOf, toPage, type ListPlan } from "./listing.js";
import { deepFreeze } from "../domain/freeze.js";

/** Options of `audit.list()`. */
export interface AuditListOptions {
  /** Only entries of this project (`owner/name`). */
  project?: string;
  /** Only entries of this type, e.g. `version.staged`. */
  type?: string;
  /** Only entries at or after this time (ISO string or Date). */
  since?: string | Date;
  /** Page size, 0..1000 (default 20). */
  limit?: number;
  /** Entries to skip, from 0 (default 0). Not with `cursor`. */
  offset?: number;
  /** An opaque cursor from a previous page's `cursor` (keyset paging). Not with `offset`. */
  cursor?: string;
}

/** The public audit entry of a stored item: drops the helper fields, adds the commit's `seq`. */
export function toAuditEntry(item: StoredItem<unknown>): AuditEntry {
  const { project: _project, targetUuid: _target, ...entry } = structuredClone(item.value) as Record<string, unknown>;
  return deepFreeze({ ...entry, seq: item.seq }) as unknown as AuditEntry;
}

/** Every audit entry of one target (a version or run uuid), oldest first. */
export async function auditHistory(context: RegistryContext, _type: AuditTargetType, uuid: string): Promise<AuditEntry[]> {
  const result = await directReader(context.store).query("audit", {
    where: { type: "term", field: "target_uuid", op: "eq", value: uuid },
    sort: [{ field: "seq", direction: "asc" }],
  });
  // Sorted here too: a store that ignores the `seq` pseudo-field must not scramble a history.
  return result.items.map(toAuditEntry).sort((a, b) => a.seq - b.seq);
}

/** The audit API of a session: `session.audit`. Besides the codes listed, `list` rejects with `STORAGE` when the store fails. */
export class AuditApi {
  readonly #context: RegistryContext;
  readonly #guard: AccessGuard;

  /** @internal */
  constructor(context: RegistryContext, guard: AccessGuard) {
    this.#context = context;
    this.#guard = guard;
  }

  /**
   * Lists audit entries, oldest first, of one project or of every project the principal may audit.
   * @throws RegistryError `VALIDATION` (bad options; `since` not a date; `offset` with `cursor`), `NOT_FOUND` (project).
   * @example
   * ```ts
   * const page = await session.audit.list({ project: "acme/churn", type: "version.staged", limit: 50 });
   * ```
   */
  async list(options: AuditListOptions = {}): Promise<Page<AuditEntry>> {
    const parsed = parseInput(this.#context.schemas.auditList, options, "audit options");
    if (parsed.offset !== undefined && parsed.cursor !== undefined) {
      throw new RegistryError("VALIDATION", "Pass either `offset` or `cursor`, not both.", { issues: [{ path: ["cursor"], message: "offset and cursor together" }] });
    }
    let since: string | undefined;
    if (parsed.since !== undefined) {
      const date = parsed.since instanceof Date ? parsed.since : new Date(parsed.since);
      if (Number.isNaN(date.getTime())) {
        throw new RegistryError("VALIDATION", `Invalid \`since\`: ${String(parsed.since)} is not a date.`, { issues: [{ path: ["since"], message: "not a date" }] });
      }
      since = date.toISOString();
    }
    await this.#context.refresh();
    const reader = directReader(this.#context.store);
    let scope: QueryNode | null = null;
    if (parsed.project !== undefined) {
      const item = await reader.get<StoredProject>("projects", parsed.project);
      const project = item === undefined ? undefined : projectFromStored(item);
      this.#guard.assertReadable(project, parsed.project, "audit.read");
      scope = { type: "term", field: "project", op: "eq", value: project.fullName };
    } else if (this.#guard.principal !== SYSTEM) {
      const projects = await readableProjects(this.#guard, reader, undefined, "audit.read");
      scope = { type: "term", field: "project", op: "in", value: projects.map((project) => project.fullName) };
      if (projects.length === 0) scope = { type: "term", field: "project", op: "in", value: [""] };
    }
    const where = allOf(
      scope,
      parsed.type === undefined ? null : { type: "term", field: "type", op: "eq", value: parsed.type },
      since === undefined ? null : { type: "term", field: "at", op: "gte", value: since },
    );
    const plan: ListPlan = { where, sort: [{ field: "seq", direction: "asc" }], limit: parsed.limit ?? 20, offset: parsed.offset ?? 0, cursor: parsed.cursor };
    const result = await reader.query("audit", {
      where,
      sort: plan.sort,
      limit: plan.limit,
      ...(plan.cursor === undefined ? { offset: plan.offset } : { cursor: plan.cursor }),
    });
    return toPage(result.items.map(toAuditEntry), result.total, plan, result.cursor);
  }
}
