import { RegistryError } from "../errors.js";
import type { JsonObject, JsonValue } from "../domain/json.js";
import { frozenJsonCopy, isFrozenJsonCopy } from "../domain/json-copy.js";
import { LATEST, parseListScope, parseVersionRef } from "../domain/names.js";
import { assertLineage } from "../domain/lineage.js";
import { contentState } from "../domain/content-hash.js";
import { parseInput } from "../domain/schemas.js";
import { fastRegisterInput } from "../domain/register-input.js";
import type { AuditEntry, Page, Project, Run, RunArtifact, Version, VersionKind } from "../domain/records.js";
import type { StageCondition } from "../domain/stages.js";
import type { QueryNode } from "../domain/query/ast.js";
import type { RegistryContext } from "./context.js";
import type { AccessGuard } from "./guard.js";
import type { RegistryEventType } from "./events.js";
import { directReader, type Reader, type UnitOfWork } from "./unit-of-work.js";
import { auditTarget, changesOf, DELETION_CHANGES, recordChange } from "./audit-trail.js";
import { builtVersion, fromStored, fromStoredValue, projectFromStored, keys, toStored, type Counter, type StoredProject, type StoredVersion } from "./stored-records.js";
import { loadRun, relinkRun } from "./run-links.js";
import { VERSION_FIELDS, VERSION_SORT_FIELDS, planList, storeQuery, toPage } from "./listing.js";
import { readableProjects } from "./projects.js";
import { auditHistory } from "./audit.js";

/** Input of `register()`. `name` omitted: the next free `v<N>`. */
export interface RegisterInput<Metadata = JsonObject> {
  /** `owner/name` of the project. */
  project: string;
  /** The version's name: a slug of at most 128 characters, not `latest`. Default: the next free `v<N>` of the project and kind. */
  name?: string;
  /** Free text, at most `limits.description` characters (default 10,000). Default `null`. */
  description?: string | null;
  /** Tags, each 1 to 64 characters, at most `limits.tags` (default 100); duplicates are dropped. Default `[]`. */
  tags?: string[];
  /** Markdown or text, at most `limits.readme` characters (default 1,000,000). Default `null`. */
  readme?: string | null;
  /** Any JSON value, at most `limits.content` bytes of JSON (default 1 MB). Required for components (their `state` is its hash); default `null`. */
  content?: JsonValue;
  /** A JSON object, at most `limits.metadata` bytes (default 1 MB), checked by the kind's schema from `createRegistry({ metadata })` if any. Default `{}`. */
  metadata?: Metadata;
  /** uuid of the run to lock (lineage). */
  run?: string | null;
  /** Names of the run's artifacts this version carries. */
  artifacts?: string[];
  /** Re-register an existing name: update only the fields given. */
  force?: boolean;
}

/** Fields `update()` may change; absent fields stay as they are. */
export interface UpdateInput<Metadata = JsonObject> {
  /** A new name (rename): a slug of at most 128 characters, not `latest`, free in the project for this kind. */
  name?: string;
  /** New description (at most `limits.description` characters); `null` clears it. */
  description?: string | null;
  /** The new tag set: replaces the old one (each 1 to 64 characters, at most `limits.tags`). */
  tags?: string[];
  /** New readme (at most `limits.readme` characters); `null` clears it. */
  readme?: string | null;
  /** New content (JSON, at most `limits.content` bytes); recomputes a component's `state`. */
  content?: JsonValue;
  /** New metadata: replaces the old object (checked by the kind's schema if any). */
  metadata?: Metadata;
  /** uuid of the run to lock instead, or `null` to unlink (which also clears `artifacts` unless given). */
  run?: string | null;
  /** The new list of run artifact names; each must exist on the version's run. */
  artifacts?: string[];
}

/** Pins the revision a change applies to: `CONFLICT` when the stored revision differs. */
export interface PinOptions {
  /** The revision you read (`record.revision`, an integer from 1); the call fails with `CONFLICT` if the stored one differs. Default: not pinned (conflicts are retried). */
  ifRevision?: number;
}

/** A stage move. */
export interface StageInput {
  /** The target stage; the stage machine must allow the move from the current stage. */
  to: string;
  /** The condition's reason (1 to 256 characters). Default: `<Kind>VersionStageUpdated`, e.g. `ModelVersionStageUpdated`. */
  reason?: string | null;
  /** The condition's message (at most 10,000 characters). Default `null`. */
  message?: string | null;
}

/** Input of `copy()`. */
export interface CopyInput {
  /** `owner/name` of the target project (it must exist). */
  toProject: string;
  /** Default: `<name>-copy`. */
  name?: string;
  /** The copy's description. Default: the source's. */
  description?: string | null;
  /** The copy's tags. Default: the source's. */
  tags?: string[];
  /** The copy's content. Default: the source's. */
  content?: JsonValue;
  /** Keep the source's stage and stage history (default: start again at the initial stage). */
  keepStage?: boolean;
  /** Overwrite a version of that name in the target. */
  force?: boolean;
}

/** Input of `transfer()`. */
export interface TransferInput {
  /** `owner/name` of the target project: same owner, must exist. */
  toProject: string;
}

/** Options of `list()`. */
export interface ListOptions {
  /** A query-language string, e.g. `stage:production, tags:a|b`. */
  query?: string;
  /** Comma list of fields, `-` for descending. Default `-updated_at`. */
  sort?: string;
  /** Page size, 0..1000 (default 20; 0 gives the count only). */
  limit?: number;
  /** Items to skip, from 0 (default 0). Not with `cursor`. */
  offset?: number;
  /** An opaque cursor from a previous page (keyset paging). */
  cursor?: string;
}

