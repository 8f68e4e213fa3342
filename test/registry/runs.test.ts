import { describe, expect, it } from "vitest";
import { SYSTEM, createRegistry, type Run, type RunArtifact, type RunSource } from "artifact-versions";
import { rejects, setup } from "./support.js";

const ARTIFACTS = [
  { name: "model", kind: "model", path: "s3://bucket/exp-7/model.pkl", summary: { auc: 0.91 } },
  { name: "env", kind: "env", path: "requirements.txt" },
  { name: "train-data", kind: "data", path: "s3://bucket/train.csv", isInput: true },
];

async function world(options: Parameters<typeof setup>[0] = {}) {
  const ctx = setup(options);
  for (const name of ["train", "churn", "other"]) await ctx.admin.projects.create({ owner: "acme", name });
  const run = await ctx.admin.runs.create({ project: "acme/train", name: "exp-7", status: "succeeded", artifacts: ARTIFACTS });
  return { ...ctx, run };
}

describe("runs API", () => {
  it("create fills defaults and get/list return it", async () => {
    const { admin, run } = await world();
    expect(run).toMatchObject({ project: "acme/train", name: "exp-7", status: "succeeded", description: null, promotedBy: [], isPromoted: false, createdBy: "ana", revision: 1 });
    expect(run.artifacts).toEqual([
      { name: "model", kind: "model", path: "s3://bucket/exp-7/model.pkl", summary: { auc: 0.91 }, isInput: false },
      { name: "env", kind: "env", path: "requirements.txt", summary: {}, isInput: false },
      { name: "train-data", kind: "data", path: "s3://bucket/train.csv", summary: {}, isInput: true },
    ]);
    expect(await admin.runs.get(run.uuid)).toEqual(run);
    const page = await admin.runs.list("acme/train", { limit: 20 });
    expect(page).toMatchObject({ count: 1, next: null, previous: null });
    expect(page.results[0]?.uuid).toBe(run.uuid);
    await admin.runs.create({ project: "acme/train", name: "exp-8", status: "failed" });
    expect((await admin.runs.list("acme/train", { query: "status:failed" })).results.map((r) => r.name)).toEqual(["exp-8"]);
    expect((await admin.runs.list("acme/train", { query: "is_promoted:false" })).count).toBe(2);
    await rejects(admin.runs.get("nope"), "NOT_FOUND");
    await rejects(admin.runs.list("acme/none"), "NOT_FOUND");
    await rejects(admin.runs.create({ project: "acme/train", artifacts: [{ name: "a", kind: "x" }, { name: "a", kind: "y" }] }), "VALIDATION");
  });

  it("update changes name, status and description, emits run.updated, pins with ifRevision", async () => {
    const { admin, run, registry } = await world();
    const seen: string[] = [];
    registry.events.on("run.updated", (e) => seen.push(e.run.status ?? ""));
    const next = await admin.runs.update(run.uuid, { status: "archived", description: "d", name: "exp-7b" });
    expect(next).toMatchObject({ status: "archived", description: "d", name: "exp-7b", revision: 2 });
    expect(seen).toEqual(["archived"]);
    await rejects(admin.runs.update(run.uuid, { status: "x" }, { ifRevision: 1 }), "CONFLICT");
    await rejects(admin.runs.update(run.uuid, { artifacts: [] } as never), "VALIDATION");
  });

  it("logArtifacts upserts by name", async () => {
    const { admin, run } = await world();
    const next = await admin.runs.logArtifacts(run.uuid, [{ name: "summary", kind: "metric", path: "metrics.json" }, { name: "env", kind: "env", path: "env2.txt" }]);
    expect(next.artifacts.map((a) => a.name)).toEqual(["model", "env", "train-data", "summary"]);
    expect(next.artifacts.find((a) => a.name === "env")?.path).toBe("env2.txt");
  });

  it("history lists the run's audit entries oldest first", async () => {
    const { admin, run } = await world();
    await admin.runs.update(run.uuid, { status: "x" });
    await admin.artifacts.register({ project: "acme/churn", run: run.uuid, artifacts: ["model"] });
    expect((await admin.runs.history(run.uuid)).map((e) => e.type)).toEqual(["run.created", "run.updated", "run.promoted"]);
  });

  it("delete removes an unlocked run and emits run.deleted", async () => {
    const { admin, run, registry } = await world();
    const seen: string[] = [];
    registry.events.on("run.deleted", (e) => seen.push(e.run.uuid));
    await admin.runs.delete(run.uuid);
    expect(seen).toEqual([run.uuid]);
    await rejects(admin.runs.get(run.uuid), "NOT_FOUND");
  });

  it("follows the project's access rules", async () => {
    const { registry, run } = await world();
    const outsider = registry.as({ id: "o" });
    const viewer = registry.as({ id: "v", orgs: { acme: "viewer" } });
    const member = registry.as({ id: "m", orgs: { acme: "member" } });
    await rejects(outsider.runs.get(run.uuid), "NOT_FOUND");
    await rejects(outsider.runs.delete(run.uuid), "NOT_FOUND");
    await viewer.runs.get(run.uuid);
    await rejects(viewer.runs.update(run.uuid, { status: "x" }), "FORBIDDEN", { action: "run.update", required: "member" });
    await rejects(viewer.runs.logArtifacts(run.uuid, [{ name: "x", kind: "file" }]), "FORBIDDEN");
    await rejects(viewer.runs.create({ project: "acme/train" }), "FORBIDDEN", { action: "run.create" });
    await rejects(member.runs.delete(run.uuid), "FORBIDDEN", { action: "run.delete", required: "contributor" });
    await rejects(viewer.runs.promote(run.uuid, { project: "acme/churn" }), "FORBIDDEN");
  });
});

