import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareBy, matches, parseQuery, parseSort } from "../../src/domain/query/index.js";
import type { JsonValue } from "../../src/domain/json.js";
import { MemoryTable } from "../../src/store/memory-table.js";
import type { StoredItem } from "../../src/store/store.js";

const QUERIES = ["stage:production", "project:acme/a, stage:production", "tags:d", "tags:a|d", "stage:staging, tags:d", "project:acme/a, kind:model", "project:acme/a, kind:model, tags:a", "tags:nil"];
const SORTS = ["-updated_at", "name", ""];

let seq = 0;
const item = (key: string, value: Record<string, unknown>): StoredItem => Object.freeze({ key, revision: 1, seq: ++seq, value: Object.freeze(value) as JsonValue });

/** Every query in both shapes the table answers (with and without a limit) against the naive filter + sort. */
function expectExact(table: MemoryTable): void {
  const all = [...table.rows.values()];
  for (const q of QUERIES) {
    for (const s of SORTS) {
      const where = parseQuery(q);
      const sort = parseSort(s, { default: "" });
      const expected = all.filter((i) => matches(where, i.value)).sort(compareBy(sort)).map((i) => i.key);
      const full = table.query({ where, sort });
      expect(full.items.map((i) => i.key), `${q} / ${s}`).toEqual(expected);
      expect(full.total).toBe(expected.length);
      const page = table.query({ where, sort, limit: 3 });
      expect(page.items.map((i) => i.key), `${q} / ${s}, limit 3`).toEqual(expected.slice(0, 3));
      expect(page.total).toBe(expected.length);
    }
  }
}

/** An index bucket (white box: its entry array, dead entries included, and its membership set). */
function bucketOf(table: MemoryTable, field: string, key: string): { items: unknown[]; members: Set<unknown> | undefined } | undefined {
  const single = (table as unknown as { single: Map<string, { buckets: Map<string, { items: unknown[]; members: Set<unknown> | undefined }> }> }).single;
  return single.get(field)?.buckets.get(key);
}

function bucketEntries(table: MemoryTable, field: string, key: string): number {
  return bucketOf(table, field, key)?.items.length ?? 0;
}

describe("MemoryTable: index buckets", () => {
  it("stay exact while the same records are replaced again and again (dead entries are compacted away)", () => {
    const table = new MemoryTable();
    const base = (n: number) => ({ project: "acme/a", kind: "model", name: `v${n}`, updatedAt: `2026-01-0${1 + (n % 9)}T00:00:00.000Z` });
    for (let n = 0; n < 6; n++) table.put(item(`k${n}`, { ...base(n), stage: "testing", tags: [] }));
    for (let n = 6; n < 16; n++) table.put(item(`k${n}`, { ...base(n), stage: "testing", tags: ["b"] })); // never replaced
    expectExact(table); // builds the indexes, which every write below must keep exact
    let mostProjectEntries = 0;
    for (let round = 0; round < 120; round++) {
      for (let n = 0; n < 6; n++) {
        // Alternating stages; repeated tags are filed once; some records drop out of `tags:d` for a while.
        const tags = (round + n) % 3 === 0 ? ["d", "a", "d"] : (round + n) % 3 === 1 ? ["d"] : [];
        table.put(item(`k${n}`, { ...base(n), stage: round % 2 === 0 ? "production" : "staging", tags }));
      }
      if (round % 10 === 0) expectExact(table);
      mostProjectEntries = Math.max(mostProjectEntries, bucketEntries(table, "project", "acme/a"));
    }
    // The project's bucket holds all 16 records throughout while 6 of them are replaced 120 times: its
    // dead entries never pass half the live ones plus 2 (16 + 8 + 2 entries at most).
    expect(mostProjectEntries).toBeGreaterThan(16);
    expect(mostProjectEntries).toBeLessThanOrEqual(16 + 8 + 2);
    expectExact(table);
    // 720 replacements went through the `tags:d` bucket; its dead entries stay within half the live ones
    // plus 2 (at most 6 live here), so a bucket keeps few old records alive.
    expect(bucketEntries(table, "tags", "d")).toBeLessThanOrEqual(6 + 3 + 2);
    expect(bucketEntries(table, "stage", "staging")).toBeLessThanOrEqual(6 + 3 + 2);
    // `project:acme/a, stage:production` tests membership in the project's bucket, which holds every
    // record throughout: its membership set holds the live items only (replaced ones are let go).
    const members = bucketOf(table, "project", "acme/a")?.members;
    expect(members?.size).toBe(16);
    for (const member of members ?? []) expect([...table.rows.values()]).toContain(member);
  });

  it("stay exact through deletes and re-adds, and putting the row already held changes nothing", () => {
    const table = new MemoryTable();
    const value = (n: number, stage: string) => ({ project: "acme/a", kind: "model", name: `v${n}`, stage, tags: ["a", "a"], updatedAt: "2026-01-01T00:00:00.000Z" });
    for (let n = 0; n < 40; n++) table.put(item(`k${n}`, value(n, "production")));
    expectExact(table);
    for (let n = 0; n < 40; n += 2) table.delete(`k${n}`);
    const held = table.rows.get("k1") as StoredItem;
    table.put(held);
    table.replace(held, held);
    expectExact(table);
    for (let n = 0; n < 40; n += 4) table.put(item(`k${n}`, value(n, "production")));
    expectExact(table);
    expect(table.query({ where: parseQuery("tags:a"), limit: 1 }).total).toBe(30);
  });

  it("hold what load() adds to an empty table whose indexes a query has already built", () => {
    const table = new MemoryTable();
    expectExact(table); // builds the indexes of an empty table
    table.load([item("a", { project: "acme/a", kind: "model", stage: "production", tags: ["d"] }), item("b", { project: "acme/a", kind: "model", stage: "testing", tags: [] })]);
    expect(table.query({ where: parseQuery("stage:production") }).items.map((i) => i.key)).toEqual(["a"]);
    expectExact(table);
  });

  it("answer like the naive filter for random write sequences (fast-check)", () => {
    const write = fc.tuple(
      fc.integer({ min: 0, max: 7 }),
      fc.option(fc.record({ stage: fc.constantFrom("testing", "staging", "production"), tags: fc.array(fc.constantFrom("a", "d"), { maxLength: 4 }), project: fc.constantFrom("acme/a", "acme/b") }), { nil: null }),
    );
    fc.assert(
      fc.property(fc.array(write, { maxLength: 200 }), (writes) => {
        const table = new MemoryTable();
        table.put(item("k0", { project: "acme/a", kind: "model", stage: "testing", tags: [] }));
        expectExact(table);
        for (const [n, next] of writes) {
          if (next === null) table.delete(`k${n}`);
          else table.put(item(`k${n}`, { ...next, kind: "model", name: `v${n}` }));
        }
        expectExact(table);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 60) },
    );
  });
});

