import { produceWithPatches, enablePatches, type Draft } from "immer";
import type { JsonValue } from "../domain/json.js";
import type { AuditEntry, AuditPatch, Project, Run, Version } from "../domain/records.js";
import type { RegistryContext } from "./context.js";
import type { RegistryEventType } from "./events.js";
import type { UnitOfWork } from "./unit-of-work.js";

enablePatches();

/** What an audit entry is about. */
export type AuditTarget = AuditEntry["target"];

/** The audit targets of the three record types. */
export const auditTarget = {
  version: (version: Pick<Version, "uuid" | "kind" | "project" | "name">): AuditTarget => ({
    type: "version",
    uuid: version.uuid,
    kind: version.kind,
    project: version.project,
    name: version.name,
  }),
  run: (run: Pick<Run, "uuid" | "project" | "name">): AuditTarget => ({
    type: "run",
    uuid: run.uuid,
    project: run.project,
    ...(run.name === null ? {} : { name: run.name }),
  }),
  /** Projects have no uuid: their `owner/name` stands in for it. */
  project: (project: Pick<Project, "fullName" | "name">): AuditTarget => ({
    type: "project",
    uuid: project.fullName,
    project: project.fullName,
    name: project.name,
  }),
};

/** The changes of a creation: one `replace` of the whole record at the root. */
export function creationChanges(record: object): AuditPatch[] {
  return [{ op: "replace", path: [], value: record as unknown as JsonValue }];
}

/** The changes of a deletion: one `remove` at the root. */
export const DELETION_CHANGES: readonly AuditPatch[] = Object.freeze([{ op: "remove", path: [] }]);

/** Immer patches that turn `before` into `after` (top-level fields compared by value). */
export function patchesBetween<T extends object>(before: T, after: T): AuditPatch[] {
  // Fields are compared on the plain records, not through the draft: reading a draft's object field
  // makes a proxy for it, and stringifying through proxies cost most of a stage move. Unchanged fields
  // are usually the same object (records are spread from the one before), so most need no stringify.
  const changed: string[] = [];
  for (const key of Object.keys(after)) {
    const was = (before as Record<string, unknown>)[key];
    const now = (after as Record<string, unknown>)[key];
    if (was !== now && JSON.stringify(was) !== JSON.stringify(now)) changed.push(key);
  }
  if (changed.length === 0) return [];
  const [, patches] = produceWithPatches(before, (draft: Draft<T>) => {
    for (const key of changed) (draft as Record<string, unknown>)[key] = (after as Record<string, unknown>)[key];
  });
  return patches as AuditPatch[];
}

/** Changes of a record written by `unit`: the creation patch, or the patches from `before`. */
export function changesOf<T extends object>(before: T | undefined, after: T): AuditPatch[] {
  return before === undefined ? creationChanges(after) : patchesBetween(before, after);
}

/**
 * Adds an audit entry (and the event emitted for it after the commit) to `unit`: written in the same
 * commit as the change it records. `at` defaults to the clock's now.
 */
export function recordChange(
  context: RegistryContext,
  unit: UnitOfWork,
  change: { type: RegistryEventType; actor: string; target: AuditTarget; changes: readonly AuditPatch[]; at?: string },
  payload: Record<string, unknown>,
): void {
  const { type, actor, target, changes } = change;
  const at = change.at ?? context.clock().toISOString();
  unit.record(type, { id: context.auditIds(), type, at, actor, target, changes }, payload, target.project);
}
