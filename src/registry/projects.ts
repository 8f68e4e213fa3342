import { RegistryError } from "../errors.js";
import { parseProjectRef, nameProblem } from "../domain/names.js";
import { parseInput } from "../domain/schemas.js";
import type { Action } from "../domain/access.js";
import type { JsonValue } from "../domain/json.js";
import type { Page, Project, ProjectAccess, Run, Version, Visibility } from "../domain/records.js";
import type { RegistryContext } from "./context.js";
import type { AccessGuard } from "./guard.js";
import { directReader, type Reader, type UnitOfWork } from "./unit-of-work.js";
import { fromStored, fromStoredValue, projectFromStored, toStored, type StoredProject, type StoredRun, type StoredVersion } from "./stored-records.js";
import { PROJECT_FIELDS, planList, pageOf, type ListPlan } from "./listing.js";
import { deleteVersion, type ListOptions } from "./versions.js";
import { auditTarget, changesOf, DELETION_CHANGES, recordChange } from "./audit-trail.js";
import { compileQuery, compareBy } from "../domain/query/index.js";

/** Input of `projects.create()`. */
export interface ProjectCreateInput {
  /** The owning organization or user: a slug (letters, digits, `-`, `_`, `.`; at most 128 characters). */
  owner: string;
  /** The project's name within its owner: a slug of at most 128 characters, unique per owner. */
  name: string;
  /** Free text, at most `limits.description` characters (default 10,000). Default `null`. */
  description?: string | null;
  /** Default `private`. */
  visibility?: Visibility;
  /**
   * Per-project grants. On `projects.update()`, a given `users` or `teams` replaces that list whole;
   * one left out stays as it is.
   */
  access?: {
    /** A role per user id; it overrides the user's org role on this project. Default `{}`. */
    users?: Record<string, "admin" | "contributor" | "member" | "viewer">;
    /** Names (slugs) of the owner's teams whose members get their team role here. Default `[]`. */
    teams?: string[];
  };
  /** Projects whose runs may be promoted into this one; empty (default) means any project of the same owner. */
  allowedSourceProjects?: string[];
}

/** Fields `projects.update()` may change. */
export type ProjectUpdateInput = Omit<ProjectCreateInput, "owner" | "name">;

/** Options of `projects.delete()`. */
export interface ProjectDeleteOptions {
  /** Also delete the project's versions and runs (otherwise a project holding any is `LOCKED`). */
  cascade?: boolean;
  /** The project's revision you read; `CONFLICT` if the stored one differs. Default: not pinned. */
  ifRevision?: number;
}

/** Every project of `owner` (or of every owner) that the principal may `action`, sorted by name. */
export async function readableProjects(guard: AccessGuard, reader: Reader, owner: string | undefined, action: Action): Promise<Project[]> {
  const result = await reader.query("projects", owner === undefined ? {} : { prefix: `${owner}/` });
  return result.items.map((item) => projectFromStored(item)).filter((project) => (owner === undefined || project.owner === owner) && guard.can(project, action));
}

/**
 * The projects API of a session: `session.projects`.
 *
 * Besides the codes each method lists, every method rejects with `STORAGE` when the store fails, and
 * every change with `CONFLICT` when concurrent writers outlast the retries.
 */
export class ProjectsApi {
  readonly #context: RegistryContext;
  readonly #guard: AccessGuard;

  /** @internal */
  constructor(context: RegistryContext, guard: AccessGuard) {
    this.#context = context;
    this.#guard = guard;
  }

