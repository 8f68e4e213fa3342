import pg from "pg";
import { describe, expect, test } from "vitest";
import { postgresStore, SCHEMA_VERSION } from "../../../src/adapters/postgres/index.js";
import { MIGRATIONS } from "../../../src/adapters/postgres/migrations.js";
import { eqKeysOf } from "../../../src/adapters/postgres/eq-keys.js";
import { SCOPE_ODD_ROWS } from "../../../src/adapters/postgres/scope-count.js";
import { parseQuery, parseSort } from "../../../src/domain/query/index.js";
import { memoryStore } from "../../../src/store/memory.js";
import type { QueryNode } from "../../../src/domain/query/ast.js";
import { runStoreConformance } from "../../../src/testing/conformance.js";
import { isRegistryError } from "../../../src/errors.js";
import type { Store } from "../../../src/store/store.js";
import type { JsonValue } from "../../../src/domain/json.js";
import { announcePostgresSkip, freshSchema, usePostgres } from "../../support/postgres.js";

const skipReason = announcePostgresSkip();

describe.skipIf(skipReason !== undefined)("postgresStore", () => {
  const stores: Store[] = [];
  const db = usePostgres({
    poolMax: 10,
    beforeTeardown: async () => {
      for (const store of stores) await store.close?.();
    },
  });
  const { schemas } = db;

  const open = async (schema = freshSchema()): Promise<Store> => {
    schemas.add(schema);
    const store = await postgresStore({ pool: db.pool }, { schema });
    stores.push(store);
    return store;
  };

  runStoreConformance({ test, expect, create: () => open(), name: "postgres conformance" });

  test("creates its tables on first use and records the migration", async () => {
    const schema = freshSchema();
    await open(schema);
    const { rows } = await db.pool.query(`SELECT version, name FROM "${schema}".av_migrations ORDER BY version`);
    expect(rows.map((r: { version: number }) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    // opening again is a no-op
    const again = await open(schema);
    expect(await again.get("projects", "nope")).toBeUndefined();
  });

  test("migrates safely when several instances start at once", async () => {
    const schema = freshSchema();
    const opened = await Promise.all(Array.from({ length: 6 }, () => open(schema)));
    await opened[0]?.commit([{ op: "put", collection: "projects", key: "a/b", expect: 0, value: { name: "b" } }]);
    for (const store of opened) expect((await store.get("projects", "a/b"))?.value).toEqual({ name: "b" });
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${schema}".av_migrations`);
    expect(rows[0].n).toBe(SCHEMA_VERSION);
  });

  /** A fresh schema brought to `version` by the released migrations, as that version of the library left it. */
  const schemaAt = async (version: number): Promise<{ schema: string; quoted: string }> => {
    const schema = freshSchema();
    schemas.add(schema);
    const quoted = `"${schema}"`;
    await db.pool.query(`CREATE SCHEMA ${quoted}`);
    await db.pool.query(`CREATE TABLE ${quoted}.av_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const client = await db.pool.connect();
    try {
      for (const migration of MIGRATIONS.slice(0, version)) {
        await client.query(migration.sql(quoted));
        await migration.after?.(client, quoted);
        await client.query(`INSERT INTO ${quoted}.av_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      }
    } finally {
      client.release();
    }
    return { schema, quoted };
  };

  test("migration 2 fills the equality keys of rows written at schema version 1", async () => {
    // a schema at version 1, with rows written by version 1's commit function
    const { schema, quoted } = await schemaAt(1);
    const records = Array.from({ length: 2_500 }, (_, i) => ({ project: i % 2 === 0 ? "a/b" : "a/c", kind: "model", stage: i % 10 === 0 ? "production" : "testing", tags: i % 3 === 0 ? ["x", 7] : [] }));
    await db.pool.query(`SELECT ${quoted}.av_commit($1, $2, $3, $4, $5::jsonb[], $6, $7)`, [
      records.map(() => "put"),
      records.map(() => "versions"),
      records.map((_, i) => `k${String(i).padStart(5, "0")}`),
      records.map(() => 0),
      records.map((r) => JSON.stringify(r)),
      records.map((r) => JSON.stringify(r)),
      records.map(() => null),
    ]);
    const store = await open(schema);
    const { rows } = await db.pool.query(`SELECT max(version)::int AS v FROM ${quoted}.av_migrations`);
    expect(rows[0].v).toBe(SCHEMA_VERSION);
    const where = (text: string) => ({ where: parseQuery(text) as QueryNode });
    expect((await store.query("versions", { ...where("project:a/b, stage:production"), limit: 0 })).total).toBe(records.filter((r, i) => i % 2 === 0 && r.stage === "production").length);
    expect((await store.query("versions", { ...where("tags:7"), limit: 0 })).total).toBe(834);
    expect((await store.query("versions", { ...where("kind:model|component") })).total).toBe(2_500);
    // and new writes carry keys
    await store.commit([{ op: "put", collection: "versions", key: "new", expect: 0, value: { project: "a/b", kind: "model", stage: "production", tags: [] } }]);
    expect((await store.query("versions", { ...where("project:a/b, stage:production"), limit: 0 })).total).toBe(251);
  });

  test("migration 3 stores the sort keys of rows written at schema version 2, and sorts by them like the memory store", async () => {
    // a schema at version 2, with rows written by version 2's commit function
    const { schema, quoted } = await schemaAt(2);
    // dates as ISO text, other strings, numbers, booleans, arrays, objects and missing fields: every sort-key rank
    const dates: unknown[] = ["2026-01-02T00:00:00.000Z", "2026-01-01T00:00:00.000Z", "2026-01-01", 1_700_000_000_000, -1, true, false, ["x"], { a: 1 }, null, "zeta", ""];
    const records = Array.from({ length: 60 }, (_, i) => {
      const record: Record<string, unknown> = { project: "a/b", kind: "model" };
      if (i % 13 !== 12) record["createdAt"] = dates[i % dates.length];
      if (i % 11 !== 10) record["updatedAt"] = dates[(i * 7) % dates.length];
      return record;
    });
    const keyOf = (i: number) => `k${String(i).padStart(3, "0")}`;
    await db.pool.query(`SELECT ${quoted}.av_commit($1, $2, $3, $4, $5::jsonb[], $6, $7, $8::jsonb[])`, [
      records.map(() => "put"),
      records.map(() => "versions"),
      records.map((_, i) => keyOf(i)),
      records.map(() => 0),
      records.map((r) => JSON.stringify(r)),
      records.map((r) => JSON.stringify(r)),
      records.map(() => null),
      records.map(() => "[]"),
    ]);
    const store = await open(schema);
    const { rows } = await db.pool.query(`SELECT max(version)::int AS v FROM ${quoted}.av_migrations`);
    expect(rows[0].v).toBe(SCHEMA_VERSION);
    const { rows: indexes } = await db.pool.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [schema]);
    const names = indexes.map((row: { indexname: string }) => row.indexname);
    expect(names).toEqual(expect.arrayContaining(["av_items_created", "av_items_updated"]));
    expect(names).not.toContain("av_items_created_at");
    // the same order as the memory store, whole and paged with a cursor, both directions
    const reference = memoryStore();
    await reference.commit(records.map((value, i) => ({ op: "put" as const, collection: "versions", key: keyOf(i), expect: 0, value: value as never })));
    for (const text of ["created_at", "-created_at", "-updated_at,name", "updated_at"]) {
      const sort = parseSort(text, { default: "" });
      const expected = (await reference.query("versions", { sort })).items.map((item) => item.key);
      expect((await store.query("versions", { sort })).items.map((item) => item.key), text).toEqual(expected);
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query("versions", { sort, limit: 7, ...(cursor === undefined ? {} : { cursor }) });
        paged.push(...page.items.map((item) => item.key));
        cursor = page.cursor ?? undefined;
      } while (cursor !== undefined);
      expect(paged, `${text}, paged`).toEqual(expected);
    }
    // rows written after the migration get their keys too
    const added = [{ op: "put" as const, collection: "versions", key: "new", expect: 0, value: { project: "a/b", createdAt: "2030-01-01T00:00:00.000Z" } }];
    await store.commit(added);
    await reference.commit(added);
    const sort = parseSort("-created_at", { default: "" });
    const expected = (await reference.query("versions", { sort })).items.map((item) => item.key);
    expect(expected.indexOf("new")).toBeGreaterThan(0); // after the arrays and objects, first of the strings
    expect((await store.query("versions", { sort })).items.map((item) => item.key)).toEqual(expected);
  });

  test("migration 4 keys the project and kind of rows written at schema version 3: strings up to 1,000 bytes", async () => {
    const { schema, quoted } = await schemaAt(3);
    // before: plain strings (one with U+FFFD), an array, a number, a missing kind
    const before: [string, Record<string, unknown>][] = [
      ["plain", { project: "a/b", kind: "model" }],
      ["fffd", { project: "a/\ufffd", kind: "model" }],
      ["array", { project: ["a/b", "c/d"], kind: "model" }],
      ["number", { project: "a/b", kind: 5 }],
      ["nokind", { project: "a/b" }],
    ];
    await db.pool.query(`SELECT ${quoted}.av_commit($1, $2, $3, $4, $5::jsonb[], $6, $7, $8::jsonb[])`, [
      before.map(() => "put"),
      before.map(() => "versions"),
      before.map(([key]) => key),
      before.map(() => 0),
      before.map(([, r]) => JSON.stringify(r)),
      before.map(([, r]) => JSON.stringify(r)),
      before.map(() => null),
      before.map(([, r]) => JSON.stringify(eqKeysOf("versions", r))),
    ]);
    const store = await open(schema);
    // after, through the store: strings jsonb alters (NUL, a lone surrogate), and strings too long for a
    // key (800 CJK characters each: 2,400 bytes, which together would not fit a btree entry)
    const long = (seed: number) => Array.from({ length: 800 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919 + seed) % 20000))).join("");
    await store.commit([
      { op: "put", collection: "versions", key: "nul", expect: 0, value: { project: `a/${String.fromCharCode(0)}`, kind: "model" } },
      { op: "put", collection: "versions", key: "lone", expect: 0, value: { project: "a/b", kind: `m${String.fromCharCode(0xdc00)}` } },
      { op: "put", collection: "versions", key: "long", expect: 0, value: { project: long(1), kind: long(2) } },
      { op: "put", collection: "versions", key: "edge", expect: 0, value: { project: "p".repeat(1000), kind: "k".repeat(1001) } },
    ]);
    const { rows } = await db.pool.query(`SELECT key, project_key, kind_key FROM ${quoted}.av_items ORDER BY key`);
    expect(Object.fromEntries(rows.map((row: { key: string; project_key: string | null; kind_key: string | null }) => [row.key, [row.project_key, row.kind_key]]))).toEqual({
      plain: ["a/b", "model"],
      fffd: ["a/\ufffd", "model"],
      array: [null, "model"],
      number: ["a/b", null],
      nokind: ["a/b", null],
      nul: ["a/\ufffd", "model"],
      lone: ["a/b", "m\ufffd"],
      long: [null, null],
      edge: ["p".repeat(1000), null],
    });
    const { rows: odd } = await db.pool.query(`SELECT key FROM ${quoted}.av_items WHERE ${SCOPE_ODD_ROWS} ORDER BY key`);
    expect(odd.map((row: { key: string }) => row.key)).toEqual(["array", "edge", "long", "number"]);
    const { rows: indexes } = await db.pool.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1`, [schema]);
    expect(indexes.map((row: { indexname: string }) => row.indexname)).toEqual(expect.arrayContaining(["av_items_scope", "av_items_scope_odd"]));
    // a scope's count and page agree with the memory store, also without the one-scan form
    const apart = await postgresStore({ pool: db.pool }, { schema, singleScanBelow: 0 });
    const reference = memoryStore();
    await reference.commit((await store.query("versions")).items.map((item) => ({ op: "put" as const, collection: "versions", key: item.key, expect: 0, value: item.value })));
    const scope = (project: string, kind: string): QueryNode => ({
      type: "and",
      items: [
        { type: "term", field: "project", op: "eq", value: project },
        { type: "term", field: "kind", op: "eq", value: kind },
      ],
    });
    const nul = String.fromCharCode(0);
    const scopes: [string, string][] = [["a/b", "model"], ["a/b", "5"], ["c/d", "model"], ["a/\ufffd", "model"], [`a/${nul}`, "model"], [long(1), long(2)], ["p".repeat(1000), "k".repeat(1001)]];
    for (const [project, kind] of scopes) {
      const query = { where: scope(project, kind), limit: 1 };
      const expected = await reference.query("versions", query);
      const label = `${project.slice(0, 12)} / ${kind.slice(0, 12)}`;
      for (const [form, each] of [["default", store], ["apart", apart]] as const) {
        const answer = await each.query("versions", query);
        expect({ total: answer.total, keys: answer.items.map((item) => item.key) }, `${form}: ${label}`).toEqual({ total: expected.total, keys: expected.items.map((item) => item.key) });
        expect((await each.query("versions", { ...query, limit: 0 })).total, `${form}: ${label}, limit 0`).toBe(expected.total);
      }
    }
    await apart.close?.();
  });

  test("works in a database whose encoding is not UTF8 (LATIN1), through every migration", async () => {
    const database = `av_latin1_${Math.random().toString(36).slice(2, 10)}`;
    await db.pool.query(`CREATE DATABASE ${database} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    const base = db.server.poolConfig;
    const config: pg.PoolConfig =
      base.connectionString === undefined ? { ...base, database } : { connectionString: Object.assign(new URL(base.connectionString), { pathname: `/${database}` }).toString() };
    const pool = new pg.Pool({ ...config, max: 2 });
    pool.on("error", () => undefined);
    try {
      const latin1 = await postgresStore({ pool }, { schema: "av_latin1", singleScanBelow: 0 });
      await latin1.commit([
        { op: "put", collection: "versions", key: "a", expect: 0, value: { project: "acme/élan", kind: "model" } },
        { op: "put", collection: "versions", key: "b", expect: 0, value: { project: ["acme/élan"], kind: "model" } },
      ]);
      const where = parseQuery("project:acme/élan, kind:model") as QueryNode;
      expect((await latin1.query("versions", { where, limit: 1 })).total).toBe(2);
      expect((await latin1.query("versions", { where, limit: 0 })).total).toBe(2);
      await latin1.close?.();
    } finally {
      await pool.end();
      await db.pool.query(`DROP DATABASE ${database}`);
    }
  });

  test("equality keys are read from the JSON a row stores, as the memory store reads its copy", async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const apart = await postgresStore({ pool: db.pool }, { schema, singleScanBelow: 0 });
    const reference = memoryStore();
    const inherited = Object.create({ project: "a/b" }) as Record<string, unknown>;
    inherited["kind"] = "model";
    const values: Record<string, unknown> = {
      nan: { project: Number.NaN, kind: "model" },
      infinite: { project: "a/b", kind: Number.POSITIVE_INFINITY },
      boxed: { project: new String("a/b"), kind: "model" },
      json: { project: { toJSON: () => "a/b" }, kind: "model" },
      inherited,
    };
    const writes = Object.entries(values).map(([key, value]) => ({ op: "put" as const, collection: "versions", key, expect: 0, value: value as JsonValue }));
    await store.commit(writes);
    await reference.commit(writes);
    for (const text of ["project:a/b", "project:NaN", "kind:Infinity", "project:a/b, kind:model", "project:NaN, kind:model", "project:a/b, kind:Infinity"]) {
      const query = { where: parseQuery(text) as QueryNode, limit: 5 };
      const expected = await reference.query("versions", query);
      for (const [form, each] of [["default", store], ["apart", apart]] as const) {
        const answer = await each.query("versions", query);
        expect({ total: answer.total, keys: answer.items.map((item) => item.key).sort() }, `${form}: ${text}`).toEqual({
          total: expected.total,
          keys: expected.items.map((item) => item.key).sort(),
        });
      }
    }
    await apart.close?.();
  });

  test("equality keys keep strings apart that PostgreSQL text cannot hold", async () => {
    const store = await open();
    const nul = String.fromCharCode(0);
    const high = String.fromCharCode(0xd800);
    // adjacent escapes too: each must become U+FFFD in the jsonb
    const values = [`a${nul}b`, "a\\0000b", "a\\\\0000b", `a${high}b`, "a\ufffdb", "ab", `a${nul}${nul}`, `a${high}${high}`, `\\${nul}`];
    await store.commit(values.map((project, i) => ({ op: "put" as const, collection: "versions", key: `k${i}`, expect: 0, value: { project } })));
    for (const [i, project] of values.entries()) {
      const result = await store.query("versions", { where: { type: "term", field: "project", op: "eq", value: project } });
      expect(result.items.map((item) => item.key)).toEqual([`k${i}`]);
    }
  });

  test("refuses a schema written by a newer version", async () => {
    const schema = freshSchema();
    await open(schema);
    await db.pool.query(`INSERT INTO "${schema}".av_migrations (version, name) VALUES (999, 'future')`);
    await expect(postgresStore({ pool: db.pool }, { schema })).rejects.toMatchObject({ code: "STORAGE" });
  });

  test("validates the schema name and the connection", async () => {
    for (const schema of ["", "Bad", "a-b", "pg_x", "x;drop", "a".repeat(64), '"q"']) {
      await expect(postgresStore({ pool: db.pool }, { schema })).rejects.toMatchObject({ code: "VALIDATION" });
    }
    await expect(postgresStore({} as never)).rejects.toMatchObject({ code: "VALIDATION" });
  });

  test("connects with a connection string and owns (and ends) that pool", async () => {
    const schema = freshSchema();
    schemas.add(schema);
    const store = await postgresStore({ connectionString: db.server.connectionString }, { schema });
    await store.commit([{ op: "put", collection: "runs", key: "r1", expect: 0, value: { name: "r1" } }]);
    expect((await store.get("runs", "r1"))?.revision).toBe(1);
    await store.close?.();
    await expect(store.get("runs", "r1")).rejects.toMatchObject({ code: "STORAGE" });
  });

  test("reports an unreachable database as STORAGE with the driver error as cause", async () => {
    const error = await postgresStore({ connectionString: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2" }).catch((e: unknown) => e);
    expect(isRegistryError(error, "STORAGE")).toBe(true);
    expect((error as Error).cause).toBeDefined();
  });

  test("a conflict names the record and rolls back every write", async () => {
    const store = await open();
    await store.commit([{ op: "put", collection: "versions", key: "k", expect: 0, value: { n: 1 } }]);
    const error = await store
      .commit([
        { op: "put", collection: "versions", key: "a-new", expect: 0, value: 1 },
        { op: "put", collection: "versions", key: "k", expect: 5, value: { n: 2 } },
      ])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONFLICT", details: { collection: "versions", key: "k", expected: 5, actual: 1 } });
    expect(await store.get("versions", "a-new")).toBeUndefined();
  });

  test("seq follows commit order under concurrency, and items carry the seq of their last commit", async () => {
    const store = await open();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.commit([{ op: "put", collection: "audit", key: `e${i}`, expect: 0, value: { i } }])),
    );
    const seqs = results.map((r) => r.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(40);
    expect(seqs[39]! - seqs[0]!).toBe(39);
    for (const [i, r] of results.entries()) expect((await store.get("audit", `e${i}`))?.seq).toBe(r.seq);
  });

  test("check with expect 0 is serializable against a concurrent create (no write skew)", async () => {
    const store = await open();
    // Two commits, each asserting the other's record is absent and creating its own: at most one may win.
    for (let round = 0; round < 20; round++) {
      const a = `a${round}`;
      const b = `b${round}`;
      const outcomes = await Promise.allSettled([
        store.commit([{ op: "check", collection: "names", key: b, expect: 0 }, { op: "put", collection: "names", key: a, expect: 0, value: 1 }]),
        store.commit([{ op: "check", collection: "names", key: a, expect: 0 }, { op: "put", collection: "names", key: b, expect: 0, value: 1 }]),
      ]);
      expect(outcomes.filter((o) => o.status === "fulfilled").length).toBeLessThanOrEqual(1);
      for (const o of outcomes) if (o.status === "rejected") expect((o.reason as { code?: string }).code).toBe("CONFLICT");
    }
  });

  test("keeps values exactly, including key order, NUL characters and lone surrogates", async () => {
    const store = await open();
    const value = { z: 1, a: "nul\u0000here", lone: "\ud800x", nested: { b: [1, "\\u0000"], a: null } };
    await store.commit([{ op: "put", collection: "runs", key: "k", expect: 0, value }]);
    expect(JSON.stringify((await store.get("runs", "k"))?.value)).toBe(JSON.stringify(value));
    const page = await store.query("runs", { where: { type: "term", field: "z", op: "eq", value: "1" } });
    expect(page.total).toBe(1);
  });

  test("sorts names naturally and pages with cursors while rows change", async () => {
    const store = await open();
    const names = ["v10", "v2", "v1", "v01", "v1a", "v11", "alpha", "v100", "V3"];
    await store.commit(names.map((name, i) => ({ op: "put" as const, collection: "versions", key: `k${i}`, expect: 0, value: { name } })));
    const sort = [{ field: "name", direction: "asc" as const }];
    const all = await store.query("versions", { sort });
    expect(all.items.map((i) => (i.value as { name: string }).name)).toEqual(["V3", "alpha", "v01", "v1", "v1a", "v2", "v10", "v11", "v100"]);
    const first = await store.query("versions", { sort, limit: 4 });
    expect(first.cursor).toBeTruthy();
    await store.commit([
      { op: "delete", collection: "versions", key: "k1", expect: 1 }, // v2
      { op: "put", collection: "versions", key: "k9", expect: 0, value: { name: "v5" } },
    ]);
    const second = await store.query("versions", { sort, limit: 10, cursor: first.cursor as string });
    expect(second.items.map((i) => (i.value as { name: string }).name)).toEqual(["v1a", "v5", "v10", "v11", "v100"]);
    expect(second.cursor ?? null).toBeNull();
  });

  /** Puts 2,000 versions `k00000`... (`valueOf(i)`) in commits of 500, then ANALYZEs the table. */
  const fillVersions = async (store: Store, schema: string, valueOf: (i: number) => JsonValue): Promise<void> => {
    const writes = Array.from({ length: 2000 }, (_, i) => ({ op: "put" as const, collection: "versions", key: `k${String(i).padStart(5, "0")}`, expect: 0, value: valueOf(i) }));
    for (let i = 0; i < writes.length; i += 500) await store.commit(writes.slice(i, i + 500));
    await db.pool.query(`ANALYZE "${schema}".av_items`);
  };

  test("uses the indexes for the common filters and sorts", async () => {
    const schema = freshSchema();
    const store = await open(schema);
    await fillVersions(store, schema, (i) => ({
      name: `v${i}`,
      project: `acme/p${i % 50}`,
      stage: i % 7 === 0 ? "production" : "testing",
      tags: [`t${i % 13}`],
      updatedAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    }));
    const page = await store.query("versions", {
      where: { type: "term", field: "project", op: "eq", value: "acme/p7" },
      sort: [{ field: "updated_at", direction: "desc" }],
      limit: 5,
    });
    expect(page.total).toBe(40);
    expect(page.items).toHaveLength(5);
  });

  test("reads a page with its total in one scan when the planner expects few matches, apart when many", async () => {
    const schema = freshSchema();
    await fillVersions(await open(schema), schema, (i) => ({ name: `v${i}`, project: `acme/p${i % 50}`, updatedAt: new Date(1_700_000_000_000 + (i % 97) * 1000).toISOString() }));
    // A pool that records the SQL it is sent.
    const sent: string[] = [];
    const spy = Object.create(db.pool) as typeof db.pool;
    (spy as { query: unknown }).query = (text: string, values?: unknown[]) => {
      sent.push(text);
      return db.pool.query(text, values);
    };
    const few = { where: { type: "term", field: "project", op: "eq", value: "acme/p7" }, sort: [{ field: "updated_at", direction: "desc" }], limit: 5 } as const;
    const many = { sort: [{ field: "updated_at", direction: "desc" }], limit: 5 } as const;
    const forms = async (options: { singleScanBelow?: number }, query: typeof few | typeof many) => {
      const store = await postgresStore({ pool: spy }, { schema, ...options });
      stores.push(store);
      sent.length = 0;
      const page = await store.query("versions", query);
      const explained = sent.some((sql) => sql.startsWith("EXPLAIN"));
      sent.length = 0;
      // The next page: the filter's total is known now, so no estimate is asked for.
      const next = await store.query("versions", { ...query, cursor: page.cursor ?? "" });
      expect(sent.some((sql) => sql.startsWith("EXPLAIN"))).toBe(false);
      return { page, next, explained, oneScan: sent.some((sql) => sql.startsWith("WITH m AS MATERIALIZED")) };
    };
    const byDefault = await forms({}, few);
    expect(byDefault).toMatchObject({ explained: true, oneScan: true });
    expect(byDefault.page.total).toBe(40);
    expect(await forms({ singleScanBelow: 100 }, many)).toMatchObject({ explained: true, oneScan: false });
    const apart = await forms({ singleScanBelow: 0 }, few);
    expect(apart).toMatchObject({ explained: false, oneScan: false });
    // Both forms answer the same pages and totals.
    const keys = (result: typeof byDefault) => [result.page.total, result.page.items.map((item) => item.key), result.next.items.map((item) => item.key)];
    expect(keys(apart)).toEqual(keys(byDefault));
    for (const singleScanBelow of [-1, Number.NaN, "5" as unknown as number]) {
      await expect(postgresStore({ pool: db.pool }, { schema, singleScanBelow })).rejects.toMatchObject({ code: "VALIDATION" });
    }
  });

  test("one scan keeps the page's order whatever join PostgreSQL picks, and reads estimates a pool hands back as text", async () => {
    const schema = freshSchema();
    const reference = await open(schema);
    await fillVersions(reference, schema, (i) => ({ name: `v${(i * 7919) % 2000}`, project: `acme/p${i % 50}`, score: (i * 31) % 17 }));
    // A pool on which the page's documents cannot come back by nested loop or merge join (a hash join
    // hands rows back in table order), and one that leaves every value as text (JSON too).
    const hashing = new pg.Pool({ connectionString: db.server.connectionString, max: 2, options: "-c enable_nestloop=off -c enable_mergejoin=off" });
    const textual = new pg.Pool({ connectionString: db.server.connectionString, max: 2, types: { getTypeParser: () => (value: string) => value } as never });
    try {
      const hashed = await postgresStore({ pool: hashing }, { schema, singleScanBelow: Number.POSITIVE_INFINITY });
      const texts = await postgresStore({ pool: textual }, { schema });
      const apart = await postgresStore({ pool: db.pool }, { schema, singleScanBelow: 0 });
      for (const query of [
        { sort: [{ field: "name", direction: "asc" }], limit: 30 },
        { where: { type: "term", field: "project", op: "in", value: ["acme/p3", "acme/p4"] }, sort: [{ field: "score", direction: "desc" }], limit: 25 },
      ] as const) {
        const expected = await apart.query("versions", query);
        for (const store of [hashed, texts]) {
          const page = await store.query("versions", query);
          expect([page.total, page.items.map((item) => item.key), page.cursor]).toEqual([expected.total, expected.items.map((item) => item.key), expected.cursor]);
        }
      }
      await Promise.all([hashed.close?.(), texts.close?.(), apart.close?.()]);
    } finally {
      await Promise.all([hashing.end(), textual.end()]);
    }
  });
});
