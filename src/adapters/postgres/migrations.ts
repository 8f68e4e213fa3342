/**
 * The PostgreSQL schema, as versioned migrations. `migrate()` applies the missing ones in one
 * transaction under a transaction-scoped advisory lock, so several app instances may start at once.
 * @module
 */
import type { PoolClient } from "pg";
import { RegistryError } from "../../errors.js";
import { eqKeysOf } from "./eq-keys.js";
import { KEY_COLUMN_BYTES, SCOPE_ODD_ROWS } from "./scope-count.js";

/** One migration: a version number, a name and the SQL for a schema (already quoted). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (schema: string) => string;
  /** Work after the SQL, in the same transaction (e.g. filling a new column computed in JavaScript). */
  readonly after?: (client: PoolClient, schema: string) => Promise<void>;
}

/** The SQL of `naturalKey`-independent helpers and the tables. `s` is the quoted schema name. */
const v1 = (s: string): string => `
CREATE TABLE ${s}.av_items (
  collection text COLLATE "C" NOT NULL,
  key        text COLLATE "C" NOT NULL,
  revision   integer NOT NULL,
  seq        bigint NOT NULL,
  value      jsonb NOT NULL,
  doc        text NOT NULL,
  name_key   text COLLATE "C",
  PRIMARY KEY (collection, key)
);
COMMENT ON TABLE ${s}.av_items IS 'artifact-versions: every record of every collection. value = the record as jsonb (for queries), doc = its exact JSON text (what reads return), name_key = natural sort key of value.name';

CREATE TABLE ${s}.av_commit_seq (
  id  boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq bigint NOT NULL
);
INSERT INTO ${s}.av_commit_seq (id, seq) VALUES (true, 0);
COMMENT ON TABLE ${s}.av_commit_seq IS 'artifact-versions: the last commit sequence number; updated last in every commit, so numbers follow commit order';

CREATE INDEX av_items_value ON ${s}.av_items USING gin (value jsonb_path_ops);
CREATE INDEX av_items_project ON ${s}.av_items (collection, (value ->> 'project') COLLATE "C");
CREATE INDEX av_items_seq ON ${s}.av_items (collection, seq);

-- The sort key of a JSON value in compareValues() order: type rank, number, string, other.
CREATE FUNCTION ${s}.av_rank(x jsonb) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE jsonb_typeof(x) WHEN 'boolean' THEN 1 WHEN 'number' THEN 2 WHEN 'string' THEN 3 WHEN 'array' THEN 4 WHEN 'object' THEN 5 ELSE 0 END
$f$;
CREATE FUNCTION ${s}.av_num(x jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE jsonb_typeof(x) WHEN 'number' THEN (x #>> '{}')::numeric WHEN 'boolean' THEN CASE WHEN x = 'true'::jsonb THEN 1 ELSE 0 END ELSE 0 END
$f$;
CREATE FUNCTION ${s}.av_str(x jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE WHEN jsonb_typeof(x) = 'string' THEN (x #>> '{}') COLLATE "C" ELSE ''::text COLLATE "C" END
$f$;
CREATE FUNCTION ${s}.av_other(x jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE WHEN jsonb_typeof(x) IN ('array', 'object') THEN x ELSE 'null'::jsonb END
$f$;

CREATE INDEX av_items_created_at ON ${s}.av_items (collection, ${s}.av_rank(value -> 'createdAt'), ${s}.av_num(value -> 'createdAt'), (${s}.av_str(value -> 'createdAt') COLLATE "C"));
CREATE INDEX av_items_updated_at ON ${s}.av_items (collection, ${s}.av_rank(value -> 'updatedAt'), ${s}.av_num(value -> 'updatedAt'), (${s}.av_str(value -> 'updatedAt') COLLATE "C"));

-- True for the canonical toISOString() form (isCanonicalIso in values.ts).
CREATE FUNCTION ${s}.av_is_iso(t text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT length(t) = 24 AND substr(t, 24, 1) = 'Z' AND substr(t, 11, 1) = 'T' AND substr(t, 5, 1) = '-' AND substr(t, 8, 1) = '-' AND substr(t, 20, 1) = '.'
$f$;

-- Days since 1970-01-01 of a (proleptic Gregorian) civil date; day may overflow the month.
CREATE FUNCTION ${s}.av_days(y integer, m integer, d integer) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT era * 146097 + (yoe * 365 + yoe / 4 - yoe / 100 + (153 * (m + CASE WHEN m > 2 THEN -3 ELSE 9 END) + 2) / 5 + d - 1) - 719468
  FROM (SELECT yy, CASE WHEN yy >= 0 THEN yy ELSE yy - 399 END / 400 AS era FROM (SELECT (y - CASE WHEN m <= 2 THEN 1 ELSE 0 END)::bigint AS yy) a) b,
       LATERAL (SELECT yy - era * 400 AS yoe) c
$f$;

-- dateMs() of values.ts: the UTC milliseconds of a record's date value, or NULL.
CREATE FUNCTION ${s}.av_date_ms(x jsonb) RETURNS double precision LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
DECLARE
  t text; m text[]; y integer; mo integer; d integer; h integer; mi integer; sec integer; ms integer;
  off bigint := 0; zone text; digits text; oh integer; om integer; dim integer;
BEGIN
  IF x IS NULL THEN RETURN NULL; END IF;
  IF jsonb_typeof(x) = 'number' THEN RETURN (x #>> '{}')::double precision; END IF;
  IF jsonb_typeof(x) <> 'string' THEN RETURN NULL; END IF;
  t := x #>> '{}';
  IF ${s}.av_is_iso(t) THEN
    m := regexp_match(t, '^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\\.([0-9]{3})Z$');
    IF m IS NULL THEN RETURN NULL; END IF;
    y := m[1]::integer; mo := m[2]::integer; d := m[3]::integer; h := m[4]::integer; mi := m[5]::integer; sec := m[6]::integer; ms := m[7]::integer;
    IF mo < 1 OR mo > 12 OR d < 1 OR d > 31 OR h > 24 OR mi > 59 OR sec > 59 OR (h = 24 AND (mi <> 0 OR sec <> 0 OR ms <> 0)) THEN RETURN NULL; END IF;
    RETURN (${s}.av_days(y, mo, d) * 86400000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms)::double precision;
  END IF;
  m := regexp_match(t, '^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]{1,9}))?)?([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$');
  IF m IS NULL THEN RETURN NULL; END IF;
  y := m[1]::integer; mo := m[2]::integer; d := m[3]::integer;
  IF mo < 1 OR mo > 12 OR d < 1 THEN RETURN NULL; END IF;
  dim := CASE WHEN mo IN (4, 6, 9, 11) THEN 30 WHEN mo = 2 THEN CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0 THEN 29 ELSE 28 END ELSE 31 END;
  IF d > dim THEN RETURN NULL; END IF;
  IF m[4] IS NULL THEN RETURN (${s}.av_days(y, mo, d) * 86400000)::double precision; END IF;
  h := m[4]::integer; mi := m[5]::integer; sec := coalesce(m[6]::integer, 0);
  IF h > 23 OR mi > 59 OR sec > 59 THEN RETURN NULL; END IF;
  ms := CASE WHEN m[7] IS NULL THEN 0 ELSE rpad(substr(m[7], 1, 3), 3, '0')::integer END;
  zone := m[8];
  IF zone IS NOT NULL AND zone NOT IN ('Z', 'z') THEN
    digits := replace(substr(zone, 2), ':', '');
    oh := substr(digits, 1, 2)::integer;
    om := CASE WHEN length(digits) > 2 THEN substr(digits, 3, 2)::integer ELSE 0 END;
    IF oh > 23 OR om > 59 THEN RETURN NULL; END IF;
    off := (CASE WHEN left(zone, 1) = '-' THEN -1 ELSE 1 END) * (oh * 60 + om) * 60000;
  END IF;
  RETURN (${s}.av_days(y, mo, d) * 86400000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms - off)::double precision;
END
$f$;

-- One commit: every write in the given order (the caller sorts them by collection and key, so
-- concurrent commits take row locks in one order), then the sequence number, last.
CREATE FUNCTION ${s}.av_commit(p_ops text[], p_collections text[], p_keys text[], p_expects integer[], p_values jsonb[], p_docs text[], p_name_keys text[])
RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE
  i integer;
  n integer := coalesce(array_length(p_ops, 1), 0);
  v_seq bigint;
  v_actual integer;
BEGIN
  FOR i IN 1 .. n LOOP
    IF p_expects[i] = 0 THEN
      IF p_ops[i] = 'put' THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('${s}/' || p_collections[i] || '/' || p_keys[i], 0));
        INSERT INTO ${s}.av_items (collection, key, revision, seq, value, doc, name_key)
          VALUES (p_collections[i], p_keys[i], 1, 0, p_values[i], p_docs[i], p_name_keys[i])
          ON CONFLICT DO NOTHING;
      ELSE
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('${s}/' || p_collections[i] || '/' || p_keys[i], 0));
        PERFORM 1 FROM ${s}.av_items WHERE collection = p_collections[i] AND key = p_keys[i];
        IF FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'AV409', MESSAGE = 'revision conflict', DETAIL = (i - 1)::text;
        END IF;
        CONTINUE;
      END IF;
    ELSIF p_ops[i] = 'put' THEN
      UPDATE ${s}.av_items SET revision = revision + 1, seq = 0, value = p_values[i], doc = p_docs[i], name_key = p_name_keys[i]
        WHERE collection = p_collections[i] AND key = p_keys[i] AND revision = p_expects[i];
    ELSIF p_ops[i] = 'delete' THEN
      DELETE FROM ${s}.av_items WHERE collection = p_collections[i] AND key = p_keys[i] AND revision = p_expects[i];
    ELSE
      PERFORM 1 FROM ${s}.av_items WHERE collection = p_collections[i] AND key = p_keys[i] AND revision = p_expects[i] FOR SHARE;
    END IF;
    IF NOT FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'AV409', MESSAGE = 'revision conflict', DETAIL = (i - 1)::text;
    END IF;
  END LOOP;
  UPDATE ${s}.av_commit_seq SET seq = seq + 1 WHERE id RETURNING seq INTO v_seq;
  UPDATE ${s}.av_items AS t SET seq = v_seq
    FROM unnest(p_ops, p_collections, p_keys) AS u(op, collection, key)
    WHERE u.op = 'put' AND t.collection = u.collection AND t.key = u.key;
  RETURN v_seq;
END
$f$;
`;

