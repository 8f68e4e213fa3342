import { describe, expect, it, vi } from "vitest";
import { createRegistry, memoryStore, parseVersionRef, parseProjectRef, SYSTEM } from "artifact-versions";
import { rejects, setup } from "./support.js";

async function churn() {
  const ctx = setup();
  await ctx.admin.projects.create({ owner: "acme", name: "churn" });
  return ctx;
}

describe("names", () => {
  it("accepts slugs of letters, digits, -, _ and . up to 128 chars", async () => {
    const { admin } = await churn();
    for (const name of ["a", "v1.0", "A_b-c.d", "x".repeat(128), "..a", "Latest", "LATEST"]) {
      const version = await admin.models.register({ project: "acme/churn", name });
      expect(version.name).toBe(name);
    }
  });

  it("refuses 129 chars, bad characters, empty, dots-only and the reserved latest", async () => {
    const { admin } = await churn();
    for (const name of ["x".repeat(129), "a b", "a/b", "a:b", "é", "", ".", "..", "...", "latest"]) {
      await rejects(admin.models.register({ project: "acme/churn", name }), "VALIDATION");
    }
  });

  it("refuses invalid names on rename", async () => {
    const { admin } = await churn();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    for (const name of ["latest", "..", "x".repeat(129), "a b"]) await rejects(admin.models.update("acme/churn:v1", { name }), "VALIDATION");
  });

  it("treats names case-sensitively", async () => {
    const { admin } = await churn();
    await admin.models.register({ project: "acme/churn", name: "V1" });
    const lower = await admin.models.register({ project: "acme/churn", name: "v1" });
    expect(lower.name).toBe("v1");
    expect((await admin.models.get("acme/churn:V1")).name).toBe("V1");
    await rejects(admin.models.get("acme/churn:v2"), "NOT_FOUND");
  });

  it("refuses invalid project names and owners", async () => {
    const { admin } = setup();
    for (const name of ["", ".", "..", "a b", "x".repeat(129)]) await rejects(admin.projects.create({ owner: "acme", name }), "VALIDATION");
    await rejects(admin.projects.create({ owner: "..", name: "p" }), "VALIDATION");
  });

  it("keeps a name unique per (project, kind) only", async () => {
    const { admin } = await churn();
    await admin.projects.create({ owner: "acme", name: "other" });
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await admin.artifacts.register({ project: "acme/churn", name: "v1" });
    await admin.components.register({ project: "acme/churn", name: "v1", content: {} });
    await admin.models.register({ project: "acme/other", name: "v1" });
    await rejects(admin.models.register({ project: "acme/churn", name: "v1" }), "ALREADY_EXISTS");
  });
});

describe("references", () => {
  it("parses owner/project:version and owner/project as latest", () => {
    expect(parseVersionRef("acme/churn:v1")).toMatchObject({ project: { owner: "acme", name: "churn", fullName: "acme/churn" }, version: "v1" });
    expect(parseVersionRef("acme/churn")).toMatchObject({ version: "latest" });
    expect(parseProjectRef("acme/churn")).toMatchObject({ owner: "acme", name: "churn" });
  });

  it("refuses malformed references with VALIDATION", async () => {
    const { admin } = await churn();
    for (const ref of ["acme", "acme/churn:", "acme/churn:v1:x", "a/b/c", "/churn", "acme/:v1", ":v1", "acme/churn:a b"]) {
      await rejects(admin.models.get(ref), "VALIDATION");
    }
  });

  it("answers NOT_FOUND for a missing project or version", async () => {
    const { admin } = await churn();
    await rejects(admin.models.get("acme/none:v1"), "NOT_FOUND");
    await rejects(admin.models.get("acme/churn:v1"), "NOT_FOUND");
    await rejects(admin.models.get("acme/churn"), "NOT_FOUND");
  });
});

