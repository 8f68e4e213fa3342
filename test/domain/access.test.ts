import { describe, expect, it } from "vitest";
import { RegistryError } from "../../src/errors.js";
import {
  ACTIONS,
  ANONYMOUS,
  ORG_ROLES,
  ROLE_RANK,
  SYSTEM,
  TEAM_ROLES,
  defaultPolicy,
  effectiveRole,
  parsePrincipal,
  principalSchema,
  requiredRoleFor,
  roleAtLeast,
} from "../../src/domain/access.js";
import type { Action, OrgRole, Principal, ProjectAccessView, Role, TeamRole } from "../../src/domain/access.js";
import { DEFAULT_STAGES } from "../../src/domain/stages.js";

function project(visibility: "public" | "private", users: Record<string, TeamRole> = {}, teams: string[] = ["ml"]): ProjectAccessView {
  return { owner: "acme", name: "churn", visibility, access: { users, teams } };
}

function catchError(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error("expected a RegistryError");
}

// ---------------------------------------------------------------------------------------------
// The subjects of the matrix: 7 org roles, 4 team roles through a granted team, 4 user grants.
// ---------------------------------------------------------------------------------------------

interface Subject {
  label: string;
  principal: Principal;
  users: Record<string, TeamRole>;
}

const SUBJECTS: Subject[] = [
  ...ORG_ROLES.map((role: OrgRole) => ({ label: `org:${role}`, principal: { id: "pat", orgs: { acme: role } }, users: {} })),
  ...TEAM_ROLES.map((role: TeamRole) => ({ label: `team:${role}`, principal: { id: "pat", teams: { "acme/ml": role } }, users: {} })),
  ...TEAM_ROLES.map((role: TeamRole) => ({ label: `user:${role}`, principal: { id: "pat" }, users: { pat: role } })),
];

/**
 * Column order of the tables below:
 * org: owner manager admin member viewer billing outsider | team: admin contributor member viewer | user: admin contributor member viewer
 */

/** Expected effective role per subject (same column order), written out by hand. */
const EXPECTED_ROLE: Record<"private" | "public", Role[]> = {
  // prettier-ignore
  private: ["owner", "manager", "admin", "member", "viewer", "none", "none", "admin", "contributor", "member", "viewer", "admin", "contributor", "member", "viewer"],
  // prettier-ignore
  public: ["owner", "manager", "admin", "member", "viewer", "viewer", "viewer", "admin", "contributor", "member", "viewer", "admin", "contributor", "member", "viewer"],
};

/** A row of the matrix: an action, possibly a stage move, the expected required role, and Y/. per subject. */
interface Row {
  label: string;
  action: Action;
  requiredRole?: Role;
  fromStage?: string;
  toStage?: string;
  required: Role;
  private: string;
  public: string;
}

const R = "YYYYY.. YYYY YYYY"; // viewer and up
const R_PUBLIC = "YYYYYYY YYYY YYYY"; // everyone on a public project
const M = "YYYY... YYY. YYY."; // member and up
const C = "YYY.... YY.. YY.."; // contributor and up
const A = "YYY.... Y... Y..."; // admin and up
const ORG_MEMBER = "YYYY... .... ...."; // project.create: only the org role counts

// Stage moves take the stage machine's role for the move.
const intoProduction = DEFAULT_STAGES.requiredRoleFor("staging", "production");
const outOfProduction = DEFAULT_STAGES.requiredRoleFor("production", "staging");
const plainMove = DEFAULT_STAGES.requiredRoleFor("testing", "staging");