/**
 * Migration 2: equality keys and the `sequence` sort index (docs/postgres-store.md, "Performance").
 * `eq_keys` holds `collection:field:value` for the keyed fields (eq-keys.ts); a GIN index on it answers
 * `project`/`kind`/`stage`/`status`/`tags` terms exactly, so counting matches needs no jsonb recheck.
 * `av_commit` gains the keys argument (the old signature is dropped: every instance must run this
 * version of the library once the schema is at version 2). Existing rows are filled in by {@link backfillEqKeys}.
 */
const v2 = (s: string): string => `
ALTER TABLE ${s}.av_items ADD COLUMN eq_keys text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN ${s}.av_items.eq_keys IS 'artifact-versions: collection:field:value for each value an eq term on project, kind, stage, status or tags matches (computed by the library)';
CREATE INDEX av_items_sequence ON ${s}.av_items (collection, ${s}.av_rank(value -> 'sequence'), ${s}.av_num(value -> 'sequence'), (${s}.av_str(value -> 'sequence') COLLATE "C"));

DROP FUNCTION ${s}.av_commit(text[], text[], text[], integer[], jsonb[], text[], text[]);
CREATE FUNCTION ${s}.av_commit(p_ops text[], p_collections text[], p_keys text[], p_expects integer[], p_values jsonb[], p_docs text[], p_name_keys text[], p_eq_keys jsonb[])
RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE
  i integer;
  n integer := coalesce(array_length(p_ops, 1), 0);
  v_seq bigint;
  v_eq text[];
BEGIN
  FOR i IN 1 .. n LOOP
    IF p_ops[i] = 'put' THEN
      v_eq := ARRAY(SELECT jsonb_array_elements_text(p_eq_keys[i]));
    END IF;
    IF p_expects[i] = 0 THEN
      IF p_ops[i] = 'put' THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('${s}/' || p_collections[i] || '/' || p_keys[i], 0));
        INSERT INTO ${s}.av_items (collection, key, revision, seq, value, doc, name_key, eq_keys)
          VALUES (p_collections[i], p_keys[i], 1, 0, p_values[i], p_docs[i], p_name_keys[i], v_eq)
          ON CONFLICT DO NOTHING;
      ELSE
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('${s}/' || p_collections[i] || '/' || p_keys[i], 0));
        PERFORM 1 FROM ${s}.av_items WHERE collection = p_collections[i] AND key = p_keys[i];
        IF FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'AV409', MESSAGE = 'revision conflict', DETAIL = (i - 1)::text;
        END IF;
        CONTINUE;
      END IF;
    ELSIF p_ops[i] = 'put' THEN
      UPDATE ${s}.av_items SET revision = revision + 1, seq = 0, value = p_values[i], doc = p_docs[i], name_key = p_name_keys[i], eq_keys = v_eq
        WHERE collection = p_collections[i] AND key = p_keys[i] AND revision = p_expects[i];
    ELSIF p_ops[i] = 'delete' THEN
      DELETE FROM ${s}.av_items WHERE collection = p_collections[i] AND key = p_keys[i] AND revision = p_expects[i];
    ELSE
      PERFORM 1 FROM ${s}.av_items WHERE collection = p_collections[i] AND key = p_keys[i] AND revision = p_expects[i] FOR SHARE;
    END IF;
    IF NOT FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'AV409', MESSAGE = 'revision conflict', DETAIL = (i - 1)::text;
    END IF;
  END LOOP;
  UPDATE ${s}.av_commit_seq SET seq = seq + 1 WHERE id RETURNING seq INTO v_seq;
  UPDATE ${s}.av_items AS t SET seq = v_seq
    FROM unnest(p_ops, p_collections, p_keys) AS u(op, collection, key)
    WHERE u.op = 'put' AND t.collection = u.collection AND t.key = u.key;
  RETURN v_seq;
END
$f$;
`;

