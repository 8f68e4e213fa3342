import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareBy, matches, parseQuery, parseSort, type QueryNode, type SortField } from "../../src/domain/query/index.js";
import { RegistryError } from "../../src/errors.js";
import { memoryStore } from "../../src/store/memory.js";
import type { Store, StoredItem, Write } from "../../src/store/store.js";

const RUNS = Number(process.env.FC_RUNS ?? 60);

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }
  throw new Error("expected a rejection");
}

const put = (key: string, value: unknown, expect = 0, collection = "versions"): Write => ({ op: "put", collection, key, expect, value: value as never });

describe("memoryStore: get and commit", () => {
  it("puts, revisions, seq and get", async () => {
    const store = memoryStore();
    expect(await store.get("versions", "a")).toBeUndefined();
    const first = await store.commit([put("a", { name: "v1" }), put("b", { name: "v2" })]);
    expect(first.seq).toBe(1);
    expect(await store.get("versions", "a")).toEqual({ key: "a", revision: 1, seq: 1, value: { name: "v1" } });
    const second = await store.commit([put("a", { name: "v1b" }, 1)]);
    expect(second.seq).toBe(2);
    expect(await store.get("versions", "a")).toEqual({ key: "a", revision: 2, seq: 2, value: { name: "v1b" } });
    expect((await store.get("versions", "b"))?.seq).toBe(1);
    await store.commit([{ op: "delete", collection: "versions", key: "a", expect: 2 }]);
    expect(await store.get("versions", "a")).toBeUndefined();
    expect(await store.get("projects", "b")).toBeUndefined();
  });

  it("seq strictly increases, also across collections and for check-only commits", async () => {
    const store = memoryStore();
    const seqs: number[] = [];
    seqs.push((await store.commit([put("a", 1)])).seq);
    seqs.push((await store.commit([{ op: "check", collection: "versions", key: "a", expect: 1 }])).seq);
    seqs.push((await store.commit([put("x", {}, 0, "audit")])).seq);
    seqs.push((await store.commit([])).seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);
  });

  it("is all-or-nothing: a conflict anywhere changes nothing and names the record", async () => {
    const store = memoryStore();
    await store.commit([put("a", { n: 1 })]);
    const error = await rejection(store.commit([put("b", { n: 2 }), put("a", { n: 3 }, 0)]));
    expect(error.code).toBe("CONFLICT");
    expect(error.details).toMatchObject({ collection: "versions", key: "a", expected: 0, actual: 1 });
    expect(error.message).toContain("versions/a");
    expect(await store.get("versions", "b")).toBeUndefined();
    expect((await store.get("versions", "a"))?.value).toEqual({ n: 1 });
    const check = await rejection(store.commit([put("b", 1), { op: "check", collection: "projects", key: "p", expect: 1 }]));
    expect(check.details).toMatchObject({ collection: "projects", key: "p", expected: 1, actual: 0 });
    expect(await store.get("versions", "b")).toBeUndefined();
    const del = await rejection(store.commit([{ op: "delete", collection: "versions", key: "a", expect: 5 }]));
    expect(del.code).toBe("CONFLICT");
    const next = await store.commit([put("c", 1)]);
    expect(next.seq).toBe(2);
  });

  it("refuses malformed commits with VALIDATION", async () => {
    const store = memoryStore();
    const bad: unknown[] = [
      [put("a", 1), put("a", 2)],
      [{ op: "put", collection: "versions", key: "a", expect: 0, value: 1 }, { op: "check", collection: "versions", key: "a", expect: 0 }],
      [{ op: "merge", collection: "versions", key: "a", expect: 0 }],
      [put("a", 1, -1)],
      [put("a", 1, 1.5)],
      [put("", 1)],
      [put("x".repeat(513), 1)],
      [put("a", 1, 0, "Bad")],
      [put("a", undefined)],
      [put("a", { f: () => 1, n: 10n })],
      [{ op: "delete", collection: "versions", key: "a", expect: 0 }],
      "nope",
    ];
    for (const writes of bad) expect((await rejection(store.commit(writes as Write[]))).code).toBe("VALIDATION");
    expect((await store.query("versions")).total).toBe(0);
  });

  it("copies values in and hands them out deeply frozen", async () => {
    const store = memoryStore();
    const value = { tags: ["a"], metadata: { x: 1 } };
    await store.commit([put("a", value)]);
    value.tags.push("b");
    const item = (await store.get("versions", "a")) as StoredItem;
    expect(item.value).toEqual({ tags: ["a"], metadata: { x: 1 } });
    expect(Object.isFrozen(item)).toBe(true);
    expect(Object.isFrozen(item.value)).toBe(true);
    expect(Object.isFrozen((item.value as { tags: string[] }).tags)).toBe(true);
    expect(() => (item.value as { tags: string[] }).tags.push("c")).toThrow();
    const { items } = await store.query("versions");
    expect(Object.isFrozen(items[0]?.value)).toBe(true);
  });

  it("rejects every call with STORAGE after close()", async () => {
    const store = memoryStore();
    await store.commit([put("a", 1)]);
    await store.close?.();
    expect((await rejection(store.get("versions", "a"))).code).toBe("STORAGE");
    expect((await rejection(store.query("versions"))).code).toBe("STORAGE");
    expect((await rejection(store.commit([put("b", 1)]))).code).toBe("STORAGE");
  });
});