/** The whole default matrix, written out by hand. Columns: see SUBJECTS. */
const MATRIX: Row[] = [
  { label: "project.read", action: "project.read", required: "viewer", private: R, public: R_PUBLIC },
  { label: "project.create", action: "project.create", required: "member", private: ORG_MEMBER, public: ORG_MEMBER },
  { label: "project.update", action: "project.update", required: "admin", private: A, public: A },
  { label: "project.delete", action: "project.delete", required: "admin", private: A, public: A },
  { label: "version.read", action: "version.read", required: "viewer", private: R, public: R_PUBLIC },
  { label: "version.create", action: "version.create", required: "member", private: M, public: M },
  { label: "version.update", action: "version.update", required: "member", private: M, public: M },
  { label: "version.copy", action: "version.copy", required: "member", private: M, public: M },
  { label: "version.stage (no stage given)", action: "version.stage", required: "member", private: M, public: M },
  // prettier-ignore
  { label: "version.stage testing -> staging (not restricted)", action: "version.stage", fromStage: "testing", toStage: "staging", ...(plainMove ? { requiredRole: plainMove } : {}), required: "member", private: M, public: M },
  // prettier-ignore
  { label: "version.stage staging -> production (restricted)", action: "version.stage", fromStage: "staging", toStage: "production", ...(intoProduction ? { requiredRole: intoProduction } : {}), required: "admin", private: A, public: A },
  // prettier-ignore
  { label: "version.stage production -> staging (out of restricted)", action: "version.stage", fromStage: "production", toStage: "staging", ...(outOfProduction ? { requiredRole: outOfProduction } : {}), required: "admin", private: A, public: A },
  // prettier-ignore
  { label: "version.stage with a stage role below member", action: "version.stage", toStage: "review", requiredRole: "viewer", required: "member", private: M, public: M },
  // prettier-ignore
  { label: "version.stage into an owner-only stage", action: "version.stage", toStage: "vault", requiredRole: "owner", required: "owner", private: "Y...... .... ....", public: "Y...... .... ...." },
  // prettier-ignore
  { label: "version.stage into a manager stage", action: "version.stage", toStage: "gold", requiredRole: "manager", required: "manager", private: "YY..... .... ....", public: "YY..... .... ...." },
  { label: "version.delete", action: "version.delete", required: "contributor", private: C, public: C },
  { label: "version.transfer", action: "version.transfer", required: "admin", private: A, public: A },
  { label: "run.read", action: "run.read", required: "viewer", private: R, public: R_PUBLIC },
  { label: "run.create", action: "run.create", required: "member", private: M, public: M },
  { label: "run.update", action: "run.update", required: "member", private: M, public: M },
  { label: "run.delete", action: "run.delete", required: "contributor", private: C, public: C },
  { label: "audit.read", action: "audit.read", required: "viewer", private: R, public: R_PUBLIC },
];

function flags(row: string): boolean[] {
  const cells = row.replaceAll(" ", "");
  if (cells.length !== SUBJECTS.length) throw new Error(`bad table row ${JSON.stringify(row)}`);
  return [...cells].map((cell) => cell === "Y");
}

describe("the default matrix", () => {
  it("covers every action", () => {
    expect(new Set(MATRIX.map((row) => row.action))).toEqual(new Set(ACTIONS));
    expect(ACTIONS).toHaveLength(16);
    expect(SUBJECTS.map((s) => s.label)).toEqual([
      "org:owner", "org:manager", "org:admin", "org:member", "org:viewer", "org:billing", "org:outsider",
      "team:admin", "team:contributor", "team:member", "team:viewer",
      "user:admin", "user:contributor", "user:member", "user:viewer",
    ]);
  });

  for (const visibility of ["private", "public"] as const) {
    describe(visibility, () => {
      it("effective roles", () => {
        const actual = SUBJECTS.map((subject) => effectiveRole(subject.principal, project(visibility, subject.users)));
        expect(actual).toEqual(EXPECTED_ROLE[visibility]);
      });

      for (const row of MATRIX) {
        it(row.label, () => {
          const expected = flags(row[visibility]);
          SUBJECTS.forEach((subject, i) => {
            const request = {
              principal: subject.principal,
              action: row.action,
              project: row.action === "project.create" ? project(visibility, {}, []) : project(visibility, subject.users),
              ...(row.requiredRole !== undefined ? { requiredRole: row.requiredRole } : {}),
              ...(row.fromStage !== undefined ? { fromStage: row.fromStage } : {}),
              ...(row.toStage !== undefined ? { toStage: row.toStage } : {}),
            };
            const decision = defaultPolicy.decide(request);
            expect(decision.allow, `${subject.label} ${row.label} (${visibility})`).toBe(expected[i]);
            expect(decision.required, `${subject.label} ${row.label} required`).toBe(row.required);
          });
        });
      }
    });
  }

  it("project.create counts only the org role, even when the view carries grants", () => {
    const view = project("public", { pat: "admin" }, ["ml"]);
    const viaGrant = defaultPolicy.decide({ principal: { id: "pat", teams: { "acme/ml": "admin" } }, action: "project.create", project: view });
    expect(viaGrant).toMatchObject({ allow: false, role: "none", required: "member" });
    const member = defaultPolicy.decide({ principal: { id: "pat", orgs: { acme: "member" } }, action: "project.create", project: view });
    expect(member).toMatchObject({ allow: true, role: "member" });
    expect(member.reason).toBe('user "pat" has role member in acme; project.create needs member');
  });
});

