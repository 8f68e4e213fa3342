/**
 * `npx tsx test/support/postgres-explain.ts [size]`: seeds `size` versions (default 100,000; the
 * benchmark's mix, through the registry on a memory store, copied through the Store port) into a
 * PostgreSQL store and prints `EXPLAIN (ANALYZE, BUFFERS)` of the SQL the store compiles for the
 * common list queries. Uses `DATABASE_URL`, or a throwaway cluster (test/support/postgres.ts).
 * Not a test: a tool for looking at plans (docs/postgres-store.md, "Performance notes").
 */
import pg from "pg";
import { postgresStore } from "../../src/adapters/postgres/index.js";
import type { QueryNode } from "../../src/domain/query/ast.js";
import { parseQuery, parseSort } from "../../src/domain/query/index.js";
import type { StoreQuery } from "../../src/store/store.js";
import { copyStore } from "../../bench/copy-store.js";
import { SeedSource } from "../../bench/seed-source.js";
import { BENCH_PROJECT } from "../../bench/version-mix.js";
import { startPostgres } from "./postgres.js";

const size = Number(process.argv[2] ?? 100_000);
const schema = "av_explain";
const server = await startPostgres();
const pool = new pg.Pool({ ...server.poolConfig, max: 4 });
pool.on("error", () => undefined);

// Record the SQL the store sends, so it can be EXPLAINed with the same parameters.
let last: { text: string; values: unknown[] } | undefined;
const spy = Object.create(pool) as pg.Pool;
(spy as { query: unknown }).query = (text: string, values?: unknown[]) => {
  last = { text, values: values ?? [] };
  return pool.query(text, values);
};

try {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const store = await postgresStore({ pool: spy }, { schema });
  const started = performance.now();
  const seed = new SeedSource();
  await seed.growTo(size);
  const copied = await copyStore(seed.store, store);
  await pool.query(`VACUUM ANALYZE ${schema}.av_items`);
  const { rows: version } = await pool.query(`SELECT max(version) AS v FROM ${schema}.av_migrations`);
  console.log(`seeded ${size} versions (${copied} records) in ${Math.round(performance.now() - started)} ms; schema version ${version[0].v}; PostgreSQL ${(await pool.query("SHOW server_version")).rows[0].server_version}`);

  const scope = (extra?: string): QueryNode => {
    const items: QueryNode[] = [
      { type: "and", items: [{ type: "term", field: "project", op: "eq", value: BENCH_PROJECT }, { type: "term", field: "kind", op: "eq", value: "model" }] },
    ];
    if (extra !== undefined) items.push(parseQuery(extra) as QueryNode);
    return items.length === 1 ? (items[0] as QueryNode) : { type: "and", items };
  };
  const cases: [string, StoreQuery][] = [
    ["project = X, kind = model, -updated_at, limit 20 (models.list default)", { where: scope(), sort: parseSort("-updated_at"), limit: 20, offset: 0 }],
    ["+ stage:production, tags:x, -updated_at, limit 50 (bench list)", { where: scope("stage:production, tags:x"), sort: parseSort("-updated_at"), limit: 50, offset: 0 }],
    ["+ stage:production, tags:gpu, -created_at, limit 20", { where: scope("stage:production, tags:gpu"), sort: parseSort("-created_at"), limit: 20, offset: 0 }],
    ["project = X, kind = model, sequence desc, limit 1, total: false (latest, as get() asks)", { where: scope(), sort: parseSort("-sequence", { fields: ["sequence"] }), limit: 1, total: false }],
    ["the same, counted (latest before total: false)", { where: scope(), sort: parseSort("-sequence", { fields: ["sequence"] }), limit: 1 }],
    ["unfiltered count (limit 0)", { limit: 0 }],
    ["project = X, kind = model count (limit 0)", { where: scope(), limit: 0 }],
  ];
  for (const [label, query] of cases) {
    const times: number[] = [];
    for (let round = 0; round < 7; round++) {
      const t = performance.now();
      await store.query("versions", query);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const sql = last as { text: string; values: unknown[] };
    const { rows } = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`, sql.values);
    console.log(`\n=== ${label}: store.query median ${times[3]?.toFixed(1)} ms (min ${times[0]?.toFixed(1)}, max ${times[6]?.toFixed(1)})`);
    if (process.env["SHOW_SQL"]) console.log(sql.text, JSON.stringify(sql.values));
    for (const row of rows) console.log(row["QUERY PLAN"]);
  }
  await store.close?.();
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await pool.end();
  await server.stop();
}
