import { describe, expect, it } from "vitest";
import { z } from "zod";
import { rejects, setup } from "./support.js";

async function world(limits?: { content?: number; metadata?: number }) {
  const ctx = setup(limits === undefined ? {} : { limits });
  await ctx.admin.projects.create({ owner: "acme", name: "churn" });
  return ctx;
}

describe("content and metadata input", () => {
  it("refuses what is not plain JSON with VALIDATION naming the field and the problem", async () => {
    const { admin } = await world();
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["circular content", { content: cycle }, /content: value is circular/],
      ["a Date in content", { content: { at: new Date(0) } }, /content: value holds an object that is not a plain object/],
      ["NaN in metadata", { metadata: { loss: Number.NaN } }, /metadata: value holds a number that is not finite/],
      ["an array as metadata", { metadata: [1] }, /metadata: expected an object, received an array/],
      ["a string as metadata", { metadata: "accuracy" }, /metadata: expected an object, received string/],
      ["null as metadata", { metadata: null }, /metadata: expected an object, received null/],
    ];
    for (const [what, fields, message] of cases) {
      const error = await rejects(admin.models.register({ project: "acme/churn", ...fields } as never), "VALIDATION");
      expect(error.message, what).toMatch(message);
    }
    expect((await admin.models.list("acme/churn")).count).toBe(0);
  });

  it("counts the byte limits in UTF-8 JSON, at the edge", async () => {
    const { admin } = await world({ content: 10, metadata: 10 });
    await admin.models.register({ project: "acme/churn", name: "fits", content: { a: "é" }, metadata: { a: "é" } }); // {"a":"é"} = 10 bytes
    const error = await rejects(admin.models.register({ project: "acme/churn", name: "over", content: { a: "éé" } }), "VALIDATION");
    expect(error.message).toMatch(/content: value is 12 bytes of JSON, more than the limit of 10/);
    await rejects(admin.models.register({ project: "acme/churn", name: "over", metadata: { a: "éé" } }), "VALIDATION");
  });

  it("hands back frozen copies equal to the input", async () => {
    const { admin } = await world();
    const text = '{"layers":[{"units":64}],"__proto__":{"polluted":true}}';
    const version = await admin.models.register({ project: "acme/churn", name: "v1", content: JSON.parse(text) as never });
    expect(JSON.stringify(version.content)).toBe(text);
    expect(Object.getPrototypeOf(version.content)).toBe(Object.prototype);
    expect(Object.isFrozen((version.content as { layers: unknown[] }).layers[0])).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("accepts explicit undefined fields like absent ones, and keeps no undefined in what it stores", async () => {
    const { admin, registry } = setup();
    const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
    await admin.projects.create({ owner: "acme", name: "p", description: undefined } as never);
    await admin.projects.update("acme/p", { description: undefined } as never);
    const run = await admin.runs.create({ project: "acme/p", name: undefined, artifacts: [{ name: "a", kind: "file", path: undefined, summary: undefined }] } as never);
    expect(run).toEqual(asJson(run));
    await admin.runs.update(run.uuid, { name: undefined, description: undefined } as never);
    await admin.models.register({ project: "acme/p", name: "v1", description: undefined, tags: undefined, content: undefined, metadata: undefined, run: undefined } as never);
    await admin.models.register({ project: "acme/p", name: "v1", force: true, description: undefined, readme: undefined } as never);
    await admin.models.update("acme/p:v1", { description: undefined, tags: undefined, metadata: undefined } as never);
    await admin.models.stage("acme/p:v1", { to: "staging", reason: undefined, message: undefined } as never);
    const copy = await admin.models.copy("acme/p:v1", { toProject: "acme/p", name: undefined, description: undefined } as never);
    const version = await admin.models.get("acme/p:v1");
    expect(version).toEqual(asJson(version));
    expect(copy).toEqual(asJson(copy));
    expect(await admin.runs.get(run.uuid)).toEqual(asJson(await admin.runs.get(run.uuid)));
    for (const entry of await admin.models.history("acme/p:v1")) expect(entry).toEqual(asJson(entry));
    await registry.close();
  });

  it("never changes or freezes what the app's metadata schema returns", async () => {
    const defaults = { since: new Date(0), note: undefined as string | undefined, ratio: -0, labels: ["prod"] };
    const { admin } = setup({ metadata: { model: z.object({ auc: z.number() }).transform((m) => ({ ...m, defaults })) } });
    await admin.projects.create({ owner: "acme", name: "p" });
    const version = await admin.models.register({ project: "acme/p", name: "v1", metadata: { auc: 0.9 } });
    expect(version.metadata).toEqual({ auc: 0.9, defaults: { since: "1970-01-01T00:00:00.000Z", ratio: 0, labels: ["prod"] } });
    expect(defaults.since).toBeInstanceOf(Date);
    expect("note" in defaults).toBe(true);
    expect(Object.is(defaults.ratio, -0)).toBe(true);
    expect(Object.isFrozen(defaults) || Object.isFrozen(defaults.labels)).toBe(false);
    defaults.labels.push("changed later");
    expect((await admin.models.get("acme/p:v1")).metadata).toEqual(version.metadata);
  });
});