describe("linking rules (LINEAGE)", () => {
  it("names the artifacts missing from the run", async () => {
    const { admin, run } = await world();
    await rejects(admin.models.register({ project: "acme/churn", run: run.uuid, artifacts: ["model", "nope", "gone"] }), "LINEAGE", { missing: ["nope", "gone"] });
  });

  it("refuses artifacts without a run", async () => {
    const { admin } = await world();
    await rejects(admin.models.register({ project: "acme/churn", artifacts: ["model"] }), "LINEAGE");
    const v = await admin.models.register({ project: "acme/churn", name: "v1" });
    await rejects(admin.models.update("acme/churn:v1", { artifacts: ["model"] }), "LINEAGE");
    expect(v.run).toBeNull();
  });

  it("answers NOT_FOUND for an unknown or unreadable run", async () => {
    const { admin, registry } = await world();
    await rejects(admin.models.register({ project: "acme/churn", run: "no-such-run" }), "NOT_FOUND");
    const sys = registry.as(SYSTEM);
    await sys.projects.create({ owner: "acme", name: "secret", access: { users: { ana: "viewer" } } });
    await sys.projects.create({ owner: "acme", name: "hidden", access: { users: { ana: "viewer" } } });
    await sys.projects.update("acme/hidden", { visibility: "private" });
    const hiddenProject = await sys.projects.create({ owner: "acme", name: "vault" });
    void hiddenProject;
    const hiddenRun = await sys.runs.create({ project: "acme/vault", artifacts: [{ name: "m", kind: "model" }] });
    const bo = registry.as({ id: "bo", teams: {}, orgs: {} });
    await sys.projects.update("acme/churn", { access: { users: { bo: "member" } } });
    await rejects(bo.models.register({ project: "acme/churn", run: hiddenRun.uuid, artifacts: ["m"] }), "NOT_FOUND");
  });

  it("updating artifacts replaces the set and re-checks", async () => {
    const { admin, run } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1", run: run.uuid, artifacts: ["model", "env"] });
    expect((await admin.models.update("acme/churn:v1", { artifacts: ["env"] })).artifacts).toEqual(["env"]);
    await rejects(admin.models.update("acme/churn:v1", { artifacts: ["x"] }), "LINEAGE", { missing: ["x"] });
    expect((await admin.models.get("acme/churn:v1")).artifacts).toEqual(["env"]);
  });

  it("allows the run's own project and, with an empty allow-list, any project of the same owner", async () => {
    const { admin, run } = await world();
    await admin.models.register({ project: "acme/train", run: run.uuid, artifacts: ["model"] });
    await admin.models.register({ project: "acme/churn", run: run.uuid, artifacts: ["model"] });
  });

  it("with allowedSourceProjects, allows only the listed projects (and the own project)", async () => {
    const { admin, run } = await world();
    await admin.projects.update("acme/churn", { allowedSourceProjects: ["acme/other"] });
    await rejects(admin.models.register({ project: "acme/churn", run: run.uuid, artifacts: ["model"] }), "LINEAGE");
    await admin.projects.update("acme/churn", { allowedSourceProjects: ["acme/other", "acme/train"] });
    await admin.models.register({ project: "acme/churn", run: run.uuid, artifacts: ["model"] });
    const own = await admin.runs.create({ project: "acme/churn", artifacts: [{ name: "m", kind: "model" }] });
    await admin.models.register({ project: "acme/churn", run: own.uuid, artifacts: ["m"] });
  });

  it("refuses runs of other owners", async () => {
    const { registry, admin } = await world();
    const both = registry.as({ id: "b", orgs: { acme: "admin", beta: "admin" } });
    await both.projects.create({ owner: "beta", name: "lab" });
    const foreign = await both.runs.create({ project: "beta/lab", artifacts: [{ name: "m", kind: "model" }] });
    await rejects(both.models.register({ project: "acme/churn", run: foreign.uuid, artifacts: ["m"] }), "LINEAGE");
    await admin.projects.update("acme/churn", { allowedSourceProjects: ["beta/lab"] });
    await rejects(both.models.register({ project: "acme/churn", run: foreign.uuid, artifacts: ["m"] }), "LINEAGE");
  });

  it("re-checks lineage on transfer and force re-register", async () => {
    const { admin, run } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1", run: run.uuid, artifacts: ["model"] });
    await admin.projects.update("acme/other", { allowedSourceProjects: ["acme/churn"] });
    await rejects(admin.models.transfer("acme/churn:v1", { toProject: "acme/other" }), "LINEAGE");
    await rejects(admin.models.register({ project: "acme/churn", name: "v1", artifacts: ["ghost"], force: true }), "LINEAGE", { missing: ["ghost"] });
  });
});

