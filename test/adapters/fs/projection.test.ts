/**
 * Snapshot lines carry an index projection (`i`): a reopened store builds its query indexes from it
 * and parses only the values a query filters further, sorts or returns. These cases pin that the
 * answers stay exactly those of `memoryStore()`, and that the parsing is really avoided.
 */
import * as nodeFs from "node:fs";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";
import { fileStore } from "../../../src/adapters/fs/index.js";
import { editSnapshot } from "../../support/fs-snapshot-edit.js";
import { parseQuery, parseSort } from "../../../src/domain/query/index.js";
import { memoryStore } from "../../../src/store/memory.js";
import type { Store, StoreQuery, Write } from "../../../src/store/store.js";

const RUNS = Number(process.env.FC_RUNS ?? 25);
/** Runs of the large property test (thousands of rows each): more in long runs, 2 by default. */
const LARGE_RUNS = Number(process.env.FS_LARGE_RUNS ?? 2);
const root = mkdtempSync(join(tmpdir(), "av-fs-projection-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
let counter = 0;
const freshDir = () => join(root, `s-${++counter}`);
const quiet = { onWarning: () => {}, durability: "none" as const };
const put = (key: string, expect: number, value: unknown): Write => ({ op: "put", collection: "items", key, expect, value: value as never });

/** Each JSON line of `text` rewritten as an object by `edit`. */
const asObject = (edit: (l: Record<string, unknown>) => Record<string, unknown>) => (text: string) => JSON.stringify(edit(JSON.parse(text) as Record<string, unknown>));

/** Counts the values parsed from now on (each test's values carry a `payload` field; the spy is restored after each test). */
function countValueParses(): () => number {
  const parse = vi.spyOn(JSON, "parse");
  return () => parse.mock.calls.filter(([text]) => typeof text === "string" && text.includes('"payload"')).length;
}

// Index fields get every kind of value an index must file (or not): scalars of each type, arrays with
// repeated and unfileable elements, objects, null, and no field at all.
const word = fc.constantFrom("a", "b", "c", "1", "true", "__proto__", "é", "");
const odd = fc.oneof(
  word,
  fc.constantFrom(1, 1.5, 0, -2),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(word, fc.constantFrom(1, 0), fc.boolean(), fc.constant(null), fc.constant({ x: "a" })), { maxLength: 4 }),
  fc.constant({ nested: "a" }),
);
// The sort fields a snapshot line projects as raw values (`updatedAt`, `createdAt`) get dates, every
// other JSON type, ties, and no field at all.
const when = fc.oneof(fc.constantFrom("2026-01-02T03:04:05.000Z", "2026-01-02T03:04:05.001Z", "2025-12-31"), odd);
const record = fc.record(
  {
    project: fc.constantFrom("acme/a", "acme/b", 7),
    kind: fc.constantFrom("model", "artifact", true),
    stage: odd,
    status: odd,
    tags: odd,
    n: fc.integer({ min: 0, max: 3 }),
    updatedAt: when,
    createdAt: when,
  },
  { requiredKeys: ["n"] },
);
const term = fc.oneof(
  fc.constantFrom("project:acme/a", "project:acme/b|7", "kind:model", "kind:true", "project:acme/a, kind:model", "project:7, kind:artifact"),
  fc.tuple(fc.constantFrom("stage", "status", "tags"), word).map(([field, value]) => `${field}:${value === "" ? "nil" : value}`),
  fc.tuple(fc.constantFrom("stage", "status", "tags"), fc.constantFrom("1", "0", "1.5", "-2", "false")).map(([field, value]) => `${field}:${value}`),
  fc.tuple(fc.constantFrom("stage", "tags"), word, word).map(([field, a, b]) => `${field}:${a || "x"}|${b || "y"}`),
  fc.constantFrom("stage:nil", "tags:nil", "n:>1", "stage:~a"),
);
const queryText = fc.array(term, { minLength: 1, maxLength: 3 }).map((terms) => terms.join(", "));
const sortText = fc.constantFrom("n", "-n", "key", "-seq", "", "-updated_at", "updated_at", "-created_at, n", "updatedAt");

function storeQuery(q: string, s: string, limit: number): StoreQuery {
  return { where: parseQuery(q), ...(s === "" ? {} : { sort: parseSort(s) }), limit };
}

async function answers(store: Store, queries: readonly [string, string, number][]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [q, s, limit] of queries) {
    const result = await store.query("items", storeQuery(q, s, limit));
    // Without a sort both stores answer in key order (the tie-break).
    out.push({ total: result.total, items: result.items.map((item) => [item.key, item.revision, item.value]) });
  }
  return out;
}