describe("effective roles", () => {
  it("a user grant overrides the org role, downward too", () => {
    const owner: Principal = { id: "bob", orgs: { acme: "owner" } };
    expect(effectiveRole(owner, project("private", { bob: "viewer" }))).toBe("viewer");
    const decision = defaultPolicy.decide({ principal: owner, action: "version.update", project: project("private", { bob: "viewer" }) });
    expect(decision).toEqual({ allow: false, role: "viewer", required: "member", reason: 'user "bob" has role viewer on acme/churn; version.update needs member' });
  });

  it("a user grant overrides team roles too", () => {
    const principal: Principal = { id: "bob", teams: { "acme/ml": "admin" } };
    expect(effectiveRole(principal, project("private", { bob: "member" }))).toBe("member");
  });

  it("a user grant for someone else does not count", () => {
    expect(effectiveRole({ id: "bob", orgs: { acme: "viewer" } }, project("private", { alice: "admin" }))).toBe("viewer");
  });

  it("without a grant, the highest of the org role and the granted teams counts", () => {
    expect(effectiveRole({ id: "bob", orgs: { acme: "viewer" }, teams: { "acme/ml": "contributor" } }, project("private"))).toBe("contributor");
    expect(effectiveRole({ id: "bob", orgs: { acme: "admin" }, teams: { "acme/ml": "member" } }, project("private"))).toBe("admin");
    expect(
      effectiveRole({ id: "bob", teams: { "acme/ml": "viewer", "acme/data": "admin" } }, project("private", {}, ["ml", "data"])),
    ).toBe("admin");
  });

  it("teams the project does not grant never count", () => {
    expect(effectiveRole({ id: "bob", teams: { "acme/data": "admin" } }, project("private", {}, ["ml"]))).toBe("none");
  });

  it("teams of another owner never count, even with the same team name", () => {
    expect(effectiveRole({ id: "bob", teams: { "other/ml": "admin" } }, project("private", {}, ["ml"]))).toBe("none");
    expect(effectiveRole({ id: "bob", teams: { "other/ml": "admin" } }, project("public", {}, ["ml"]))).toBe("viewer");
    expect(effectiveRole({ id: "bob", teams: { "acme/other/ml": "admin" } as Record<string, TeamRole> }, project("private", {}, ["other/ml"]))).toBe("none");
  });

  it("org roles of another owner never count", () => {
    expect(effectiveRole({ id: "bob", orgs: { other: "owner" } }, project("private"))).toBe("none");
  });

  it("billing and outsider count as none unless granted", () => {
    expect(effectiveRole({ id: "bob", orgs: { acme: "billing" } }, project("private"))).toBe("none");
    expect(effectiveRole({ id: "bob", orgs: { acme: "outsider" } }, project("private", { bob: "contributor" }))).toBe("contributor");
  });

  it("a public project lifts everyone to at least viewer", () => {
    expect(effectiveRole({ id: "bob" }, project("public"))).toBe("viewer");
    expect(effectiveRole({ id: "bob", orgs: { acme: "admin" } }, project("public"))).toBe("admin");
  });

  it("is not fooled by Object.prototype names", () => {
    const view: ProjectAccessView = { owner: "constructor", name: "toString", visibility: "private", access: { users: {}, teams: ["__proto__", "constructor"] } };
    expect(effectiveRole({ id: "toString" }, view)).toBe("none");
    expect(effectiveRole({ id: "hasOwnProperty", orgs: {}, teams: {} }, project("private"))).toBe("none");
    expect(defaultPolicy.decide({ principal: { id: "constructor" }, action: "project.create", project: view }).allow).toBe(false);
  });
});

