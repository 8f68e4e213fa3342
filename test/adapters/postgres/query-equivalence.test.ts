/**
 * Property test: for the same data, random queries, sorts and pages answer exactly what
 * `memoryStore()` (the reference: `matches()` + `compareBy()`) answers.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { postgresStore } from "../../../src/adapters/postgres/index.js";
import { memoryStore } from "../../../src/store/memory.js";
import type { JsonValue } from "../../../src/domain/json.js";
import type { QueryNode, SortField } from "../../../src/domain/query/ast.js";
import type { Store, StoreQuery, StoreQueryResult } from "../../../src/store/store.js";
import { announcePostgresSkip, freshSchema, usePostgres } from "../../support/postgres.js";

const skipReason = announcePostgresSkip();

const words = ["v1", "v2", "v10", "v01", "V3", "v1a", "alpha", "Beta-2", "beta", "a_b", "a%b", "x\\y", "Élan", "élan", "日本", "", "007", "true", "1.5", "2026-01-20"];
const word = fc.constantFrom(...words);
const dates = [
  "2026-01-19T23:59:59.999Z",
  "2026-01-20T00:00:00.000Z",
  "2026-01-20T12:30:00.000Z",
  "2026-01-21T00:00:00.000Z",
  "2025-12-31T08:00:00.000Z",
  "2026-01-20",
  "2026-01-20T10:00+02:00",
  "not a date",
];
const dateValue = fc.oneof(fc.constantFrom(...dates), fc.constant(1_768_867_200_000), fc.constant(null));
const numberValue = fc.oneof(fc.integer({ min: -5, max: 12 }), fc.constantFrom(1.5, -0.25, 1e21, 100, 0));

const oddValue = fc.oneof(
  numberValue,
  fc.boolean(),
  fc.constant(null),
  word,
  fc.array(fc.oneof(word, numberValue, fc.boolean(), fc.constant(null)), { maxLength: 3 }),
  fc.constant({ nested: "model" }),
);
// Sorting by an array- or object-valued field follows jsonb order in PostgreSQL (a documented
// difference), so fields that are also sort keys only get odd scalars.
const oddScalar = fc.oneof(numberValue, fc.boolean(), fc.constant(null), word);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
const record = fc.record(
  {
    name: fc.oneof({ weight: 8, arbitrary: word }, { weight: 1, arbitrary: numberValue }, { weight: 1, arbitrary: fc.constant(null) }),
    // mostly what the registry writes; sometimes numbers, booleans, null, arrays (the equality keys must agree)
    project: fc.oneof({ weight: 8, arbitrary: fc.constantFrom("acme/churn", "acme/ltv", "Acme/churn") }, { weight: 1, arbitrary: oddScalar }),
    kind: fc.oneof({ weight: 8, arbitrary: fc.constantFrom("model", "artifact", "component") }, { weight: 1, arbitrary: oddValue }),
    stage: fc.oneof({ weight: 8, arbitrary: fc.constantFrom("testing", "staging", "production", "disabled") }, { weight: 1, arbitrary: oddScalar }),
    status: optional(fc.oneof(word, oddValue)),
    tags: fc.oneof(fc.uniqueArray(word, { maxLength: 3 }), fc.constant([] as string[]), oddValue),
    description: fc.oneof(word, fc.constant(null)),
    createdAt: dateValue,
    updatedAt: dateValue,
    score: fc.oneof(numberValue, word, fc.boolean()),
    isPromoted: fc.boolean(),
    metadata: fc.record({ f1Score: optional(numberValue), owner: optional(word) }, { requiredKeys: [] }),
  },
  { requiredKeys: ["project", "kind", "stage"] },
);

const fields = ["name", "project", "kind", "stage", "status", "tags", "description", "created_at", "updated_at", "score", "is_promoted", "metadata.f1_score", "metadata.owner", "missing"];
const field = fc.constantFrom(...fields);
const text = fc.oneof(word, fc.constantFrom("%", "v%", "%a%", "%B%", "V1%", "%_b", "a%b", "%\\%", "%LAN", "2026-01-20", "2026-01-21", "2026-01-20T12:30:00.000Z", "5", "1e+21", "-0.25", "true"));
const term: fc.Arbitrary<QueryNode> = fc.oneof(
  fc.record({ type: fc.constant("term" as const), field, op: fc.constantFrom("eq" as const, "like" as const, "gt" as const, "gte" as const, "lt" as const, "lte" as const), value: text }),
  fc.record({ type: fc.constant("term" as const), field, op: fc.constant("in" as const), value: fc.array(text, { minLength: 1, maxLength: 3 }) }),
  fc.record({ type: fc.constant("term" as const), field, op: fc.constant("range" as const), value: fc.tuple(text, text) }),
  fc.record({ type: fc.constant("term" as const), field, op: fc.constant("nil" as const), value: fc.constant(null) }),
) as fc.Arbitrary<QueryNode>;
const { node } = fc.letrec<{ node: QueryNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    term,
    fc.record({ type: fc.constant("and" as const), items: fc.array(tie("node"), { maxLength: 3 }) }),
    fc.record({ type: fc.constant("or" as const), items: fc.array(tie("node"), { maxLength: 3 }) }),
    fc.record({ type: fc.constant("not" as const), item: tie("node") }),
  ) as fc.Arbitrary<QueryNode>,
}));
const sortFields = ["name", "created_at", "updated_at", "score", "stage", "description", "seq", "is_promoted", "metadata.f1_score", "missing", "project"];
const sort: fc.Arbitrary<SortField[]> = fc.uniqueArray(
  fc.record({ field: fc.constantFrom(...sortFields), direction: fc.constantFrom("asc" as const, "desc" as const) }),
  { maxLength: 3, selector: (s) => s.field },
);
const query = fc.record({
  where: fc.option(node, { nil: undefined, freq: 2 }),
  sort: fc.option(sort, { nil: undefined }),
  prefix: fc.option(fc.constantFrom("k1", "k0", "k"), { nil: undefined, freq: 5 }),
  limit: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
  offset: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined, freq: 3 }),
});

function strip(query: Record<string, unknown>): StoreQuery {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as StoreQuery;
}

function view(result: StoreQueryResult) {
  return { total: result.total, cursor: result.cursor ?? null, items: result.items.map((i) => ({ key: i.key, revision: i.revision, seq: i.seq, value: i.value })) };
}

describe.skipIf(skipReason !== undefined)("postgresStore query equivalence with memoryStore", () => {
  const db = usePostgres({ poolMax: 4 });
  const { schemas } = db;

  test("random queries, sorts and pages answer like the memory store", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 0, maxLength: 30, size: "large" }), fc.array(query, { minLength: 1, maxLength: 12 }), async (records, queries) => {
        const schema = freshSchema("eq");
        schemas.add(schema);
        const pgStore: Store = await postgresStore({ pool: db.pool }, { schema });
        // Both ways of reading a page: with its total in one scan of the matches (what a store does when
        // the planner expects few), and the total and an index-ordered page apart (many matches).
        const oneScan: Store = await postgresStore({ pool: db.pool }, { schema, singleScanBelow: Number.POSITIVE_INFINITY });
        const apart: Store = await postgresStore({ pool: db.pool }, { schema, singleScanBelow: 0 });
        const memory = memoryStore();
        try {
          // the same commits in the same order, so seqs agree too
          const batches: JsonValue[][] = [];
          for (let i = 0; i < records.length; i += 4) batches.push(records.slice(i, i + 4) as JsonValue[]);
          let n = 0;
          for (const batch of batches) {
            // the same records in a second collection too: equality keys must never match across collections
            const writes = batch.flatMap((value) => {
              const key = `k${n++}`;
              return [{ op: "put" as const, collection: "versions", key, expect: 0, value }, { op: "put" as const, collection: "runs", key, expect: 0, value }];
            });
            await memory.commit(writes);
            await pgStore.commit(writes);
          }
          for (const q of queries) {
            const sq = strip(q);
            const expected = view(await memory.query("versions", sq));
            expect(view(await pgStore.query("versions", sq)), JSON.stringify(sq)).toEqual(expected);
            for (const [form, store] of [["one scan", oneScan], ["apart", apart]] as const) {
              expect(view(await store.query("versions", sq)), `${form}: ${JSON.stringify(sq)}`).toEqual(expected);
              // follow the cursor to the end: every page agrees
              let cursor = expected.cursor;
              let pages = 0;
              while (cursor !== null && pages++ < 10) {
                const next = strip({ ...sq, offset: undefined, cursor });
                const e = view(await memory.query("versions", next));
                const a = view(await store.query("versions", next));
                expect(a, `${form}: ${JSON.stringify(next)}`).toEqual(e);
                cursor = e.cursor;
              }
            }
          }
        } finally {
          await pgStore.close?.();
          await oneScan.close?.();
          await apart.close?.();
          await db.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
          schemas.delete(schema);
        }
      }),
      { numRuns: Number(process.env["PG_PROPERTY_RUNS"] ?? 60) },
    );
  }, 300_000);

  // A project + kind scope (an unfiltered list) is counted from the key columns plus the odd rows
  // (scope-count.ts): strings jsonb alters (NUL, lone surrogates become U+FFFD), U+FFFD itself, arrays,
  // numbers, null and absent fields must all count as the memory store counts them.
  const scopeWords = ["acme/churn", "acme/churn\u0000", "acme/churn\ufffd", "acme/\ud800churn", "acme\\churn", "5", "true"];
  const kindWords = ["model", "model\u0000", "mod\ufffdel", "\udc00", "1.5"];
  // Mostly the first (plain) word, so queries for it often meet the odd rows that also match it.
  const scopeWord = (words: string[]) => fc.oneof({ weight: 2, arbitrary: fc.constant(words[0] as string) }, { weight: 1, arbitrary: fc.constantFrom(...words) });
  const scoped = (words: string[]) =>
    fc.oneof(
      { weight: 4, arbitrary: scopeWord(words) },
      { weight: 2, arbitrary: fc.array(scopeWord(words), { maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constantFrom(5, 1.5, true, null) },
    );
  const scopeRecord = fc.record({ project: scoped(scopeWords), kind: scoped(kindWords), updatedAt: dateValue }, { requiredKeys: [] });
  const scopeQuery = fc.record({
    project: scopeWord(scopeWords),
    kind: scopeWord(kindWords),
    nested: fc.boolean(),
    limit: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    sort: fc.option(fc.constant([{ field: "updated_at", direction: "desc" }] as SortField[]), { nil: undefined }),
  });

  test("a project + kind scope counts exactly like the memory store, whatever the fields hold", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(scopeRecord, { maxLength: 30 }), fc.array(scopeQuery, { minLength: 1, maxLength: 8 }), async (records, queries) => {
        const schema = freshSchema("scope");
        schemas.add(schema);
        const apart: Store = await postgresStore({ pool: db.pool }, { schema, singleScanBelow: 0 });
        const memory = memoryStore();
        try {
          const writes = records.flatMap((value, n) => [
            { op: "put" as const, collection: "versions", key: `k${n}`, expect: 0, value: value as JsonValue },
            { op: "put" as const, collection: "audit", key: `k${n}`, expect: 0, value: value as JsonValue },
          ]);
          await memory.commit(writes);
          await apart.commit(writes);
          for (const { project, kind, nested, limit, sort } of queries) {
            const terms: QueryNode[] = [
              { type: "term", field: "kind", op: "eq", value: kind },
              { type: "term", field: "project", op: "eq", value: project },
            ];
            const where: QueryNode = nested ? { type: "and", items: [{ type: "and", items: [terms[0] as QueryNode] }, terms[1] as QueryNode] } : { type: "and", items: terms };
            const sq = strip({ where, limit, sort });
            expect(view(await apart.query("versions", sq)), JSON.stringify(sq)).toEqual(view(await memory.query("versions", sq)));
          }
        } finally {
          await apart.close?.();
          await db.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
          schemas.delete(schema);
        }
      }),
      { numRuns: Number(process.env["PG_PROPERTY_RUNS"] ?? 60) },
    );
  }, 300_000);
});
