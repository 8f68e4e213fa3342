import { describe, expect, it } from "vitest";
import { ANONYMOUS, SYSTEM, createRegistry, defaultPolicy, type AccessPolicy, type AccessRequest, type Principal, type Role } from "artifact-versions";
import { rejects } from "./support.js";

const RANK: Record<Role, number> = { none: 0, viewer: 1, member: 2, contributor: 3, admin: 4, manager: 5, owner: 6 };

interface Subject {
  label: string;
  principal: Principal;
  /** Grants added to both projects. */
  access?: { users?: Record<string, "admin" | "contributor" | "member" | "viewer">; teams?: string[] };
  /** Effective role on a private project. */
  role: Role;
  /** The org role (decides project.create). */
  orgRole: Role;
}

const subjects: Subject[] = [
  ...(["owner", "manager", "admin", "member", "viewer"] as const).map((r) => ({ label: `org ${r}`, principal: { id: "u", orgs: { acme: r } }, role: r as Role, orgRole: r as Role })),
  { label: "org billing", principal: { id: "u", orgs: { acme: "billing" } }, role: "none", orgRole: "none" },
  { label: "org outsider", principal: { id: "u", orgs: { acme: "outsider" } }, role: "none", orgRole: "none" },
  { label: "admin of another org", principal: { id: "u", orgs: { other: "admin" } }, role: "none", orgRole: "none" },
  { label: "no roles", principal: { id: "u" }, role: "none", orgRole: "none" },
  { label: "ANONYMOUS", principal: ANONYMOUS, role: "none", orgRole: "none" },
  ...(["admin", "contributor", "member", "viewer"] as const).map((r) => ({
    label: `team ${r} (granted team)`,
    principal: { id: "u", orgs: { acme: "billing" as const }, teams: { "acme/ml": r } },
    access: { teams: ["ml"] },
    role: r as Role,
    orgRole: "none" as Role,
  })),
  { label: "team admin, team not granted", principal: { id: "u", teams: { "acme/ml": "admin" } }, access: { teams: ["data"] }, role: "none", orgRole: "none" },
  { label: "team admin of another owner", principal: { id: "u", teams: { "other/ml": "admin" } }, access: { teams: ["ml"] }, role: "none", orgRole: "none" },
  { label: "team viewer + org member: highest wins", principal: { id: "u", orgs: { acme: "member" }, teams: { "acme/ml": "viewer" } }, access: { teams: ["ml"] }, role: "member", orgRole: "member" },
  ...(["admin", "contributor", "member", "viewer"] as const).map((r) => ({
    label: `user grant ${r} over org outsider`,
    principal: { id: "u", orgs: { acme: "outsider" as const } },
    access: { users: { u: r } },
    role: r as Role,
    orgRole: "none" as Role,
  })),
  { label: "user grant viewer overrides org owner (downward)", principal: { id: "u", orgs: { acme: "owner" } }, access: { users: { u: "viewer" } }, role: "viewer", orgRole: "owner" },
  { label: "user grant member overrides team admin", principal: { id: "u", teams: { "acme/ml": "admin" } }, access: { users: { u: "member" }, teams: ["ml"] }, role: "member", orgRole: "none" },
  { label: "another user's grant does not count", principal: { id: "u" }, access: { users: { someone: "admin" } }, role: "none", orgRole: "none" },
];

type ActionName =
  | "project.read" | "project.create" | "project.update" | "project.delete"
  | "version.read" | "version.create" | "version.update" | "version.copy" | "version.stage" | "version.delete" | "version.transfer"
  | "run.read" | "run.create" | "run.update" | "run.delete" | "audit.read";

const REQUIRED: Record<ActionName, Role> = {
  "project.read": "viewer", "project.create": "member", "project.update": "admin", "project.delete": "admin",
  "version.read": "viewer", "version.create": "member", "version.update": "member", "version.copy": "member", "version.stage": "member",
  "version.delete": "contributor", "version.transfer": "admin",
  "run.read": "viewer", "run.create": "member", "run.update": "member", "run.delete": "contributor", "audit.read": "viewer",
};
const READS = new Set<ActionName>(["project.read", "version.read", "run.read", "audit.read"]);

async function world(subject: Subject, visibility: "public" | "private") {
  const registry = createRegistry({ onWarning: () => undefined });
  const sys = registry.as(SYSTEM);
  for (const name of ["p", "q"]) await sys.projects.create({ owner: "acme", name, visibility, ...(subject.access === undefined ? {} : { access: subject.access }) });
  await sys.models.register({ project: "acme/p", name: "v1" });
  const run = await sys.runs.create({ project: "acme/p", name: "r1" });
  return { registry, session: registry.as(subject.principal), run: run.uuid, sys };
}

