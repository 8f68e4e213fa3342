/**
 * `postgresStore()`: the `Store` on PostgreSQL, for several app instances sharing one registry.
 * @module
 */
import type { Pool, PoolClient } from "pg";
import { RegistryError, toStorageError } from "../../errors.js";
import type { JsonValue } from "../../domain/json.js";
import { frozenJsonCopy } from "../../domain/json-copy.js";
import type { SortField } from "../../domain/query/ast.js";
import { compileQuery } from "../../domain/query/match.js";
import { compareBy } from "../../domain/query/sort.js";
import { decodeCursor, encodeCursor } from "../../domain/query/cursor.js";
import type { CommitResult, Store, StoredItem, StoreQuery, StoreQueryResult, Write } from "../../store/store.js";
import { checkCollection, checkKey, checkQueryWindow, checkWrites, jsonTextOf } from "../../store/write-validation.js";
import { afterPosition, compileSort, compileWhere, impliesCollection, orderBy, Params, type CompileContext, type SortColumns } from "./compile.js";
import { eqKeysOf } from "./eq-keys.js";
import { migrate } from "./migrations.js";
import { naturalKey } from "./natural-key.js";
import { scopeCount } from "./scope-count.js";

/** How {@link postgresStore} connects: a connection string (the store owns its pool) or your own `pg.Pool`. */
export type PostgresConnection =
  | {
      /** A libpq connection string (`postgres://user:pass@host:5432/db`); the store creates a `pg.Pool` and `close()` ends it. Needs the `pg` package. */
      readonly connectionString: string;
      /** Not with `connectionString`. */
      readonly pool?: never;
    }
  | {
      /** Your own `pg.Pool`; the store borrows clients from it and `close()` leaves it open. */
      readonly pool: Pool;
      /** Not with `pool`. */
      readonly connectionString?: never;
    };

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * The PostgreSQL schema holding the store's tables (created when missing). A lower-case identifier:
   * `/^[a-z_][a-z0-9_]*$/`, at most 63 characters, not starting with `pg_`. Default `artifact_versions`.
   */
  readonly schema?: string;
  /**
   * @internal Planner-estimated matches below which a page and its total are read in one scan of the
   * matches (default {@link SINGLE_SCAN_BELOW}); 0 always reads them apart. For tests of both forms.
   */
  readonly singleScanBelow?: number;
}

/**
 * A page of a query expected to match fewer rows than this (its filter's last total, else PostgreSQL's
 * estimate) is read with its total in one scan of the matches (a materialized CTE); otherwise the total
 * and an index-ordered page are read apart. Measured over 100,000 versions: 1,017 matches 5-7 ms in one
 * scan against 7-15 apart, 20,000 about even, 100,000 ~1.8x slower in one scan. The estimates of
 * `eq_keys @>` run low (30 for those 1,017 matches, 31,576 for 100,000: the keys of one project occur
 * together), so the bound sits well below the break-even point.
 */
const SINGLE_SCAN_BELOW = 2_000;
/** How many filters' last totals a store keeps (see `recentTotals`). */
const RECENT_TOTALS = 256;
/** The longest filter (SQL and values, in characters) whose total is kept. */
const MAX_REMEMBERED_FILTER = 4_096;

/** The default schema name. */
export const DEFAULT_SCHEMA = "artifact_versions";

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;
const CONFLICT_STATE = "AV409";

/**
 * The JSON text for the `jsonb` column: PostgreSQL's jsonb refuses `\u0000` and lone surrogates
 * (which `JSON.stringify` writes as `\udXXX` escapes), so queries see U+FFFD there. Reads return the exact text.
 */
function jsonbText(doc: string): string {
  // Every escape is matched in turn (an escaped backslash too), so adjacent escapes are all seen and
  // the text after `\\` is never taken for one; only NUL and the surrogates (lone, in stringify's output) change.
  return doc.replace(/\\(u[0-9a-f]{4}|[^u])/g, (escape: string, body: string) => (body === "u0000" || /^ud[89a-f]/.test(body) ? "\\ufffd" : escape));
}

/** ` LIMIT n+1` (one more row tells whether a next page exists) and ` OFFSET k`, as far as they apply. */
function pageWindow(params: Params, limit: number | undefined, offset: number): string {
  const limitSql = limit === undefined ? "" : ` LIMIT ${params.add(String(limit + 1), "bigint")}`;
  const offsetSql = offset === 0 ? "" : ` OFFSET ${params.add(String(offset), "bigint")}`;
  return limitSql + offsetSql;
}

