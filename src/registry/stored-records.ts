import type { Project, Run, Version } from "../domain/records.js";
import type { StoredItem } from "../store/store.js";
import { deepFreeze } from "../domain/freeze.js";
import { flatBuiltString } from "../domain/flat-string.js";
import { isFrozenJsonCopy } from "../domain/json-copy.js";

/** Record shapes as stored: the public record without its `revision` (which the store keeps). */
export type StoredProject = Omit<Project, "revision">;
export type StoredVersion = Omit<Version, "revision">;
export type StoredRun = Omit<Run, "revision">;

/** The public, frozen record of a stored item: its value plus the item's revision. */
export function fromStored<T>(item: StoredItem<unknown>): T {
  return fromStoredValue<T>(item.value as object, item.revision);
}

/** The public frozen record for a stored value and its (next) revision. */
export function fromStoredValue<T>(value: object, revision: number): T {
  // Stores hand out deep copies or frozen values (the Store contract), so a shallow copy is enough;
  // a value the registry froze itself needs no walk at all.
  const record = { ...(value as Record<string, unknown>), revision };
  return (isFrozenJsonCopy(value) ? Object.freeze(record) : deepFreeze(record)) as T;
}

/**
 * {@link fromStoredValue} for a version record the registry has just built and its unit's put has
 * frozen: the same record, written out field by field (typed `Required<Version>`, so a new field
 * cannot be left out) because a spread of a frozen record cost ~0.6 µs against ~0.1 µs for this.
 * Only for records built as a literal of exactly the stored fields (a creation, an import): a record
 * read back from a store may hold fields an older or newer version of this library wrote.
 */
export function builtVersion(v: StoredVersion, revision: number): Version {
  const record: Required<Version> = {
    uuid: v.uuid,
    name: v.name,
    kind: v.kind,
    project: v.project,
    description: v.description,
    tags: v.tags,
    readme: v.readme,
    content: v.content,
    metadata: v.metadata,
    run: v.run,
    artifacts: v.artifacts,
    stage: v.stage,
    stageConditions: v.stageConditions,
    state: v.state,
    sequence: v.sequence,
    createdBy: v.createdBy,
    contributors: v.contributors,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    revision,
  };
  return Object.freeze(record);
}

/**
 * Project records of frozen items (the memory and fs stores hand out one frozen item per record
 * revision). A project is read on every call; projects are few, so keeping their records is cheap.
 */
const projectRecords = new WeakMap<object, Project>();

/** {@link fromStored} for a project, answering the same record for the same frozen item. */
export function projectFromStored(item: StoredItem<unknown>): Project {
  if (!Object.isFrozen(item)) return fromStored<Project>(item);
  let project = projectRecords.get(item);
  if (project === undefined) projectRecords.set(item, (project = fromStored<Project>(item)));
  return project;
}

/** The value to store for a record: the record without `revision`. */
export function toStored<T extends { readonly revision: number }>(record: T): Omit<T, "revision"> {
  const { revision: _revision, ...rest } = record;
  return rest;
}

/** Store keys of the helper records (DESIGN §5.7-5.11), flat because the store keeps them. */
export const keys = {
  /** Name reservation: unique (project, kind, name). */
  name: (project: string, kind: string, name: string) => flatBuiltString(`${project}/${kind}/${name}`),
  /** Auto-name and creation counter per (project, kind). */
  counter: (project: string, kind: string) => flatBuiltString(`${project}/${kind}`),
  /** Holder of an exclusive stage per (project, kind). */
  holder: (project: string, kind: string, stage: string) => flatBuiltString(`${project}/${kind}/${stage}`),
};

/** The per-(project, kind) counter record. */
export interface Counter {
  /** The next auto-name number. */
  readonly next: number;
  /** How many versions were ever created (or transferred in): the next `sequence`. */
  readonly created: number;
}