/** The record fields whose sort keys migration 3 stores: field -> column prefix. Part of a released migration: never edit. */
const V3_SORT_KEYS: Readonly<Record<string, string>> = Object.freeze({ createdAt: "created", updatedAt: "updated" });

/**
 * Every record field with stored sort-key columns (`<prefix>_rank`, `_num`, `_str`, `_other`): field ->
 * column prefix. A later migration that stores another field's keys adds it here, not to migration 3.
 */
export const STORED_SORT_KEYS: Readonly<Record<string, string>> = V3_SORT_KEYS;

/**
 * Migration 3: stored sort keys for `created_at` and `updated_at` (docs/postgres-store.md, "Performance").
 * A filtered page sorts its matches by one of them, and the four sort-key expressions each read
 * `value -> 'updatedAt'` from the jsonb again: most of the page's time (a filtered first page over
 * 100,000 versions took ~15-30 ms). Generated columns hold the same keys, computed once per write (the
 * commit function is unchanged); their indexes replace migration 1's expression indexes. Adding them
 * rewrites `av_items` (~20 s for 320,000 records on a 2-vCPU VM) and needs PostgreSQL 12. The columns
 * are computed by `av_rank`/`av_num`/`av_str`/`av_other`: a later migration that changes one of those
 * must also recompute the columns (stored values do not follow a replaced function).
 */
