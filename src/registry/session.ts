import type { z } from "zod";
import type { JsonObject } from "../domain/json.js";
import type { Principal } from "../domain/access.js";
import type { VersionKind } from "../domain/records.js";
import { parseInput } from "../domain/schemas.js";
import type { RegistryContext } from "./context.js";
import { AccessGuard } from "./guard.js";
import { VersionsApi } from "./versions.js";
import { ProjectsApi } from "./projects.js";
import { RunsApi } from "./runs.js";
import { AuditApi } from "./audit.js";

/** Per-kind zod schemas for `version.metadata`, given to `createRegistry({ metadata })`. */
export type MetadataSchemas = Partial<Record<VersionKind, z.ZodType>>;

/** The metadata type of kind `K`: inferred from its schema, else any JSON object. */
export type MetadataOf<M extends MetadataSchemas, K extends VersionKind> = M[K] extends z.ZodType ? z.output<M[K]> : JsonObject;

/**
 * A registry client scoped to one principal: every call is checked against its roles.
 * Get one with `registry.as(principal)`.
 */
export class Session<M extends MetadataSchemas = MetadataSchemas> {
  /** Who this session acts as. */
  readonly principal: Principal;
  /** Projects: create, get, list, update, delete. */
  readonly projects: ProjectsApi;
  /** Model versions. */
  readonly models: VersionsApi<MetadataOf<M, "model">>;
  /** Artifact versions (data sets, files, ...). */
  readonly artifacts: VersionsApi<MetadataOf<M, "artifact">>;
  /** Component versions (`content` required; `state` is its hash). */
  readonly components: VersionsApi<MetadataOf<M, "component">>;
  /** Runs and their lineage artifacts. */
  readonly runs: RunsApi;
  /** The audit log. */
  readonly audit: AuditApi;

  /** @internal */
  constructor(context: RegistryContext, principal: Principal) {
    this.principal = principal;
    const guard = new AccessGuard(context, principal);
    this.models = new VersionsApi(context, guard, "model");
    this.artifacts = new VersionsApi(context, guard, "artifact");
    this.components = new VersionsApi(context, guard, "component");
    this.projects = new ProjectsApi(context, guard);
    this.runs = new RunsApi(context, guard, (kind) => this.versions(kind) as VersionsApi);
    this.audit = new AuditApi(context, guard);
    this.#kindSchema = context.schemas.kind;
  }

  readonly #kindSchema: z.ZodType<VersionKind>;

  /**
   * The versions API of a kind given at run time: `versions("model")` is `models`.
   * @throws RegistryError `VALIDATION` for an unknown kind.
   */
  versions<K extends VersionKind>(kind: K): VersionsApi<MetadataOf<M, K>> {
    const parsed = parseInput(this.#kindSchema, kind, "kind");
    const api = parsed === "model" ? this.models : parsed === "artifact" ? this.artifacts : this.components;
    return api as unknown as VersionsApi<MetadataOf<M, K>>;
  }
}
