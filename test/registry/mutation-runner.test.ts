import { describe, expect, it } from "vitest";
import { SYSTEM, createRegistry, memoryStore, RegistryError, type Store } from "artifact-versions";

/** A memory store whose commits apply only after a delay, like a database round trip. */
function delayedStore(applies: boolean): { store: Store; conflicts: () => number; commits: () => number } {
  const inner = memoryStore();
  let conflicts = 0;
  let commits = 0;
  const store: Store = {
    get: (collection, key) => inner.get(collection, key),
    query: (collection, query) => inner.query(collection, query),
    async commit(writes) {
      commits += 1;
      await new Promise((resolve) => setTimeout(resolve, 1));
      try {
        return await inner.commit(writes);
      } catch (error) {
        if (error instanceof RegistryError && error.code === "CONFLICT") conflicts += 1;
        throw error;
      }
    },
    ...(applies ? { appliesCommitsOnCall: true } : {}),
  };
  return { store, conflicts: () => conflicts, commits: () => commits };
}

describe("the mutation runner", () => {
  it("waits for each commit of a store that does not apply commits on call, so writers in one process never conflict", async () => {
    const { store, conflicts, commits } = delayedStore(false);
    const session = createRegistry({ store }).as(SYSTEM);
    await session.projects.create({ owner: "acme", name: "churn" });
    const versions = await Promise.all(Array.from({ length: 25 }, () => session.models.register({ project: "acme/churn" })));
    expect(new Set(versions.map((version) => version.name)).size).toBe(25);
    expect(conflicts()).toBe(0);
    expect(commits()).toBe(26);
  });

  it("still succeeds, by retrying, when a store wrongly claims to apply commits on call", async () => {
    const { store, conflicts } = delayedStore(true);
    const session = createRegistry({ store }).as(SYSTEM);
    await session.projects.create({ owner: "acme", name: "churn" });
    const versions = await Promise.all(Array.from({ length: 10 }, () => session.models.register({ project: "acme/churn" })));
    expect(new Set(versions.map((version) => version.name)).size).toBe(10);
    expect(conflicts()).toBeGreaterThan(0);
  });
});

describe("createRegistry() options", () => {
  it("refuses malformed options with VALIDATION naming the option", () => {
    const bad: [string, () => unknown][] = [
      ["clock", () => createRegistry({ clock: "now" as unknown as () => Date })],
      ["ids", () => createRegistry({ ids: 42 as unknown as () => string })],
      ["onWarning", () => createRegistry({ onWarning: {} as unknown as (message: string) => void })],
      ["runs", () => createRegistry({ runs: { get: async () => undefined } as never })],
      ["stages", () => createRegistry({ stages: {} as never })],
      ["policy", () => createRegistry({ policy: {} as never })],
      ["store", () => createRegistry({ store: {} as never })],
    ];
    for (const [name, make] of bad) {
      let caught: unknown;
      try {
        make();
      } catch (error) {
        caught = error;
      }
      expect(caught, name).toBeInstanceOf(RegistryError);
      expect((caught as RegistryError).code, name).toBe("VALIDATION");
      expect((caught as RegistryError).message, name).toContain(name === "runs" ? "run source" : name === "store" ? "store" : name === "policy" ? "policy" : name);
    }
  });
});

describe("registry.events", () => {
  it("refuses an unknown event type or a listener that is not a function", () => {
    const registry = createRegistry();
    expect(() => registry.events.on("version.renamed" as never, () => undefined)).toThrow(RegistryError);
    expect(() => registry.events.once("version.staged", "nope" as never)).toThrow(/listener must be a function/);
    const off = registry.events.on("version.staged", () => undefined);
    expect(registry.events.listenerCount("version.staged")).toBe(1);
    off();
    expect(registry.events.listenerCount("version.staged")).toBe(0);
  });
});