describe("memoryStore: query", () => {
  async function seeded(): Promise<Store> {
    const store = memoryStore();
    await store.commit([
      put("acme/churn/1", { name: "v1", project: "acme/churn", kind: "model", stage: "production", tags: ["a"] }),
      put("acme/churn/2", { name: "v2", project: "acme/churn", kind: "model", stage: "testing", tags: ["a", "b"] }),
      put("acme/churn/10", { name: "v10", project: "acme/churn", kind: "artifact", stage: "testing", tags: [] }),
      put("acme/other/1", { name: "v1", project: "acme/other", kind: "model", stage: "staging", tags: ["b"] }),
    ]);
    return store;
  }
  const keys = (r: { items: readonly StoredItem[] }) => r.items.map((i) => i.key);

  it("filters by prefix and where; sorts; total ignores paging", async () => {
    const store = await seeded();
    expect(keys(await store.query("versions"))).toEqual(["acme/churn/1", "acme/churn/10", "acme/churn/2", "acme/other/1"]);
    expect(keys(await store.query("versions", { prefix: "acme/churn/" }))).toHaveLength(3);
    const r = await store.query("versions", { where: parseQuery("project:acme/churn, kind:model"), sort: parseSort("-name") });
    expect(keys(r)).toEqual(["acme/churn/2", "acme/churn/1"]);
    const tagged = await store.query("versions", { where: parseQuery("tags:b"), sort: parseSort("name"), limit: 1 });
    expect(tagged.total).toBe(2);
    expect(keys(tagged)).toEqual(["acme/other/1"]);
    expect(typeof tagged.cursor).toBe("string");
    const counted = await store.query("versions", { where: parseQuery("stage:testing"), limit: 0 });
    expect(counted).toMatchObject({ items: [], total: 2 });
    const offset = await store.query("versions", { sort: parseSort("name"), offset: 1, limit: 2 });
    expect(keys(offset)).toEqual(["acme/other/1", "acme/churn/2"]);
    expect(offset.total).toBe(4);
    expect(await store.query("nothing")).toEqual({ items: [], total: 0, cursor: null });
  });

  it("sorts name naturally and by seq", async () => {
    const store = await seeded();
    expect((await store.query("versions", { where: parseQuery("project:acme/churn"), sort: parseSort("name") })).items.map((i) => (i.value as { name: string }).name)).toEqual(["v1", "v2", "v10"]);
    await store.commit([put("acme/churn/1", { name: "v1", project: "acme/churn" }, 1)]);
    expect(keys(await store.query("versions", { sort: [{ field: "seq", direction: "desc" }], limit: 1 }))).toEqual(["acme/churn/1"]);
  });

  it("pages with a cursor", async () => {
    const store = await seeded();
    const sort: SortField[] = [{ field: "name", direction: "asc" }];
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.query("versions", { sort, limit: 1, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...keys(page));
      if (!page.cursor) break;
      cursor = page.cursor;
    }
    expect(seen).toEqual(["acme/churn/1", "acme/other/1", "acme/churn/2", "acme/churn/10"]);
  });

  it("refuses bad query options with VALIDATION", async () => {
    const store = await seeded();
    const first = await store.query("versions", { sort: parseSort("name"), limit: 1 });
    const bad = [
      { limit: -1 },
      { limit: 1.5 },
      { offset: -2 },
      { total: "no" as unknown as boolean },
      { offset: 1, cursor: first.cursor as string },
      { cursor: "garbage!" },
      { cursor: "eyJ4IjoxfQ" },
      { cursor: first.cursor as string, sort: parseSort("-name") },
      { where: { type: "xor" } as unknown as QueryNode },
      { sort: [{ field: "name", direction: "sideways" }] as unknown as SortField[] },
    ];
    for (const query of bad) expect((await rejection(store.query("versions", query))).code).toBe("VALIDATION");
    expect((await rejection(store.query("Bad"))).code).toBe("VALIDATION");
  });
});

