/**
 * artifact-versions: an embeddable registry of versioned artifacts (models, data sets, components)
 * with stages, lineage, access control and pluggable storage. Runs in Node.js and in the browser.
 *
 * @example
 * ```ts
 * import { createRegistry } from "artifact-versions";
 * const registry = createRegistry();
 * const ana = registry.as({ id: "ana", orgs: { acme: "admin" } });
 * await ana.projects.create({ owner: "acme", name: "churn" });
 * const v1 = await ana.models.register({ project: "acme/churn", name: "v1", tags: ["baseline"] });
 * await ana.models.stage("acme/churn:v1", { to: "staging", reason: "PassedEval" });
 * ```
 * @packageDocumentation
 */

// Registry and sessions
export { createRegistry } from "./registry/registry.js";
export type { Registry, RegistryOptions } from "./registry/registry.js";
export { Session } from "./registry/session.js";
export type { MetadataSchemas, MetadataOf } from "./registry/session.js";
export { VersionsApi } from "./registry/versions.js";
export type { RegisterInput, UpdateInput, PinOptions, StageInput, CopyInput, TransferInput, ListOptions, StageHistory, Lineage } from "./registry/versions.js";
export { ProjectsApi } from "./registry/projects.js";
export type { ProjectCreateInput, ProjectUpdateInput, ProjectDeleteOptions } from "./registry/projects.js";
export { RunsApi } from "./registry/runs.js";
export type { RunArtifactInput, RunCreateInput, RunUpdateInput, PromoteInput, RunDeleteOptions } from "./registry/runs.js";
export { AuditApi } from "./registry/audit.js";
export type { AuditListOptions } from "./registry/audit.js";
export type { RunSource, RunListRequest } from "./registry/run-source.js";
export { RegistryEventBus, REGISTRY_EVENT_TYPES } from "./registry/events.js";
export type {
  RegistryEvents,
  RegistryEventType,
  RegistryListener,
  VersionEvent,
  VersionStagedEvent,
  VersionCopiedEvent,
  VersionTransferredEvent,
  RunEvent,
  ProjectEvent,
} from "./registry/events.js";

// Errors
export { RegistryError, isRegistryError, ERROR_CODES } from "./errors.js";
export type { ErrorCode } from "./errors.js";

// Records
export { VERSION_KINDS } from "./domain/records.js";
export type { VersionKind, Visibility, Project, ProjectAccess, Version, Run, RunArtifact, AuditEntry, AuditPatch, AuditTargetType, Page } from "./domain/records.js";
export type { JsonValue, JsonObject } from "./domain/json.js";
export { DEFAULT_LIMITS } from "./domain/schemas.js";
export type { Limits } from "./domain/schemas.js";

// Names
export { parseVersionRef, parseProjectRef, isValidName, NAME_PATTERN, NAME_MAX_LENGTH, LATEST } from "./domain/names.js";
export type { ProjectRef, VersionRef } from "./domain/names.js";

// Access
export {
  SYSTEM,
  ANONYMOUS,
  defaultPolicy,
  effectiveRole,
  parsePrincipal,
  ORG_ROLES,
  TEAM_ROLES,
  ROLES,
  ROLE_RANK,
  ACTIONS,
  DEFAULT_REQUIRED_ROLES,
  roleAtLeast,
} from "./domain/access.js";
export type { Principal, OrgRole, TeamRole, Role, Action, AccessPolicy, AccessRequest, AccessDecision, ProjectAccessView } from "./domain/access.js";

// Stages
export { defineStages, DEFAULT_STAGES, openStages } from "./domain/stages.js";
export type { StageMachine, StageMachineDefinition, StageCondition, StageMove, TransitionResult, StageHolder, StageHolderKind, DemoteOptions } from "./domain/stages.js";

// Query language
export {
  parseQuery,
  printQuery,
  parseSort,
  printSort,
  normalizeQuery,
  andQuery,
  orQuery,
  notQuery,
  termQuery,
  matches,
  compileQuery,
  compareBy,
  fieldPath,
  isDateField,
} from "./domain/query/index.js";
export type {
  QueryNode,
  QueryAnd,
  QueryOr,
  QueryNot,
  QueryTerm,
  QueryOp,
  SortField,
  ParseQueryOptions,
  ParseSortOptions,
  QueryPredicate,
  SortableItem,
} from "./domain/query/index.js";

// Storage
export { memoryStore } from "./store/memory.js";
export type { MemoryStoreOptions } from "./store/memory.js";
export { COLLECTIONS } from "./store/store.js";
export type { Store, StoredItem, StoreQuery, StoreQueryResult, Write, PutWrite, DeleteWrite, CheckWrite, CommitResult } from "./store/store.js";