/** A stored item from its row (`doc` is the value's JSON text). */
function toItem(row: { key: string; revision: number | string; seq: string; doc: string }): StoredItem {
  return { key: row.key, revision: Number(row.revision), seq: Number(row.seq), value: JSON.parse(row.doc) as JsonValue };
}

/** A row of a page: `key` is null in the one row a count-and-page statement answers when nothing matches. */
type PageRow = { key: string | null; revision: number; seq: string; doc: string };

/** The items of a page read with `LIMIT limit + 1`, and the cursor when that extra row shows more follow. */
function pageOf(rows: readonly PageRow[], limit: number | undefined, sort: readonly SortField[]): { items: StoredItem[]; cursor: string | null } {
  const items: StoredItem[] = [];
  for (const row of rows) if (row.key !== null) items.push(toItem(row as PageRow & { key: string }));
  let more = false;
  if (limit !== undefined && items.length > limit) {
    items.length = limit;
    more = true;
  }
  const last = items[items.length - 1];
  return { items, cursor: more && last !== undefined ? encodeCursor(sort, last) : null };
}

function codeUnitCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface PreparedWrite {
  readonly index: number;
  readonly op: Write["op"];
  readonly collection: string;
  readonly key: string;
  readonly expect: number;
  readonly doc: string | null;
  readonly value: string | null;
  readonly nameKey: string | null;
  /** JSON array of the record's equality keys (eq-keys.ts), for puts. */
  readonly eqKeys: string | null;
}

/** The largest `expect` a commit may carry: revisions are `int4`, and a put stores `expect + 1`. */
const MAX_EXPECT = 2_147_483_646;

function prepare(writes: readonly Write[]): PreparedWrite[] {
  const out = checkWrites(
    writes,
    ({ index, op, collection, key, expect, value }): PreparedWrite => {
      if (op !== "put") return { index, op, collection, key, expect, doc: null, value: null, nameKey: null, eqKeys: null };
      const doc = jsonTextOf(value, collection, key);
      // The keys are read from the JSON the row stores (NaN is null there, toJSON() applied, only own
      // fields): the record the registry hands over already is such a copy, and is not copied again.
      const record = frozenJsonCopy(value, { collection, key });
      const name = record !== null && typeof record === "object" && !Array.isArray(record) && Object.hasOwn(record, "name") ? (record as { name?: unknown }).name : undefined;
      const nameKey = typeof name === "string" ? naturalKey(name) : null;
      return { index, op, collection, key, expect, doc, value: jsonbText(doc), nameKey, eqKeys: JSON.stringify(eqKeysOf(collection, record)) };
    },
    { maxExpect: MAX_EXPECT },
  );
  // One global lock order (collection, key) for all commits, so concurrent commits never deadlock.
  return out.sort((a, b) => codeUnitCompare(a.collection, b.collection) || codeUnitCompare(a.key, b.key));
}

function isPgError(error: unknown): error is { code: string; detail?: string } {
  return error !== null && typeof error === "object" && typeof (error as { code?: unknown }).code === "string";
}

/**
 * Opens a `Store` on PostgreSQL: `postgresStore({ connectionString })` (the store owns a pool and
 * `close()` ends it) or `postgresStore({ pool })` (yours; `close()` leaves it open). Creates or migrates
 * its tables in `options.schema` (default `artifact_versions`) on first use; safe when several
 * instances start at once.
 *
 * - `commit` is one transaction (one round trip: a PL/pgSQL function) that checks every expected
 *   revision with row locks (`UPDATE ... WHERE revision = n`, insert-only for `expect: 0`), so concurrent
 *   instances never lose an update; any mismatch rolls back and throws `CONFLICT`.
 * - `seq` is allocated last in the transaction under a row lock held until commit, so sequence numbers
 *   follow commit order: a reader of `seq > n` never misses a later commit with a lower number.
 * - `query` compiles the query language to parameterized SQL with the semantics of `matches()`/`compareBy()`.
 *
 * @example
 * ```ts
 * import { postgresStore } from "artifact-versions/postgres";
 * const store = await postgresStore({ connectionString: process.env.DATABASE_URL! }, { schema: "registry" });
 * const registry = createRegistry({ store });
 * ```
 * @throws RegistryError `VALIDATION` for a bad schema name or connection option, `STORAGE` when the
 * database cannot be reached or migrated (or holds a newer schema version).
 */