// ---- properties: indexed answers equal the naive filter + sort -----------------------------

const PROJECTS = ["acme/a", "acme/b", "beta/c"];
const KINDS = ["model", "artifact", "component"];
const STAGES = ["testing", "staging", "production", "disabled"];
const TAGS = ["a", "b", "c", "d"];
const NAMES = ["v1", "v2", "v10", "v02", "best", "Best"];
const record = fc.record({
  name: fc.constantFrom(...NAMES),
  project: fc.constantFrom(...PROJECTS),
  kind: fc.constantFrom(...KINDS),
  stage: fc.option(fc.constantFrom(...STAGES), { nil: null }),
  tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
  createdAt: fc.integer({ min: 0, max: 10 }).map((d) => new Date(Date.UTC(2026, 0, 1 + d, d % 3)).toISOString()),
  updatedAt: fc.integer({ min: 0, max: 10 }).map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString()),
  n: fc.integer({ min: 0, max: 5 }),
});
const queryText = fc
  .array(
    fc.oneof(
      fc.constantFrom(...PROJECTS).map((p) => `project:${p}`),
      fc.subarray(PROJECTS, { minLength: 1 }).map((ps) => `project:${ps.join("|")}`),
      fc.constantFrom(...KINDS).map((k) => `kind:${k}`),
      fc.tuple(fc.constantFrom(...PROJECTS), fc.constantFrom(...KINDS)).map(([p, k]) => `project:${p}, kind:${k}`),
      fc.constantFrom(...STAGES).map((s) => `stage:${s}`),
      fc.constantFrom(...STAGES).map((s) => `stage:~${s}`),
      fc.constant("stage:nil"),
      fc.subarray(TAGS, { minLength: 1 }).map((ts) => `tags:${ts.join("|")}`),
      fc.constantFrom("name:v%", "name:%1%", "n:>2", "n:1..3", "created_at:>2026-01-04", "updated_at:<=2026-01-06", "tags:nil"),
      fc.tuple(fc.constantFrom(...STAGES), fc.constantFrom(...TAGS)).map(([s, t]) => `(stage:${s} OR tags:${t})`),
    ),
    { maxLength: 3 },
  )
  .map((terms) => terms.join(", "));
const sortText = fc.constantFrom("-updated_at", "name", "-created_at,name", "stage,-n", "-name", "n", "seq", "-seq,name", "");

function naive(all: readonly StoredItem[], where: QueryNode | null, sort: readonly SortField[], prefix = ""): StoredItem[] {
  return all.filter((i) => i.key.startsWith(prefix) && matches(where, i.value)).sort(compareBy(sort));
}

async function fill(store: Store, records: readonly unknown[]): Promise<void> {
  // several commits, so that items carry different seqs
  for (let i = 0; i < records.length; i += 7) {
    await store.commit(records.slice(i, i + 7).map((r, j) => put(`k${String(i + j).padStart(4, "0")}`, r)));
  }
}

async function everything(store: Store): Promise<StoredItem[]> {
  return [...(await store.query("versions")).items];
}

