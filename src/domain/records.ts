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
  /** Users granted a role on this project, by principal id; a grant overrides the user's org role (DESIGN §5.15). `{}` when none. */
  readonly users: Readonly<Record<string, TeamRole>>;
  /** Names of teams of the project's owner (`"ml"`, not `"acme/ml"`) whose members get their team role here. `[]` when none. */
  readonly teams: readonly string[];
}

/** A project (`owner/name`): holds versions and runs. */
export interface Project {
  /** `owner/name`. */
  readonly fullName: string;
  /** The owning organization or user: a slug (letters, digits, `-`, `_`, `.`; at most 128 characters). */
  readonly owner: string;
  /** The project's name within its owner: a slug (at most 128 characters). */
  readonly name: string;
  /** Free text, at most `limits.description` characters (default 10,000); `null` when none. */
  readonly description: string | null;
  /** `"public"` (everyone may read) or `"private"` (the default). */
  readonly visibility: Visibility;
  /** Per-project grants to users and teams. */
  readonly access: ProjectAccess;
  /** Projects whose runs may be promoted into this one; empty means any project of the same owner. */
  readonly allowedSourceProjects: readonly string[];
  /** Id of the principal who created the project. */
  readonly createdBy: string;
  /** When the project was created: an ISO-8601 UTC timestamp. */
  readonly createdAt: string;
  /** When the project last changed: an ISO-8601 UTC timestamp. */
  readonly updatedAt: string;
  /** The stored revision: pass it as `ifRevision` to pin an update. */
  readonly revision: number;
}

/** A version: one record type for models, artifacts and components. */
export interface Version<Metadata = JsonObject> {
  /** Stable id: survives rename and transfer. */
  readonly uuid: string;
  /** The version's name: a slug of at most 128 characters, never `latest`; unique (case-sensitive) per project and kind. */
  readonly name: string;
  /** `model`, `artifact` or `component`; it never changes. */
  readonly kind: VersionKind;
  /** `owner/name` of the project that holds it. */
  readonly project: string;
  /** Free text, at most `limits.description` characters (default 10,000); `null` when none. */
  readonly description: string | null;
  /** Tags, each 1 to 64 characters, duplicates dropped, at most `limits.tags` (default 100); `[]` when none. */
  readonly tags: readonly string[];
  /** Markdown or text, at most `limits.readme` characters (default 1,000,000); `null` when none. */
  readonly readme: string | null;
  /** Any JSON value, at most `limits.content` bytes of JSON (default 1 MB); required for components, `null` when none. */
  readonly content: JsonValue | null;
  /** User data as a JSON object, at most `limits.metadata` bytes (default 1 MB), validated by the kind's schema when `createRegistry({ metadata })` gives one; `{}` when none. */
  readonly metadata: Metadata;
  /** uuid of the locked run, or `null`. */
  readonly run: string | null;
  /** Names of the run's lineage artifacts this version carries. */
  readonly artifacts: readonly string[];
  /** The current stage (with the default machine: `testing`, `staging`, `production` or `disabled`). */
  readonly stage: string;
  /** The stage history, oldest first: one condition at creation, then one per stage change. */
  readonly stageConditions: readonly StageCondition[];
  /** Components: `sha256:<hex>` of the canonical content; `null` for other kinds. */
  readonly state: string | null;
  /** Creation order within (project, kind): `latest` is the highest. */
  readonly sequence: number;
  /** Id of the principal who registered the version. */
  readonly createdBy: string;
  /** The creator, then every other principal who updated, staged or transferred it, each once. */
  readonly contributors: readonly string[];
  /** When the version was registered: an ISO-8601 UTC timestamp. */
  readonly createdAt: string;
  /** When the version last changed: an ISO-8601 UTC timestamp. */
  readonly updatedAt: string;
  /** The stored revision: pass it as `ifRevision` to pin a change. */
  readonly revision: number;
}