describe("promote()", () => {
  it("defaults: kind artifact, the run's project, every non-input artifact, automatic name", async () => {
    const { admin, run } = await world();
    const v = await admin.runs.promote(run.uuid);
    expect(v).toMatchObject({ kind: "artifact", project: "acme/train", name: "v1", run: run.uuid, artifacts: ["model", "env"] });
    expect((await admin.runs.get(run.uuid)).promotedBy).toEqual([v.uuid]);
  });

  it("takes project, kind, name and artifacts", async () => {
    const { admin, run } = await world();
    const m1 = await admin.runs.promote(run.uuid, { project: "acme/churn", kind: "model", name: "m1", artifacts: ["model"] });
    expect(m1).toMatchObject({ kind: "model", project: "acme/churn", name: "m1", artifacts: ["model"] });
    await rejects(admin.runs.promote(run.uuid, { project: "acme/churn", kind: "model", name: "m1" }), "ALREADY_EXISTS");
    await rejects(admin.runs.promote(run.uuid, { artifacts: ["ghost"] }), "LINEAGE", { missing: ["ghost"] });
    await rejects(admin.runs.promote(run.uuid, { kind: "dataset" } as never), "VALIDATION");
  });
});

describe("lineage() and runs.versions()", () => {
  it("returns the version, its run, full artifact records in the version's order, and the run's inputs", async () => {
    const { admin, run } = await world();
    await admin.runs.promote(run.uuid, { project: "acme/churn", kind: "model", name: "m1", artifacts: ["env", "model"] });
    const lineage = await admin.models.lineage("acme/churn:m1");
    expect(lineage.version.name).toBe("m1");
    expect(lineage.run?.uuid).toBe(run.uuid);
    expect(lineage.run?.isPromoted).toBe(true);
    expect(lineage.artifacts.map((a) => a.name)).toEqual(["env", "model"]);
    expect(lineage.artifacts[1]).toEqual({ name: "model", kind: "model", path: "s3://bucket/exp-7/model.pkl", summary: { auc: 0.91 }, isInput: false });
    expect(lineage.inputs.map((a) => a.name)).toEqual(["train-data"]);
    await admin.models.register({ project: "acme/churn", name: "plain" });
    expect(await admin.models.lineage("acme/churn:plain")).toMatchObject({ run: null, artifacts: [], inputs: [] });
  });

  it("hides a run whose project the reader may not read, as if it did not exist", async () => {
    const { admin, run, registry } = await world();
    await admin.projects.update("acme/churn", { visibility: "public" });
    await admin.models.register({ project: "acme/churn", name: "m1", run: run.uuid, artifacts: ["model"] });
    const visitor = registry.as({ id: "eve" });
    await rejects(visitor.runs.get(run.uuid), "NOT_FOUND");
    expect(await visitor.models.lineage("acme/churn:m1")).toMatchObject({ run: null, artifacts: [], inputs: [] });
    expect((await admin.models.lineage("acme/churn:m1")).run?.uuid).toBe(run.uuid);
  });

  it("runs.versions lists the versions that lock the run", async () => {
    const { admin, run } = await world();
    const a = await admin.artifacts.register({ project: "acme/churn", name: "v2", run: run.uuid, artifacts: ["model", "env"] });
    const m = await admin.models.register({ project: "acme/other", name: "m", run: run.uuid });
    expect((await admin.runs.versions(run.uuid)).map((v) => v.uuid).sort()).toEqual([a.uuid, m.uuid].sort());
  });
});

