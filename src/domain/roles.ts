/**
 * Roles: the org roles and team roles a principal can hold, and the ranked effective role
 * the access policy and the stage machine compare.
 *
 * Pure: no I/O, no clock, no randomness. {@link "./access.js"} re-exports everything here.
 * @module
 */

/**
 * The roles a principal can hold in an organisation (an owner), highest first.
 * `billing` and `outsider` grant nothing on projects (they count as `"none"`) unless the project
 * grants the principal something itself.
 */
export const ORG_ROLES = Object.freeze(["owner", "manager", "admin", "member", "viewer", "billing", "outsider"] as const);

/** A role in an organisation: one of {@link ORG_ROLES}. */
export type OrgRole = (typeof ORG_ROLES)[number];

/**
 * The roles a principal can hold in a team, and the roles a project's user grants take
 * (DESIGN §5.37), highest first.
 */
export const TEAM_ROLES = Object.freeze(["admin", "contributor", "member", "viewer"] as const);

/** A role in a team, or a role granted to a user on a project: one of {@link TEAM_ROLES}. */
export type TeamRole = (typeof TEAM_ROLES)[number];

/**
 * The effective role of a principal on a project, from lowest to highest:
 * `none < viewer < member < contributor < admin < manager < owner`.
 */
export type Role = "none" | "viewer" | "member" | "contributor" | "admin" | "manager" | "owner";

/** Every {@link Role}, lowest first (the order of {@link ROLE_RANK}). */
export const ROLES = Object.freeze(["none", "viewer", "member", "contributor", "admin", "manager", "owner"] as const) satisfies readonly Role[];

/**
 * The rank of each {@link Role}: a higher number is a stronger role. `none` is 0.
 *
 * @example
 * ```ts
 * ROLE_RANK.admin > ROLE_RANK.member; // true
 * ```
 */
export const ROLE_RANK: Readonly<Record<Role, number>> = Object.freeze({
  none: 0,
  viewer: 1,
  member: 2,
  contributor: 3,
  admin: 4,
  manager: 5,
  owner: 6,
});

/**
 * True when `role` is `required` or stronger.
 *
 * @example
 * ```ts
 * roleAtLeast("admin", "member"); // true
 * roleAtLeast("viewer", "member"); // false
 * ```
 */
export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[required];
}

/** The stronger of the given roles (`"none"` when none is given). */
export function maxRole(...roles: readonly Role[]): Role {
  let best: Role = "none";
  for (const role of roles) if (ROLE_RANK[role] > ROLE_RANK[best]) best = role;
  return best;
}

/** True when `value` is a {@link Role}. */
export function isRole(value: unknown): value is Role {
  return typeof value === "string" && Object.hasOwn(ROLE_RANK, value);
}

/**
 * The effective {@link Role} an org role gives on the org's projects:
 * `billing` and `outsider` give `"none"`, the others give the role of the same name.
 */
export function orgRoleToRole(role: OrgRole | undefined): Role {
  switch (role) {
    case "owner":
    case "manager":
    case "admin":
    case "member":
    case "viewer":
      return role;
    default:
      return "none";
  }
}

/** The effective {@link Role} a team role or a project user grant gives: the role of the same name. */
export function teamRoleToRole(role: TeamRole | undefined): Role {
  switch (role) {
    case "admin":
    case "contributor":
    case "member":
    case "viewer":
      return role;
    default:
      return "none";
  }
}