/** A version's stage and stage history. */
export interface StageHistory {
  /** The current stage. */
  readonly stage: string;
  /** The stage conditions, oldest first. */
  readonly stageConditions: readonly StageCondition[];
}

/** A version with the run it locks and that run's artifacts. */
export interface Lineage<Metadata = JsonObject> {
  /** The version itself. */
  readonly version: Version<Metadata>;
  /** The locked run, or `null` (also when the run is gone from an external source). */
  readonly run: Run | null;
  /** Full records of the artifacts the version names, in the version's order. */
  readonly artifacts: readonly RunArtifact[];
  /** The run's input artifacts (what it consumed). */
  readonly inputs: readonly RunArtifact[];
}

const KIND_TITLE: Record<VersionKind, string> = { model: "Model", artifact: "Artifact", component: "Component" };

/**
 * The versions API of one kind, bound to a principal: `session.models`, `session.artifacts`,
 * `session.components`, or `session.versions(kind)`.
 *
 * Besides the codes each method lists, every method rejects with `STORAGE` when the store fails, and
 * every change with `CONFLICT` when concurrent writers outlast the retries.
 */
export class VersionsApi<Metadata = JsonObject> {
  /** The kind every call of this API works on. */
  readonly kind: VersionKind;
  readonly #context: RegistryContext;
  readonly #guard: AccessGuard;
  #lastNow = { ms: Number.NaN, iso: "" };
  /** The creation conditions of the last `at`: versions created within one millisecond share the frozen list. */
  #creation: { at: string; conditions: readonly StageCondition[] } | undefined;
  #lastCounterKey: { project: string; key: string } | undefined;

  /** @internal */
  constructor(context: RegistryContext, guard: AccessGuard, kind: VersionKind) {
    this.#context = context;
    this.#guard = guard;
    this.kind = kind;
  }