function perform(session: ReturnType<ReturnType<typeof createRegistry>["as"]>, action: ActionName, run: string, visibility: "public" | "private"): Promise<unknown> {
  switch (action) {
    case "project.read": return session.projects.get("acme/p");
    case "project.create": return session.projects.create({ owner: "acme", name: "fresh", visibility });
    case "project.update": return session.projects.update("acme/p", { description: "x" });
    case "project.delete": return session.projects.delete("acme/p", { cascade: true });
    case "version.read": return session.models.get("acme/p:v1");
    case "version.create": return session.models.register({ project: "acme/p" });
    case "version.update": return session.models.update("acme/p:v1", { description: "x" });
    case "version.copy": return session.models.copy("acme/p:v1", { toProject: "acme/q" });
    case "version.stage": return session.models.stage("acme/p:v1", { to: "staging" });
    case "version.delete": return session.models.delete("acme/p:v1");
    case "version.transfer": return session.models.transfer("acme/p:v1", { toProject: "acme/q" });
    case "run.read": return session.runs.get(run);
    case "run.create": return session.runs.create({ project: "acme/p" });
    case "run.update": return session.runs.update(run, { status: "done" });
    case "run.delete": return session.runs.delete(run);
    case "audit.read": return session.audit.list({ project: "acme/p" });
  }
}

describe("the access matrix (every role x action x visibility)", () => {
  for (const visibility of ["private", "public"] as const) {
    for (const subject of subjects) {
      const role: Role = visibility === "public" && RANK[subject.role] < RANK.viewer ? "viewer" : subject.role;
      it.each(Object.keys(REQUIRED) as ActionName[])(`${visibility} project, ${subject.label}: %s`, async (action) => {
        const { session, run } = await world(subject, visibility);
        const required = REQUIRED[action];
        const decisive = action === "project.create" ? subject.orgRole : role;
        const allowed = RANK[decisive] >= RANK[required];
        const promise = perform(session, action, run, visibility);
        if (allowed) {
          await expect(promise).resolves.not.toThrow();
        } else if (action !== "project.create" && (READS.has(action) || RANK[role] < RANK.viewer)) {
          await rejects(promise, "NOT_FOUND");
        } else {
          const project = action === "version.copy" ? "acme/q" : action === "project.create" ? "acme/fresh" : "acme/p";
          await rejects(promise, "FORBIDDEN", { principal: subject.principal.id, action, project, required });
          if (action !== "project.create") await rejects(perform(session, action, run, visibility), "FORBIDDEN", { role });
        }
      });
    }
  }
});

