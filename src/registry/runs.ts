import { RegistryError } from "../errors.js";
import { parseInput } from "../domain/schemas.js";
import type { JsonValue } from "../domain/json.js";
import type { AuditPatch, Page, Project, Run, RunArtifact, Version, VersionKind } from "../domain/records.js";
import type { RegistryContext } from "./context.js";
import type { AccessGuard } from "./guard.js";
import type { RegistryEventType } from "./events.js";
import { directReader, type Reader, type UnitOfWork } from "./unit-of-work.js";
import { fromStored, fromStoredValue, projectFromStored, toStored, type StoredProject, type StoredRun } from "./stored-records.js";
import { RUN_FIELDS, planList, storeQuery, toPage } from "./listing.js";
import { deleteVersion, assertPinned, type ListOptions, type PinOptions, type VersionsApi } from "./versions.js";
import { loadRun } from "./run-links.js";
import { auditTarget, changesOf, DELETION_CHANGES, recordChange } from "./audit-trail.js";
import { auditHistory } from "./audit.js";
import type { AuditEntry } from "../domain/records.js";

/** One artifact as given to `runs.create()` / `runs.logArtifacts()`. */
export interface RunArtifactInput {
  /** The artifact's name (1 to 256 characters), unique within the run; `logArtifacts` replaces an artifact of the same name. */
  name: string;
  /** model, data, file, dir, env, metric, image, tensorboard, dockerfile, docker_image, coderef, artifact, ... */
  kind: string;
  /** Where the artifact lives (a file path or URL, at most 4,096 characters). Default `null`. */
  path?: string | null | undefined;
  /** Free JSON about the artifact (at most `limits.metadata` bytes, default 1 MB). Default `{}`. */
  summary?: Record<string, JsonValue> | undefined;
  /** True for an input the run consumed, false for an output it produced. Default `false`. */
  isInput?: boolean | undefined;
}

/** Input of `runs.create()`. */
export interface RunCreateInput {
  /** `owner/name` of the project that holds the run (it must exist). */
  project: string;
  /** The run's name: a slug of at most 128 characters. Default `null`. */
  name?: string | null;
  /** Free text, at most `limits.description` characters (default 10,000). Default `null`. */
  description?: string | null;
  /** A free status string of 1 to 64 characters (`running`, `succeeded`, ...). Default `null`. */
  status?: string | null;
  /** The run's lineage artifacts, names unique, at most `limits.artifacts` (default 1,000). Default `[]`. */
  artifacts?: RunArtifactInput[];
}

/** Fields `runs.update()` may change. */
export interface RunUpdateInput {
  /** New name (a slug of at most 128 characters); `null` clears it. */
  name?: string | null;
  /** New description (at most `limits.description` characters); `null` clears it. */
  description?: string | null;
  /** New status (1 to 64 characters); `null` clears it. */
  status?: string | null;
}

/** Input of `runs.promote()`: defaults are kind `artifact`, the run's project, every output artifact, an automatic name. */
export interface PromoteInput {
  /** `owner/name` of the project to register into. Default: the run's project; another one must accept runs from it (`allowedSourceProjects`). */
  project?: string;
  /** The kind of version to register. Default `artifact`. */
  kind?: VersionKind;
  /** The version's name (a slug, not `latest`). Default: the next free `v<N>`. */
  name?: string;
  /** The version's description. Default `null`. */
  description?: string | null;
  /** The version's tags (each 1 to 64 characters). Default `[]`. */
  tags?: string[];
  /** Names of the run's artifacts the version carries. Default: every output (non-input) artifact of the run. */
  artifacts?: string[];
  /** Update an existing version of that name instead of failing with `ALREADY_EXISTS`. Default `false`. */
  force?: boolean;
}

/** Options of `runs.delete()`. */
export interface RunDeleteOptions extends PinOptions {
  /** Also delete the versions that lock the run (otherwise a promoted run is `LOCKED`). */
  cascade?: boolean;
}

function normalizeArtifacts(artifacts: readonly RunArtifactInput[]): RunArtifact[] {
  const seen = new Set<string>();
  for (const artifact of artifacts) {
    if (seen.has(artifact.name)) {
      throw new RegistryError("VALIDATION", `Artifact ${artifact.name} is given twice.`, { issues: [{ path: ["artifacts"], message: `duplicate name ${artifact.name}` }] });
    }
    seen.add(artifact.name);
  }
  return artifacts.map((artifact) => ({
    name: artifact.name,
    kind: artifact.kind,
    path: artifact.path ?? null,
    summary: artifact.summary ?? {},
    isInput: artifact.isInput ?? false,
  }));
}

