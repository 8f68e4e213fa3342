/**
 * Access: principals, actions, effective roles and the default access policy.
 *
 * Pure: no I/O, no clock, no randomness. The registry asks {@link AccessPolicy.decide} before every
 * call (SYSTEM excepted) and turns a refusal into `NOT_FOUND` (when the principal may not even read)
 * or `FORBIDDEN` (when it may read but not do this). See docs/access.md.
 * @module
 */
import { z } from "zod";
import { RegistryError } from "../errors.js";
import { ORG_ROLES, TEAM_ROLES, maxRole, orgRoleToRole, roleAtLeast, teamRoleToRole } from "./roles.js";
import type { OrgRole, Role, TeamRole } from "./roles.js";

export { ORG_ROLES, TEAM_ROLES, ROLES, ROLE_RANK, roleAtLeast, maxRole, isRole, orgRoleToRole, teamRoleToRole } from "./roles.js";
export type { OrgRole, TeamRole, Role } from "./roles.js";

// ---------------------------------------------------------------------------------------------
// Principals
// ---------------------------------------------------------------------------------------------

/**
 * Who is calling. `orgs` maps an owner (an organisation or user namespace) to the principal's role
 * in it; `teams` maps `owner/team` to the principal's role in that team (teams are per owner).
 *
 * @example
 * ```ts
 * const bob: Principal = { id: "bob", orgs: { acme: "member" }, teams: { "acme/ml": "contributor" } };
 * ```
 */
export interface Principal {
  /** A stable id, recorded as the actor of everything this principal does. */
  readonly id: string;
  /** Org role per owner: `{ acme: "member" }`. */
  readonly orgs?: Readonly<Record<string, OrgRole>>;
  /** Team role per `owner/team`: `{ "acme/ml": "member" }`. */
  readonly teams?: Readonly<Record<string, TeamRole>>;
}

/**
 * The trusted principal: the registry lets it do anything without asking the policy
 * (only this exact object, compared by identity). Its actor id is `system`.
 */
export const SYSTEM: Principal = Object.freeze({ id: "system" });

/**
 * The principal with no roles anywhere: it may read public projects and nothing else.
 * Its actor id is `anonymous`.
 */
export const ANONYMOUS: Principal = Object.freeze({ id: "anonymous" });

/** The ids reserved for {@link SYSTEM} and {@link ANONYMOUS}. */
const RESERVED_IDS: ReadonlySet<string> = new Set(["system", "anonymous"]);

/** A name segment in a principal's keys: letters, digits, `-`, `_`, `.`, starting with a letter or digit. */
const KEY_SEGMENT = "[a-zA-Z0-9][-a-zA-Z0-9_.]{0,127}";
const OWNER_KEY = new RegExp(`^${KEY_SEGMENT}$`);
const TEAM_KEY = new RegExp(`^${KEY_SEGMENT}/${KEY_SEGMENT}$`);

const orgRoleSchema = z.enum(ORG_ROLES, {
  error: (issue) => `unknown org role ${JSON.stringify(issue.input)}; expected one of ${ORG_ROLES.join(", ")}`,
});
const teamRoleSchema = z.enum(TEAM_ROLES, {
  error: (issue) => `unknown team role ${JSON.stringify(issue.input)}; expected one of ${TEAM_ROLES.join(", ")}`,
});

/**
 * The zod schema of a {@link Principal}. Strict: unknown keys, unknown roles, malformed owners
 * (`orgs` keys) and team keys that are not `owner/team` are refused.
 * Use {@link parsePrincipal} to get a {@link RegistryError} instead of a `ZodError`.
 */
export const principalSchema = z.strictObject(
  {
    id: z
      .string({ error: (issue) => (issue.input === undefined ? "a principal needs an id (a non-empty string)" : "the principal id must be a string") })
      .min(1, { error: "the principal id must not be empty" })
      .max(256, { error: "the principal id must be at most 256 characters" })
      .refine((id) => id.trim() === id, { error: "the principal id must not start or end with whitespace" })
      // eslint-disable-next-line no-control-regex
      .refine((id) => !/[\u0000-\u001f\u007f]/.test(id), { error: "the principal id must not contain control characters" }),
    orgs: z
      .record(
        z.string().regex(OWNER_KEY, { error: "an org key must be an owner name (letters, digits, -, _, .)" }),
        orgRoleSchema,
      )
      .optional(),
    teams: z
      .record(
        z.string().regex(TEAM_KEY, { error: 'a team key must be "owner/team" (letters, digits, -, _, .)' }),
        teamRoleSchema,
      )
      .optional(),
  },
  { error: (issue) => (issue.code === "invalid_type" ? "a principal must be an object like { id, orgs?, teams? }" : undefined) },
);

function describePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "principal";
  return path.map((segment, index) => (index === 0 ? String(segment) : `[${JSON.stringify(String(segment))}]`)).join("");
}

/** Flattens zod issues (including nested record-key issues) into `{ path, message }` pairs. */
function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_key" && issue.issues.length > 0) {
      const key = path[path.length - 1];
      for (const inner of flattenIssues(issue.issues, [])) {
        out.push({ path: describePath(path), message: `invalid key ${JSON.stringify(String(key))}: ${inner.message}` });
      }
    } else if (issue.code === "unrecognized_keys") {
      out.push({
        path: describePath(path),
        message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}; a principal has only id, orgs and teams`,
      });
    } else {
      out.push({ path: describePath(path), message: issue.message });
    }
  }
  return out;
}

function freezePrincipal(principal: Principal): Principal {
  const out: { id: string; orgs?: Readonly<Record<string, OrgRole>>; teams?: Readonly<Record<string, TeamRole>> } = { id: principal.id };
  if (principal.orgs !== undefined) out.orgs = Object.freeze({ ...principal.orgs });
  if (principal.teams !== undefined) out.teams = Object.freeze({ ...principal.teams });
  return Object.freeze(out);
}

/**
 * Validates `input` as a {@link Principal} and returns a frozen copy.
 * {@link SYSTEM} and {@link ANONYMOUS} are returned as they are.
 *
 * The ids `system` and `anonymous` are reserved: another object with id `system` is refused
 * (only the exported {@link SYSTEM} is trusted), and `anonymous` may not carry roles.
 *
 * @throws RegistryError `VALIDATION` naming every problem (`details.issues` is `[{ path, message }]`).
 * @example
 * ```ts
 * parsePrincipal({ id: "bob", orgs: { acme: "member" } });
 * parsePrincipal({ id: "bob", orgs: { acme: "superuser" } });
 * // RegistryError VALIDATION: invalid principal: orgs["acme"]: unknown org role "superuser"; expected one of owner, ...
 * ```
 */
export function parsePrincipal(input: unknown): Principal {
  if (input === SYSTEM) return SYSTEM;
  if (input === ANONYMOUS) return ANONYMOUS;
  const result = principalSchema.safeParse(input);
  const issues = result.success ? [] : flattenIssues(result.error.issues);
  // zod drops "__proto__" record keys silently; refuse them instead, like any other malformed key.
  if (typeof input === "object" && input !== null) {
    for (const field of ["orgs", "teams"] as const) {
      const record: unknown = Object.hasOwn(input, field) ? (input as Record<string, unknown>)[field] : undefined;
      if (typeof record === "object" && record !== null && Object.hasOwn(record, "__proto__")) {
        issues.push({ path: describePath([field, "__proto__"]), message: 'invalid key "__proto__": not an owner or team name' });
      }
    }
  }
  if (!result.success || issues.length > 0) {
    const summary = issues.map((issue) => (issue.path === "principal" ? issue.message : `${issue.path}: ${issue.message}`)).join("; ");
    throw new RegistryError("VALIDATION", `invalid principal: ${summary}`, { issues });
  }
  const data = result.data;
  if (data.id === "system") {
    throw new RegistryError(
      "VALIDATION",
      'invalid principal: the id "system" is reserved; pass the exported SYSTEM object to act as the system',
      { issues: [{ path: "id", message: 'the id "system" is reserved' }] },
    );
  }
  if (RESERVED_IDS.has(data.id) && (Object.keys(data.orgs ?? {}).length > 0 || Object.keys(data.teams ?? {}).length > 0)) {
    throw new RegistryError("VALIDATION", `invalid principal: the reserved id ${JSON.stringify(data.id)} cannot carry roles`, {
      issues: [{ path: "id", message: `the reserved id ${JSON.stringify(data.id)} cannot carry roles` }],
    });
  }
  const principal: { id: string; orgs?: Record<string, OrgRole>; teams?: Record<string, TeamRole> } = { id: data.id };
  if (data.orgs !== undefined) principal.orgs = data.orgs;
  if (data.teams !== undefined) principal.teams = data.teams;
  return freezePrincipal(principal);
}

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

/** Every action the policy decides on, in a stable order. */
export const ACTIONS = Object.freeze([
  "project.read",
  "project.create",
  "project.update",
  "project.delete",
  "version.read",
  "version.create",
  "version.update",
  "version.copy",
  "version.stage",
  "version.delete",
  "version.transfer",
  "run.read",
  "run.create",
  "run.update",
  "run.delete",
  "audit.read",
] as const);

/** Something a principal asks to do on a project: one of {@link ACTIONS}. */
export type Action = (typeof ACTIONS)[number];

/**
 * The default matrix: the least role each action needs. Version copies need `member` on the target
 * (and read on the source: a separate `version.read` decision); transfers need `admin` on both projects.
 */
export const DEFAULT_REQUIRED_ROLES: Readonly<Record<Action, Role>> = Object.freeze({
  "project.read": "viewer",
  "project.create": "member",
  "project.update": "admin",
  "project.delete": "admin",
  "version.read": "viewer",
  "version.create": "member",
  "version.update": "member",
  "version.copy": "member",
  "version.stage": "member",
  "version.delete": "contributor",
  "version.transfer": "admin",
  "run.read": "viewer",
  "run.create": "member",
  "run.update": "member",
  "run.delete": "contributor",
  "audit.read": "viewer",
});

/**
 * The role the default matrix requires for `action`. For `version.stage`, pass the stage
 * machine's role for the move (`machine.requiredRoleFor(from, to)`) as `requiredRole`: the answer
 * is then the stronger of `member` and it.
 *
 * @example
 * ```ts
 * requiredRoleFor("version.delete"); // "contributor"
 * requiredRoleFor("version.stage", "admin"); // "admin"
 * requiredRoleFor("version.stage", "viewer"); // "member"
 * ```
 */
export function requiredRoleFor(action: Action, requiredRole?: Role): Role {
  const base = DEFAULT_REQUIRED_ROLES[action];
  if (action === "version.stage" && requiredRole !== undefined) return maxRole(base, requiredRole);
  return base;
}

/** True when `action` only reads (a refusal then answers `NOT_FOUND`, so existence does not leak). */
export function isReadAction(action: Action): boolean {
  return action === "project.read" || action === "version.read" || action === "run.read" || action === "audit.read";
}

// ---------------------------------------------------------------------------------------------
// Projects and effective roles
// ---------------------------------------------------------------------------------------------

/**
 * What the policy needs to know about a project. For `project.create` the registry passes a view
 * of the project to be created, with no grants.
 */
export interface ProjectAccessView {
  /** The owner (organisation or user namespace). */
  readonly owner: string;
  /** The project's name within the owner. */
  readonly name: string;
  /** `public` projects are readable by everyone. */
  readonly visibility: "public" | "private";
  /** Grants: a role per user id, and the names of the owner's teams that may use the project. */
  readonly access: {
    /** Role granted per user id; it overrides that user's org role. */
    readonly users: Readonly<Record<string, TeamRole>>;
    /** Names of the owner's teams (`"ml"`, not `"acme/ml"`) granted on the project. */
    readonly teams: readonly string[];
  };
}

function ownLookup<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * The role `principal` has in the organisation `owner`, as an effective {@link Role}
 * (`billing` and `outsider` count as `"none"`). Project grants play no part.
 */
export function orgRoleOn(principal: Principal, owner: string): Role {
  return orgRoleToRole(ownLookup(principal.orgs, owner));
}

/**
 * The strongest role `principal` has through the teams `project` grants: teams are keyed
 * `owner/team` on the principal and count only when their owner is the project's owner and their
 * name is in `project.access.teams`.
 */
export function teamRoleOn(principal: Principal, project: ProjectAccessView): Role {
  let best: Role = "none";
  if (principal.teams === undefined) return best;
  for (const team of project.access.teams) {
    if (team.includes("/")) continue; // a team name of the project's owner, never "other/team"
    best = maxRole(best, teamRoleToRole(ownLookup(principal.teams, `${project.owner}/${team}`)));
  }
  return best;
}

/**
 * The effective role of `principal` on `project`:
 * 1. the project's user grant for `principal.id`, if there is one (it overrides the org role, downward too);
 * 2. otherwise the strongest of the org role for `project.owner` (`billing`/`outsider` count as none)
 *    and the roles of the principal's teams that the project grants (teams of another owner never count);
 * 3. then a public project lifts the result to at least `viewer`, for everyone.
 *
 * @example
 * ```ts
 * const project = { owner: "acme", name: "churn", visibility: "private", access: { users: { bob: "viewer" }, teams: ["ml"] } };
 * effectiveRole({ id: "bob", orgs: { acme: "owner" } }, project); // "viewer": the grant overrides
 * effectiveRole({ id: "eve", teams: { "acme/ml": "contributor" } }, project); // "contributor"
 * ```
 */
export function effectiveRole(principal: Principal, project: ProjectAccessView): Role {
  const grant = ownLookup(project.access.users, principal.id);
  const role = grant !== undefined ? teamRoleToRole(grant) : maxRole(orgRoleOn(principal, project.owner), teamRoleOn(principal, project));
  return project.visibility === "public" ? maxRole(role, "viewer") : role;
}

// ---------------------------------------------------------------------------------------------
// The policy
// ---------------------------------------------------------------------------------------------

/** One question to the policy: may `principal` do `action` on `project`? */
export interface AccessRequest {
  /** Who asks. */
  principal: Principal;
  /** What they want to do. */
  action: Action;
  /** Where: the project (for `project.create`, the project to be created, with no grants). */
  project: ProjectAccessView;
  /** The version concerned, when there is one (the default policy does not look at it). */
  version?: unknown;
  /** The run concerned, when there is one (the default policy does not look at it). */
  run?: unknown;
  /** For `version.stage`: the target stage. */
  toStage?: string;
  /** For `version.stage`: the current stage. */
  fromStage?: string;
  /** For `version.stage`: the stage machine's role for the move (`machine.requiredRoleFor(from, to)`), if any. */
  requiredRole?: Role | undefined;
}

/** The policy's answer. */
export interface AccessDecision {
  /** Whether the action is allowed. */
  allow: boolean;
  /** The principal's effective role on the project. */
  role: Role;
  /** The role the action needs. */
  required: Role;
  /** A human sentence: who has which role where, and what the action needs. */
  reason: string;
}

/**
 * The access port: replace it with `createRegistry({ policy })` to apply your own rules.
 * `decide` must be pure and synchronous; {@link SYSTEM} never reaches it (the registry bypasses the policy).
 */
export interface AccessPolicy {
  /** Decides one request. */
  decide(request: AccessRequest): AccessDecision;
}

function describeAction(request: AccessRequest): string {
  if (request.action !== "version.stage") return request.action;
  const { fromStage, toStage } = request;
  if (fromStage !== undefined && toStage !== undefined) return `version.stage from ${fromStage} to ${toStage}`;
  if (toStage !== undefined) return `version.stage to ${toStage}`;
  if (fromStage !== undefined) return `version.stage from ${fromStage}`;
  return request.action;
}

/**
 * The default policy: the matrix of {@link DEFAULT_REQUIRED_ROLES} over {@link effectiveRole}.
 * For `project.create` only the principal's org role in the owner counts (the project does not exist yet).
 * {@link SYSTEM} (by identity) is allowed everything with role `owner`.
 *
 * | role | may |
 * |---|---|
 * | viewer | read projects, versions, runs, audit |
 * | member | create projects (org role), create/update/copy versions, create/update runs, stage into non-restricted stages |
 * | contributor | delete versions and runs |
 * | admin, manager, owner | stage into and out of restricted stages, transfer, update and delete projects |
 *
 * @example
 * ```ts
 * defaultPolicy.decide({ principal: bob, action: "version.update", project });
 * // { allow: false, role: "viewer", required: "member",
 * //   reason: 'user "bob" has role viewer on acme/churn; version.update needs member' }
 * ```
 */
export const defaultPolicy: AccessPolicy = Object.freeze({
  decide(request: AccessRequest): AccessDecision {
    const { principal, action, project } = request;
    const required = requiredRoleFor(action, request.requiredRole);
    const where = `${project.owner}/${project.name}`;
    if (principal === SYSTEM) {
      return { allow: true, role: "owner", required, reason: `the system may do anything; ${describeAction(request)} on ${where} allowed` };
    }
    const role = action === "project.create" ? orgRoleOn(principal, project.owner) : effectiveRole(principal, project);
    const allow = roleAtLeast(role, required);
    const who = principal === ANONYMOUS ? "anonymous" : `user ${JSON.stringify(principal.id)}`;
    const on = action === "project.create" ? `in ${project.owner}` : `on ${where}`;
    return { allow, role, required, reason: `${who} has role ${role} ${on}; ${describeAction(request)} needs ${required}` };
  },
});