/** One lineage artifact recorded on a run. */
export interface RunArtifact {
  /** The artifact's name, unique within the run (1 to 256 characters); versions refer to it by this name. */
  readonly name: string;
  /** model, data, file, dir, env, metric, image, tensorboard, dockerfile, docker_image, coderef, artifact, ... */
  readonly kind: string;
  /** Where the artifact lives (a file path or URL, at most 4,096 characters), or `null`. */
  readonly path: string | null;
  /** Free JSON about the artifact (size, metrics, ...); `{}` when none. */
  readonly summary: JsonObject;
  /** True for inputs the run consumed (a training set), false for outputs it produced. */
  readonly isInput: boolean;
}

/** A run: the job that produced artifacts, which versions lock for lineage. */
export interface Run {
  /** Stable id of the run. */
  readonly uuid: string;
  /** `owner/name` of the project that holds the run. */
  readonly project: string;
  /** The run's name (a slug), or `null`. */
  readonly name: string | null;
  /** Free text, at most `limits.description` characters (default 10,000); `null` when none. */
  readonly description: string | null;
  /** A free string: `running`, `succeeded`, `failed`, ... */
  readonly status: string | null;
  /** The run's lineage artifacts (inputs and outputs), at most `limits.artifacts` (default 1,000). */
  readonly artifacts: readonly RunArtifact[];
  /** uuids of the versions that lock this run. */
  readonly promotedBy: readonly string[];
  /** True while `promotedBy` is not empty. */
  readonly isPromoted: boolean;
  /** Id of the principal who created the run. */
  readonly createdBy: string;
  /** When the run was created: an ISO-8601 UTC timestamp. */
  readonly createdAt: string;
  /** When the run last changed: an ISO-8601 UTC timestamp. */
  readonly updatedAt: string;
  /** The stored revision: pass it as `ifRevision` to pin a change. */
  readonly revision: number;
}

/** The kinds of record an audit entry can be about. */
export type AuditTargetType = "project" | "version" | "run";

/** One immer patch: how a record changed (replayable history). */
export interface AuditPatch {
  /** What the patch does at `path`. */
  readonly op: "replace" | "remove" | "add";
  /** Property names and array indexes from the record's root; `[]` is the whole record. */
  readonly path: readonly (string | number)[];
  /** The new value for `replace` and `add`; absent for `remove`. */
  readonly value?: JsonValue;
}

/** One entry of the audit log, written in the same commit as the change it records. */
export interface AuditEntry {
  /** Unique id of the entry. */
  readonly id: string;
  /** The commit's store-wide sequence number: the audit order. */
  readonly seq: number;
  /** The event name, e.g. `version.staged`. */
  readonly type: string;
  /** When the change was made: an ISO-8601 UTC timestamp from the registry's clock. */
  readonly at: string;
  /** Who made the change (principal id). */
  readonly actor: string;
  /** The record the change is about. */
  readonly target: {
    /** Whether the target is a project, a version or a run. */
    readonly type: AuditTargetType;
    /** The target's uuid (for a project, its `owner/name`). */
    readonly uuid: string;
    /** The version's kind; only for versions. */
    readonly kind?: VersionKind;
    /** `owner/name` of the target's project (for a project, itself). */
    readonly project: string;
    /** The target's name when it has one (a version's name, a named run's name, a project's name). */
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
  /** The items of this page, at most the `limit` asked for. */
  readonly results: readonly T[];
  /** List options for the next page, or `null` at the end (and when paging by cursor). */
  readonly next: {
    /** The page size: the `limit` asked for. */
    readonly limit: number;
    /** The next page's first item, counted from 0. */
    readonly offset: number;
  } | null;
  /** List options for the previous page, or `null` at the start (and when paging by cursor). */
  readonly previous: {
    /** The page size: the `limit` asked for. */
    readonly limit: number;
    /** The previous page's first item, counted from 0. */
    readonly offset: number;
  } | null;
  /** An opaque cursor for keyset paging to the next page, or `null` at the end. */
  readonly cursor: string | null;
}