/**
 * The runs API of a session: `session.runs`. Runs are addressed by uuid.
 *
 * Besides the codes each method lists, every method rejects with `STORAGE` when the store or the run
 * source fails, and every change with `CONFLICT` when concurrent writers outlast the retries. With a
 * {@link RunSource} that lacks a write method, the matching call (`create`, `update`, `logArtifacts`,
 * `delete`, `import`) rejects with `VALIDATION`.
 */
export class RunsApi {
  readonly #context: RegistryContext;
  readonly #guard: AccessGuard;
  readonly #versions: (kind: VersionKind) => VersionsApi;

  /** @internal */
  constructor(context: RegistryContext, guard: AccessGuard, versions: (kind: VersionKind) => VersionsApi) {
    this.#context = context;
    this.#guard = guard;
    this.#versions = versions;
  }

  /**
   * Records a run with its lineage artifacts.
   * @throws RegistryError `VALIDATION`, `NOT_FOUND` (project), `FORBIDDEN` (needs member).
   * @example
   * ```ts
   * const run = await session.runs.create({ project: "acme/train", name: "exp-7", status: "succeeded",
   *   artifacts: [{ name: "model", kind: "model", path: "s3://bucket/exp-7/model.pkl" }] });
   * ```
   */
  async create(input: RunCreateInput): Promise<Run> {
    const parsed = parseInput(this.#context.schemas.runCreate, input, "run");
    const artifacts = normalizeArtifacts(parsed.artifacts ?? []);
    const source = this.#context.runSource;
    if (source !== undefined && source.create === undefined) throw readOnly("create");
    const run = await this.#context.mutate(async (unit) => {
      const project = await this.#project(unit, parsed.project);
      this.#guard.assertAllowed(project, "run.create");
      const at = this.#context.clock().toISOString();
      const uuid = this.#context.ids();
      const record: StoredRun = {
        uuid,
        project: project.fullName,
        name: parsed.name ?? null,
        description: parsed.description ?? null,
        status: parsed.status ?? null,
        artifacts,
        promotedBy: [],
        isPromoted: false,
        createdBy: this.#guard.actor,
        createdAt: at,
        updatedAt: at,
      };
      if (source !== undefined) return fromStoredValue<Run>(record, 1);
      if ((await unit.get("runs", uuid)) !== undefined) throw new RegistryError("ALREADY_EXISTS", `The id generator returned a uuid already in use: ${uuid}.`, { uuid });
      return this.#write(unit, undefined, record, "run.created");
    });
    if (source?.create !== undefined) await callSource(() => source.create!(run), "create");
    return run;
  }

  /**
   * Gets a run by uuid.
   * @throws RegistryError `VALIDATION` for a malformed uuid; `NOT_FOUND` when it does not exist or its project is not readable.
   * @example
   * ```ts
   * const run = await session.runs.get(uuid);
   * ```
   */
  async get(uuid: string): Promise<Run> {
    const id = parseInput(this.#context.schemas.reference, uuid, "run uuid");
    await this.#context.refresh();
    return this.#readable(directReader(this.#context.store), id);
  }

  /**
   * Lists a project's runs. `query` fields: name, description, uuid, status, project, created_at, updated_at, is_promoted.
   * @throws RegistryError `VALIDATION` (bad reference, query, sort or paging), `NOT_FOUND` (project).
   * @example
   * ```ts
   * const page = await session.runs.list("acme/train", { query: "status:succeeded, is_promoted:false", sort: "-created_at" });
   * ```
   */
  async list(project: string, options: ListOptions = {}): Promise<Page<Run>> {
    const ref = parseInput(this.#context.schemas.reference, project, "project reference");
    const parsed = parseInput(this.#context.schemas.list, options, "list options");
    const plan = planList(parsed, RUN_FIELDS, RUN_FIELDS);
    await this.#context.refresh();
    const reader = directReader(this.#context.store);
    const target = await this.#project(reader, ref, "run.read");
    const scope = { type: "term", field: "project", op: "eq", value: target.fullName } as const;
    const source = this.#context.runSource;
    if (source !== undefined) {
      const page = await callSource(
        () => source.list(target.fullName, { where: plan.where, sort: plan.sort, limit: plan.limit, ...(plan.cursor === undefined ? { offset: plan.offset } : { cursor: plan.cursor }) }),
        "list",
      );
      return toPage(page.items.map((run) => Object.freeze(structuredClone(run))), page.total, plan, page.cursor);
    }
    const result = await reader.query("runs", storeQuery(plan, scope));
    return toPage(result.items.map((item) => fromStored<Run>(item)), result.total, plan, result.cursor);
  }

  /**
   * Updates a run's name, description or status.
   * @throws RegistryError `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (needs member), `CONFLICT` (`ifRevision` differs).
   * @example
   * ```ts
   * await session.runs.update(run.uuid, { status: "succeeded" });
   * ```
   */
  async update(uuid: string, changes: RunUpdateInput, options: PinOptions = {}): Promise<Run> {
    const id = parseInput(this.#context.schemas.reference, uuid, "run uuid");
    const parsed = parseInput(this.#context.schemas.runUpdate, changes, "run update");
    const pin = parseInput(this.#context.schemas.pin, options, "options");
    const source = this.#context.runSource;
    if (source !== undefined && source.update === undefined) throw readOnly("update");
    const run = await this.#context.mutate(async (unit) => {
      const run = await this.#readable(unit, id);
      this.#guard.assertAllowed(await this.#project(unit, run.project), "run.update", { run });
      assertPinned(run, pin.ifRevision, id);
      const next: StoredRun = { ...(toStored(run) as StoredRun), ...parsed, updatedAt: this.#context.clock().toISOString() } as StoredRun;
      if (source !== undefined) return fromStoredValue<Run>(next, run.revision + 1);
      return this.#write(unit, run, next, "run.updated");
    });
    if (source?.update !== undefined) await callSource(() => source.update!(run), "update");
    return run;
  }

  /**
   * Adds or replaces artifacts by name. On a promoted run, an artifact that a version names can be
   * added but never changed (`LOCKED`).
   * @throws RegistryError `VALIDATION` (bad input; a name given twice; more than `limits.artifacts` in all),
   *   `NOT_FOUND`, `FORBIDDEN` (needs member), `LOCKED`.
   * @example
   * ```ts
   * await session.runs.logArtifacts(run.uuid, [{ name: "metrics", kind: "metric", summary: { auc: 0.91 } }]);
   * ```
   */
  async logArtifacts(uuid: string, artifacts: RunArtifactInput[]): Promise<Run> {
    const id = parseInput(this.#context.schemas.reference, uuid, "run uuid");
    const incoming = normalizeArtifacts(parseInput(this.#context.schemas.runArtifacts, artifacts, "artifacts"));
    const source = this.#context.runSource;
    if (source !== undefined && source.logArtifacts === undefined) throw readOnly("logArtifacts");
    const run = await this.#context.mutate(async (unit) => {
      const run = await this.#readable(unit, id);
      this.#guard.assertAllowed(await this.#project(unit, run.project), "run.update", { run });
      const named = new Set<string>();
      for (const versionUuid of run.promotedBy) {
        const item = await unit.get<Version>("versions", versionUuid);
        for (const name of item?.value.artifacts ?? []) named.add(name);
      }
      const merged = [...run.artifacts];
      for (const artifact of incoming) {
        const index = merged.findIndex((existing) => existing.name === artifact.name);
        if (index === -1) {
          merged.push(artifact);
          continue;
        }
        if (named.has(artifact.name) && JSON.stringify(merged[index]) !== JSON.stringify(artifact)) {
          throw new RegistryError("LOCKED", `Artifact ${artifact.name} of run ${run.uuid} is named by a version that locks the run; it cannot be changed.`, {
            run: run.uuid,
            artifact: artifact.name,
          });
        }
        merged[index] = artifact;
      }
      if (merged.length > this.#context.limits.artifacts) {
        throw new RegistryError("VALIDATION", `A run holds at most ${this.#context.limits.artifacts} artifacts.`, { issues: [{ path: ["artifacts"], message: "too many" }] });
      }
      const next: StoredRun = { ...(toStored(run) as StoredRun), artifacts: merged, updatedAt: this.#context.clock().toISOString() };
      if (source !== undefined) return fromStoredValue<Run>(next, run.revision + 1);
      return this.#write(unit, run, next, "run.updated");
    });
    if (source?.logArtifacts !== undefined) await callSource(() => source.logArtifacts!(run.uuid, run.artifacts), "logArtifacts");
    return run;
  }

  /**
   * Registers a version from a run: defaults are kind `artifact`, the run's project, every output
   * (non-input) artifact of the run, and an automatic name. The run is marked promoted in the same commit.
   * @throws RegistryError `VALIDATION` (bad input), `NOT_FOUND` (run, project), `FORBIDDEN` (needs member on the
   *   target project), `ALREADY_EXISTS` (name taken, no `force`), `LINEAGE` (artifact missing on the run, or the
   *   target project does not accept runs from the run's project): as `register()` does.
   * @example
   * ```ts
   * const model = await session.runs.promote(run.uuid, { kind: "model", name: "v3", artifacts: ["model"] });
   * ```
   */
  async promote(uuid: string, input: PromoteInput = {}): Promise<Version> {
    const id = parseInput(this.#context.schemas.reference, uuid, "run uuid");
    const parsed = parseInput(this.#context.schemas.runPromote, input, "promotion");
    await this.#context.refresh();
    const run = await this.#readable(directReader(this.#context.store), id);
    const artifacts = parsed.artifacts ?? run.artifacts.filter((artifact) => !artifact.isInput).map((artifact) => artifact.name);
    return this.#versions(parsed.kind ?? "artifact").register({
      project: parsed.project ?? run.project,
      run: run.uuid,
      artifacts,
      ...(parsed.name === undefined ? {} : { name: parsed.name }),
      ...(parsed.description === undefined ? {} : { description: parsed.description }),
      ...(parsed.tags === undefined ? {} : { tags: parsed.tags }),
      ...(parsed.force === undefined ? {} : { force: parsed.force }),
    });
  }

  /**
   * The versions that lock this run (those the principal may read), oldest first.
   * @throws RegistryError `VALIDATION` (malformed uuid), `NOT_FOUND`.
   */
  async versions(uuid: string): Promise<Version[]> {
    const id = parseInput(this.#context.schemas.reference, uuid, "run uuid");
    await this.#context.refresh();
    const reader = directReader(this.#context.store);
    const run = await this.#readable(reader, id);
    const result = await reader.query("versions", { where: { type: "term", field: "run", op: "eq", value: run.uuid }, sort: [{ field: "created_at", direction: "asc" }] });
    const versions: Version[] = [];
    for (const item of result.items) {
      const version = fromStored<Version>(item);
      const project = await reader.get<StoredProject>("projects", version.project);
      if (project !== undefined && this.#guard.can(projectFromStored(project), "version.read")) versions.push(version);
    }
    return versions;
  }

  /**
   * The audit entries of a run, oldest first.
   * @throws RegistryError `VALIDATION` (malformed uuid), `NOT_FOUND`.
   */
  async history(uuid: string): Promise<AuditEntry[]> {
    const run = await this.get(uuid);
    return auditHistory(this.#context, "run", run.uuid);
  }

  /**
   * Deletes a run. A run that versions lock is `LOCKED` (naming them) unless `cascade: true`, which
   * deletes those versions too, in the same commit.
   * @throws RegistryError `VALIDATION` (bad input), `NOT_FOUND`, `FORBIDDEN` (contributor; also on each cascaded
   *   version's project), `LOCKED`, `CONFLICT` (`ifRevision` differs).
   * @example
   * ```ts
   * await session.runs.delete(run.uuid, { cascade: true });
   * ```
   */
  async delete(uuid: string, options: RunDeleteOptions = {}): Promise<void> {
    const id = parseInput(this.#context.schemas.reference, uuid, "run uuid");
    const parsed = parseInput(this.#context.schemas.runDelete, options, "options");
    const source = this.#context.runSource;
    if (source !== undefined && source.delete === undefined) throw readOnly("delete");
    await this.#context.mutate(async (unit) => {
      const run = await this.#readable(unit, id);
      this.#guard.assertAllowed(await this.#project(unit, run.project), "run.delete", { run });
      assertPinned(run, parsed.ifRevision, id);
      const lockers = await unit.query("versions", { where: { type: "term", field: "run", op: "eq", value: run.uuid } });
      if (lockers.total > 0 && parsed.cascade !== true) {
        const names = lockers.items.map((item) => `${(item.value as unknown as Version).project}:${(item.value as unknown as Version).name}`);
        throw new RegistryError("LOCKED", `Run ${run.uuid} is locked by ${names.join(", ")}; pass \`cascade: true\` to delete them too.`, {
          run: run.uuid,
          versions: lockers.items.map((item) => item.key),
        });
      }
      for (const item of lockers.items) {
        unit.adopt("versions", item);
        const version = fromStored<Version>(item);
        const project = await unit.get<StoredProject>("projects", version.project);
        if (project !== undefined) this.#guard.assertAllowed(projectFromStored(project), "version.delete", { version });
        await deleteVersion(this.#context, unit, this.#guard, version);
      }
      if (source !== undefined) return;
      await unit.get("runs", run.uuid);
      unit.delete("runs", run.uuid);
      this.#record(unit, "run.deleted", run, DELETION_CHANGES, run);
    });
    if (source?.delete !== undefined) await callSource(() => source.delete!(id), "delete");
  }

  /**
   * Restores an exported run with its uuid, artifacts, creator and times (its `promotedBy` is rebuilt
   * as versions that lock it are imported). Emits `run.imported`.
   * @throws RegistryError `VALIDATION`, `NOT_FOUND` (project), `FORBIDDEN` (needs admin on the project), `ALREADY_EXISTS` (no `force`).
   */
  async import(record: Run | Record<string, unknown>, options: { force?: boolean } = {}): Promise<Run> {
    const parsed = parseInput(this.#context.schemas.runImport, record, "run record");
    const opts = parseInput(this.#context.schemas.importOptions, options, "import options");
    if (this.#context.runSource !== undefined) throw readOnly("import");
    return this.#context.mutate(async (unit) => {
      const project = await this.#project(unit, parsed.project);
      this.#guard.assertAllowed(project, "project.update");
      const existing = await unit.get<StoredRun>("runs", parsed.uuid);
      if (existing !== undefined && opts.force !== true) {
        throw new RegistryError("ALREADY_EXISTS", `Run ${parsed.uuid} already exists. Pass \`force: true\` to replace it.`, { run: parsed.uuid });
      }
      const promotedBy = existing?.value.promotedBy ?? [];
      const restored: StoredRun = {
        uuid: parsed.uuid,
        project: project.fullName,
        name: parsed.name ?? null,
        description: parsed.description ?? null,
        status: parsed.status ?? null,
        artifacts: normalizeArtifacts(parsed.artifacts ?? []),
        promotedBy: [...promotedBy],
        isPromoted: promotedBy.length > 0,
        createdBy: parsed.createdBy,
        createdAt: parsed.createdAt,
        updatedAt: parsed.updatedAt,
      };
      return this.#write(unit, existing === undefined ? undefined : fromStored<Run>(existing), restored, "run.imported");
    });
  }

  async #project(reader: Reader, fullName: string, action: "run.read" | "project.read" = "project.read"): Promise<Project> {
    const item = await reader.get<StoredProject>("projects", fullName);
    const project = item === undefined ? undefined : projectFromStored(item);
    this.#guard.assertReadable(project, fullName, action);
    return project;
  }

  async #readable(reader: Reader, uuid: string): Promise<Run> {
    const run = await loadRun(this.#context, reader, uuid);
    const item = run === undefined ? undefined : await reader.get<StoredProject>("projects", run.project);
    const project = item === undefined ? undefined : projectFromStored(item);
    if (run === undefined || project === undefined || !this.#guard.can(project, "run.read")) {
      throw new RegistryError("NOT_FOUND", `Run ${uuid} does not exist, or you may not read it.`, { run: uuid });
    }
    return run;
  }

  #write(unit: UnitOfWork, before: Run | undefined, after: StoredRun, type: RegistryEventType): Run {
    const changes = changesOf(before === undefined ? undefined : (toStored(before) as StoredRun), after);
    const revision = unit.put("runs", after.uuid, after as unknown as JsonValue);
    const run = fromStoredValue<Run>(after, revision);
    this.#record(unit, type, run, changes, run);
    return run;
  }

  #record(unit: UnitOfWork, type: RegistryEventType, run: Run | StoredRun, changes: readonly AuditPatch[], payload: Run): void {
    recordChange(this.#context, unit, { type, actor: this.#guard.actor, target: auditTarget.run(run), changes }, { run: payload });
  }
}

function readOnly(method: string): RegistryError {
  return new RegistryError("VALIDATION", `Runs are read-only with this run source: it does not implement ${method}().`, { method });
}

async function callSource<T>(call: () => Promise<T>, method: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError("STORAGE", `The run source failed in ${method}().`, { method }, { cause: error });
  }
}