describe("the promotion flag", () => {
  async function flag(admin: Awaited<ReturnType<typeof world>>["admin"], uuid: string) {
    const run = await admin.runs.get(uuid);
    expect(run.isPromoted).toBe(run.promotedBy.length > 0);
    return [...run.promotedBy].sort();
  }

  it("stays exact across link, relink, force, transfer, copy, update of run, and delete", async () => {
    const { admin, run } = await world();
    const other = await admin.runs.create({ project: "acme/train", artifacts: [{ name: "model", kind: "model" }] });
    const v2 = await admin.artifacts.register({ project: "acme/churn", name: "v2", run: run.uuid, artifacts: ["model", "env"] });
    expect(await flag(admin, run.uuid)).toEqual([v2.uuid]);
    // relink through update
    await admin.artifacts.update("acme/churn:v2", { run: other.uuid, artifacts: ["model"] });
    expect(await flag(admin, run.uuid)).toEqual([]);
    expect(await flag(admin, other.uuid)).toEqual([v2.uuid]);
    // force re-register back to the first run
    await admin.artifacts.register({ project: "acme/churn", name: "v2", run: run.uuid, force: true });
    expect(await flag(admin, run.uuid)).toEqual([v2.uuid]);
    expect(await flag(admin, other.uuid)).toEqual([]);
    // copy links the copy too
    const copy = await admin.artifacts.copy("acme/churn:v2", { toProject: "acme/other" });
    expect(await flag(admin, run.uuid)).toEqual([v2.uuid, copy.uuid].sort());
    // transfer keeps it
    await admin.artifacts.transfer("acme/churn:v2", { toProject: "acme/train" });
    expect(await flag(admin, run.uuid)).toEqual([v2.uuid, copy.uuid].sort());
    // unlink through update run: null (artifacts cleared with it)
    const unlinked = await admin.artifacts.update("acme/other:v2-copy", { run: null });
    expect(unlinked.artifacts).toEqual([]);
    expect(await flag(admin, run.uuid)).toEqual([v2.uuid]);
    // delete the last one
    await admin.artifacts.delete("acme/train:v2");
    expect(await flag(admin, run.uuid)).toEqual([]);
  });

  it("fires run.promoted and run.unpromoted on the edges only", async () => {
    const { registry, admin, run } = await world();
    const edges: string[] = [];
    registry.events.on("run.promoted", (e) => edges.push(`promoted:${e.run.promotedBy.length}:${String(e.run.isPromoted)}`));
    registry.events.on("run.unpromoted", (e) => edges.push(`unpromoted:${e.run.promotedBy.length}:${String(e.run.isPromoted)}`));
    await admin.models.register({ project: "acme/churn", name: "a", run: run.uuid });
    await admin.models.register({ project: "acme/churn", name: "b", run: run.uuid });
    await admin.models.delete("acme/churn:a");
    await admin.models.delete("acme/churn:b");
    await admin.models.register({ project: "acme/churn", name: "c", run: run.uuid });
    expect(edges).toEqual(["promoted:1:true", "unpromoted:0:false", "promoted:1:true"]);
  });

  it("changes in the same commit as the version", async () => {
    const { registry, admin, run } = await world();
    const seqs: number[] = [];
    registry.events.on("version.created", (e) => seqs.push(e.seq));
    registry.events.on("run.promoted", (e) => seqs.push(e.seq));
    await admin.models.register({ project: "acme/churn", run: run.uuid });
    expect(seqs).toHaveLength(2);
    expect(seqs[0]).toBe(seqs[1]);
  });
});