export async function postgresStore(connection: PostgresConnection, options: PostgresStoreOptions = {}): Promise<Store> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (typeof schema !== "string" || !SCHEMA_RE.test(schema) || schema.startsWith("pg_")) {
    throw new RegistryError("VALIDATION", `Invalid schema name ${JSON.stringify(schema)}: expected a lower-case identifier /^[a-z_][a-z0-9_]*$/ of at most 63 characters, not starting with pg_`, {
      schema: String(schema),
    });
  }
  const singleScanBelow = options.singleScanBelow ?? SINGLE_SCAN_BELOW;
  if (typeof singleScanBelow !== "number" || !(singleScanBelow >= 0)) {
    throw new RegistryError("VALIDATION", `Invalid singleScanBelow ${String(singleScanBelow)}: expected a number >= 0`, { singleScanBelow: String(singleScanBelow) });
  }
  const q = `"${schema}"`;
  let pool: Pool;
  let ownsPool = false;
  if (connection !== null && typeof connection === "object" && connection.pool !== undefined) {
    pool = connection.pool;
  } else if (connection !== null && typeof connection === "object" && typeof connection.connectionString === "string" && connection.connectionString !== "") {
    let pg: typeof import("pg");
    try {
      const imported = (await import("pg")) as typeof import("pg") & { default?: typeof import("pg") };
      pg = imported.default ?? imported;
    } catch (error) {
      throw new RegistryError("STORAGE", "postgresStore needs the `pg` package: npm install pg", {}, { cause: error });
    }
    pool = new pg.Pool({ connectionString: connection.connectionString });
    pool.on("error", () => undefined); // an idle client's error must not crash the process; the next query reports it
    ownsPool = true;
  } else {
    throw new RegistryError("VALIDATION", "postgresStore needs { connectionString } or { pool }", {});
  }

  let icu = false;
  try {
    const client: PoolClient = await pool.connect();
    try {
      await migrate(client, schema, q);
      const { rows } = await client.query<{ icu: boolean }>("SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') AS icu");
      icu = rows[0]?.icu === true;
    } finally {
      client.release();
    }
  } catch (error) {
    if (ownsPool) await pool.end().catch(() => undefined);
    throw toStorageError(error, `opening the PostgreSQL store (schema ${schema})`);
  }

  const lower = icu ? (expr: string) => `lower(${expr} COLLATE "und-x-icu")` : (expr: string) => `lower(${expr})`;
  let closed = false;
  const ensureOpen = (doing: string): void => {
    if (closed) throw new RegistryError("STORAGE", `The PostgreSQL store is closed (while ${doing})`, { doing });
  };

  /**
   * The totals of recent queries by filter (SQL and values), newest last: a filter queried again (the
   * next page, a list shown again) is judged by its last total instead of a planner estimate (a round
   * trip, and an estimate that runs low). Only a choice of plan rests on it: a stale total costs time, never a wrong answer.
   */
  const recentTotals = new Map<string, number>();
  const rememberTotal = (filterKey: string, total: number): void => {
    if (filterKey.length > MAX_REMEMBERED_FILTER) return; // a long `in` list: estimated each time instead
    recentTotals.delete(filterKey);
    recentTotals.set(filterKey, total);
    if (recentTotals.size > RECENT_TOTALS) recentTotals.delete(recentTotals.keys().next().value as string);
  };
  /**
   * The last total of `filter`, else the planner's estimate of its matches (an `EXPLAIN`: planned, not
   * run). Only a hint: an answer it cannot read (a pool that hands JSON back as text, a failed EXPLAIN)
   * is "many", and the page is read the usual way (whose own failure is then reported).
   */
  const expectedMatches = async (filterKey: string, filter: string, values: readonly unknown[]): Promise<number> => {
    const known = recentTotals.get(filterKey);
    if (known !== undefined) return known;
    try {
      const { rows } = await pool.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) SELECT $1::text AS collection FROM ${q}.av_items WHERE ${filter}`, values as unknown[]);
      const cell = rows[0]?.["QUERY PLAN"];
      const plans = (typeof cell === "string" ? JSON.parse(cell) : cell) as unknown;
      const plan = Array.isArray(plans) ? (plans[0] as { Plan?: { "Plan Rows"?: unknown } } | null)?.Plan : undefined;
      const estimate = plan?.["Plan Rows"];
      return typeof estimate === "number" && estimate >= 0 ? estimate : Number.POSITIVE_INFINITY;
    } catch {
      return Number.POSITIVE_INFINITY;
    }
  };

  const store: Store = {
    async get(collection: string, key: string): Promise<StoredItem | undefined> {
      ensureOpen("reading a record");
      checkCollection(collection);
      checkKey(key);
      try {
        const { rows } = await pool.query<{ key: string; revision: number; seq: string; doc: string }>(
          `SELECT key, revision, seq::text AS seq, doc FROM ${q}.av_items WHERE collection = $1 AND key = $2`,
          [collection, key],
        );
        const row = rows[0];
        return row === undefined ? undefined : toItem(row);
      } catch (error) {
        throw toStorageError(error, `reading ${collection}/${key}`);
      }
    },

    async query(collection: string, query: StoreQuery = {}): Promise<StoreQueryResult> {
      ensureOpen("querying");
      checkCollection(collection);
      const { limit, offset, cursor, countTotal } = checkQueryWindow(query);
      const sort: readonly SortField[] = query.sort ?? [];
      compareBy(sort); // validates the sort (VALIDATION), exactly as the memory store does
      compileQuery(query.where); // validates the AST
      const position = cursor === undefined ? undefined : decodeCursor(cursor, sort);

      const params = new Params();
      const ctx: CompileContext = { schema: q, collection, params, lower };
      const collectionCondition = `collection = ${params.add(collection, "text")}`;
      const conditions: string[] = [];
      if (query.prefix !== undefined && query.prefix !== "") {
        const p = params.add(query.prefix, "text");
        conditions.push(`key >= ${p} AND starts_with(key, ${p})`);
      }
      if (query.where !== undefined && query.where !== null) conditions.push(compileWhere(query.where, ctx));
      // The page needs `collection = $1` (it leads every sort index); the count does not when the
      // equality keys (which name the collection) already imply it, so it runs on the GIN index alone.
      const filter = [collectionCondition, ...conditions].join(" AND ");
      const countFilter = impliesCollection(query.where) && conditions.length > 0 ? conditions.join(" AND ") : filter;

      // The page's condition: the filter, and after the cursor's position when there is one.
      const pageFilter = (sorts: readonly SortColumns[]): string =>
        position === undefined ? filter : `${filter} AND ${afterPosition(sorts, position.values, position.key, params)}`;

      try {
        if (limit === 0) {
          if (!countTotal) return { items: [], total: 0, cursor: null };
          // A scope count is a statement of its own, with its own parameters (the filter's would be unused).
          const own = new Params();
          const scoped = scopeCount(query.where, query.prefix, { ...ctx, params: own });
          const { rows } = await pool.query<{ total: string }>(
            scoped === undefined ? `SELECT count(*)::text AS total, $1::text AS collection FROM ${q}.av_items WHERE ${countFilter}` : `SELECT (${scoped})::text AS total`,
            scoped === undefined ? params.values : own.values,
          );
          return { items: [], total: Number(rows[0]?.total ?? 0), cursor: null };
        }
        if (!countTotal) {
          // No count (`total: false`, e.g. the registry's `:latest`): the index-ordered page alone, which
          // stops after `limit` rows where counting would read every match.
          const sorts = compileSort(sort, ctx);
          const pageConditions = pageFilter(sorts);
          const { rows } = await pool.query<PageRow>(
            `SELECT key, revision, seq::text AS seq, doc FROM ${q}.av_items WHERE ${pageConditions} ORDER BY ${orderBy(sorts)}${pageWindow(params, limit, offset)}`,
            params.values,
          );
          const page = pageOf(rows, limit, sort);
          // A lower bound: the `offset` matches skipped, the page, and one more when a next page exists.
          const total = page.items.length === 0 ? 0 : offset + page.items.length + (page.cursor === null ? 0 : 1);
          return { ...page, total };
        }
        const filterKey = `${countFilter}\u0000${JSON.stringify(params.values)}`;
        const oneScan =
          singleScanBelow === Number.POSITIVE_INFINITY || (singleScanBelow > 0 && (await expectedMatches(filterKey, countFilter, params.values)) < singleScanBelow);
        const sorts = compileSort(sort, ctx);
        // Every sort column is also selected as s0, s1, ...: the outer query orders the page by those.
        const selectSorts = sorts.flatMap((s) => s.columns).map((column, n) => `, ${column} AS s${n}`).join("");
        const window = pageWindow(params, limit, offset);
        // Two forms of the same answer: the total counted from `counted` and the page `page`, joined.
        let withMatches = "";
        let count: string;
        let page: string;
        if (oneScan) {
          // Few matches: the total and the page come from one scan of them (the count and the page each
          // scanned the same heap pages before: a filtered first page over 100,000 took ~10 ms, ~6 now).
          // Only keys and sort values are kept; the page's 50 documents are then read by primary key.
          let n = 0;
          const kept = sorts.map((s) => ({ ...s, columns: s.columns.map(() => `s${n++}`) }));
          const after = position === undefined ? "" : ` WHERE ${afterPosition(kept, position.values, position.key, params)}`;
          withMatches = `WITH m AS MATERIALIZED (SELECT key${selectSorts} FROM ${q}.av_items WHERE ${countFilter}) `;
          count = "SELECT count(*) AS total FROM m";
          page =
            `SELECT i.key, i.revision, i.seq, i.doc${kept.flatMap((s) => s.columns).map((c) => `, k.${c}`).join("")} FROM ` +
            `(SELECT * FROM m${after} ORDER BY ${orderBy(kept)}${window}) k JOIN ${q}.av_items i ON i.collection = $1::text AND i.key = k.key`;
        } else {
          const pageConditions = pageFilter(sorts);
          // A project + kind scope (an unfiltered list) is counted from btree indexes (scope-count.ts).
          const scoped = scopeCount(query.where, query.prefix, ctx);
          count = scoped === undefined ? `SELECT count(*) AS total FROM ${q}.av_items WHERE ${countFilter}` : `SELECT ${scoped} AS total`;
          page = `SELECT key, revision, seq, doc${selectSorts} FROM ${q}.av_items WHERE ${pageConditions} ORDER BY ${orderBy(sorts)}${window}`;
        }
        const sql =
          `${withMatches}SELECT t.total::text AS total, p.key, p.revision, p.seq::text AS seq, p.doc FROM (${count}) t ` +
          `LEFT JOIN LATERAL (${page}) p ON true ORDER BY ${orderBy(sorts, (i) => `p.s${i}`, "p.key")}`;
        const { rows } = await pool.query<PageRow & { total: string }>(sql, params.values);
        const total = Number(rows[0]?.total ?? 0);
        if (singleScanBelow > 0) rememberTotal(filterKey, total);
        return { ...pageOf(rows, limit, sort), total };
      } catch (error) {
        throw toStorageError(error, `querying ${collection}`);
      }
    },

    async commit(writes: readonly Write[]): Promise<CommitResult> {
      ensureOpen("committing");
      const prepared = prepare(writes);
      try {
        const { rows } = await pool.query<{ seq: string }>(`SELECT ${q}.av_commit($1, $2, $3, $4, $5::jsonb[], $6, $7, $8::jsonb[])::text AS seq`, [
          prepared.map((w) => w.op),
          prepared.map((w) => w.collection),
          prepared.map((w) => w.key),
          prepared.map((w) => w.expect),
          prepared.map((w) => w.value),
          prepared.map((w) => w.doc),
          prepared.map((w) => w.nameKey),
          prepared.map((w) => w.eqKeys),
        ]);
        return { seq: Number(rows[0]?.seq) };
      } catch (error) {
        if (isPgError(error) && error.code === CONFLICT_STATE) {
          const write = prepared[Number(error.detail)];
          let actual: number | undefined;
          if (write !== undefined) {
            actual = await pool
              .query<{ revision: number }>(`SELECT revision FROM ${q}.av_items WHERE collection = $1 AND key = $2`, [write.collection, write.key])
              .then((r) => r.rows[0]?.revision ?? 0)
              .catch(() => undefined);
          }
          const where = write === undefined ? "a record" : `${write.collection}/${write.key}`;
          throw new RegistryError(
            "CONFLICT",
            `Revision conflict on ${where}: expected revision ${write?.expect ?? "?"}${actual === undefined ? "" : `, found ${actual}`}`,
            write === undefined ? {} : { collection: write.collection, key: write.key, expected: write.expect, ...(actual === undefined ? {} : { actual }), index: write.index },
            { cause: error },
          );
        }
        if (isPgError(error) && (error.code === "40001" || error.code === "40P01")) {
          throw new RegistryError("CONFLICT", `The commit lost a race with a concurrent commit (${error.code})`, { sqlstate: error.code }, { cause: error });
        }
        throw toStorageError(error, "committing");
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end().catch(() => undefined);
    },
  };
  return store;
}