  /**
   * Registers a version. Without `name`, the next free `v<N>` is assigned race-free. With `force`,
   * an existing version of that name is updated with only the fields given.
   * @throws RegistryError `VALIDATION` (bad input; a component without `content`), `NOT_FOUND` (project),
   *   `FORBIDDEN` (needs member), `ALREADY_EXISTS` (name taken, no `force`), `LINEAGE` (run/artifacts), `NOT_FOUND` (run).
   * @example
   * ```ts
   * const v1 = await session.models.register({ project: "acme/churn", name: "v1", tags: ["baseline"] });
   * ```
   */
  async register(input: RegisterInput<Metadata>): Promise<Version<Metadata>> {
    const parsed = fastRegisterInput(input, this.#context.limits) ?? parseInput(this.#context.schemas.register, input, `${this.kind} registration`);
    const metadata = parsed.metadata === undefined ? undefined : this.#metadata(parsed.metadata);
    // `return await` (here and below): an async function returning a promise takes two more microtask turns.
    return (await this.#context.mutate(async (unit) => {
      const project = await this.#project(unit, parsed.project, "version.read");
      this.#guard.assertAllowed(project, "version.create");
      if (parsed.name !== undefined) {
        const reservation = await unit.get<{ uuid: string }>("names", keys.name(project.fullName, this.kind, parsed.name));
        if (reservation !== undefined) {
          if (parsed.force !== true) {
            throw new RegistryError(
              "ALREADY_EXISTS",
              `A ${this.kind} version ${parsed.name} already exists in ${project.fullName}. Pass \`force: true\` to update it.`,
              { project: project.fullName, kind: this.kind, name: parsed.name },
            );
          }
          const existing = await this.#byUuid(unit, reservation.value.uuid, project.fullName, parsed.name);
          const { project: _p, name: _n, force: _f, ...fields } = parsed;
          return this.#applyUpdate(unit, project, existing, { ...fields, ...(metadata === undefined ? {} : { metadata }) }, "version.updated");
        }
      }
      return await this.#create(unit, project, {
        name: parsed.name,
        description: parsed.description ?? null,
        tags: parsed.tags ?? [],
        readme: parsed.readme ?? null,
        content: parsed.content ?? null,
        metadata: metadata ?? {},
        run: parsed.run ?? null,
        artifacts: parsed.artifacts ?? [],
      });
    })) as Version<Metadata>;
  }

  /**
   * Gets a version by reference: `owner/project:name`, or `owner/project` / `owner/project:latest` for the newest created.
   * @param reference - `owner/project[:name]`.
   * @throws RegistryError `VALIDATION` for a malformed reference; `NOT_FOUND` when the project or version
   *   does not exist or is not readable.
   * @example
   * ```ts
   * const v1 = await session.models.get("acme/churn:v1");
   * const newest = await session.models.get("acme/churn"); // same as "acme/churn:latest"
   * ```
   */
  async get(reference: string): Promise<Version<Metadata>> {
    const ref = parseInput(this.#context.schemas.reference, reference, "version reference");
    await this.#context.refresh();
    const reader = directReader(this.#context.store);
    const { version } = await this.#resolve(reader, ref, "version.read");
    return version as Version<Metadata>;
  }

  /**
   * Lists versions of this kind in a project (`owner/name`) or in every readable project of an owner (`owner`).
   * @throws RegistryError `VALIDATION` (bad query, sort or paging), `NOT_FOUND` (project).
   * @example
   * ```ts
   * const page = await session.models.list("acme/churn", { query: "stage:production, tags:a|b", sort: "-created_at", limit: 50 });
   * ```
   */
  async list(scope: string, options: ListOptions = {}): Promise<Page<Version<Metadata>>> {
    const target = parseListScope(parseInput(this.#context.schemas.reference, scope, "list scope"));
    const parsed = parseInput(this.#context.schemas.list, options, "list options");
    const plan = planList(parsed, VERSION_FIELDS, VERSION_SORT_FIELDS);
    await this.#context.refresh();
    const reader = directReader(this.#context.store);
    let projectScope: QueryNode;
    if (target.project !== undefined) {
      const item = await reader.get<StoredProject>("projects", target.project.fullName);
      const project = item === undefined ? undefined : projectFromStored(item);
      this.#guard.assertReadable(project, target.project.fullName, "version.read");
      projectScope = { type: "term", field: "project", op: "eq", value: project.fullName };
    } else {
      const projects = await readableProjects(this.#guard, reader, target.owner, "version.read");
      if (projects.length === 0) return toPage([], 0, plan, null);
      projectScope = { type: "term", field: "project", op: "in", value: projects.map((project) => project.fullName) };
    }
    const scopeNode: QueryNode = { type: "and", items: [projectScope, { type: "term", field: "kind", op: "eq", value: this.kind }] };
    const result = await reader.query("versions", storeQuery(plan, scopeNode));
    const results = result.items.map((item) => fromStored<Version<Metadata>>(item));
    return toPage(results, result.total, plan, result.cursor);
  }

  /**
   * Updates the fields given. `name` renames (the uuid stays); `tags` and `artifacts` replace the sets;
   * `run`/`artifacts` are re-checked and the runs' promotion flags kept exact.
   * @param reference - `owner/project[:name]` of the version.
   * @param changes - The fields to change.
   * @param options - `ifRevision` pins the revision the change applies to.
   * @throws RegistryError `VALIDATION` (bad input; metadata refused by the kind's schema), `NOT_FOUND`,
   *   `FORBIDDEN` (needs member), `ALREADY_EXISTS` (new name taken), `LINEAGE`, `CONFLICT` (`ifRevision` differs).
   * @example
   * ```ts
   * const v1 = await session.models.get("acme/churn:v1");
   * await session.models.update("acme/churn:v1", { tags: ["baseline", "eval"] }, { ifRevision: v1.revision });
   * ```
   */
  async update(reference: string, changes: UpdateInput<Metadata>, options: PinOptions = {}): Promise<Version<Metadata>> {
    const ref = parseInput(this.#context.schemas.reference, reference, "version reference");
    const parsed = parseInput(this.#context.schemas.update, changes, `${this.kind} update`);
    const pin = parseInput(this.#context.schemas.pin, options, "options");
    if (Object.keys(parsed).length === 0) {
      throw new RegistryError("VALIDATION", "Nothing to update: pass at least one field.", { issues: [{ path: [], message: "no fields" }] });
    }
    const metadata = parsed.metadata === undefined ? undefined : this.#metadata(parsed.metadata);
    return this.#context.mutate(async (unit) => {
      const { project, version } = await this.#resolve(unit, ref, "version.read");
      this.#guard.assertAllowed(project, "version.update", { version });
      assertPinned(version, pin.ifRevision, ref);
      return this.#applyUpdate(unit, project, version, { ...parsed, ...(metadata === undefined ? {} : { metadata }) }, "version.updated");
    }) as Promise<Version<Metadata>>;
  }

  /**
   * Moves a version to another stage through the stage machine, appending a stage condition.
   * A move to the current stage returns the version unchanged. Into an exclusive stage, the current
   * holder is demoted in the same commit.
   * @throws RegistryError `VALIDATION` (bad input), `NOT_FOUND`, `FORBIDDEN` (member; a restricted stage's role
   *   to move into or out of it), `INVALID_TRANSITION` (unknown stage or forbidden edge, with `details.allowed`),
   *   `CONFLICT` (`ifRevision` differs).
   * @example
   * ```ts
   * await session.models.stage("acme/churn:v1", { to: "staging", reason: "PassedEval", message: "auc 0.91" });
   * ```
   */
  async stage(reference: string, move: StageInput, options: PinOptions = {}): Promise<Version<Metadata>> {
    const ref = parseInput(this.#context.schemas.reference, reference, "version reference");
    const parsed = parseInput(this.#context.schemas.stage, move, "stage move");
    const pin = parseInput(this.#context.schemas.pin, options, "options");
    const machine = this.#context.stages;
    return this.#context.mutate(async (unit) => {
      const { project, version } = await this.#resolve(unit, ref, "version.read");
      this.#guard.assertAllowed(project, "version.stage", { version, toStage: parsed.to, fromStage: version.stage });
      assertPinned(version, pin.ifRevision, ref);
      const at = this.#now();
      const actor = this.#guard.actor;
      const result = machine.transition(toStored(version) as StoredVersion, {
        to: parsed.to,
        reason: parsed.reason ?? null,
        message: parsed.message ?? null,
        actor,
        at,
      });
      if (!result.changed) return version;
      const requiredRole = machine.requiredRoleFor(result.from, result.to);
      if (requiredRole !== undefined) {
        this.#guard.assertAllowed(project, "version.stage", { version, toStage: result.to, fromStage: result.from, requiredRole });
      }
      const next = { ...result.version, updatedAt: at, contributors: withContributor(version.contributors, actor) };
      await this.#updateHolders(unit, project.fullName, version, next.stage);
      return this.#write(unit, version, next, "version.staged", { from: result.from, to: result.to });
    }) as Promise<Version<Metadata>>;
  }

  /**
   * The version's current stage and its stage conditions, oldest first.
   * @throws RegistryError `VALIDATION` (malformed reference), `NOT_FOUND`.
   */
  async stages(reference: string): Promise<StageHistory> {
    const version = await this.get(reference);
    return { stage: version.stage, stageConditions: version.stageConditions };
  }

  /**
   * Copies a version into a project (the same or another; it must exist), as a new version with the
   * same run and artifacts. The stage starts again unless `keepStage`.
   * @throws RegistryError `VALIDATION` (bad input), `NOT_FOUND` (source, target), `FORBIDDEN` (member on the
   *   target; with `keepStage`, a restricted stage's role), `ALREADY_EXISTS` (name taken, no `force`), `LINEAGE`.
   * @example
   * ```ts
   * const copy = await session.models.copy("acme/churn:v1", { toProject: "acme/churn-eu", name: "v1" });
   * ```
   */
  async copy(reference: string, input: CopyInput): Promise<Version<Metadata>> {
    const ref = parseInput(this.#context.schemas.reference, reference, "version reference");
    const parsed = parseInput(this.#context.schemas.copy, input, "copy");
    return this.#context.mutate(async (unit) => {
      const { version: source } = await this.#resolve(unit, ref, "version.read");
      const target = await this.#project(unit, parsed.toProject, "version.read");
      this.#guard.assertAllowed(target, "version.copy", { version: source });
      const name = parsed.name ?? `${source.name}-copy`;
      const fields = {
        description: parsed.description === undefined ? source.description : parsed.description,
        tags: parsed.tags ?? [...source.tags],
        readme: source.readme,
        content: parsed.content === undefined ? source.content : parsed.content,
        metadata: source.metadata as JsonObject,
        run: source.run,
        artifacts: [...source.artifacts],
      };
      const reservation = await unit.get<{ uuid: string }>("names", keys.name(target.fullName, this.kind, name));
      if (reservation !== undefined) {
        if (parsed.force !== true) {
          throw new RegistryError("ALREADY_EXISTS", `A ${this.kind} version ${name} already exists in ${target.fullName}. Pass \`force: true\` to overwrite it.`, {
            project: target.fullName,
            kind: this.kind,
            name,
          });
        }
        const existing = await this.#byUuid(unit, reservation.value.uuid, target.fullName, name);
        return this.#applyUpdate(unit, target, existing, fields, "version.updated");
      }
      const keep = parsed.keepStage === true ? { stage: source.stage, stageConditions: source.stageConditions } : undefined;
      if (keep !== undefined) {
        // Keeping a restricted stage (production) places a version in it: that needs the stage's role on the target.
        const requiredRole = this.#context.stages.requiredRoleFor(this.#context.stages.initial, keep.stage);
        if (requiredRole !== undefined) this.#guard.assertAllowed(target, "version.stage", { version: source, toStage: keep.stage, requiredRole });
      }
      return this.#create(unit, target, { ...fields, name }, { type: "version.copied", source: source.uuid, keep });
    }) as Promise<Version<Metadata>>;
  }

  /**
   * Moves a version to another project of the same owner, keeping its uuid, stage, history and lineage.
   * @throws RegistryError `VALIDATION` (bad input; another owner), `NOT_FOUND`, `FORBIDDEN` (admin on both projects),
   *   `ALREADY_EXISTS` (name taken in the target), `LINEAGE`, `CONFLICT` (`ifRevision` differs).
   * @example
   * ```ts
   * const moved = await session.models.transfer("acme/churn:v1", { toProject: "acme/archive" });
   * ```
   */
  async transfer(reference: string, input: TransferInput, options: PinOptions = {}): Promise<Version<Metadata>> {
    const ref = parseInput(this.#context.schemas.reference, reference, "version reference");
    const parsed = parseInput(this.#context.schemas.transfer, input, "transfer");
    const pin = parseInput(this.#context.schemas.pin, options, "options");
    // Another owner is an input error (§5.16), checked before any read (§5.36).
    const sourceOwner = parseVersionRef(ref).project.owner;
    if (parsed.toProject.split("/")[0] !== sourceOwner) {
      throw new RegistryError("VALIDATION", `A version can only be transferred within its owner "${sourceOwner}", not to ${parsed.toProject}.`, {
        issues: [{ path: ["toProject"], message: "another owner" }],
      });
    }
    return this.#context.mutate(async (unit) => {
      const { project: source, version } = await this.#resolve(unit, ref, "version.read");
      const target = await this.#project(unit, parsed.toProject, "version.read");
      this.#guard.assertAllowed(source, "version.transfer", { version });
      this.#guard.assertAllowed(target, "version.transfer", { version });
      assertPinned(version, pin.ifRevision, ref);
      if (target.fullName === source.fullName) return version;
      const newName = keys.name(target.fullName, this.kind, version.name);
      if ((await unit.get("names", newName)) !== undefined) {
        throw new RegistryError("ALREADY_EXISTS", `A ${this.kind} version ${version.name} already exists in ${target.fullName}.`, {
          project: target.fullName,
          kind: this.kind,
          name: version.name,
        });
      }
      const run = version.run === null ? null : await this.#runFor(unit, version.run);
      assertLineage({ project: target.fullName, owner: target.owner, allowedSourceProjects: target.allowedSourceProjects }, run, version.artifacts);
      await unit.get("names", keys.name(source.fullName, this.kind, version.name));
      unit.delete("names", keys.name(source.fullName, this.kind, version.name));
      unit.put("names", newName, { uuid: version.uuid });
      const sequence = await this.#nextSequence(unit, target.fullName);
      const at = this.#now();
      const moved = { ...toStored(version), project: target.fullName, sequence, updatedAt: at, contributors: withContributor(version.contributors, this.#guard.actor) } as StoredVersion;
      await this.#releaseHolder(unit, source.fullName, version);
      await this.#claimHolder(unit, target.fullName, moved);
      return this.#write(unit, version, moved, "version.transferred", { fromProject: source.fullName });
    }) as Promise<Version<Metadata>>;
  }

  /**
   * Deletes a version; the run it locked is unpromoted when no other version locks it.
   * @throws RegistryError `VALIDATION` (bad input), `NOT_FOUND`, `FORBIDDEN` (needs contributor), `CONFLICT` (`ifRevision`).
   * @example
   * ```ts
   * await session.models.delete("acme/churn:v1");
   * ```
   */
  async delete(reference: string, options: PinOptions = {}): Promise<void> {
    const ref = parseInput(this.#context.schemas.reference, reference, "version reference");
    const pin = parseInput(this.#context.schemas.pin, options, "options");
    await this.#context.mutate(async (unit) => {
      const { project, version } = await this.#resolve(unit, ref, "version.read");
      this.#guard.assertAllowed(project, "version.delete", { version });
      assertPinned(version, pin.ifRevision, ref);
      await deleteVersion(this.#context, unit, this.#guard, version);
    });
  }

  /**
   * The audit entries of a version, oldest first (they follow it across renames and transfers).
   * @throws RegistryError `VALIDATION` (malformed reference), `NOT_FOUND`.
   */
  async history(reference: string): Promise<AuditEntry[]> {
    const version = await this.get(reference);
    return auditHistory(this.#context, "version", version.uuid);
  }

  /**
   * The version with its run, the full records of its artifacts, and the run's inputs. A run in a project
   * the principal may not read is left out (`run: null`).
   * @throws RegistryError `VALIDATION` (malformed reference), `NOT_FOUND`.
   * @example
   * ```ts
   * const { version, run, artifacts, inputs } = await session.models.lineage("acme/churn:v1");
   * ```
   */
  async lineage(reference: string): Promise<Lineage<Metadata>> {
    const version = await this.get(reference);
    const reader = directReader(this.#context.store);
    const run = version.run === null ? undefined : await loadRun(this.#context, reader, version.run);
    // A run in a project the principal may not read stays hidden, as if it did not exist.
    if (run === undefined || !(await this.#canReadRun(reader, run))) return { version, run: null, artifacts: [], inputs: [] };
    const byName = new Map(run.artifacts.map((artifact) => [artifact.name, artifact]));
    const artifacts = version.artifacts.map((name) => byName.get(name)).filter((artifact): artifact is RunArtifact => artifact !== undefined);
    return { version, run, artifacts, inputs: run.artifacts.filter((artifact) => artifact.isInput) };
  }

  /**
   * Restores an exported version record (from `get()`, `list()` or the CLI's `pull`) with its uuid,
   * stage history, creator and times, into `options.project` or the record's own project. The run it
   * locks must exist (import runs first). Emits `version.imported`.
   * @throws RegistryError `VALIDATION` (malformed record, another kind), `NOT_FOUND` (project, run),
   *   `FORBIDDEN` (needs admin on the target), `ALREADY_EXISTS` (uuid or name taken, no `force`), `LINEAGE`.
   */
  async import(record: Version<Metadata> | Record<string, unknown>, options: { project?: string; force?: boolean } = {}): Promise<Version<Metadata>> {
    const parsed = parseInput(this.#context.schemas.versionImport, record, `${this.kind} record`);
    const opts = parseInput(this.#context.schemas.importOptions, options, "import options");
    if (parsed.kind !== this.kind) {
      throw new RegistryError("VALIDATION", `This is a ${parsed.kind} version; import it with versions("${parsed.kind}").`, { issues: [{ path: ["kind"], message: "another kind" }] });
    }
    const metadata = this.#metadata(parsed.metadata ?? {});
    return this.#context.mutate(async (unit) => {
      const target = await this.#project(unit, opts.project ?? parsed.project, "version.read");
      this.#guard.assertAllowed(target, "project.update");
      const byUuid = await unit.get<StoredVersion>("versions", parsed.uuid);
      const nameKey = keys.name(target.fullName, this.kind, parsed.name);
      const byName = await unit.get<{ uuid: string }>("names", nameKey);
      if ((byUuid !== undefined || byName !== undefined) && opts.force !== true) {
        throw new RegistryError("ALREADY_EXISTS", `A ${this.kind} version with uuid ${parsed.uuid} or name ${target.fullName}:${parsed.name} already exists. Pass \`force: true\` to replace it.`, {
          uuid: parsed.uuid,
          project: target.fullName,
          name: parsed.name,
        });
      }
      for (const uuid of new Set([byUuid?.key, byName?.value.uuid])) {
        if (uuid === undefined) continue;
        const item = await unit.get<StoredVersion>("versions", uuid);
        if (item !== undefined) await deleteVersion(this.#context, unit, this.#guard, fromStored<Version>(item));
      }
      const run = parsed.run === undefined || parsed.run === null ? null : await this.#runFor(unit, parsed.run);
      const artifacts = parsed.artifacts ?? [];
      assertLineage({ project: target.fullName, owner: target.owner, allowedSourceProjects: target.allowedSourceProjects }, run, artifacts);
      const content = parsed.content ?? null;
      if (this.kind === "component" && content === null) {
        throw new RegistryError("VALIDATION", "The `content` is required to create a component version.", { issues: [{ path: ["content"], message: "required" }] });
      }
      const sequence = await this.#nextSequence(unit, target.fullName);
      const restored: StoredVersion = {
        uuid: parsed.uuid,
        name: parsed.name,
        kind: this.kind,
        project: target.fullName,
        description: parsed.description ?? null,
        tags: parsed.tags ?? [],
        readme: parsed.readme ?? null,
        content,
        metadata,
        run: run === null ? null : run.uuid,
        artifacts,
        stage: parsed.stage,
        stageConditions: parsed.stageConditions,
        state: this.kind === "component" && content !== null ? await contentState(content) : null,
        sequence,
        createdBy: parsed.createdBy,
        contributors: parsed.contributors ?? [parsed.createdBy],
        createdAt: parsed.createdAt,
        updatedAt: parsed.updatedAt,
      };
      unit.put("names", nameKey, { uuid: restored.uuid });
      await this.#claimHolder(unit, target.fullName, restored);
      await relinkRun(this.#context, unit, this.#guard, restored.uuid, null, restored.run);
      return this.#write(unit, undefined, restored, "version.imported", {});
    }) as Promise<Version<Metadata>>;
  }

  // ----- internals -------------------------------------------------------------------------

  async #project(reader: Reader, fullName: string, action: "version.read" | "project.read"): Promise<Project> {
    const item = await reader.get<StoredProject>("projects", fullName);
    const project = item === undefined ? undefined : projectFromStored(item);
    this.#guard.assertReadable(project, fullName, action);
    return project;
  }

  async #resolve(reader: Reader, reference: string, action: "version.read"): Promise<{ project: Project; version: Version }> {
    const ref = parseVersionRef(reference);
    const project = await this.#project(reader, ref.project.fullName, action);
    if (ref.version === LATEST) {
      const result = await reader.query("versions", {
        where: { type: "and", items: [{ type: "term", field: "project", op: "eq", value: project.fullName }, { type: "term", field: "kind", op: "eq", value: this.kind }] },
        sort: [{ field: "sequence", direction: "desc" }],
        limit: 1,
        // Only the newest is read: a database store would otherwise count every version of the project.
        total: false,
      });
      const item = result.items[0];
      if (item === undefined) throw this.#notFound(project.fullName, LATEST);
      if ("adopt" in reader) (reader as UnitOfWork).adopt("versions", item);
      return { project, version: fromStored<Version>(item) };
    }
    const reservation = await reader.get<{ uuid: string }>("names", keys.name(project.fullName, this.kind, ref.version));
    if (reservation === undefined) throw this.#notFound(project.fullName, ref.version);
    return { project, version: await this.#byUuid(reader, reservation.value.uuid, project.fullName, ref.version) };
  }

  async #byUuid(reader: Reader, uuid: string, project: string, name: string): Promise<Version> {
    const item = await reader.get<StoredVersion>("versions", uuid);
    if (item === undefined) throw this.#notFound(project, name);
    return fromStored<Version>(item);
  }

  #notFound(project: string, name: string): RegistryError {
    return new RegistryError("NOT_FOUND", `No ${this.kind} version ${project}:${name}.`, { project, kind: this.kind, name });
  }

  #metadata(metadata: JsonObject): JsonObject {
    const schema = this.#context.metadata[this.kind];
    if (schema === undefined) return metadata;
    const result = schema.safeParse(metadata);
    if (!result.success) {
      const issues = result.error.issues.map((issue) => ({ path: ["metadata", ...issue.path.map(String)], message: issue.message }));
      throw new RegistryError("VALIDATION", `Invalid ${this.kind} metadata: ${issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}.`, { issues });
    }
    // A copy with JSON's semantics: what the app's schema returns (a transform's output, a default, a
    // shared constant) is the app's, and the record is frozen in place once stored.
    return frozenJsonCopy(result.data, { collection: "versions", key: "metadata" }) as JsonObject;
  }

  #now(): string {
    // Registers within one millisecond share the string: toISOString() was ~3% of a register.
    const now = this.#context.clock();
    const ms = now.getTime();
    if (ms !== this.#lastNow.ms) this.#lastNow = { ms, iso: now.toISOString() };
    return this.#lastNow.iso;
  }

  /**
   * `[creation condition]` for a version created now. Records are immutable, so versions created in
   * the same millisecond by this session share one frozen list (the machine's check of the condition
   * and the copy were ~3% of a register).
   */
  #creationConditions(at: string): readonly StageCondition[] {
    if (this.#creation?.at !== at) {
      const condition = this.#context.stages.creationCondition(this.kind, this.#guard.actor, at);
      this.#creation = { at, conditions: frozenJsonCopy([condition], { collection: "versions", key: "stageConditions" }) as unknown as readonly StageCondition[] };
    }
    return this.#creation.conditions;
  }

  async #canReadRun(reader: Reader, run: Run): Promise<boolean> {
    if (this.#context.runSource !== undefined) return true;
    const item = await reader.get<StoredProject>("projects", run.project);
    return item !== undefined && this.#guard.can(projectFromStored(item), "run.read");
  }

  async #runFor(reader: Reader, uuid: string): Promise<Run> {
    const run = await loadRun(this.#context, reader, uuid);
    if (run === undefined) throw new RegistryError("NOT_FOUND", `Run ${uuid} does not exist.`, { run: uuid });
    if (this.#context.runSource === undefined) {
      const item = await reader.get<StoredProject>("projects", run.project);
      const project = item === undefined ? undefined : projectFromStored(item);
      if (project === undefined || !this.#guard.can(project, "run.read")) {
        throw new RegistryError("NOT_FOUND", `Run ${uuid} does not exist.`, { run: uuid });
      }
    }
    return run;
  }

  /** The counter's key for `project`, kept for the last project: calls mostly create in one project. */
  #counterKey(project: string): string {
    if (this.#lastCounterKey?.project !== project) this.#lastCounterKey = { project, key: keys.counter(project, this.kind) };
    return this.#lastCounterKey.key;
  }

  /** The per-(project, kind) counter (zeroes before the first version). */
  async #counter(unit: UnitOfWork, project: string): Promise<Counter> {
    return (await unit.get<Counter>("counters", this.#counterKey(project)))?.value ?? NO_VERSIONS_YET;
  }

  async #nextSequence(unit: UnitOfWork, project: string): Promise<number> {
    const counter = await this.#counter(unit, project);
    unit.put("counters", keys.counter(project, this.kind), { ...counter, created: counter.created + 1 });
    return counter.created + 1;
  }

  /** The first `N >= from` whose `v<N>` is free. */
  async #freeAutoNumber(unit: UnitOfWork, project: string, from: number): Promise<number> {
    let number = from;
    while ((await unit.get("names", keys.name(project, this.kind, `v${number}`))) !== undefined) number += 1;
    return number;
  }

  async #create(
    unit: UnitOfWork,
    project: Project,
    fields: {
      name: string | undefined;
      description: string | null;
      tags: string[];
      readme: string | null;
      content: JsonValue | null;
      metadata: JsonObject;
      run: string | null;
      artifacts: string[];
    },
    copied?: { type: "version.copied"; source: string; keep: { stage: string; stageConditions: readonly StageCondition[] } | undefined },
  ): Promise<Version> {
    if (this.kind === "component" && fields.content === null) {
      throw new RegistryError("VALIDATION", "The `content` is required to create a component version.", { issues: [{ path: ["content"], message: "required" }] });
    }
    const run = fields.run === null ? null : await this.#runFor(unit, fields.run);
    assertLineage({ project: project.fullName, owner: project.owner, allowedSourceProjects: project.allowedSourceProjects }, run, fields.artifacts);
    // One counter update covers both the auto-name's next number and the creation sequence.
    const counterKey = this.#counterKey(project.fullName);
    const counter = (await unit.get<Counter>("counters", counterKey))?.value ?? NO_VERSIONS_YET;
    const autoNumber = fields.name === undefined ? await this.#freeAutoNumber(unit, project.fullName, counter.next) : undefined;
    const name = fields.name ?? `v${autoNumber}`;
    const nameKey = keys.name(project.fullName, this.kind, name);
    // An auto name was just found free (and read into the unit); a given name is read here.
    if (autoNumber === undefined && (await unit.get("names", nameKey)) !== undefined) {
      throw new RegistryError("ALREADY_EXISTS", `A ${this.kind} version ${name} already exists in ${project.fullName}.`, { project: project.fullName, kind: this.kind, name });
    }
    const sequence = counter.created + 1;
    unit.put("counters", counterKey, { next: autoNumber === undefined ? counter.next : autoNumber + 1, created: sequence });
    const at = this.#now();
    const actor = this.#guard.actor;
    const uuid = this.#context.ids();
    const record: StoredVersion = {
      uuid,
      name,
      kind: this.kind,
      project: project.fullName,
      description: fields.description,
      tags: fields.tags,
      readme: fields.readme,
      content: fields.content,
      metadata: fields.metadata,
      run: fields.run,
      artifacts: fields.artifacts,
      stage: copied?.keep?.stage ?? this.#context.stages.initial,
      stageConditions: copied?.keep?.stageConditions ?? this.#creationConditions(at),
      state: this.kind === "component" && fields.content !== null ? await contentState(fields.content) : null,
      sequence,
      createdBy: actor,
      contributors: [actor],
      createdAt: at,
      updatedAt: at,
    };
    if (this.#context.uniqueIds) unit.create("versions", uuid);
    else if ((await unit.get("versions", uuid)) !== undefined) {
      throw new RegistryError("ALREADY_EXISTS", `The id generator returned a uuid already in use: ${uuid}.`, { uuid });
    }
    unit.put("names", nameKey, { uuid });
    // Most versions start in a shared stage without a run: no async call (a promise each) for nothing.
    if (this.#context.stages.isExclusive(record.stage)) await this.#claimHolder(unit, project.fullName, record);
    if (record.run !== null) await relinkRun(this.#context, unit, this.#guard, uuid, null, record.run);
    const type: RegistryEventType = copied?.type ?? "version.created";
    return this.#write(unit, undefined, record, type, copied === undefined ? {} : { source: copied.source });
  }

  /** Applies field changes to an existing version (update, force re-register, copy --force). */
  async #applyUpdate(
    unit: UnitOfWork,
    project: Project,
    version: Version,
    changes: {
      name?: string | undefined;
      description?: string | null | undefined;
      tags?: string[] | undefined;
      readme?: string | null | undefined;
      content?: JsonValue | undefined;
      metadata?: JsonObject | undefined;
      run?: string | null | undefined;
      artifacts?: string[] | undefined;
    },
    type: RegistryEventType,
  ): Promise<Version> {
    const next = { ...(toStored(version) as StoredVersion) } as { -readonly [K in keyof StoredVersion]: StoredVersion[K] };
    if (changes.description !== undefined) next.description = changes.description;
    if (changes.tags !== undefined) next.tags = changes.tags;
    if (changes.readme !== undefined) next.readme = changes.readme;
    if (changes.metadata !== undefined) next.metadata = changes.metadata;
    if (changes.content !== undefined) {
      next.content = changes.content;
      next.state = this.kind === "component" ? await contentState(changes.content) : null;
    }
    if (changes.run !== undefined) {
      next.run = changes.run;
      if (changes.run === null && changes.artifacts === undefined) next.artifacts = [];
    }
    if (changes.artifacts !== undefined) next.artifacts = changes.artifacts;
    if (this.kind === "component" && next.content === null) {
      throw new RegistryError("VALIDATION", "A component version needs `content`.", { issues: [{ path: ["content"], message: "required" }] });
    }
    if (changes.run !== undefined || changes.artifacts !== undefined) {
      const run = next.run === null ? null : await this.#runFor(unit, next.run);
      assertLineage({ project: project.fullName, owner: project.owner, allowedSourceProjects: project.allowedSourceProjects }, run, next.artifacts);
    }
    if (changes.name !== undefined && changes.name !== version.name) {
      const newKey = keys.name(project.fullName, this.kind, changes.name);
      if ((await unit.get("names", newKey)) !== undefined) {
        throw new RegistryError("ALREADY_EXISTS", `A ${this.kind} version ${changes.name} already exists in ${project.fullName}.`, {
          project: project.fullName,
          kind: this.kind,
          name: changes.name,
        });
      }
      await unit.get("names", keys.name(project.fullName, this.kind, version.name));
      unit.delete("names", keys.name(project.fullName, this.kind, version.name));
      unit.put("names", newKey, { uuid: version.uuid });
      next.name = changes.name;
    }
    next.updatedAt = this.#now();
    next.contributors = withContributor(version.contributors, this.#guard.actor);
    await relinkRun(this.#context, unit, this.#guard, version.uuid, version.run, next.run);
    return this.#write(unit, version, next, type, {});
  }

  /** Claims the holder record of an exclusive stage for `version`, demoting the current holder. */
  async #claimHolder(unit: UnitOfWork, project: string, version: StoredVersion): Promise<void> {
    const machine = this.#context.stages;
    if (!machine.isExclusive(version.stage)) return;
    const key = keys.holder(project, this.kind, version.stage);
    const holder = await unit.get<{ uuid: string }>("holders", key);
    if (holder !== undefined && holder.value.uuid !== version.uuid) {
      const item = await unit.get<StoredVersion>("versions", holder.value.uuid);
      if (item !== undefined) {
        const current = fromStored<Version>(item);
        const at = this.#now();
        const result = machine.demote(toStored(current) as StoredVersion, { actor: this.#guard.actor, at });
        const demoted = { ...result.version, updatedAt: at };
        this.#write(unit, current, demoted, "version.staged", { from: result.from, to: result.to });
      }
    }
    unit.put("holders", key, { uuid: version.uuid });
  }

  /** Releases the holder record of `version`'s stage if it holds it. */
  async #releaseHolder(unit: UnitOfWork, project: string, version: Version): Promise<void> {
    if (!this.#context.stages.isExclusive(version.stage)) return;
    const key = keys.holder(project, this.kind, version.stage);
    const holder = await unit.get<{ uuid: string }>("holders", key);
    if (holder?.value.uuid === version.uuid) unit.delete("holders", key);
  }

  async #updateHolders(unit: UnitOfWork, project: string, before: Version, after: StoredVersion): Promise<void>;
  async #updateHolders(unit: UnitOfWork, project: string, before: Version, stage: string): Promise<void>;
  async #updateHolders(unit: UnitOfWork, project: string, before: Version, after: StoredVersion | string): Promise<void> {
    const stage = typeof after === "string" ? after : after.stage;
    await this.#releaseHolder(unit, project, before);
    await this.#claimHolder(unit, project, { ...(toStored(before) as StoredVersion), stage });
  }

  /** Writes the version and its audit entry (with patches against the stored record) into the unit. */
  #write(unit: UnitOfWork, before: Version | undefined, after: StoredVersion, type: RegistryEventType, extra: Record<string, unknown>): Version {
    return writeVersion(this.#context, unit, this.#guard.actor, before, after, type, extra);
  }
}

/** Writes a version record and its audit entry into `unit`; returns the public record. */
export function writeVersion(
  context: RegistryContext,
  unit: UnitOfWork,
  actor: string,
  before: Version | undefined,
  after: StoredVersion,
  type: RegistryEventType,
  extra: Record<string, unknown>,
): Version {
  const changes = changesOf(before === undefined ? undefined : (toStored(before) as StoredVersion), after);
  const revision = unit.put("versions", after.uuid, after as unknown as JsonValue);
  // A creation's record was just built as a literal of the stored fields: copied field by field.
  const version = before === undefined && isFrozenJsonCopy(after) ? builtVersion(after, revision) : fromStoredValue<Version>(after, revision);
  recordChange(context, unit, { type, actor, target: auditTarget.version(after), changes, at: after.updatedAt }, { version, ...extra });
  return version;
}

/** Deletes a version with its reservation, holder record, run link and audit entry. */
export async function deleteVersion(context: RegistryContext, unit: UnitOfWork, guard: AccessGuard, version: Version): Promise<void> {
  await unit.get("versions", version.uuid);
  unit.delete("versions", version.uuid);
  const nameKey = keys.name(version.project, version.kind, version.name);
  if ((await unit.get("names", nameKey)) !== undefined) unit.delete("names", nameKey);
  if (context.stages.isExclusive(version.stage)) {
    const holderKey = keys.holder(version.project, version.kind, version.stage);
    const holder = await unit.get<{ uuid: string }>("holders", holderKey);
    if (holder?.value.uuid === version.uuid) unit.delete("holders", holderKey);
  }
  await relinkRun(context, unit, guard, version.uuid, version.run, null);
  recordChange(context, unit, { type: "version.deleted", actor: guard.actor, target: auditTarget.version(version), changes: DELETION_CHANGES }, { version });
}

/** The counter of a (project, kind) without versions yet. */
const NO_VERSIONS_YET: Counter = Object.freeze({ next: 1, created: 0 });

function withContributor(contributors: readonly string[], actor: string): string[] {
  return contributors.includes(actor) ? [...contributors] : [...contributors, actor];
}

function assertPinned(record: { revision: number }, ifRevision: number | undefined, reference: string): void {
  if (ifRevision !== undefined && record.revision !== ifRevision) {
    throw new RegistryError("CONFLICT", `${reference} is at revision ${record.revision}, not ${ifRevision}: it changed since you read it.`, {
      reference,
      expected: ifRevision,
      actual: record.revision,
    });
  }
}

export { assertPinned, KIND_TITLE, withContributor };