describe("fileStore() index projections", () => {
  test("a reopened store answers like memoryStore() for any indexed values, before and after further writes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(queryText, sortText, fc.integer({ min: 1, max: 50 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.constantFrom("update", "delete", "insert"), fc.nat(), record), { maxLength: 6 }),
        async (records, queries, changes) => {
          const dir = freshDir();
          const writer = await fileStore({ dir, ...quiet });
          const reference = memoryStore();
          const writes = records.map((value, n) => put(`k${String(n).padStart(2, "0")}`, 0, value));
          await writer.commit(writes);
          await reference.commit(writes);
          await writer.compact();
          await writer.close();

          const reopened = await fileStore({ dir, ...quiet });
          expect(await answers(reopened, queries)).toEqual(await answers(reference, queries));
          // Replacing or deleting a row files it out of the indexes through its projection.
          const revisions = new Map(writes.map((write) => [write.key, 1]));
          for (const [change, at, value] of changes) {
            const key = change === "insert" ? `n${revisions.size}` : `k${String(at % records.length).padStart(2, "0")}`;
            const revision = revisions.get(key) ?? 0;
            let write: Write;
            if (change === "delete" && revision > 0) {
              write = { op: "delete", collection: "items", key, expect: revision };
              revisions.set(key, 0);
            } else {
              write = put(key, revision, value);
              revisions.set(key, revision + 1);
            }
            await reopened.commit([write]);
            await reference.commit([write]);
          }
          expect(await answers(reopened, queries)).toEqual(await answers(reference, queries));
          await reopened.close();
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("the first query after open parses only the values it filters further, sorts or returns", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    const writes: Write[] = [];
    for (let n = 0; n < 400; n++) {
      writes.push(put(`k${n}`, 0, { project: "acme/a", kind: "model", stage: n % 40 === 0 ? "production" : "testing", tags: n % 80 === 0 ? ["x", "y"] : ["y"], payload: `value-${n}` }));
    }
    await store.commit(writes);
    await store.compact();
    await store.close();

    const reopened = await fileStore({ dir, ...quiet });
    const valuesParsed = countValueParses();
    const page = await reopened.query("items", { where: parseQuery("project:acme/a, kind:model, stage:production, tags:x"), sort: parseSort("-payload"), limit: 2 });
    expect(page.total).toBe(5);
    expect(page.items.map((item) => item.key)).toEqual(["k80", "k320"]);
    // The 5 matches (sorted by their payload) are parsed; none of the other 395 values is.
    expect(valuesParsed()).toBe(5);
    // A query on a field no index holds still reads every value.
    const scan = await reopened.query("items", { where: parseQuery("payload:value-7"), limit: 5 });
    expect(scan.items.map((item) => item.key)).toEqual(["k7"]);
    expect(valuesParsed()).toBe(400);
    await reopened.close();
  });

  test("a first list sorted by updated_at, created_at or name after open parses only the page's values, through a sorted view or not", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + ((n * 7919) % 3000) * 1000).toISOString();
    // 3,000 rows (a sorted view is kept above 2,048), all in one project but 20 of "acme/b".
    const writes = Array.from({ length: 3000 }, (_, n) =>
      put(`k${n}`, 0, { project: n % 150 === 0 ? "acme/b" : "acme/a", kind: "model", stage: "testing", updatedAt: at(n), createdAt: at(2999 - n), name: `v${(n * 31) % 3000}`, payload: `value-${n}` }),
    );
    await store.commit(writes);
    await store.compact();
    await store.close();
    const reference = memoryStore();
    await reference.commit(writes);

    const reopened = await fileStore({ dir, ...quiet });
    const valuesParsed = countValueParses();
    const keysOf = (result: { items: readonly { key: string }[] }) => result.items.map((item) => item.key);
    for (const [q, s] of [
      ["project:acme/a", "-updated_at"],
      ["project:acme/a", "created_at"],
      ["project:acme/a", "-name"],
      ["project:acme/b", "-updated_at"],
      ["project:acme/b", "name"],
    ] as const) {
      const query = { where: parseQuery(q), sort: parseSort(s), limit: 20 };
      const before = valuesParsed();
      const page = await reopened.query("items", query);
      const expected = await reference.query("items", query);
      expect(keysOf(page), `${q} ${s}`).toEqual(keysOf(expected));
      expect(page.total).toBe(expected.total);
      // The 20 rows returned are parsed (they are handed out; fewer when an earlier page returned some); no other value is.
      expect(valuesParsed() - before, `${q} ${s}`).toBeLessThanOrEqual(20);
      const next = await reopened.query("items", { ...query, cursor: page.cursor as string });
      expect(keysOf(next)).toEqual(keysOf(await reference.query("items", { ...query, cursor: expected.cursor as string })));
    }
    // Sorting by a field that is not projected reads the values: all of project acme/a's.
    await reopened.query("items", { where: parseQuery("project:acme/a"), sort: parseSort("-payload"), limit: 20 });
    expect(valuesParsed()).toBeGreaterThan(2980);
    await reopened.close();
  });

  test("a sort field that is also an index field keeps its index key in `i` and is sorted by its values", async () => {
    const dir = freshDir();
    // Numbers: their index keys ("10" < "2") sort otherwise than the values (2 < 10).
    const values = [10, 2, 1, 33, 4].map((updatedAt, n) => ({ updatedAt, createdAt: 5 - n, payload: `p${n}` }));
    const writes = values.map((value, n) => put(`k${n}`, 0, value));
    const writer = await fileStore({ dir, ...quiet, indexes: ["updatedAt"] });
    await writer.commit(writes);
    await writer.compact();
    await writer.close();
    const header = JSON.parse(readFileSync(join(dir, "snapshot.jsonl"), "utf8").split("\n")[0] ?? "") as { projection: string[]; order: string[] };
    expect(header.projection).toContain("updatedAt");
    expect(header.order).toEqual(["createdAt", "name"]);
    // A header listing it in both (not written by this store) does not make a sort read the index key.
    editSnapshot(dir, (line) => line, asObject((h) => ({ ...h, order: ["updatedAt", "createdAt"] })));
    const reference = memoryStore();
    await reference.commit(writes);
    const reopened = await fileStore({ dir, ...quiet, indexes: ["updatedAt"] });
    for (const sort of ["updated_at", "-updated_at", "created_at"]) {
      const query = { sort: parseSort(sort), limit: 5 };
      const keys = async (store: Store) => (await store.query("items", query)).items.map((item) => item.key);
      expect(await keys(reopened), sort).toEqual(await keys(reference));
    }
    await reopened.close();
  });

  test("opened with other indexes than it was written with, a store reads the fields its lines lack from the values", async () => {
    const dir = freshDir();
    const writer = await fileStore({ dir, ...quiet, indexes: ["stage"] });
    const values = [
      { project: "p", kind: "model", stage: "production", tags: ["x"] },
      { project: "p", kind: "model", stage: "testing", tags: ["x", "y"] },
      { project: "q", kind: "model", stage: "production", tags: [] },
    ];
    await writer.commit(values.map((value, n) => put(`k${n}`, 0, value)));
    await writer.compact();
    await writer.close();
    const header = JSON.parse(readFileSync(join(dir, "snapshot.jsonl"), "utf8").split("\n")[0] ?? "") as { projection: string[] };
    expect(header.projection).toEqual(["stage", "project", "kind"]);

    const reader = await fileStore({ dir, ...quiet, indexes: ["tags", "stage"] });
    const keys = async (q: string) => (await reader.query("items", { where: parseQuery(q) })).items.map((item) => item.key);
    expect(await keys("tags:x")).toEqual(["k0", "k1"]);
    expect(await keys("tags:y, stage:testing")).toEqual(["k1"]);
    expect(await keys("project:p, kind:model, stage:production")).toEqual(["k0"]);
    // Its own compaction writes projections of its own fields, built from the values.
    await reader.compact();
    await reader.close();
    const lines = readFileSync(join(dir, "snapshot.jsonl"), "utf8").split("\n");
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ projection: ["tags", "stage", "project", "kind"] });
    expect(JSON.parse(lines[2] ?? "")).toMatchObject({ k: "k1", i: { tags: ["x", "y"], stage: "testing", project: "p", kind: "model" } });
  });

  test("a snapshot without projections (written before them) and a line with an unreadable one are read from the values", async () => {
    const dir = freshDir();
    const writer = await fileStore({ dir, ...quiet });
    await writer.commit([put("a", 0, { stage: "production", tags: ["x"] }), put("b", 0, { stage: "testing", tags: ["x"] }), put("c", 0, { stage: "production" })]);
    await writer.compact();
    await writer.close();
    const query = { where: parseQuery("stage:production, tags:x") };

    editSnapshot(
      dir,
      asObject(({ i: _i, ...line }) => line),
      asObject(({ projection: _projection, ...header }) => header),
    );
    const old = await fileStore({ dir, ...quiet });
    expect((await old.query("items", query)).items.map((item) => item.key)).toEqual(["a"]);
    await old.compact(); // writes the projections
    await old.close();
    expect(readFileSync(join(dir, "snapshot.jsonl"), "utf8")).toContain('"i":{"stage":"production","tags":["x"]}');

    // A projection that is not an object (an edit by hand): the line is read in full, its `i` ignored.
    editSnapshot(
      dir,
      asObject((line) => (line.k === "b" ? { c: line.c, k: line.k, r: line.r, s: line.s, i: "stage", v: line.v } : line)),
    );
    const edited = await fileStore({ dir, ...quiet });
    expect((await edited.query("items", query)).items.map((item) => item.key)).toEqual(["a"]);
    expect((await edited.query("items", { where: parseQuery("stage:testing") })).items.map((item) => item.key)).toEqual(["b"]);
    await edited.close();
  });

  test("large collections (sorted views, and one small bucket sorted on its own) answer like memoryStore() page by page, across reopen, compaction and refresh", async () => {
    // Above 2,048 rows a query of one bucket pages through a sorted view of every row when the bucket
    // holds an eighth of them or more (`big`), and sorts the bucket alone below that (p1..p4).
    const large = fc.record({
      project: fc.oneof({ weight: 6, arbitrary: fc.constant("big") }, { weight: 4, arbitrary: fc.constantFrom("p1", "p2", "p3", "p4", 5) }),
      kind: fc.constantFrom("model", "data", true),
      stage: fc.constantFrom("production", "testing", 1, null, ["production", "x"]),
      tags: fc.oneof(fc.array(fc.constantFrom("t1", "t2", "t3", 1, null, '},"v":', "{a}", '\\"q'), { maxLength: 3 }), fc.constant("t1")),
      n: fc.integer({ min: 0, max: 10 }),
      updatedAt: fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0, max: 400 }).map((s) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString()) },
        { weight: 1, arbitrary: fc.constantFrom(null, 3, ["x"], { y: 1 }) },
      ),
    }, { requiredKeys: ["project", "kind", "stage", "tags", "n"] });
    const queries: [string, string, number][] = [
      ["project:big", "-n", 300],
      ["project:p1", "-n", 20],
      ["project:p2, kind:model", "n", 7],
      ["stage:production", "-seq", 100],
      ["tags:t1|t2", "-n", 400],
      ["project:p3|p4", "n", 9],
      ["kind:model", "-n", 900],
      ["stage:testing, tags:t3", "-n", 33],
      ["project:big", "-updated_at", 250],
      ["project:p2", "updated_at", 11],
      ["kind:model", "-updated_at, n", 500],
    ];
    const allPages = async (store: Store, q: StoreQuery): Promise<unknown> => {
      const pages: unknown[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 200; page++) {
        const result = await store.query("items", { ...q, ...(cursor === undefined ? {} : { cursor }) });
        pages.push({ total: result.total, items: result.items.map((item) => [item.key, item.revision, item.value]) });
        if (result.cursor === null || result.cursor === undefined) break;
        cursor = result.cursor;
      }
      const offset = await store.query("items", { ...q, offset: 7 });
      pages.push({ total: offset.total, items: offset.items.map((item) => item.key) });
      return pages;
    };
    const compare = async (store: Store, reference: Store): Promise<void> => {
      for (const [q, s, limit] of queries) {
        const query = storeQuery(q, s, limit);
        expect(await allPages(store, query), `${q} ${s} ${limit}`).toEqual(await allPages(reference, query));
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.noShrink(fc.array(large, { minLength: 2600, maxLength: 3000 })),
        fc.noShrink(fc.array(fc.tuple(fc.nat(), large, fc.boolean()), { minLength: 50, maxLength: 200 })),
        async (records, changes) => {
          const dir = freshDir();
          const writer = await fileStore({ dir, ...quiet });
          const reference = memoryStore();
          const writes = records.map((value, n) => put(`k${n}`, 0, value));
          await writer.commit(writes);
          await reference.commit(writes);
          await writer.compact();
          await writer.close();
          const reopened = await fileStore({ dir, ...quiet });
          const other = await fileStore({ dir, ...quiet });
          await compare(reopened, reference);
          const revisions = new Map(writes.map((write) => [write.key, 1]));
          for (const [at, value, remove] of changes) {
            const key = `k${at % records.length}`;
            const revision = revisions.get(key) ?? 0;
            const write: Write = remove && revision > 0 ? { op: "delete", collection: "items", key, expect: revision } : put(key, revision, value);
            revisions.set(key, write.op === "delete" ? 0 : revision + 1);
            await reopened.commit([write]);
            await reference.commit([write]);
          }
          await compare(reopened, reference);
          await reopened.compact();
          await other.refresh?.();
          await compare(other, reference);
          await reopened.close();
          await other.close();
          const again = await fileStore({ dir, ...quiet, indexes: ["tags", "stage"] });
          await compare(again, reference);
          await again.close();
        },
      ),
      { numRuns: LARGE_RUNS },
    );
  }, 600_000);

  test("a compaction keeps the projections it had to build from values: the next one parses none", async () => {
    const dir = freshDir();
    const writer = await fileStore({ dir, ...quiet, indexes: ["stage"] });
    await writer.commit(Array.from({ length: 300 }, (_, n) => put(`k${n}`, 0, { stage: "s", payload: `p${n}` })));
    await writer.compact();
    await writer.close();

    const reopened = await fileStore({ dir, ...quiet }); // other indexes: the lines' projections do not fit
    const valuesParsed = countValueParses();
    await reopened.compact();
    expect(valuesParsed()).toBe(300);
    await reopened.commit([put("z", 0, { stage: "s" })]);
    await reopened.compact();
    await reopened.compact();
    expect(valuesParsed()).toBe(300);
    expect((await reopened.query("items", { where: parseQuery("tags:nil, stage:s"), limit: 0 })).total).toBe(301);
    await reopened.close();
  });

  test("once more than half of a collection's values were parsed, the rest are too (the snapshot's text is let go)", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    await store.commit(Array.from({ length: 100 }, (_, n) => put(`k${n}`, 0, { project: `p${n % 10}`, kind: "model", payload: `p${n}` })));
    await store.compact();
    await store.close();

    const reopened = await fileStore({ dir, ...quiet });
    const valuesParsed = countValueParses();
    for (let project = 0; project < 5; project++) {
      const page = await reopened.query("items", { where: parseQuery(`project:p${project}`), sort: parseSort("-payload"), limit: 3 });
      expect(page.total).toBe(10);
    }
    expect(valuesParsed()).toBe(50); // five projects of ten: half, not more
    expect((await reopened.get("items", "k99"))?.value).toEqual({ project: "p9", kind: "model", payload: "p99" });
    expect(valuesParsed()).toBe(100); // one more: the other 49 follow
    const page = await reopened.query("items", { where: parseQuery("project:p7"), sort: parseSort("payload"), limit: 2 });
    expect(page.items.map((item) => item.key)).toEqual(["k17", "k27"]);
    expect(valuesParsed()).toBe(100);
    await reopened.close();
  });

  test("a snapshot header longer than 4 KiB (many long index names) is read whole: a compaction does not reload the store", async () => {
    const dir = freshDir();
    const indexes = Array.from({ length: 120 }, (_, n) => `field_${"x".repeat(40)}_${n}`);
    let snapshotReads = 0;
    const fs = {
      ...nodeFs,
      readFileSync: ((path: nodeFs.PathOrFileDescriptor, options?: unknown) => {
        if (String(path).endsWith("snapshot.jsonl")) snapshotReads++;
        return nodeFs.readFileSync(path, options as never);
      }) as typeof nodeFs.readFileSync,
    };
    const store = await fileStore({ dir, ...quiet, indexes, fs });
    await store.commit([put("a", 0, { field_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_0: "v" })]);
    await store.compact();
    expect(readFileSync(join(dir, "snapshot.jsonl"), "utf8").indexOf("\n")).toBeGreaterThan(4096);
    const reads = snapshotReads;
    await store.commit([put("b", 0, { n: 1 })]);
    await store.compact();
    expect(snapshotReads).toBe(reads);
    expect((await store.get("items", "a"))?.value).toEqual({ field_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_0: "v" });
    await store.close();
  });
});
