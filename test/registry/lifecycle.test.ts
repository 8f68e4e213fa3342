import { describe, expect, it } from "vitest";
import { SYSTEM, createRegistry, memoryStore, type AuditEntry } from "artifact-versions";
import { rejects, setup } from "./support.js";

async function world(options: Parameters<typeof setup>[0] = {}) {
  const ctx = setup(options);
  for (const name of ["churn", "prod", "other"]) await ctx.admin.projects.create({ owner: "acme", name });
  return ctx;
}

describe("copy()", () => {
  it("defaults the name to <name>-copy, resets the stage, keeps content/tags/lineage, new uuid", async () => {
    const { admin } = await world();
    const v1 = await admin.models.register({ project: "acme/churn", name: "v1", description: "d", tags: ["t"], content: { a: 1 }, metadata: { m: 1 }, readme: "r" });
    await admin.models.stage("acme/churn:v1", { to: "staging" });
    const copy = await admin.models.copy("acme/churn:v1", { toProject: "acme/prod" });
    expect(copy).toMatchObject({ name: "v1-copy", project: "acme/prod", stage: "testing", description: "d", tags: ["t"], content: { a: 1 }, metadata: { m: 1 }, readme: "r", revision: 1 });
    expect(copy.uuid).not.toBe(v1.uuid);
    expect(copy.stageConditions.map((c) => c.reason)).toEqual(["ModelVersionCreated"]);
  });

  it("keeps the stage and history with keepStage", async () => {
    const { admin } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await admin.models.stage("acme/churn:v1", { to: "staging" });
    const copy = await admin.models.copy("acme/churn:v1", { toProject: "acme/prod", keepStage: true, name: "kept" });
    expect(copy.stage).toBe("staging");
    expect(copy.stageConditions).toHaveLength(2);
  });

  it("needs an existing target (NOT_FOUND) and a free name (ALREADY_EXISTS unless force)", async () => {
    const { admin } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1", description: "one" });
    await rejects(admin.models.copy("acme/churn:v1", { toProject: "acme/missing" }), "NOT_FOUND");
    await admin.models.copy("acme/churn:v1", { toProject: "acme/prod" });
    await rejects(admin.models.copy("acme/churn:v1", { toProject: "acme/prod" }), "ALREADY_EXISTS");
    await admin.models.update("acme/churn:v1", { description: "two" });
    expect((await admin.models.copy("acme/churn:v1", { toProject: "acme/prod", force: true })).description).toBe("two");
    expect((await admin.models.copy("acme/churn:v1", { toProject: "acme/churn" })).name).toBe("v1-copy");
  });

  it("may cross owners (read on source, member on target) and emits version.copied with the source", async () => {
    const { registry, admin } = await world();
    const v1 = await admin.models.register({ project: "acme/churn", name: "v1" });
    const sys = registry.as(SYSTEM);
    await sys.projects.create({ owner: "beta", name: "b", access: { users: { ana: "member" } } });
    const events: string[] = [];
    registry.events.on("version.copied", (e) => events.push(`${e.source}->${e.version.project}`));
    await admin.models.copy("acme/churn:v1", { toProject: "beta/b" });
    expect(events).toEqual([`${v1.uuid}->beta/b`]);
  });
});

