import { describe, expect, test } from "vitest";
import type { Store, Write } from "../../src/store/store.js";
import { memoryStore } from "../../src/store/memory.js";
import { CONFORMANCE_GROUPS, runConformanceCase, runStoreConformance, storeConformanceCases } from "../../src/testing/index.js";
import type { ConformanceTest } from "../../src/testing/index.js";

/** Runs every case against `create` and answers the names of the failing ones. */
async function failingCases(create: () => Store | Promise<Store>): Promise<string[]> {
  const failed: string[] = [];
  for (const testCase of storeConformanceCases()) {
    try {
      await runConformanceCase(testCase, expect, create);
    } catch {
      failed.push(`${testCase.group} › ${testCase.name}`);
    }
  }
  return failed;
}

/** A store that ignores expected revisions: it rewrites every write's `expect` to the current one. */
function ignoresRevisions(): Store {
  const inner = memoryStore();
  return {
    get: (collection, key) => inner.get(collection, key),
    query: (collection, query) => inner.query(collection, query),
    async commit(writes) {
      const fixed: Write[] = [];
      for (const write of writes) {
        const revision = (await inner.get(write.collection, write.key))?.revision ?? 0;
        if (write.op === "delete" && revision === 0) continue;
        fixed.push({ ...write, expect: revision });
      }
      return inner.commit(fixed);
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}

/** A store that applies the writes before the failing one (no atomicity). */
function notAtomic(): Store {
  const inner = memoryStore();
  return {
    get: (collection, key) => inner.get(collection, key),
    query: (collection, query) => inner.query(collection, query),
    async commit(writes) {
      let last = { seq: 0 };
      for (const write of writes) last = await inner.commit([write]);
      return last;
    },
  };
}

/** A store whose values are shared with the caller (no copy, not frozen). */
function sharesValues(): Store {
  const items = new Map<string, { key: string; revision: number; seq: number; value: never }>();
  let seq = 0;
  const inner = memoryStore();
  return {
    async get(collection, key) {
      return items.get(`${collection}/${key}`);
    },
    query: (collection, query) => inner.query(collection, query),
    async commit(writes) {
      const result = await inner.commit(writes);
      seq = result.seq;
      for (const write of writes) {
        if (write.op === "put") items.set(`${write.collection}/${write.key}`, { key: write.key, revision: write.expect + 1, seq, value: write.value as never });
        if (write.op === "delete") items.delete(`${write.collection}/${write.key}`);
      }
      return result;
    },
  };
}

describe("the conformance suite", () => {
  test("passes against the memory store", async () => {
    expect(await failingCases(() => memoryStore())).toEqual([]);
  });

  test("fails a store that ignores expected revisions", async () => {
    const failed = await failingCases(ignoresRevisions);
    expect(failed).toContain("conflict › rejects a put with a stale revision with CONFLICT");
    expect(failed).toContain("conflict › rejects a stale check with CONFLICT");
    expect(failed.filter((name) => name.startsWith("conflict ›")).length).toBeGreaterThanOrEqual(5);
  });

  test("fails a store that applies half a commit", async () => {
    const failed = await failingCases(notAtomic);
    expect(failed).toContain("atomicity › applies nothing when one write among many conflicts");
    expect(failed).toContain("commit › refuses two writes to the same record in one commit with VALIDATION");
  });

  test("fails a store that shares values with the caller", async () => {
    const failed = await failingCases(sharesValues);
    expect(failed).toContain("json › keeps the stored value when the caller mutates the value it put");
  });

  test("registers one test per case, named by group, and honours skip", () => {
    const names: string[] = [];
    const recorder: ConformanceTest = (name) => void names.push(name);
    runStoreConformance({ test: recorder, expect, create: () => memoryStore() });
    expect(names).toHaveLength(storeConformanceCases().length);
    expect(new Set(names).size).toBe(names.length);
    for (const group of CONFORMANCE_GROUPS) expect(names.some((name) => name.includes(` › ${group} › `))).toBe(true);
    const skipped: string[] = [];
    runStoreConformance({ test: (name) => void skipped.push(name), expect, create: () => memoryStore(), skip: ["conflict", "cursor"] });
    expect(skipped.some((name) => name.includes(" › conflict › ") || name.includes(" › cursor › "))).toBe(false);
    expect(skipped.length).toBeLessThan(names.length);
  });

  test("closes every store it made, also when a case fails", async () => {
    let open = 0;
    const create = () => {
      open++;
      const inner = ignoresRevisions();
      return { ...inner, close: async () => void open-- };
    };
    await failingCases(create);
    expect(open).toBe(0);
  });

  test("gives every test its own store and fresh keys", async () => {
    const created: Store[] = [];
    const collections = new Set<string>();
    const create = () => {
      const inner = memoryStore();
      created.push(inner);
      return {
        ...inner,
        commit: (writes: readonly Write[]) => {
          for (const write of writes) collections.add(write.collection);
          return inner.commit(writes);
        },
      };
    };
    const cases = storeConformanceCases().filter((c) => c.group === "commit");
    for (const testCase of cases) await runConformanceCase(testCase, expect, create);
    expect(created.length).toBe(cases.length);
    expect(collections.size).toBeGreaterThanOrEqual(cases.length);
  });
});