describe("input validation", () => {
  it("refuses unknown input keys everywhere", async () => {
    const { admin } = await churn();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    const bad = { nmae: "x" } as never;
    await rejects(admin.models.register({ project: "acme/churn", name: "v2", descripton: "typo" } as never), "VALIDATION");
    await rejects(admin.models.update("acme/churn:v1", bad), "VALIDATION");
    await rejects(admin.models.stage("acme/churn:v1", { to: "staging", resaon: "x" } as never), "VALIDATION");
    await rejects(admin.models.copy("acme/churn:v1", { toProject: "acme/churn", bad: 1 } as never), "VALIDATION");
    await rejects(admin.models.transfer("acme/churn:v1", { toProject: "acme/churn", bad: 1 } as never), "VALIDATION");
    await rejects(admin.models.list("acme/churn", { limt: 2 } as never), "VALIDATION");
    await rejects(admin.models.update("acme/churn:v1", { description: "x" }, { ifRev: 1 } as never), "VALIDATION");
    await rejects(admin.projects.create({ owner: "acme", name: "p", visiblity: "public" } as never), "VALIDATION");
    await rejects(admin.projects.update("acme/churn", { colour: "red" } as never), "VALIDATION");
    await rejects(admin.projects.delete("acme/churn", { cascde: true } as never), "VALIDATION");
    await rejects(admin.runs.create({ project: "acme/churn", nam: "x" } as never), "VALIDATION");
    await rejects(admin.runs.create({ project: "acme/churn", artifacts: [{ name: "a", kind: "model", pth: "x" }] } as never), "VALIDATION");
    await rejects(admin.audit.list({ projet: "acme/churn" } as never), "VALIDATION");
  });

  it("refuses an update with no fields", async () => {
    const { admin } = await churn();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await rejects(admin.models.update("acme/churn:v1", {}), "VALIDATION");
  });

  it("fills absent optional fields with null, [] and {}", async () => {
    const { admin } = await churn();
    const v = await admin.models.register({ project: "acme/churn", name: "v1" });
    expect(v).toMatchObject({ description: null, readme: null, content: null, run: null, state: null, tags: [], artifacts: [], metadata: {} });
    expect(typeof v.createdAt).toBe("string");
    expect(new Date(v.createdAt).toISOString()).toBe(v.createdAt);
  });
});

describe("tags", () => {
  it("drops duplicates keeping the first order, refuses empty and > 64 chars", async () => {
    const { admin } = await churn();
    const v = await admin.models.register({ project: "acme/churn", name: "v1", tags: ["b", "a", "b", "c", "a"] });
    expect(v.tags).toEqual(["b", "a", "c"]);
    await rejects(admin.models.register({ project: "acme/churn", name: "v2", tags: [""] }), "VALIDATION");
    await rejects(admin.models.register({ project: "acme/churn", name: "v2", tags: ["x".repeat(65)] }), "VALIDATION");
    expect((await admin.models.register({ project: "acme/churn", name: "v3", tags: ["x".repeat(64)] })).tags).toHaveLength(1);
  });

  it("update({ tags }) replaces the set", async () => {
    const { admin } = await churn();
    await admin.models.register({ project: "acme/churn", name: "v1", tags: ["a", "b"] });
    expect((await admin.models.update("acme/churn:v1", { tags: ["c", "c"] })).tags).toEqual(["c"]);
  });
});