describe("ANONYMOUS and SYSTEM", () => {
  it("are frozen with the reserved ids", () => {
    expect(SYSTEM).toEqual({ id: "system" });
    expect(ANONYMOUS).toEqual({ id: "anonymous" });
    expect(Object.isFrozen(SYSTEM)).toBe(true);
    expect(Object.isFrozen(ANONYMOUS)).toBe(true);
  });

  it("ANONYMOUS reads public projects and nothing else", () => {
    for (const action of ACTIONS) {
      const onPrivate = defaultPolicy.decide({ principal: ANONYMOUS, action, project: project("private") });
      expect(onPrivate.allow, `${action} private`).toBe(false);
      expect(onPrivate.role).toBe("none");
      const onPublic = defaultPolicy.decide({ principal: ANONYMOUS, action, project: project("public") });
      expect(onPublic.allow, `${action} public`).toBe(["project.read", "version.read", "run.read", "audit.read"].includes(action));
    }
    expect(defaultPolicy.decide({ principal: ANONYMOUS, action: "version.read", project: project("private") }).reason).toBe(
      "anonymous has role none on acme/churn; version.read needs viewer",
    );
  });

  it("the default policy allows SYSTEM everything", () => {
    for (const action of ACTIONS) {
      const decision = defaultPolicy.decide({ principal: SYSTEM, action, project: project("private"), requiredRole: "owner" });
      expect(decision.allow).toBe(true);
      expect(decision.role).toBe("owner");
    }
  });

  it("a copy of SYSTEM is not SYSTEM", () => {
    expect(defaultPolicy.decide({ principal: { id: "system" }, action: "project.delete", project: project("private") }).allow).toBe(false);
  });
});

describe("reasons", () => {
  it("name the user, role, project, action and needed role; stage moves name the stages", () => {
    const bob: Principal = { id: "bob", orgs: { acme: "member" } };
    expect(defaultPolicy.decide({ principal: bob, action: "version.create", project: project("private") }).reason).toBe(
      'user "bob" has role member on acme/churn; version.create needs member',
    );
    expect(
      defaultPolicy.decide({ principal: bob, action: "version.stage", project: project("private"), fromStage: "staging", toStage: "production", requiredRole: "admin" }).reason,
    ).toBe('user "bob" has role member on acme/churn; version.stage from staging to production needs admin');
    expect(defaultPolicy.decide({ principal: bob, action: "version.stage", project: project("private"), toStage: "production", requiredRole: "admin" }).reason).toBe(
      'user "bob" has role member on acme/churn; version.stage to production needs admin',
    );
  });
});

describe("roles and required roles", () => {
  it("ranks roles none < viewer < member < contributor < admin < manager < owner", () => {
    const order: Role[] = ["none", "viewer", "member", "contributor", "admin", "manager", "owner"];
    order.forEach((role, i) => expect(ROLE_RANK[role]).toBe(i));
    expect(roleAtLeast("admin", "member")).toBe(true);
    expect(roleAtLeast("member", "member")).toBe(true);
    expect(roleAtLeast("contributor", "admin")).toBe(false);
    expect(roleAtLeast("none", "viewer")).toBe(false);
  });

  it("version.stage takes the higher of member and the stage's role; other actions ignore it", () => {
    expect(requiredRoleFor("version.stage")).toBe("member");
    expect(requiredRoleFor("version.stage", "viewer")).toBe("member");
    expect(requiredRoleFor("version.stage", "admin")).toBe("admin");
    expect(requiredRoleFor("version.stage", "owner")).toBe("owner");
    expect(requiredRoleFor("version.update", "owner")).toBe("member");
  });
});