const v3 = (s: string): string => {
  const columns = Object.entries(V3_SORT_KEYS).flatMap(([field, prefix]) => {
    const x = `value -> '${field}'`;
    return [
      `ADD COLUMN ${prefix}_rank integer GENERATED ALWAYS AS (${s}.av_rank(${x})) STORED`,
      `ADD COLUMN ${prefix}_num numeric GENERATED ALWAYS AS (${s}.av_num(${x})) STORED`,
      `ADD COLUMN ${prefix}_str text COLLATE "C" GENERATED ALWAYS AS (${s}.av_str(${x})) STORED`,
      `ADD COLUMN ${prefix}_other jsonb GENERATED ALWAYS AS (${s}.av_other(${x})) STORED`,
    ];
  });
  return `
ALTER TABLE ${s}.av_items ${columns.join(",\n  ")};
COMMENT ON COLUMN ${s}.av_items.created_rank IS 'artifact-versions: sort key of value.createdAt (rank, num, str, other: compareValues() order)';
COMMENT ON COLUMN ${s}.av_items.updated_rank IS 'artifact-versions: sort key of value.updatedAt (rank, num, str, other: compareValues() order)';
DROP INDEX ${s}.av_items_created_at;
DROP INDEX ${s}.av_items_updated_at;
CREATE INDEX av_items_created ON ${s}.av_items (collection, created_rank, created_num, created_str);
CREATE INDEX av_items_updated ON ${s}.av_items (collection, updated_rank, updated_num, updated_str);
`;
};

/**
 * Migration 4: `project_key` / `kind_key`, the record's `project` and `kind` when they are strings of
 * at most {@link KEY_COLUMN_BYTES} bytes (two of them and the collection fit a btree entry), with a btree
 * index over `(collection, project_key, kind_key)`: a project's versions of one kind are then counted by
 * an index-only scan instead of reading every matching heap page (scope-count.ts). The partial index
 * `av_items_scope_odd` holds the rows whose field is there but has no key (arrays, numbers, long
 * strings), counted through `eq_keys`. The function holds no literal outside ASCII, so it works in any
 * server encoding and with any `standard_conforming_strings`. Adding the columns rewrites `av_items`
 * under an exclusive lock; commits are unchanged.
 */