describe("size limits", () => {
  it("enforce the default limits", async () => {
    const { admin } = await churn();
    const p = "acme/churn";
    await admin.models.register({ project: p, name: "d", description: "x".repeat(10_000) });
    await rejects(admin.models.register({ project: p, name: "d2", description: "x".repeat(10_001) }), "VALIDATION");
    await rejects(admin.models.register({ project: p, name: "r", readme: "x".repeat(1_000_001) }), "VALIDATION");
    await rejects(admin.models.register({ project: p, name: "c", content: "x".repeat(1_000_001) }), "VALIDATION");
    await rejects(admin.models.register({ project: p, name: "m", metadata: { a: "x".repeat(1_000_001) } }), "VALIDATION");
    await admin.models.register({ project: p, name: "t", tags: Array.from({ length: 100 }, (_, i) => `t${i}`) });
    await rejects(admin.models.register({ project: p, name: "t2", tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }), "VALIDATION");
    const many = Array.from({ length: 1001 }, (_, i) => ({ name: `a${i}`, kind: "file" }));
    await rejects(admin.runs.create({ project: p, artifacts: many }), "VALIDATION");
    await admin.runs.create({ project: p, artifacts: many.slice(0, 1000) });
  });

  it("are configurable in createRegistry", async () => {
    const { admin } = setup({ limits: { tags: 2, description: 5 } });
    await admin.projects.create({ owner: "acme", name: "churn" });
    await rejects(admin.models.register({ project: "acme/churn", tags: ["a", "b", "c"] }), "VALIDATION");
    await rejects(admin.models.register({ project: "acme/churn", description: "123456" }), "VALIDATION");
  });

  it("are checked when the registry is created", () => {
    for (const limits of [{ tags: Number.NaN }, { tags: -1 }, { description: 1.5 }, { tags: undefined }, { readme: "10" }, { colour: 3 }, { toString: 3 }]) {
      expect(() => createRegistry({ limits: limits as never }), JSON.stringify(limits)).toThrow(expect.objectContaining({ code: "VALIDATION" }));
    }
    expect(() => createRegistry({ limits: { tags: 0, content: Number.POSITIVE_INFINITY } })).not.toThrow();
  });

  it("refuse non-JSON content", async () => {
    const { admin } = await churn();
    await rejects(admin.models.register({ project: "acme/churn", content: { when: new Date() } as never }), "VALIDATION");
    await rejects(admin.models.register({ project: "acme/churn", content: Number.NaN }), "VALIDATION");
  });
});

describe("metadata schemas", () => {
  it("validate the metadata of their kind", async () => {
    const { z } = await import("zod");
    const { admin } = setup({ metadata: { model: z.strictObject({ auc: z.number() }) } });
    await admin.projects.create({ owner: "acme", name: "churn" });
    await rejects(admin.models.register({ project: "acme/churn", metadata: { auc: "high" } as never }), "VALIDATION");
    expect((await admin.models.register({ project: "acme/churn", metadata: { auc: 0.9 } as never })).metadata).toEqual({ auc: 0.9 });
    await admin.artifacts.register({ project: "acme/churn", metadata: { anything: true } });
    await rejects(admin.models.update("acme/churn", { metadata: { auc: "x" } as never }), "VALIDATION");
  });
});

describe("components", () => {
  it("require content", async () => {
    const { admin } = await churn();
    await rejects(admin.components.register({ project: "acme/churn", name: "c" }), "VALIDATION");
    await rejects(admin.components.register({ project: "acme/churn", name: "c", content: null as never }), "VALIDATION");
  });

  it("carry state = sha256 of canonical JSON (sorted keys)", async () => {
    const { admin } = await churn();
    const { createHash } = await import("node:crypto");
    const a = await admin.components.register({ project: "acme/churn", name: "a", content: { b: 1, a: [1, { d: 2, c: 3 }] } });
    const b = await admin.components.register({ project: "acme/churn", name: "b", content: { a: [1, { c: 3, d: 2 }], b: 1 } });
    const expected = `sha256:${createHash("sha256").update('{"a":[1,{"c":3,"d":2}],"b":1}').digest("hex")}`;
    expect(a.state).toBe(expected);
    expect(b.state).toBe(expected);
    const changed = await admin.components.update("acme/churn:a", { content: { x: 1 } });
    expect(changed.state).toBe(`sha256:${createHash("sha256").update('{"x":1}').digest("hex")}`);
    expect((await admin.models.register({ project: "acme/churn", content: { x: 1 } })).state).toBeNull();
  });
});