  /**
   * Creates a project `owner/name` (private by default).
   * @throws RegistryError `VALIDATION`, `FORBIDDEN` (needs org role member in the owner), `ALREADY_EXISTS`.
   * @example
   * ```ts
   * await session.projects.create({ owner: "acme", name: "churn", visibility: "private", description: "churn models" });
   * ```
   */
  async create(input: ProjectCreateInput): Promise<Project> {
    const parsed = parseInput(this.#context.schemas.projectCreate, input, "project");
    return this.#context.mutate(async (unit) => {
      const at = this.#context.clock().toISOString();
      const fullName = `${parsed.owner}/${parsed.name}`;
      const record: StoredProject = {
        fullName,
        owner: parsed.owner,
        name: parsed.name,
        description: parsed.description ?? null,
        visibility: parsed.visibility ?? "private",
        access: { users: parsed.access?.users ?? {}, teams: parsed.access?.teams ?? [] },
        allowedSourceProjects: parsed.allowedSourceProjects ?? [],
        createdBy: this.#guard.actor,
        createdAt: at,
        updatedAt: at,
      };
      this.#guard.assertAllowed({ ...record, access: { users: {}, teams: [] }, revision: 0 }, "project.create");
      const existing = await unit.get<StoredProject>("projects", fullName);
      if (existing !== undefined) {
        throw new RegistryError("ALREADY_EXISTS", `Project ${fullName} already exists.`, { project: fullName });
      }
      return this.#write(unit, undefined, record, "project.created");
    });
  }

  /**
   * Gets a project by `owner/name`.
   * @throws RegistryError `VALIDATION` for a malformed reference; `NOT_FOUND` when it does not exist or is not readable.
   * @example
   * ```ts
   * const project = await session.projects.get("acme/churn");
   * ```
   */
  async get(reference: string): Promise<Project> {
    const ref = parseProjectRef(parseInput(this.#context.schemas.reference, reference, "project reference"));
    await this.#context.refresh();
    const item = await directReader(this.#context.store).get<StoredProject>("projects", ref.fullName);
    const project = item === undefined ? undefined : projectFromStored(item);
    this.#guard.assertReadable(project, ref.fullName);
    return project;
  }

  /**
   * Lists the readable projects of `owner` (or of every owner), sorted by name unless `sort` says otherwise.
   * `query` filters on name, owner, description, visibility, created_at, updated_at. An owner with no
   * readable project lists as an empty page. Pages by `offset` only.
   * @throws RegistryError `VALIDATION` (bad owner, query, sort or paging; a `cursor`).
   * @example
   * ```ts
   * const page = await session.projects.list("acme", { query: "visibility:public", limit: 50 });
   * ```
   */
  async list(owner?: string, options: ListOptions = {}): Promise<Page<Project>> {
    if (owner !== undefined) {
      const problem = typeof owner === "string" ? nameProblem(owner) : "must be a string";
      if (problem !== undefined) throw new RegistryError("VALIDATION", `Invalid owner ${JSON.stringify(owner)}: ${problem}.`, { issues: [{ path: ["owner"], message: problem }] });
    }
    const parsed = parseInput(this.#context.schemas.list, options, "list options");
    const plan: ListPlan = planList(parsed, PROJECT_FIELDS, PROJECT_FIELDS, "name");
    await this.#context.refresh();
    const projects = await readableProjects(this.#guard, directReader(this.#context.store), owner, "project.read");
    const predicate = compileQuery(plan.where);
    const compare = compareBy(plan.sort);
    const sorted = projects
      .filter((project) => predicate(project))
      .map((project) => ({ key: project.fullName, value: project }))
      .sort(compare)
      .map((item) => item.value);
    return pageOf(sorted, plan);
  }

  /**
   * Updates description, visibility, access grants or allowed source projects.
   * @throws RegistryError `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (needs admin), `CONFLICT` (`ifRevision`).
   * @example
   * ```ts
   * await session.projects.update("acme/churn", { visibility: "public", access: { teams: ["ml"] } });
   * ```
   */
  async update(reference: string, changes: ProjectUpdateInput, options: { ifRevision?: number } = {}): Promise<Project> {
    const ref = parseProjectRef(parseInput(this.#context.schemas.reference, reference, "project reference"));
    const parsed = parseInput(this.#context.schemas.projectUpdate, changes, "project update");
    const pin = parseInput(this.#context.schemas.pin, options, "options");
    return this.#context.mutate(async (unit) => {
      const project = await this.#load(unit, ref.fullName);
      this.#guard.assertAllowed(project, "project.update");
      if (pin.ifRevision !== undefined && pin.ifRevision !== project.revision) {
        throw new RegistryError("CONFLICT", `Project ${ref.fullName} is at revision ${project.revision}, not ${pin.ifRevision}.`, {
          reference: ref.fullName,
          expected: pin.ifRevision,
          actual: project.revision,
        });
      }
      const access: ProjectAccess = {
        users: parsed.access?.users ?? project.access.users,
        teams: parsed.access?.teams ?? project.access.teams,
      };
      const next: StoredProject = {
        ...(toStored(project) as StoredProject),
        ...(parsed.description === undefined ? {} : { description: parsed.description }),
        ...(parsed.visibility === undefined ? {} : { visibility: parsed.visibility }),
        ...(parsed.allowedSourceProjects === undefined ? {} : { allowedSourceProjects: parsed.allowedSourceProjects }),
        access,
        updatedAt: this.#context.clock().toISOString(),
      };
      return this.#write(unit, project, next, "project.updated");
    });
  }

  /**
   * Deletes a project. One that holds versions or runs is `LOCKED` unless `cascade: true`, which deletes them too.
   * @throws RegistryError `VALIDATION` (bad input), `NOT_FOUND`, `FORBIDDEN` (needs admin), `LOCKED`, `CONFLICT` (`ifRevision`).
   * @example
   * ```ts
   * await session.projects.delete("acme/old-experiments", { cascade: true });
   * ```
   */
  async delete(reference: string, options: ProjectDeleteOptions = {}): Promise<void> {
    const ref = parseProjectRef(parseInput(this.#context.schemas.reference, reference, "project reference"));
    const parsed = parseInput(this.#context.schemas.projectDelete, options, "options");
    await this.#context.mutate(async (unit) => {
      const project = await this.#load(unit, ref.fullName);
      this.#guard.assertAllowed(project, "project.delete");
      if (parsed.ifRevision !== undefined && parsed.ifRevision !== project.revision) {
        throw new RegistryError("CONFLICT", `Project ${ref.fullName} is at revision ${project.revision}, not ${parsed.ifRevision}.`, {
          reference: ref.fullName,
          expected: parsed.ifRevision,
          actual: project.revision,
        });
      }
      const inProject = { type: "term", field: "project", op: "eq", value: project.fullName } as const;
      const versions = await unit.query("versions", { where: inProject });
      const runs = this.#context.runSource === undefined ? await unit.query("runs", { where: inProject }) : { items: [], total: 0 };
      if ((versions.total > 0 || runs.total > 0) && parsed.cascade !== true) {
        throw new RegistryError("LOCKED", `Project ${project.fullName} holds ${versions.total} version(s) and ${runs.total} run(s); pass \`cascade: true\` to delete them too.`, {
          project: project.fullName,
          versions: versions.total,
          runs: runs.total,
        });
      }
      for (const item of versions.items) {
        unit.adopt("versions", item);
        await deleteVersion(this.#context, unit, this.#guard, fromStored<Version>(item));
      }
      // Versions of other projects that lock this project's runs go too (as `runs.delete({ cascade })` does),
      // so no version is left pointing at a deleted run.
      for (const item of runs.items) {
        const lockers = await unit.query("versions", { where: { type: "term", field: "run", op: "eq", value: item.key } });
        for (const locker of lockers.items) {
          const version = fromStored<Version>(locker);
          if (version.project === project.fullName) continue;
          unit.adopt("versions", locker);
          const owner = await unit.get<StoredProject>("projects", version.project);
          if (owner !== undefined) this.#guard.assertAllowed(projectFromStored(owner), "version.delete", { version });
          await deleteVersion(this.#context, unit, this.#guard, version);
        }
      }
      for (const item of runs.items) {
        unit.adopt("runs", item);
        const run = fromStored<Run>(item);
        unit.delete("runs", run.uuid);
        recordChange(this.#context, unit, { type: "run.deleted", actor: this.#guard.actor, target: auditTarget.run(run), changes: DELETION_CHANGES }, { run });
      }
      for (const collection of ["counters", "holders"] as const) {
        const helpers = await unit.query(collection, { prefix: `${project.fullName}/` });
        for (const item of helpers.items) {
          unit.adopt(collection, item);
          unit.delete(collection, item.key);
        }
      }
      unit.delete("projects", project.fullName);
      recordChange(this.#context, unit, { type: "project.deleted", actor: this.#guard.actor, target: auditTarget.project(project), changes: DELETION_CHANGES }, { project });
    });
  }

  async #load(unit: UnitOfWork, fullName: string): Promise<Project> {
    const item = await unit.get<StoredProject>("projects", fullName);
    const project = item === undefined ? undefined : projectFromStored(item);
    this.#guard.assertReadable(project, fullName);
    return project;
  }

  #write(unit: UnitOfWork, before: Project | undefined, after: StoredProject, type: "project.created" | "project.updated"): Project {
    const changes = changesOf(before === undefined ? undefined : (toStored(before) as StoredProject), after);
    const revision = unit.put("projects", after.fullName, after as unknown as JsonValue);
    const project = fromStoredValue<Project>(after, revision);
    recordChange(this.#context, unit, { type, actor: this.#guard.actor, target: auditTarget.project(after), changes, at: after.updatedAt }, { project });
    return project;
  }
}

export type { StoredVersion, StoredRun };
