import { describe, expect, it } from "vitest";
import { createRegistry, defineStages, openStages } from "artifact-versions";
import { rejects, setup } from "./support.js";

async function churn(options: Parameters<typeof setup>[0] = {}) {
  const ctx = setup(options);
  await ctx.admin.projects.create({ owner: "acme", name: "churn" });
  await ctx.admin.models.register({ project: "acme/churn", name: "v1" });
  const member = ctx.registry.as({ id: "mo", orgs: { acme: "member" } });
  return { ...ctx, member };
}

describe("stage()", () => {
  it("follows the default edges", async () => {
    const { admin } = await churn();
    const path = ["staging", "production", "staging", "testing", "disabled", "testing"];
    for (const to of path) expect((await admin.models.stage("acme/churn:v1", { to })).stage).toBe(to);
    const { stageConditions } = await admin.models.stages("acme/churn:v1");
    expect(stageConditions.map((c) => c.type)).toEqual(["testing", ...path]);
  });

  it("allows any stage -> disabled", async () => {
    const { admin } = await churn();
    for (const from of ["testing", "staging", "production"]) {
      const name = `from-${from}`;
      await admin.models.register({ project: "acme/churn", name });
      if (from !== "testing") await admin.models.stage(`acme/churn:${name}`, { to: "staging" });
      if (from === "production") await admin.models.stage(`acme/churn:${name}`, { to: "production" });
      expect((await admin.models.stage(`acme/churn:${name}`, { to: "disabled" })).stage).toBe("disabled");
    }
  });

  it("refuses a move the machine forbids with INVALID_TRANSITION listing the allowed targets", async () => {
    const { admin } = await churn();
    const error = await rejects(admin.models.stage("acme/churn:v1", { to: "production" }), "INVALID_TRANSITION");
    expect([...(error.details.allowed as string[])].sort()).toEqual(["disabled", "staging"]);
    await admin.models.stage("acme/churn:v1", { to: "disabled" });
    const fromDisabled = await rejects(admin.models.stage("acme/churn:v1", { to: "staging" }), "INVALID_TRANSITION");
    expect(fromDisabled.details.allowed).toEqual(["testing"]);
    await rejects(admin.models.stage("acme/churn:v1", { to: "nowhere" }), "INVALID_TRANSITION");
  });

  it("refuses testing -> production without admin as INVALID_TRANSITION first (domain rule before stage role)", async () => {
    const { member } = await churn();
    await rejects(member.models.stage("acme/churn:v1", { to: "production" }), "INVALID_TRANSITION");
  });

  it("refuses staging -> production without admin (FORBIDDEN naming toStage)", async () => {
    const { admin, member } = await churn();
    await member.models.stage("acme/churn:v1", { to: "staging" });
    await rejects(member.models.stage("acme/churn:v1", { to: "production" }), "FORBIDDEN", {
      principal: "mo",
      action: "version.stage",
      project: "acme/churn",
      role: "member",
      required: "admin",
      toStage: "production",
    });
    expect((await admin.models.get("acme/churn:v1")).stage).toBe("staging");
  });

  it("refuses moving out of production without admin", async () => {
    const { admin, member } = await churn();
    await admin.models.stage("acme/churn:v1", { to: "staging" });
    await admin.models.stage("acme/churn:v1", { to: "production" });
    await rejects(member.models.stage("acme/churn:v1", { to: "staging" }), "FORBIDDEN", { required: "admin" });
    await rejects(member.models.stage("acme/churn:v1", { to: "disabled" }), "FORBIDDEN", { required: "admin" });
    expect((await admin.models.get("acme/churn:v1")).stage).toBe("production");
  });

  it("lets members make unrestricted moves and viewers none", async () => {
    const { registry, member } = await churn();
    await member.models.stage("acme/churn:v1", { to: "staging" });
    const viewer = registry.as({ id: "vi", orgs: { acme: "viewer" } });
    await rejects(viewer.models.stage("acme/churn:v1", { to: "testing" }), "FORBIDDEN", { role: "viewer", required: "member" });
  });

  it("is a no-op for a move to the current stage: no condition, no event, no revision", async () => {
    const { registry, admin } = await churn();
    const events: string[] = [];
    registry.events.on("version.staged", (e) => events.push(e.to));
    const before = await admin.models.get("acme/churn:v1");
    const after = await admin.models.stage("acme/churn:v1", { to: "testing", reason: "Again" });
    expect(after.revision).toBe(before.revision);
    expect(after.stageConditions).toHaveLength(1);
    expect(events).toEqual([]);
    expect((await admin.models.history("acme/churn:v1")).map((e) => e.type)).toEqual(["version.created"]);
  });

  it("appends a condition with reason, message, times and actor; default reason is kind-named", async () => {
    const { admin } = await churn();
    await admin.artifacts.register({ project: "acme/churn", name: "a1" });
    await admin.components.register({ project: "acme/churn", name: "c1", content: {} });
    const m = await admin.models.stage("acme/churn:v1", { to: "staging" });
    const a = await admin.artifacts.stage("acme/churn:a1", { to: "staging" });
    const c = await admin.components.stage("acme/churn:c1", { to: "staging", reason: "Why", message: "because" });
    expect(m.stageConditions.map((x) => x.reason)).toEqual(["ModelVersionCreated", "ModelVersionStageUpdated"]);
    expect(a.stageConditions.map((x) => x.reason)).toEqual(["ArtifactVersionCreated", "ArtifactVersionStageUpdated"]);
    expect(c.stageConditions.map((x) => x.reason)).toEqual(["ComponentVersionCreated", "Why"]);
    expect(m.stageConditions[1]).toMatchObject({ type: "staging", status: "True", message: null, actor: "ana" });
    expect(c.stageConditions[1]).toMatchObject({ message: "because" });
    expect(typeof m.stageConditions[1]?.lastUpdateTime).toBe("string");
    expect(typeof m.stageConditions[1]?.lastTransitionTime).toBe("string");
    expect(m.stageConditions[0]).toMatchObject({ type: "testing", status: "True", actor: "ana" });
  });

  it("emits version.staged with from and to after the commit", async () => {
    const { registry, admin } = await churn();
    const seen: unknown[] = [];
    registry.events.on("version.staged", (e) => seen.push({ from: e.from, to: e.to, name: e.version.name, stage: e.version.stage, type: e.type }));
    await admin.models.stage("acme/churn:v1", { to: "staging" });
    expect(seen).toEqual([{ from: "testing", to: "staging", name: "v1", stage: "staging", type: "version.staged" }]);
  });

  it("adds the stager to contributors once", async () => {
    const { member, admin } = await churn();
    await member.models.stage("acme/churn:v1", { to: "staging" });
    await member.models.stage("acme/churn:v1", { to: "testing" });
    expect((await admin.models.get("acme/churn:v1")).contributors).toEqual(["ana", "mo"]);
  });

  it("honours ifRevision", async () => {
    const { admin } = await churn();
    await rejects(admin.models.stage("acme/churn:v1", { to: "staging" }, { ifRevision: 5 }), "CONFLICT");
    expect((await admin.models.stage("acme/churn:v1", { to: "staging" }, { ifRevision: 1 })).revision).toBe(2);
  });
});