describe("register({ force })", () => {
  it("fails ALREADY_EXISTS without force", async () => {
    const { admin } = await churn();
    await admin.models.register({ project: "acme/churn", name: "v1" });
    await rejects(admin.models.register({ project: "acme/churn", name: "v1" }), "ALREADY_EXISTS");
  });

  it("updates only the fields given", async () => {
    const { admin } = await churn();
    const v1 = await admin.models.register({ project: "acme/churn", name: "v1", description: "d", tags: ["a"], readme: "r", metadata: { k: 1 } });
    const again = await admin.models.register({ project: "acme/churn", name: "v1", description: "new", force: true });
    expect(again).toMatchObject({ uuid: v1.uuid, description: "new", tags: ["a"], readme: "r", metadata: { k: 1 }, revision: 2, sequence: v1.sequence });
  });

  it("with force on a new name simply creates", async () => {
    const { admin } = await churn();
    expect((await admin.models.register({ project: "acme/churn", name: "fresh", force: true })).revision).toBe(1);
  });
});

describe("auto-naming", () => {
  it("assigns v1, v2, ... per (project, kind)", async () => {
    const { admin } = await churn();
    expect((await admin.models.register({ project: "acme/churn" })).name).toBe("v1");
    expect((await admin.models.register({ project: "acme/churn" })).name).toBe("v2");
    expect((await admin.artifacts.register({ project: "acme/churn" })).name).toBe("v1");
  });

  it("skips taken names and is not moved by explicit names: foo and v2 give v1, then v3", async () => {
    const { admin } = await churn();
    await admin.models.register({ project: "acme/churn", name: "foo" });
    await admin.models.register({ project: "acme/churn", name: "v2" });
    expect((await admin.models.register({ project: "acme/churn" })).name).toBe("v1");
    expect((await admin.models.register({ project: "acme/churn" })).name).toBe("v3");
  });

  it("never reuses a number after delete", async () => {
    const { admin } = await churn();
    await admin.models.register({ project: "acme/churn" });
    await admin.models.register({ project: "acme/churn" });
    await admin.models.delete("acme/churn:v2");
    await admin.models.delete("acme/churn:v1");
    expect((await admin.models.register({ project: "acme/churn" })).name).toBe("v3");
  });

  it("gives 25 concurrent registers into one project distinct names, all succeeding", async () => {
    const { admin } = await churn();
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => admin.models.register({ project: "acme/churn" })));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const names = results.map((r) => (r as PromiseFulfilledResult<{ name: string }>).value.name);
    expect(new Set(names).size).toBe(25);
    expect([...names].sort()).toEqual(Array.from({ length: 25 }, (_, i) => `v${i + 1}`).sort());
    expect((await admin.models.list("acme/churn", { limit: 0 })).count).toBe(25);
  });

  it("survives concurrent registers from separate sessions and explicit names", async () => {
    const { registry, admin } = await churn();
    const others = Array.from({ length: 5 }, (_, i) => registry.as({ id: `u${i}`, orgs: { acme: "member" } }));
    const calls = Array.from({ length: 25 }, (_, i) => {
      const session = others[i % 5]!;
      return i % 5 === 0 ? session.models.register({ project: "acme/churn", name: `n${i}` }) : session.models.register({ project: "acme/churn" });
    });
    const all = await Promise.all(calls);
    expect(new Set(all.map((v) => v.name)).size).toBe(25);
    expect(new Set(all.map((v) => v.sequence)).size).toBe(25);
    await admin.projects.get("acme/churn");
  });
});