describe("transfer()", () => {
  it("moves within the owner, keeping uuid and stage, with a new sequence", async () => {
    const { admin } = await world();
    await admin.models.register({ project: "acme/other", name: "x1" });
    await admin.models.register({ project: "acme/other", name: "x2" });
    const v1 = await admin.models.register({ project: "acme/churn", name: "v1" });
    await admin.models.stage("acme/churn:v1", { to: "staging" });
    const moved = await admin.models.transfer("acme/churn:v1", { toProject: "acme/other" });
    expect(moved).toMatchObject({ uuid: v1.uuid, project: "acme/other", stage: "staging", name: "v1", sequence: 3 });
    await rejects(admin.models.get("acme/churn:v1"), "NOT_FOUND");
    expect((await admin.models.get("acme/other:v1")).uuid).toBe(v1.uuid);
    // the old name is free again in the source
    await admin.models.register({ project: "acme/churn", name: "v1" });
  });

  it("refuses another owner with VALIDATION, even for an admin of both", async () => {
    const { registry } = await world();
    const both = registry.as({ id: "b", orgs: { acme: "admin", beta: "admin" } });
    await both.projects.create({ owner: "beta", name: "b" });
    await both.models.register({ project: "acme/churn", name: "v1" });
    await rejects(both.models.transfer("acme/churn:v1", { toProject: "beta/b" }), "VALIDATION");
  });

  it("refuses a missing target and a taken name", async () => {
    const { admin } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await admin.models.register({ project: "acme/other", name: "v1" });
    await rejects(admin.models.transfer("acme/churn:v1", { toProject: "acme/nope" }), "NOT_FOUND");
    await rejects(admin.models.transfer("acme/churn:v1", { toProject: "acme/other" }), "ALREADY_EXISTS");
  });

  it("emits version.transferred with the project it left", async () => {
    const { registry, admin } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    const seen: string[] = [];
    registry.events.on("version.transferred", (e) => seen.push(`${e.fromProject}->${e.version.project}`));
    await admin.models.transfer("acme/churn:v1", { toProject: "acme/other" });
    expect(seen).toEqual(["acme/churn->acme/other"]);
  });
});

describe("delete()", () => {
  it("removes the version and frees its name; emits version.deleted with the record", async () => {
    const { registry, admin } = await world();
    const v1 = await admin.models.register({ project: "acme/churn", name: "v1" });
    const seen: string[] = [];
    registry.events.on("version.deleted", (e) => seen.push(e.version.uuid));
    await admin.models.delete("acme/churn:v1");
    expect(seen).toEqual([v1.uuid]);
    await rejects(admin.models.get("acme/churn:v1"), "NOT_FOUND");
    await rejects(admin.models.delete("acme/churn:v1"), "NOT_FOUND");
    expect((await admin.models.register({ project: "acme/churn", name: "v1" })).uuid).not.toBe(v1.uuid);
  });

  it("honours ifRevision", async () => {
    const { admin } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await rejects(admin.models.delete("acme/churn:v1", { ifRevision: 2 }), "CONFLICT");
    await admin.models.delete("acme/churn:v1", { ifRevision: 1 });
  });
});

describe("update()", () => {
  it("renames keeping the uuid, frees the old name, refuses a taken one", async () => {
    const { admin } = await world();
    const v1 = await admin.models.register({ project: "acme/churn", name: "v1" });
    await admin.models.register({ project: "acme/churn", name: "v2" });
    await rejects(admin.models.update("acme/churn:v1", { name: "v2" }), "ALREADY_EXISTS");
    const renamed = await admin.models.update("acme/churn:v1", { name: "one" });
    expect(renamed).toMatchObject({ uuid: v1.uuid, name: "one", revision: 2 });
    await rejects(admin.models.get("acme/churn:v1"), "NOT_FOUND");
    await admin.models.register({ project: "acme/churn", name: "v1" });
  });

  it("records contributors: creator first, then each other updater once, in order", async () => {
    const { registry, admin } = await world();
    const bo = registry.as({ id: "bo", orgs: { acme: "member" } });
    const cy = registry.as({ id: "cy", orgs: { acme: "admin" } });
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await bo.models.update("acme/churn:v1", { description: "1" });
    await admin.models.update("acme/churn:v1", { description: "2" });
    await cy.models.stage("acme/churn:v1", { to: "staging" });
    await bo.models.update("acme/churn:v1", { description: "3" });
    await cy.models.transfer("acme/churn:v1", { toProject: "acme/other" });
    const v = await admin.models.get("acme/other:v1");
    expect(v.createdBy).toBe("ana");
    expect(v.contributors).toEqual(["ana", "bo", "cy"]);
  });

  it("pins with ifRevision: CONFLICT on mismatch, revisions survive rename and transfer", async () => {
    const { admin } = await world();
    const v1 = await admin.models.register({ project: "acme/churn", name: "v1" });
    const r2 = await admin.models.update("acme/churn:v1", { name: "w" }, { ifRevision: v1.revision });
    await rejects(admin.models.update("acme/churn:w", { description: "x" }, { ifRevision: v1.revision }), "CONFLICT", { expected: 1, actual: 2 });
    const r3 = await admin.models.transfer("acme/churn:w", { toProject: "acme/other" }, { ifRevision: r2.revision });
    expect(r3.revision).toBe(3);
    expect((await admin.models.update("acme/other:w", { description: "ok" }, { ifRevision: 3 })).revision).toBe(4);
  });

  it("retries unpinned concurrent updates instead of failing", async () => {
    const { admin } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => admin.models.update("acme/churn:v1", { tags: [`t${i}`] })));
    expect(all.map((v) => v.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
  });
});