describe("MemoryTable: compound index keys", () => {
  it("do not mix up values holding the key separator", () => {
    const table = new MemoryTable();
    table.put(item("a", { project: "x\u0000y", kind: "z" }));
    table.put(item("b", { project: "x", kind: "y\u0000z" }));
    table.put(item("c", { project: "x", kind: "z" }));
    const keys = (project: string, kind: string) =>
      table.query({ where: { type: "and", items: [{ type: "term", field: "project", op: "eq", value: project }, { type: "term", field: "kind", op: "eq", value: kind }] } }).items.map((i) => i.key);
    expect(keys("x\u0000y", "z")).toEqual(["a"]);
    expect(keys("x", "y\u0000z")).toEqual(["b"]);
    expect(keys("x", "z")).toEqual(["c"]);
  });
});

describe("MemoryTable: sorted views", () => {
  it("stay exact while thousands of records are added in rising, falling and random order, with deletes (views folded many times)", () => {
    const table = new MemoryTable();
    const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
    const add = (n: number) => table.put(item(`k${n}`, { project: "acme/a", kind: "model", name: `v${n}`, stage: n % 7 === 0 ? "production" : "testing", tags: [], updatedAt: at(n) }));
    for (let n = 0; n < 2100; n++) add(100_000 + n); // more than the rows a table needs before it keeps views
    const sorts = ["-updated_at", "updated_at", "name"];
    const check = () => {
      const all = [...table.rows.values()];
      for (const s of sorts) {
        const sort = parseSort(s, { default: "" });
        const expected = all.sort(compareBy(sort)).map((i) => i.key);
        // Unfiltered with a limit (answered by walking the view), and filtered to more than the matches kept per call.
        expect(table.query({ sort, limit: 25 }).items.map((i) => i.key), s).toEqual(expected.slice(0, 25));
        expect(table.query({ sort, limit: 25, offset: 1000 }).items.map((i) => i.key), `${s}, offset`).toEqual(expected.slice(1000, 1025));
        expect(table.query({ sort, limit: expected.length }).items.map((i) => i.key), `${s}, every row through the view`).toEqual(expected);
      }
    };
    check(); // makes the views, which every write below must keep exact
    for (let n = 0; n < 3000; n++) add(200_000 + n); // rising times: after every record
    check();
    for (let n = 0; n < 3000; n++) add(99_999 - n); // falling times: before every record
    check();
    const random = fc.sample(fc.integer({ min: 0, max: 400_000 }), { numRuns: 3000, seed: 7 });
    for (const n of random) add(n);
    for (let n = 0; n < 2500; n++) table.delete(`k${200_000 + n}`);
    check();
  });
});