const v4 = (s: string): string => `
CREATE FUNCTION ${s}.av_key_str(x jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE WHEN jsonb_typeof(x) = 'string' AND octet_length(x #>> '{}') <= ${KEY_COLUMN_BYTES} THEN (x #>> '{}') COLLATE "C" END
$f$;
ALTER TABLE ${s}.av_items
  ADD COLUMN project_key text COLLATE "C" GENERATED ALWAYS AS (${s}.av_key_str(value -> 'project')) STORED,
  ADD COLUMN kind_key text COLLATE "C" GENERATED ALWAYS AS (${s}.av_key_str(value -> 'kind')) STORED;
COMMENT ON COLUMN ${s}.av_items.project_key IS 'artifact-versions: value.project when a string of at most ${KEY_COLUMN_BYTES} bytes, else NULL (index-only counts of a project scope)';
COMMENT ON COLUMN ${s}.av_items.kind_key IS 'artifact-versions: value.kind when a string of at most ${KEY_COLUMN_BYTES} bytes, else NULL';
CREATE INDEX av_items_scope ON ${s}.av_items (collection, project_key, kind_key);
CREATE INDEX av_items_scope_odd ON ${s}.av_items (collection) WHERE ${SCOPE_ODD_ROWS};
`;

/** Rows per backfill statement. */
const BACKFILL_BATCH = 2_000;

/** Fills `eq_keys` of the rows written before migration 2 (computed in JavaScript, as commits do), then builds its index. */
async function backfillEqKeys(client: PoolClient, s: string): Promise<void> {
  let after: [string, string] = ["", ""];
  for (;;) {
    const { rows } = await client.query<{ collection: string; key: string; doc: string }>(
      `SELECT collection, key, doc FROM ${s}.av_items WHERE (collection, key) > ($1, $2) ORDER BY collection, key LIMIT ${BACKFILL_BATCH}`,
      after,
    );
    if (rows.length === 0) break;
    const keys = rows.map((row) => JSON.stringify(eqKeysOf(row.collection, JSON.parse(row.doc))));
    await client.query(
      `UPDATE ${s}.av_items AS t SET eq_keys = ARRAY(SELECT jsonb_array_elements_text(u.k)) FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS u(c, key, k)
       WHERE t.collection = u.c AND t.key = u.key AND u.k <> '[]'::jsonb`,
      [rows.map((row) => row.collection), rows.map((row) => row.key), keys],
    );
    const last = rows[rows.length - 1] as { collection: string; key: string };
    after = [last.collection, last.key];
  }
  await client.query(`CREATE INDEX av_items_eq_keys ON ${s}.av_items USING gin (eq_keys)`);
}

/** Every migration, oldest first. Never edit a released one: add the next. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, name: "items, commit sequence, indexes, functions", sql: v1 },
  { version: 2, name: "equality keys (eq_keys + GIN), sequence sort index, av_commit with keys", sql: v2, after: backfillEqKeys },
  { version: 3, name: "stored sort keys of createdAt and updatedAt (generated columns + indexes)", sql: v3 },
  { version: 4, name: "project and kind key columns for index-only counts of a project scope", sql: v4 },
]);

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `schema` up to date: takes a transaction-scoped advisory lock named after the schema, creates
 * the schema and `av_migrations` when missing, applies every missing migration and records it, all
 * in one transaction. Refuses (`STORAGE`) a schema written by a newer version of this library.
 */
export async function migrate(client: PoolClient, schema: string, quoted: string): Promise<number> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`artifact-versions:migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.av_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${quoted}.av_migrations`);
    const current = rows[0]?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new RegistryError(
        "STORAGE",
        `The PostgreSQL schema "${schema}" is at version ${current}, newer than this version of artifact-versions knows (${SCHEMA_VERSION}); upgrade the library`,
        { schema, version: current, known: SCHEMA_VERSION },
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query(migration.sql(quoted));
      await migration.after?.(client, quoted);
      await client.query(`INSERT INTO ${quoted}.av_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
    }
    await client.query("COMMIT");
    return Math.max(current, SCHEMA_VERSION);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