describe("records", () => {
  it("are deeply frozen", async () => {
    const { admin } = await world();
    const v = await admin.models.register({ project: "acme/churn", name: "v1", tags: ["a"], content: { nested: { x: 1 } } });
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.isFrozen(v.tags)).toBe(true);
    expect(Object.isFrozen(v.stageConditions[0])).toBe(true);
    expect(Object.isFrozen((v.content as { nested: object }).nested)).toBe(true);
    const got = await admin.models.get("acme/churn:v1");
    expect(Object.isFrozen(got.metadata)).toBe(true);
    const page = await admin.models.list("acme/churn");
    expect(Object.isFrozen(page.results[0])).toBe(true);
    expect(Object.isFrozen(await admin.projects.get("acme/churn"))).toBe(true);
    const run = await admin.runs.create({ project: "acme/churn", artifacts: [{ name: "a", kind: "file" }] });
    expect(Object.isFrozen(run.artifacts[0])).toBe(true);
  });

  it("returned by register, copy and import hold the stored fields in the stored order, then revision", async () => {
    const store = memoryStore();
    const { admin } = setup({ store });
    for (const name of ["churn", "prod"]) await admin.projects.create({ owner: "acme", name });
    const expectStoredShape = async (version: { uuid: string; revision: number }) => {
      const stored = (await store.get("versions", version.uuid))?.value as Record<string, unknown>;
      expect(Object.keys(version)).toEqual([...Object.keys(stored), "revision"]);
      expect({ ...version }).toEqual({ ...stored, revision: 1 });
      expect(Object.isFrozen(version)).toBe(true);
    };
    const registered = await admin.models.register({ project: "acme/churn", name: "v1", tags: ["a"], content: { x: 1 }, metadata: { m: 1 }, readme: "r", description: "d" });
    await expectStoredShape(registered);
    await expectStoredShape(await admin.models.copy("acme/churn:v1", { toProject: "acme/prod" }));
    await admin.models.delete("acme/churn:v1");
    await expectStoredShape(await admin.models.import(registered));
  });

  it("do not share state with the caller's input", async () => {
    const { admin } = await world();
    const content = { a: 1 };
    const tags = ["x"];
    await admin.models.register({ project: "acme/churn", name: "v1", content, tags });
    content.a = 2;
    tags.push("y");
    expect((await admin.models.get("acme/churn:v1")).content).toEqual({ a: 1 });
    expect((await admin.models.get("acme/churn:v1")).tags).toEqual(["x"]);
  });

  it("keep what was validated when the caller changes its objects before the call completes", async () => {
    const { admin } = await world();
    const content = { layers: [1, 2], nested: { deep: true } };
    const metadata: Record<string, number | string> = { accuracy: 0.9 };
    const registering = admin.models.register({ project: "acme/churn", name: "v1", content, metadata });
    // The call is queued behind nothing yet has not run its commit: change everything the caller owns.
    content.layers.push(3);
    content.nested.deep = false;
    metadata["accuracy"] = 0.1;
    metadata["huge"] = "x".repeat(2_000_000);
    const version = await registering;
    expect(version.content).toEqual({ layers: [1, 2], nested: { deep: true } });
    expect(version.metadata).toEqual({ accuracy: 0.9 });
    expect((await admin.models.get("acme/churn:v1")).metadata).toEqual({ accuracy: 0.9 });
    // The caller's objects were never frozen.
    expect(Object.isFrozen(content) || Object.isFrozen(content.layers) || Object.isFrozen(metadata)).toBe(false);
  });
});

