import type { JsonValue, JsonObject } from "./json.js";
import type { StageCondition } from "./stages.js";
import type { TeamRole } from "./access.js";

/** The three kinds of version. The kind of a version never changes. */
export const VERSION_KINDS = Object.freeze(["model", "artifact", "component"] as const);

/** A version's kind. */
export type VersionKind = (typeof VERSION_KINDS)[number];

/** Who may see a project. */
export type Visibility = "public" | "private";

/** Per-project grants: users by id with a role, and teams of the project's owner by name. */
export interface ProjectAccess {
  readonly users: Readonly<Record<string, TeamRole>>;
  readonly teams: readonly string[];
}

/** A project (`owner/name`): holds versions and runs. */
export interface Project {
  /** `owner/name`. */
  readonly fullName: string;
  readonly owner: string;
  readonly name: string;
  readonly description: string | null;
  readonly visibility: Visibility;
  readonly access: ProjectAccess;
  /** Projects whose runs may be promoted into this one; empty means any project of the same owner. */
  readonly allowedSourceProjects: readonly string[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The stored revision: pass it as `ifRevision` to pin an update. */
  readonly revision: number;
}

/** A version: one record type for models, artifacts and components. */
export interface Version<Metadata = JsonObject> {
  /** Stable id: survives rename and transfer. */
  readonly uuid: string;
  readonly name: string;
  readonly kind: VersionKind;
  /** `owner/name` of the project that holds it. */
  readonly project: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly readme: string | null;
  readonly content: JsonValue | null;
  readonly metadata: Metadata;
  /** uuid of the locked run, or `null`. */
  readonly run: string | null;
  /** Names of the run's lineage artifacts this version carries. */
  readonly artifacts: readonly string[];
  readonly stage: string;
  readonly stageConditions: readonly StageCondition[];
  /** Components: `sha256:<hex>` of the canonical content; `null` for other kinds. */
  readonly state: string | null;
  /** Creation order within (project, kind): `latest` is the highest. */
  readonly sequence: number;
  readonly createdBy: string;
  /** The creator, then every other principal who updated, staged or transferred it, each once. */
  readonly contributors: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The stored revision: pass it as `ifRevision` to pin a change. */
  readonly revision: number;
}

/** One lineage artifact recorded on a run. */
export interface RunArtifact {
  readonly name: string;
  /** model, data, file, dir, env, metric, image, tensorboard, dockerfile, docker_image, coderef, artifact, ... */
  readonly kind: string;
  readonly path: string | null;
  readonly summary: JsonObject;
  /** True for inputs the run consumed (a training set), false for outputs it produced. */
  readonly isInput: boolean;
}

/** A run: the job that produced artifacts, which versions lock for lineage. */
export interface Run {
  readonly uuid: string;
  readonly project: string;
  readonly name: string | null;
  readonly description: string | null;
  /** A free string: `running`, `succeeded`, `failed`, ... */
  readonly status: string | null;
  readonly artifacts: readonly RunArtifact[];
  /** uuids of the versions that lock this run. */
  readonly promotedBy: readonly string[];
  /** True while `promotedBy` is not empty. */
  readonly isPromoted: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly revision: number;
}

/** The kinds of record an audit entry can be about. */
export type AuditTargetType = "project" | "version" | "run";

/** One immer patch: how a record changed (replayable history). */
export interface AuditPatch {
  readonly op: "replace" | "remove" | "add";
  readonly path: readonly (string | number)[];
  readonly value?: JsonValue;
}

/** One entry of the audit log, written in the same commit as the change it records. */
export interface AuditEntry {
  readonly id: string;
  /** The commit's store-wide sequence number: the audit order. */
  readonly seq: number;
  /** The event name, e.g. `version.staged`. */
  readonly type: string;
  readonly at: string;
  /** Who made the change (principal id). */
  readonly actor: string;
  readonly target: {
    readonly type: AuditTargetType;
    readonly uuid: string;
    readonly kind?: VersionKind;
    readonly project: string;
    readonly name?: string;
  };
  /**
   * Immer patches relative to the stored record before the change. A creation is one `replace` of the
   * whole record at path `[]`; a deletion one `remove` at path `[]`.
   */
  readonly changes: readonly AuditPatch[];
}

/** A page of a listing. */
export interface Page<T> {
  /** How many items match in all. */
  readonly count: number;
  readonly results: readonly T[];
  /** List options for the next page, or `null` at the end. */
  readonly next: { readonly limit: number; readonly offset: number } | null;
  /** List options for the previous page, or `null` at the start. */
  readonly previous: { readonly limit: number; readonly offset: number } | null;
  /** An opaque cursor for keyset paging to the next page, or `null` at the end. */
  readonly cursor: string | null;
}