describe("latest", () => {
  it("is the newest created by sequence, not by name or update", async () => {
    const { admin } = await churn();
    const a = await admin.models.register({ project: "acme/churn", name: "z" });
    const b = await admin.models.register({ project: "acme/churn", name: "a" });
    expect(b.sequence).toBeGreaterThan(a.sequence);
    await admin.models.update("acme/churn:z", { description: "touched" });
    expect((await admin.models.get("acme/churn")).name).toBe("a");
    expect((await admin.models.get("acme/churn:latest")).name).toBe("a");
  });

  it("counts disabled versions, and falls back after the newest is deleted", async () => {
    const { admin } = await churn();
    await admin.models.register({ project: "acme/churn", name: "a" });
    await admin.models.register({ project: "acme/churn", name: "b" });
    await admin.models.stage("acme/churn:b", { to: "disabled" });
    expect((await admin.models.get("acme/churn")).name).toBe("b");
    await admin.models.delete("acme/churn:b");
    expect((await admin.models.get("acme/churn")).name).toBe("a");
  });

  it("is per kind, and a version transferred in becomes the target's latest", async () => {
    const { admin } = await churn();
    await admin.projects.create({ owner: "acme", name: "other" });
    await admin.models.register({ project: "acme/churn", name: "old" });
    await admin.models.register({ project: "acme/other", name: "o1" });
    await admin.artifacts.register({ project: "acme/churn", name: "art" });
    expect((await admin.models.get("acme/churn")).name).toBe("old");
    await admin.models.transfer("acme/churn:old", { toProject: "acme/other" });
    expect((await admin.models.get("acme/other")).name).toBe("old");
  });

  it("reads only the newest version: the store is told the total is not needed", async () => {
    const store = memoryStore();
    const query = vi.spyOn(store, "query");
    const { admin } = setup({ store });
    await admin.projects.create({ owner: "acme", name: "churn" });
    for (const name of ["a", "b"]) await admin.models.register({ project: "acme/churn", name });
    query.mockClear();
    expect((await admin.models.get("acme/churn")).name).toBe("b");
    expect(query.mock.calls.map(([collection, options]) => [collection, options?.limit, options?.total])).toEqual([["versions", 1, false]]);
  });

  it("works within the same millisecond (fixed clock)", async () => {
    const fixed = new Date("2026-01-01T00:00:00Z");
    const { admin } = setup({ clock: () => fixed });
    await admin.projects.create({ owner: "acme", name: "churn" });
    for (const name of ["b", "c", "a"]) await admin.models.register({ project: "acme/churn", name });
    expect((await admin.models.get("acme/churn")).name).toBe("a");
  });
});

describe("version ids", () => {
  it("refuses an id an app's generator repeats with ALREADY_EXISTS, leaving the first version as it was", async () => {
    // The generator serves audit ids too: it repeats the first version's id once, for the next version.
    let next = 0;
    let repeat: string | undefined;
    const session = createRegistry({
      ids: () => {
        const id = repeat ?? `id-${next++}`;
        repeat = undefined;
        return id;
      },
    }).as(SYSTEM);
    await session.projects.create({ owner: "acme", name: "churn" });
    const first = await session.models.register({ project: "acme/churn", name: "v1" });
    repeat = first.uuid;
    const error = await rejects(session.models.register({ project: "acme/churn", name: "v2" }), "ALREADY_EXISTS");
    expect(error.details).toMatchObject({ uuid: first.uuid });
    expect(await session.models.get("acme/churn:v1")).toEqual(first);
    await rejects(session.models.get("acme/churn:v2"), "NOT_FOUND");
  });

  it("retries with a new id when the default generator repeats one (the commit expects no record there)", async () => {
    const { admin } = await churn();
    const first = await admin.models.register({ project: "acme/churn", name: "v1" });
    const fresh = "00000000-0000-4000-8000-000000000002";
    const answers = [first.uuid, fresh];
    const original = globalThis.crypto.randomUUID.bind(globalThis.crypto);
    const spy = vi.spyOn(globalThis.crypto, "randomUUID").mockImplementation(() => (answers.shift() ?? original()) as ReturnType<typeof original>);
    try {
      const second = await admin.models.register({ project: "acme/churn", name: "v2" });
      expect(second.uuid).toBe(fresh);
    } finally {
      spy.mockRestore();
    }
    expect(await admin.models.get("acme/churn:v1")).toEqual(first);
    expect((await admin.models.list("acme/churn")).count).toBe(2);
  });
});