describe("access rules", () => {
  it("copy needs read on the source and member on the target", async () => {
    const registry = createRegistry();
    const sys = registry.as(SYSTEM);
    await sys.projects.create({ owner: "acme", name: "src", visibility: "public" });
    await sys.projects.create({ owner: "acme", name: "dst", access: { users: { u: "member" } } });
    await sys.projects.create({ owner: "acme", name: "ro", access: { users: { u: "viewer" } } });
    await sys.models.register({ project: "acme/src", name: "v1" });
    const u = registry.as({ id: "u" });
    expect((await u.models.copy("acme/src:v1", { toProject: "acme/dst" })).project).toBe("acme/dst");
    await rejects(u.models.copy("acme/src:v1", { toProject: "acme/ro" }), "FORBIDDEN", { project: "acme/ro", required: "member" });
    await rejects(u.models.copy("acme/src:v1", { toProject: "acme/hidden" }), "NOT_FOUND");
  });

  it("transfer needs admin on both projects", async () => {
    const registry = createRegistry();
    const sys = registry.as(SYSTEM);
    await sys.projects.create({ owner: "acme", name: "a", access: { users: { u: "admin" } } });
    await sys.projects.create({ owner: "acme", name: "b", access: { users: { u: "member" } } });
    await sys.projects.create({ owner: "acme", name: "c", access: { users: { u: "admin" } } });
    await sys.models.register({ project: "acme/a", name: "v1" });
    await sys.models.register({ project: "acme/b", name: "v2" });
    const u = registry.as({ id: "u" });
    await rejects(u.models.transfer("acme/a:v1", { toProject: "acme/b" }), "FORBIDDEN", { project: "acme/b", required: "admin" });
    await rejects(u.models.transfer("acme/b:v2", { toProject: "acme/a" }), "FORBIDDEN", { project: "acme/b", required: "admin" });
    expect((await u.models.transfer("acme/a:v1", { toProject: "acme/c" })).project).toBe("acme/c");
  });

  it("checks in the order of §5.36", async () => {
    const registry = createRegistry();
    const sys = registry.as(SYSTEM);
    await sys.projects.create({ owner: "acme", name: "p" });
    await sys.models.register({ project: "acme/p", name: "v1" });
    const outsider = registry.as({ id: "o" });
    const viewer = registry.as({ id: "v", orgs: { acme: "viewer" } });
    const member = registry.as({ id: "m", orgs: { acme: "member" } });
    // input first
    await rejects(outsider.models.register({ project: "acme/p", name: "latest" }), "VALIDATION");
    await rejects(outsider.models.stage("acme/p:v1", { to: "staging", bogus: 1 } as never), "VALIDATION");
    // read access before existence: both look the same
    await rejects(outsider.models.get("acme/p:v1"), "NOT_FOUND");
    await rejects(outsider.models.get("acme/p:nope"), "NOT_FOUND");
    // existence before permission
    await rejects(viewer.models.update("acme/p:nope", { description: "x" }), "NOT_FOUND");
    await rejects(viewer.models.delete("acme/p:nope"), "NOT_FOUND");
    // permission before domain rules
    await rejects(viewer.models.register({ project: "acme/p", name: "v1" }), "FORBIDDEN");
    await rejects(viewer.models.stage("acme/p:v1", { to: "production" }), "FORBIDDEN");
    await rejects(viewer.models.update("acme/p:v1", { run: "nope", artifacts: ["x"] }), "FORBIDDEN");
    // domain rules before the restricted-stage role
    await rejects(member.models.register({ project: "acme/p", name: "v1" }), "ALREADY_EXISTS");
    await rejects(member.models.stage("acme/p:v1", { to: "production" }), "INVALID_TRANSITION");
    await member.models.stage("acme/p:v1", { to: "staging" });
    await rejects(member.models.stage("acme/p:v1", { to: "production" }), "FORBIDDEN", { required: "admin", toStage: "production" });
  });

  it("lets the exported SYSTEM bypass the policy, with actor system; a look-alike does not", async () => {
    const registry = createRegistry();
    const sys = registry.as(SYSTEM);
    await sys.projects.create({ owner: "acme", name: "p" });
    const v = await sys.models.register({ project: "acme/p", name: "v1" });
    expect(v.createdBy).toBe("system");
    await sys.models.stage("acme/p:v1", { to: "staging" });
    await sys.models.stage("acme/p:v1", { to: "production" });
    expect(() => registry.as({ id: "system" })).toThrow(expect.objectContaining({ code: "VALIDATION" }) as Error);
    const anon = await registry.as(ANONYMOUS).projects.list("acme");
    expect(anon.count).toBe(0);
    expect((await sys.audit.list({ project: "acme/p" })).results.every((e) => e.actor === "system")).toBe(true);
  });

  it("refuses malformed principals and unknown roles with VALIDATION", () => {
    const registry = createRegistry();
    for (const bad of [{}, { id: "" }, { id: "x", orgs: { acme: "god" } }, { id: "x", teams: { ml: "member" } }, { id: "x", teams: { "acme/ml": "owner" } }, { id: "x", extra: 1 }]) {
      expect(() => registry.as(bad as never)).toThrow(expect.objectContaining({ code: "VALIDATION" }) as Error);
    }
  });

  it("anonymous reads public projects and nothing else; its actor is anonymous", async () => {
    const registry = createRegistry();
    const sys = registry.as(SYSTEM);
    await sys.projects.create({ owner: "acme", name: "pub", visibility: "public" });
    await sys.projects.create({ owner: "acme", name: "priv" });
    const anon = registry.as(ANONYMOUS);
    expect((await anon.projects.list("acme")).results.map((p) => p.name)).toEqual(["pub"]);
    await rejects(anon.models.register({ project: "acme/pub" }), "FORBIDDEN", { principal: "anonymous" });
  });

  it("uses a custom policy given to createRegistry, with the request facts", async () => {
    const requests: AccessRequest[] = [];
    const policy: AccessPolicy = {
      decide(request) {
        requests.push(request);
        if (request.action === "version.delete") return { allow: false, role: "owner", required: "owner", reason: "nobody deletes" };
        return { allow: true, role: "owner", required: "viewer", reason: "open" };
      },
    };
    const registry = createRegistry({ policy });
    const nobody = registry.as({ id: "n" });
    await nobody.projects.create({ owner: "acme", name: "p" });
    await nobody.models.register({ project: "acme/p", name: "v1" });
    await nobody.models.stage("acme/p:v1", { to: "staging" });
    await nobody.models.stage("acme/p:v1", { to: "production" });
    await rejects(nobody.models.delete("acme/p:v1"), "FORBIDDEN", { action: "version.delete", principal: "n" });
    const staged = requests.filter((r) => r.action === "version.stage" && r.toStage === "production");
    expect(staged.length).toBeGreaterThan(0);
    expect(staged.some((r) => r.fromStage === "staging" && r.requiredRole === "admin")).toBe(true);
    expect(requests[0]?.project).toMatchObject({ owner: "acme", name: "p" });
  });

  it("exposes the default policy as a pure function", () => {
    const project = { owner: "acme", name: "p", visibility: "private" as const, access: { users: {}, teams: [] } };
    expect(defaultPolicy.decide({ principal: { id: "m", orgs: { acme: "member" } }, action: "version.create", project }).allow).toBe(true);
    expect(defaultPolicy.decide({ principal: { id: "m", orgs: { acme: "member" } }, action: "version.transfer", project })).toMatchObject({ allow: false, role: "member", required: "admin" });
  });
});