describe("memoryStore: properties", () => {
  for (const [size, queriedFirst] of [[30, false], [2500, false], [30, true], [2500, true]] as const) {
    it(`query equals the naive filter + sort (${size} records${size > 2048 ? ", sorted views" : ""}${queriedFirst ? ", indexes kept up to date through the writes" : ""})`, async () => {
      const store = memoryStore();
      const records = fc.sample(record, { numRuns: size, seed: size });
      await fill(store, records);
      if (queriedFirst) {
        // Queries before the writes build the indexes (and views), which the writes must then keep exact.
        for (const [q, s] of fc.sample(fc.tuple(queryText, sortText), { numRuns: 40, seed: 3 })) {
          await store.query("versions", { where: parseQuery(q), sort: parseSort(s, { default: "" }), limit: 10 });
        }
      }
      // some updates and deletes, so that indexes and views see changes
      for (let i = 0; i < size; i += 5) {
        const key = `k${String(i).padStart(4, "0")}`;
        const current = await store.get("versions", key);
        if (current === undefined) continue;
        if (i % 10 === 0) await store.commit([{ op: "delete", collection: "versions", key, expect: current.revision }]);
        else await store.commit([put(key, { ...(current.value as object), stage: "staging", tags: ["d"] }, current.revision)]);
      }
      const all = await everything(store);
      await fc.assert(
        fc.asyncProperty(queryText, sortText, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 30 }), fc.constantFrom("", "k00", "k1"), async (q, s, limit, offset, prefix) => {
          const where = parseQuery(q);
          const sort = parseSort(s, { default: "" });
          const expected = naive(all, where, sort, prefix);
          const full = await store.query("versions", { where, sort, prefix });
          expect(full.total).toBe(expected.length);
          expect(full.items.map((i) => i.key)).toEqual(expected.map((i) => i.key));
          const page = await store.query("versions", { where, sort, prefix, limit, offset });
          expect(page.total).toBe(expected.length);
          expect(page.items.map((i) => i.key)).toEqual(expected.slice(offset, offset + limit).map((i) => i.key));
          expect(Boolean(page.cursor)).toBe(limit > 0 && offset + limit < expected.length);
        }),
        { numRuns: RUNS },
      );
    });
  }

  for (const size of [40, 2200]) {
    it(`cursor paging neither skips nor repeats records present throughout, with writes between pages (${size})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.noShrink(fc.array(record, { minLength: size, maxLength: size })),
          queryText,
          sortText,
          fc.integer({ min: 1, max: size > 100 ? 400 : 7 }),
          fc.array(fc.tuple(fc.constantFrom("insert", "delete", "update"), fc.nat(), record), { minLength: 0, maxLength: 8 }),
          async (records, q, s, limit, mutations) => {
            const store = memoryStore();
            await fill(store, records);
            const where = parseQuery(q);
            const sort = parseSort(s, { default: "" });
            const before = naive(await everything(store), where, sort).map((i) => i.key);
            const touched = new Set<string>();
            const moved = new Set<string>();
            const seen: string[] = [];
            let cursor: string | undefined;
            let step = 0;
            for (let pages = 0; pages < 10_000; pages++) {
              const page = await store.query("versions", { where, sort, limit, ...(cursor === undefined ? {} : { cursor }) });
              seen.push(...page.items.map((i) => i.key));
              if (!page.cursor) break;
              cursor = page.cursor;
              // mutate between pages
              const m = mutations[step++ % Math.max(1, mutations.length)];
              if (m !== undefined && step <= mutations.length) {
                const [op, n, value] = m;
                const keys = (await everything(store)).map((i) => i.key);
                if (op === "insert") {
                  const key = `new${step}`;
                  touched.add(key);
                  await store.commit([put(key, value)]);
                } else if (keys.length > 0) {
                  const key = keys[n % keys.length] as string;
                  const current = (await store.get("versions", key)) as StoredItem;
                  touched.add(key);
                  moved.add(key);
                  await store.commit([op === "delete" ? { op: "delete", collection: "versions", key, expect: current.revision } : put(key, value, current.revision)]);
                }
              }
            }
            // Records written meanwhile may move (an update changes its sort values and seq), so
            // they may show up twice or not at all; every other record shows up exactly once, in order.
            const stable = before.filter((k) => !touched.has(k));
            expect(seen.filter((k) => !touched.has(k))).toEqual(stable);
            const inserted = seen.filter((k) => k.startsWith("new") && !moved.has(k));
            expect(new Set(inserted).size).toBe(inserted.length);
          },
        ),
        { numRuns: size > 100 ? Math.max(3, Math.ceil(RUNS / 10)) : RUNS },
      );
    });
  }
});