describe("locked runs", () => {
  it("delete is LOCKED naming the versions that lock the run", async () => {
    const { admin, run } = await world();
    const v = await admin.artifacts.register({ project: "acme/churn", name: "v2", run: run.uuid, artifacts: ["model"] });
    const error = await rejects(admin.runs.delete(run.uuid), "LOCKED");
    expect(JSON.stringify(error.details)).toContain(v.uuid);
    expect(error.message).toContain("acme/churn:v2");
    await admin.runs.get(run.uuid);
  });

  it("cascade deletes the versions with their audit entries, in one commit", async () => {
    const { registry, admin, run } = await world();
    const a = await admin.artifacts.register({ project: "acme/churn", name: "v2", run: run.uuid, artifacts: ["model"] });
    const m = await admin.models.register({ project: "acme/other", name: "m1", run: run.uuid });
    const events: { type: string; seq: number }[] = [];
    for (const type of ["version.deleted", "run.deleted", "run.unpromoted"] as const) registry.events.on(type, (e) => events.push({ type, seq: e.seq }));
    await admin.runs.delete(run.uuid, { cascade: true });
    expect(events.filter((e) => e.type === "version.deleted")).toHaveLength(2);
    expect(events.some((e) => e.type === "run.deleted")).toBe(true);
    expect(new Set(events.map((e) => e.seq)).size).toBe(1);
    await rejects(admin.artifacts.get("acme/churn:v2"), "NOT_FOUND");
    await rejects(admin.models.get("acme/other:m1"), "NOT_FOUND");
    const deleted = await admin.audit.list({ type: "version.deleted", limit: 10 });
    expect(deleted.results.map((e) => e.target.uuid).sort()).toEqual([a.uuid, m.uuid].sort());
  });

  it("cascade needs version.delete on every locking version's project", async () => {
    const { registry, admin, run } = await world();
    await admin.projects.update("acme/churn", { access: { users: { c: "member" } } });
    await admin.projects.update("acme/train", { access: { users: { c: "contributor" } } });
    await admin.models.register({ project: "acme/churn", name: "v1", run: run.uuid });
    const c = registry.as({ id: "c" });
    await rejects(c.runs.delete(run.uuid, { cascade: true }), "FORBIDDEN", { project: "acme/churn", action: "version.delete" });
    await admin.models.get("acme/churn:v1");
  });

  it("logArtifacts may add, may change artifacts no version names, but never change a named one", async () => {
    const { admin, run } = await world();
    await admin.models.register({ project: "acme/churn", name: "v1", run: run.uuid, artifacts: ["model"] });
    await admin.runs.logArtifacts(run.uuid, [{ name: "summary", kind: "metric", path: "metrics.json" }]);
    await admin.runs.logArtifacts(run.uuid, [{ name: "env", kind: "env", path: "other.txt" }]);
    await rejects(admin.runs.logArtifacts(run.uuid, [{ name: "model", kind: "model", path: "s3://elsewhere" }]), "LOCKED", { artifact: "model" });
    // re-logging it identically is fine
    await admin.runs.logArtifacts(run.uuid, [{ name: "model", kind: "model", path: "s3://bucket/exp-7/model.pkl", summary: { auc: 0.91 } }]);
    const after = await admin.runs.get(run.uuid);
    expect(after.artifacts.map((a) => a.name)).toEqual(["model", "env", "train-data", "summary"]);
  });
});

describe("runs.import()", () => {
  it("restores a run with uuid, creator and times; versions re-link it", async () => {
    const { admin, run, registry } = await world();
    const v = await admin.models.register({ project: "acme/churn", name: "v1", run: run.uuid, artifacts: ["model"] });
    const fresh = createRegistry();
    const sys = fresh.as(SYSTEM);
    for (const name of ["train", "churn"]) await sys.projects.create({ owner: "acme", name });
    const imported = await sys.runs.import(await admin.runs.get(run.uuid));
    expect(imported).toMatchObject({ uuid: run.uuid, createdBy: "ana", createdAt: run.createdAt, promotedBy: [], isPromoted: false });
    await sys.models.import(await admin.models.get("acme/churn:v1"));
    expect((await sys.runs.get(run.uuid)).promotedBy).toEqual([v.uuid]);
    await rejects(sys.runs.import(run), "ALREADY_EXISTS");
    void registry;
  });
});