describe("history()", () => {
  it("lists a version's audit entries oldest first across rename and transfer", async () => {
    const { admin } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await admin.models.update("acme/churn:v1", { name: "v1.0" });
    await admin.models.stage("acme/churn:v1.0", { to: "staging" });
    await admin.models.transfer("acme/churn:v1.0", { toProject: "acme/other" });
    await admin.models.update("acme/other:v1.0", { description: "d" });
    const history = await admin.models.history("acme/other:v1.0");
    expect(history.map((e) => e.type)).toEqual(["version.created", "version.updated", "version.staged", "version.transferred", "version.updated"]);
    const seqs = history.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});

describe("audit entries", () => {
  it("carry id, seq, type, at, actor, target and immer patches", async () => {
    const { admin } = await world();
    const v1 = await admin.models.register({ project: "acme/churn", name: "v1" });
    await admin.models.update("acme/churn:v1", { description: "new" });
    const [created, updated] = await admin.models.history("acme/churn:v1");
    expect(created).toMatchObject({ type: "version.created", actor: "ana", target: { type: "version", uuid: v1.uuid, kind: "model", project: "acme/churn", name: "v1" } });
    expect(typeof created?.id).toBe("string");
    expect(typeof created?.seq).toBe("number");
    expect(typeof created?.at).toBe("string");
    expect(updated?.changes).toEqual(expect.arrayContaining([{ op: "replace", path: ["description"], value: "new" }]));
    expect(Object.isFrozen(updated)).toBe(true);
    expect(Object.keys(updated!).sort()).toEqual(["actor", "at", "changes", "id", "seq", "target", "type"]);
  });

  it("replay: applying the patches of every entry rebuilds the record", async () => {
    const { applyPatches, enablePatches } = await import("immer");
    enablePatches();
    const { admin } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1", tags: ["a"] });
    await admin.models.update("acme/churn:v1", { tags: ["b", "c"], description: "d", content: { x: [1, 2] } });
    await admin.models.stage("acme/churn:v1", { to: "staging" });
    await admin.models.update("acme/churn:v1", { name: "v1b", content: { x: [1] } });
    const history = await admin.models.history("acme/churn:v1b");
    let state: unknown = undefined;
    for (const entry of history) state = applyPatches((state ?? {}) as object, entry.changes as never);
    const { revision: _r, ...current } = await admin.models.get("acme/churn:v1b");
    expect(state).toEqual(current);
  });
});

describe("audit.list()", () => {
  it("filters by project, type and since, oldest first, in the page shape", async () => {
    const { registry, admin } = await world();
    const times = ["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z", "2026-01-04T00:00:00.000Z"];
    let i = 0;
    const clocked = createRegistry({ clock: () => new Date(times[Math.min(i, times.length - 1)]!) });
    const s = clocked.as({ id: "ana", orgs: { acme: "admin" } });
    await s.projects.create({ owner: "acme", name: "a" });
    await s.projects.create({ owner: "acme", name: "b" });
    i = 1;
    await s.models.register({ project: "acme/a", name: "v1" });
    i = 2;
    await s.models.stage("acme/a:v1", { to: "staging" });
    await s.models.register({ project: "acme/b", name: "v1" });
    i = 3;
    await s.models.stage("acme/b:v1", { to: "staging" });
    const all = await s.audit.list({ project: "acme/a", limit: 10 });
    expect(all).toMatchObject({ count: 3, next: null, previous: null });
    expect(all.results.map((e) => e.type)).toEqual(["project.created", "version.created", "version.staged"]);
    const staged = await s.audit.list({ type: "version.staged" });
    expect(staged.results.map((e) => e.target.project)).toEqual(["acme/a", "acme/b"]);
    const since = await s.audit.list({ since: "2026-01-03T00:00:00.000Z" });
    expect(since.results.map((e) => e.type)).toEqual(["version.staged", "version.created", "version.staged"]);
    expect((await s.audit.list({ since: new Date("2026-01-04T00:00:00.000Z") })).count).toBe(1);
    const page = await s.audit.list({ limit: 2 });
    expect(page).toMatchObject({ count: 6, next: { limit: 2, offset: 2 }, previous: null });
    const page2 = await s.audit.list({ limit: 2, offset: 2 });
    expect(page2.previous).toEqual({ limit: 2, offset: 0 });
    expect(page2.results[0]!.seq).toBeGreaterThan(page.results[1]!.seq);
    await rejects(s.audit.list({ since: "not a date" }), "VALIDATION");
    await rejects(s.audit.list({ offset: 1, cursor: "x" }), "VALIDATION");
    await rejects(s.audit.list({ limit: 1001 }), "VALIDATION");
    void registry;
    void admin;
  });

  it("shows only readable projects; NOT_FOUND for an unreadable one", async () => {
    const { registry, admin } = await world();
    await admin.projects.create({ owner: "acme", name: "pub", visibility: "public" });
    const outsider = registry.as({ id: "o" });
    const entries = await outsider.audit.list({ limit: 100 });
    expect(entries.results.every((e) => e.target.project === "acme/pub")).toBe(true);
    expect(entries.count).toBe(1);
    await rejects(outsider.audit.list({ project: "acme/churn" }), "NOT_FOUND");
  });
});

describe("events", () => {
  it("fire after the commit with the audit entry plus the record", async () => {
    const { registry, admin } = await world();
    const seen: { type: string; seq: number; name: string; visible: boolean }[] = [];
    registry.events.on("version.created", (e) => {
      seen.push({ type: e.type, seq: e.seq, name: e.version.name, visible: false });
      void admin.models.get("acme/churn:v1").then(() => (seen[0]!.visible = true));
    });
    const v1 = await admin.models.register({ project: "acme/churn", name: "v1" });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([{ type: "version.created", seq: expect.any(Number) as number, name: "v1", visible: true }]);
    const [entry] = await admin.models.history("acme/churn:v1");
    expect(seen[0]!.seq).toBe(entry!.seq);
    expect(v1.name).toBe("v1");
  });

  it("carry the same fields as the audit entry", async () => {
    const { registry, admin } = await world();
    let event: (AuditEntry & { version: unknown }) | undefined;
    registry.events.on("version.updated", (e) => (event = e));
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await admin.models.update("acme/churn:v1", { description: "x" });
    const entry = (await admin.models.history("acme/churn:v1"))[1]!;
    const { version, ...rest } = event!;
    expect(rest).toEqual(entry);
    expect(version).toMatchObject({ description: "x", revision: 2 });
  });

  it("are not emitted for a failed call", async () => {
    const { registry, admin } = await world();
    const seen: string[] = [];
    registry.events.on("version.created", (e) => seen.push(e.version.name));
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await rejects(admin.models.register({ project: "acme/churn", name: "v1" }), "ALREADY_EXISTS");
    expect(seen).toEqual(["v1"]);
  });

  it("listener errors never fail the call and go to onWarning", async () => {
    const { registry, admin, warnings } = await world();
    registry.events.on("version.created", () => {
      throw new Error("boom");
    });
    const later: string[] = [];
    registry.events.on("version.created", (e) => later.push(e.version.name));
    await admin.models.register({ project: "acme/churn", name: "v1" });
    expect(later).toEqual(["v1"]);
    expect(warnings.join("\n")).toContain("boom");
  });

  it("on() returns an unsubscribe function", async () => {
    const { registry, admin } = await world();
    const seen: string[] = [];
    const off = registry.events.on("version.created", (e) => seen.push(e.version.name));
    await admin.models.register({ project: "acme/churn", name: "v1" });
    off();
    await admin.models.register({ project: "acme/churn", name: "v2" });
    expect(seen).toEqual(["v1"]);
  });

  it("project events fire for create, update and delete", async () => {
    const { registry, admin } = await world();
    const seen: string[] = [];
    for (const type of ["project.created", "project.updated", "project.deleted"] as const) registry.events.on(type, (e) => seen.push(`${e.type}:${e.project.name}`));
    await admin.projects.create({ owner: "acme", name: "x" });
    await admin.projects.update("acme/x", { description: "d" });
    await admin.projects.delete("acme/x");
    expect(seen).toEqual(["project.created:x", "project.updated:x", "project.deleted:x"]);
  });
});

describe("projects", () => {
  it("create private by default with empty grants; ALREADY_EXISTS twice", async () => {
    const { admin } = setup();
    const p = await admin.projects.create({ owner: "acme", name: "churn" });
    expect(p).toMatchObject({ owner: "acme", name: "churn", visibility: "private", description: null, access: { users: {}, teams: [] }, allowedSourceProjects: [], revision: 1 });
    await rejects(admin.projects.create({ owner: "acme", name: "churn" }), "ALREADY_EXISTS");
  });

  it("update visibility, access, allowedSourceProjects and description; ifRevision pins", async () => {
    const { admin, registry } = await world();
    const u = registry.as({ id: "u" });
    await rejects(u.projects.get("acme/churn"), "NOT_FOUND");
    await admin.projects.update("acme/churn", { visibility: "public" });
    await u.projects.get("acme/churn");
    await admin.projects.update("acme/churn", { visibility: "private", access: { users: { u: "viewer" } } });
    await u.projects.get("acme/churn");
    const p = await admin.projects.update("acme/churn", { allowedSourceProjects: ["acme/other"], description: "d" });
    expect(p).toMatchObject({ allowedSourceProjects: ["acme/other"], description: "d", access: { users: { u: "viewer" } } });
    await rejects(admin.projects.update("acme/churn", { description: "x" }, { ifRevision: 1 }), "CONFLICT");
  });

  it("delete is LOCKED while the project holds versions or runs, unless cascade", async () => {
    const { admin, registry } = await world();
    const deleted: string[] = [];
    registry.events.on("version.deleted", (e) => deleted.push(e.version.name));
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await rejects(admin.projects.delete("acme/churn"), "LOCKED");
    await admin.runs.create({ project: "acme/other" });
    await rejects(admin.projects.delete("acme/other"), "LOCKED");
    await admin.projects.delete("acme/churn", { cascade: true });
    await rejects(admin.projects.get("acme/churn"), "NOT_FOUND");
    expect(deleted).toEqual(["v1"]);
    await admin.projects.delete("acme/prod");
    // a re-created project starts afresh
    await admin.projects.create({ owner: "acme", name: "churn" });
    expect((await admin.models.register({ project: "acme/churn" })).name).toBe("v1");
  });

  it("cascade delete of a project also deletes versions elsewhere that lock its runs", async () => {
    const { admin } = await world();
    const run = await admin.runs.create({ project: "acme/other", artifacts: [{ name: "m", kind: "model" }] });
    await admin.models.register({ project: "acme/churn", name: "v1", run: run.uuid, artifacts: ["m"] });
    await admin.projects.delete("acme/other", { cascade: true });
    const left = await admin.models.list("acme/churn");
    for (const v of left.results) expect(v.run).not.toBe(run.uuid);
  });
});

describe("list()", () => {
  async function many(n: number) {
    // A clock one millisecond further on each call: a real one gives several versions the same
    // `updatedAt`, and the `-updated_at` order of such a tie goes by uuid (random).
    let now = Date.parse("2026-01-01T00:00:00.000Z");
    const ctx = await world({ clock: () => new Date((now += 1)) });
    for (let i = 1; i <= n; i++) await ctx.admin.models.register({ project: "acme/churn", name: `v${i}` });
    return ctx;
  }

  it("returns { count, results, next, previous, cursor }", async () => {
    const { admin } = await many(5);
    const first = await admin.models.list("acme/churn", { limit: 2, sort: "name" });
    expect(first.count).toBe(5);
    expect(first.results.map((v) => v.name)).toEqual(["v1", "v2"]);
    expect(first.next).toEqual({ limit: 2, offset: 2 });
    expect(first.previous).toBeNull();
    expect(typeof first.cursor).toBe("string");
    const last = await admin.models.list("acme/churn", { limit: 2, offset: 4, sort: "name" });
    expect(last).toMatchObject({ next: null, previous: { limit: 2, offset: 2 }, cursor: null });
    expect(last.results.map((v) => v.name)).toEqual(["v5"]);
  });

  it("pages with the opaque cursor to the end", async () => {
    const { admin } = await many(7);
    const names: string[] = [];
    let page = await admin.models.list("acme/churn", { limit: 3, sort: "name" });
    names.push(...page.results.map((v) => v.name));
    while (page.cursor !== null) {
      page = await admin.models.list("acme/churn", { limit: 3, sort: "name", cursor: page.cursor });
      names.push(...page.results.map((v) => v.name));
    }
    expect(names).toEqual(["v1", "v2", "v3", "v4", "v5", "v6", "v7"]);
  });

  it("limit 0 gives the count only; offset + cursor and out-of-range limits are VALIDATION", async () => {
    const { admin } = await many(3);
    const zero = await admin.models.list("acme/churn", { limit: 0 });
    expect(zero).toMatchObject({ count: 3, results: [] });
    await rejects(admin.models.list("acme/churn", { offset: 1, cursor: "abc" }), "VALIDATION");
    await rejects(admin.models.list("acme/churn", { limit: 1001 }), "VALIDATION");
    await rejects(admin.models.list("acme/churn", { limit: -1 }), "VALIDATION");
    await rejects(admin.models.list("acme/churn", { query: "nosuchfield:1" }), "VALIDATION");
  });

  it("sorts names naturally and defaults to -updated_at", async () => {
    const { admin } = await many(11);
    expect((await admin.models.list("acme/churn", { sort: "name", limit: 3, offset: 8 })).results.map((v) => v.name)).toEqual(["v9", "v10", "v11"]);
    await admin.models.update("acme/churn:v3", { description: "touched" });
    expect((await admin.models.list("acme/churn", { limit: 1 })).results[0]!.name).toBe("v3");
  });

  it("lists owner-wide over readable projects only; an owner with none is an empty page", async () => {
    const { admin, registry } = await world();
    await admin.projects.create({ owner: "acme", name: "pub", visibility: "public" });
    await admin.models.register({ project: "acme/churn", name: "hidden" });
    await admin.models.register({ project: "acme/pub", name: "seen" });
    expect((await admin.models.list("acme")).count).toBe(2);
    const outsider = registry.as({ id: "o" });
    const page = await outsider.models.list("acme");
    expect(page.results.map((v) => v.name)).toEqual(["seen"]);
    expect(await outsider.models.list("nobody")).toMatchObject({ count: 0, results: [], next: null, previous: null, cursor: null });
    await rejects(outsider.models.list("acme/churn"), "NOT_FOUND");
    expect((await outsider.projects.list("acme")).results.map((p) => p.name)).toEqual(["pub"]);
    expect((await admin.projects.list("acme")).results.map((p) => p.name)).toEqual(["churn", "other", "prod", "pub"]);
  });

  it("filters by the query language on kind-scoped results", async () => {
    const { admin } = await world();
    await admin.models.register({ project: "acme/churn", name: "a", tags: ["x", "y"] });
    await admin.models.register({ project: "acme/churn", name: "b", tags: ["y"] });
    await admin.artifacts.register({ project: "acme/churn", name: "c", tags: ["x"] });
    await admin.models.stage("acme/churn:b", { to: "staging" });
    expect((await admin.models.list("acme/churn", { query: "tags:x" })).results.map((v) => v.name)).toEqual(["a"]);
    expect((await admin.models.list("acme/churn", { query: "stage:staging" })).results.map((v) => v.name)).toEqual(["b"]);
    expect((await admin.models.list("acme/churn", { query: "~stage:staging" })).results.map((v) => v.name)).toEqual(["a"]);
  });
});

describe("versions(kind) and close()", () => {
  it("versions(kind) is the same API as the named one; unknown kind is VALIDATION", async () => {
    const { admin, registry } = await world();
    expect(admin.versions("model")).toBe(admin.models);
    expect(admin.versions("component")).toBe(admin.components);
    expect(() => admin.versions("dataset" as never)).toThrow(expect.objectContaining({ code: "VALIDATION" }) as Error);
    await registry.close();
  });
});

describe("copy() and transfer() edge rules", () => {
  it("transfer to another owner is VALIDATION before any lookup", async () => {
    const { admin } = await world();
    await rejects(admin.models.transfer("acme/churn:nope", { toProject: "beta/x" }), "VALIDATION");
    await rejects(admin.models.transfer("acme/missing:v1", { toProject: "beta/x" }), "VALIDATION");
  });

  it("copy with keepStage into a restricted stage needs that stage's role on the target", async () => {
    const { admin, registry } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await admin.models.stage("acme/churn:v1", { to: "staging" });
    await admin.models.stage("acme/churn:v1", { to: "production" });
    const member = registry.as({ id: "m", orgs: { acme: "member" } });
    await rejects(member.models.copy("acme/churn:v1", { toProject: "acme/prod", keepStage: true }), "FORBIDDEN", { required: "admin", toStage: "production" });
    expect((await member.models.copy("acme/churn:v1", { toProject: "acme/prod" })).stage).toBe("testing");
    expect((await admin.models.copy("acme/churn:v1", { toProject: "acme/prod", keepStage: true, name: "kept" })).stage).toBe("production");
  });
});

describe("store failures", () => {
  it("are STORAGE with the adapter's error as cause, whether the store throws or rejects", async () => {
    const { memoryStore } = await import("artifact-versions");
    const base = memoryStore();
    let mode: "ok" | "throw" | "reject" = "ok";
    const store = {
      get: base.get.bind(base),
      query: base.query.bind(base),
      commit: (writes: Parameters<typeof base.commit>[0]) => {
        if (mode === "throw") throw new Error("disk on fire");
        if (mode === "reject") return Promise.reject(new Error("disk gone"));
        return base.commit(writes);
      },
    };
    const registry = createRegistry({ store });
    const s = registry.as({ id: "ana", orgs: { acme: "admin" } });
    await s.projects.create({ owner: "acme", name: "p" });
    mode = "throw";
    const thrown = await rejects(s.models.register({ project: "acme/p" }), "STORAGE");
    expect((thrown.cause as Error).message).toBe("disk on fire");
    mode = "reject";
    const rejected = await rejects(s.models.register({ project: "acme/p" }), "STORAGE");
    expect((rejected.cause as Error).message).toBe("disk gone");
    mode = "ok";
    expect((await s.models.register({ project: "acme/p" })).name).toBe("v1");
  });

  it("pinned concurrent updates: exactly one wins, the rest are CONFLICT", async () => {
    const { admin } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    const codes = await Promise.all(
      Array.from({ length: 5 }, (_, i) => admin.models.update("acme/churn:v1", { description: String(i) }, { ifRevision: 1 }).then(() => "OK", (e: { code: string }) => e.code)),
    );
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c === "CONFLICT")).toHaveLength(4);
  });
});