describe("exclusive stages", () => {
  const stages = defineStages({
    stages: ["testing", "staging", "production", "disabled"],
    initial: "testing",
    transitions: { "*": ["testing", "staging", "production", "disabled"] },
    exclusive: ["production"],
  });

  it("demote the holder in the same commit with its own condition, audit entry and event", async () => {
    const { registry, admin } = await churn({ stages });
    await admin.models.register({ project: "acme/churn", name: "v2" });
    await admin.models.stage("acme/churn:v1", { to: "production" });
    const seen: string[] = [];
    const seqs: number[] = [];
    registry.events.on("version.staged", (e) => {
      seen.push(`${e.version.name}:${e.from}->${e.to}`);
      seqs.push(e.seq);
    });
    await admin.models.stage("acme/churn:v2", { to: "production" });
    expect(seen.sort()).toEqual(["v1:production->testing", "v2:testing->production"]);
    expect(seqs[0]).toBe(seqs[1]);
    const v1 = await admin.models.get("acme/churn:v1");
    expect(v1.stage).toBe("testing");
    expect(v1.stageConditions.at(-1)).toMatchObject({ type: "testing", reason: "DemotedByExclusiveStage" });
    const history = await admin.models.history("acme/churn:v1");
    expect(history.map((e) => e.type)).toEqual(["version.created", "version.staged", "version.staged"]);
    const page = await admin.models.list("acme/churn", { query: "stage:production" });
    expect(page.results.map((v) => v.name)).toEqual(["v2"]);
  });

  it("are per (project, kind)", async () => {
    const { admin } = await churn({ stages });
    await admin.projects.create({ owner: "acme", name: "other" });
    await admin.models.register({ project: "acme/other", name: "v1" });
    await admin.artifacts.register({ project: "acme/churn", name: "v1" });
    await admin.models.stage("acme/churn:v1", { to: "production" });
    await admin.models.stage("acme/other:v1", { to: "production" });
    await admin.artifacts.stage("acme/churn:v1", { to: "production" });
    expect((await admin.models.get("acme/churn:v1")).stage).toBe("production");
  });

  it("demote to the given stage with { stage: demoteTo }, and free the holder when it leaves", async () => {
    const custom = defineStages({
      stages: ["testing", "staging", "production", "disabled"],
      initial: "testing",
      transitions: { "*": ["testing", "staging", "production", "disabled"] },
      exclusive: { production: "staging" },
    });
    const { admin } = await churn({ stages: custom });
    await admin.models.register({ project: "acme/churn", name: "v2" });
    await admin.models.register({ project: "acme/churn", name: "v3" });
    await admin.models.stage("acme/churn:v1", { to: "production" });
    await admin.models.stage("acme/churn:v2", { to: "production" });
    expect((await admin.models.get("acme/churn:v1")).stage).toBe("staging");
    await admin.models.stage("acme/churn:v2", { to: "disabled" });
    await admin.models.stage("acme/churn:v3", { to: "production" });
    expect((await admin.models.get("acme/churn:v2")).stage).toBe("disabled");
    await admin.models.delete("acme/churn:v3");
    await admin.models.stage("acme/churn:v1", { to: "production" });
    expect((await admin.models.get("acme/churn:v1")).stage).toBe("production");
  });

  it("hold across concurrent promotions: exactly one holder", async () => {
    const { admin } = await churn({ stages });
    for (const n of ["a", "b", "c", "d"]) await admin.models.register({ project: "acme/churn", name: n });
    await Promise.all(["a", "b", "c", "d"].map((n) => admin.models.stage(`acme/churn:${n}`, { to: "production" })));
    expect((await admin.models.list("acme/churn", { query: "stage:production" })).count).toBe(1);
  });

  it("a copy with keepStage into the same project takes over the exclusive stage", async () => {
    const { admin } = await churn({ stages });
    await admin.models.stage("acme/churn:v1", { to: "production" });
    await admin.models.copy("acme/churn:v1", { toProject: "acme/churn", keepStage: true });
    expect((await admin.models.list("acme/churn", { query: "stage:production" })).results.map((v) => v.name)).toEqual(["v1-copy"]);
  });
});

describe("openStages", () => {
  it("allows any move for a member, production included", async () => {
    const registry = createRegistry({ stages: openStages });
    const ana = registry.as({ id: "ana", orgs: { acme: "admin" } });
    await ana.projects.create({ owner: "acme", name: "churn" });
    await ana.models.register({ project: "acme/churn", name: "v1" });
    const member = registry.as({ id: "mo", orgs: { acme: "member" } });
    for (const to of ["production", "testing", "disabled", "staging", "production", "disabled"]) {
      expect((await member.models.stage("acme/churn:v1", { to })).stage).toBe(to);
    }
  });
});