describe("a custom RunSource", () => {
  function fakeSource(runs: Run[], options: { failRecord?: () => boolean } = {}) {
    const byUuid = new Map(runs.map((run) => [run.uuid, run]));
    const told: [string, string[]][] = [];
    const source: RunSource = {
      async get(uuid) {
        return byUuid.get(uuid);
      },
      async list(project) {
        const items = [...byUuid.values()].filter((run) => run.project === project);
        return { items, total: items.length, cursor: null };
      },
      async recordPromotion(uuid, promotedBy) {
        if (options.failRecord?.() === true) throw new Error("tracking system down");
        told.push([uuid, [...promotedBy]]);
        const run = byUuid.get(uuid);
        if (run !== undefined) byUuid.set(uuid, { ...run, promotedBy: [...promotedBy], isPromoted: promotedBy.length > 0 });
      },
    };
    return { source, told, byUuid };
  }
  const artifact = (name: string, isInput = false): RunArtifact => ({ name, kind: "model", path: null, summary: {}, isInput });
  const external: Run = {
    uuid: "ext-1", project: "acme/train", name: "ext", description: null, status: "succeeded",
    artifacts: [artifact("model"), artifact("data", true)], promotedBy: [], isPromoted: false,
    createdBy: "tracker", createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z", revision: 1,
  };

  async function withSource(failRecord?: () => boolean) {
    const fake = fakeSource([external], failRecord === undefined ? {} : { failRecord });
    const warnings: string[] = [];
    const registry = createRegistry({ runs: fake.source, onWarning: (m) => warnings.push(m) });
    const admin = registry.as({ id: "ana", orgs: { acme: "admin" } });
    for (const name of ["train", "churn"]) await admin.projects.create({ owner: "acme", name });
    return { ...fake, registry, admin, warnings };
  }

  it("serves runs from the app and answers VALIDATION for writes it does not implement", async () => {
    const { admin } = await withSource();
    expect((await admin.runs.get("ext-1")).name).toBe("ext");
    expect((await admin.runs.list("acme/train")).count).toBe(1);
    await rejects(admin.runs.create({ project: "acme/train" }), "VALIDATION");
    await rejects(admin.runs.update("ext-1", { status: "x" }), "VALIDATION");
    await rejects(admin.runs.logArtifacts("ext-1", [{ name: "a", kind: "file" }]), "VALIDATION");
    await rejects(admin.runs.delete("ext-1"), "VALIDATION");
  });

  it("checks lineage against the source's run and tells it the promotion after the commit", async () => {
    const { admin, told } = await withSource();
    await rejects(admin.models.register({ project: "acme/churn", run: "ext-1", artifacts: ["nope"] }), "LINEAGE");
    const v = await admin.runs.promote("ext-1", { project: "acme/churn", kind: "model" });
    expect(v.artifacts).toEqual(["model"]);
    expect(told).toEqual([["ext-1", [v.uuid]]]);
    expect((await admin.runs.get("ext-1")).promotedBy).toEqual([v.uuid]);
    await admin.models.delete("acme/churn:v1");
    expect(told.at(-1)).toEqual(["ext-1", []]);
  });

  it("warns when the source keeps failing, and reconcileRuns() brings it back in line", async () => {
    let failing = true;
    const { admin, registry, byUuid, warnings } = await withSource(() => failing);
    const v = await admin.models.register({ project: "acme/churn", run: "ext-1", artifacts: ["model"] });
    expect(warnings.join("\n")).toContain("reconcileRuns");
    expect(byUuid.get("ext-1")?.promotedBy).toEqual([]);
    failing = false;
    expect(await registry.reconcileRuns()).toBe(1);
    expect(byUuid.get("ext-1")?.promotedBy).toEqual([v.uuid]);
    // and the other way round: the last version goes while the source is down
    failing = true;
    await admin.models.delete(`acme/churn:${v.name}`);
    failing = false;
    await registry.reconcileRuns();
    expect(byUuid.get("ext-1")?.promotedBy).toEqual([]);
  });
});
