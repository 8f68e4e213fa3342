import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { createRegistry } from "artifact-versions";
import { createTestRegistry } from "artifact-versions/testing";

describe("createTestRegistry()", () => {
  it("gives a manual clock, deterministic ids and ready principals", async () => {
    const make = async () => {
      const { registry, clock, principals } = createTestRegistry();
      const owner = registry.as(principals.owner("acme"));
      await owner.projects.create({ owner: "acme", name: "p" });
      clock.set("2030-05-01T00:00:00.000Z");
      const v = await owner.models.register({ project: "acme/p", name: "v1" });
      clock.advance(60_000);
      const w = await owner.models.register({ project: "acme/p", name: "v2" });
      return { v, w, principals, registry };
    };
    const one = await make();
    const two = await make();
    expect(one.v.uuid).toBe(two.v.uuid);
    expect(one.v.createdAt.startsWith("2030-05-01T00:00:00")).toBe(true);
    expect(Date.parse(one.w.createdAt) - Date.parse(one.v.createdAt)).toBeGreaterThanOrEqual(60_000);
    const member = one.registry.as(one.principals.member("acme"));
    await member.models.register({ project: "acme/p" });
    await expect(one.registry.as(one.principals.viewer("acme")).models.register({ project: "acme/p" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(one.registry.as(one.principals.outsider()).models.get("acme/p:v1")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("seeds give different ids", async () => {
    const a = createTestRegistry({ seed: 1 });
    const b = createTestRegistry({ seed: 2 });
    const sa = a.registry.as(a.principals.owner("acme"));
    const sb = b.registry.as(b.principals.owner("acme"));
    await sa.projects.create({ owner: "acme", name: "p" });
    await sb.projects.create({ owner: "acme", name: "p" });
    expect((await sa.models.register({ project: "acme/p" })).uuid).not.toBe((await sb.models.register({ project: "acme/p" })).uuid);
  });
});

describe("metadata typing (§5.45)", () => {
  it("types register({ metadata }) and version.metadata from the schema", async () => {
    const registry = createRegistry({ metadata: { model: z.object({ auc: z.number() }) } });
    const s = registry.as({ id: "ana", orgs: { acme: "admin" } });
    await s.projects.create({ owner: "acme", name: "p" });
    const v = await s.models.register({ project: "acme/p", metadata: { auc: 0.9 } });
    expectTypeOf(v.metadata).toEqualTypeOf<{ auc: number }>();
    expect(v.metadata.auc).toBe(0.9);
    // @ts-expect-error auc must be a number
    await expect(s.models.register({ project: "acme/p", metadata: { auc: "x" } })).rejects.toMatchObject({ code: "VALIDATION" });
  });
});