describe("principal validation", () => {
  it("accepts a well-formed principal and returns a frozen copy", () => {
    const input = { id: "bob@example.com", orgs: { acme: "member" }, teams: { "acme/ml": "contributor" } };
    const principal = parsePrincipal(input);
    expect(principal).toEqual(input);
    expect(principal).not.toBe(input);
    expect(Object.isFrozen(principal)).toBe(true);
    expect(Object.isFrozen(principal.orgs)).toBe(true);
    expect(Object.isFrozen(principal.teams)).toBe(true);
    expect(parsePrincipal({ id: "bob" })).toEqual({ id: "bob" });
    expect("orgs" in parsePrincipal({ id: "bob", orgs: undefined })).toBe(false);
  });

  it("returns SYSTEM and ANONYMOUS as they are", () => {
    expect(parsePrincipal(SYSTEM)).toBe(SYSTEM);
    expect(parsePrincipal(ANONYMOUS)).toBe(ANONYMOUS);
    expect(parsePrincipal({ id: "anonymous" })).toEqual({ id: "anonymous" });
  });

  const cases: [string, unknown, string][] = [
    ["an unknown org role", { id: "bob", orgs: { acme: "superuser" } }, 'orgs["acme"]: unknown org role "superuser"; expected one of owner, manager, admin, member, viewer, billing, outsider'],
    ["an org role given as a team role", { id: "bob", teams: { "acme/ml": "owner" } }, 'teams["acme/ml"]: unknown team role "owner"; expected one of admin, contributor, member, viewer'],
    ["a team key without an owner", { id: "bob", teams: { ml: "member" } }, 'teams["ml"]: invalid key "ml": a team key must be "owner/team"'],
    ["a malformed owner key", { id: "bob", orgs: { "ac me": "member" } }, 'orgs["ac me"]: invalid key "ac me"'],
    ["a __proto__ owner key", { id: "bob", orgs: JSON.parse('{"__proto__": "owner"}') }, 'orgs["__proto__"]: invalid key'],
    ["unknown keys", { id: "bob", role: "admin" }, 'unknown key "role"; a principal has only id, orgs and teams'],
    ["a missing id", { orgs: { acme: "member" } }, "a principal needs an id"],
    ["an empty id", { id: "" }, "id: the principal id must not be empty"],
    ["a padded id", { id: " bob" }, "must not start or end with whitespace"],
    ["a non-object", "bob", "a principal must be an object"],
    ["null", null, "a principal must be an object"],
    ["a copy of SYSTEM", { id: "system" }, 'the id "system" is reserved'],
    ["anonymous with roles", { id: "anonymous", orgs: { acme: "owner" } }, 'the reserved id "anonymous" cannot carry roles'],
  ];
  for (const [name, input, message] of cases) {
    it(`refuses ${name}`, () => {
      const error = catchError(() => parsePrincipal(input));
      expect(error.code).toBe("VALIDATION");
      expect(error.message).toMatch(/^invalid principal: /);
      expect(error.message).toContain(message);
      expect(Array.isArray(error.details["issues"])).toBe(true);
    });
  }

  it("reports every problem at once", () => {
    const error = catchError(() => parsePrincipal({ id: "bob", orgs: { acme: "boss" }, teams: { "acme/ml": "lead" } }));
    expect(error.details["issues"]).toHaveLength(2);
  });

  it("principalSchema is the strict zod schema", () => {
    expect(principalSchema.safeParse({ id: "bob", orgs: { acme: "viewer" } }).success).toBe(true);
    expect(principalSchema.safeParse({ id: "bob", extra: true }).success).toBe(false);
  });
});
