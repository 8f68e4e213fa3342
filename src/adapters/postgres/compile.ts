/**
 * Compiles a query-language AST (src/domain/query/ast.ts) and a sort to SQL over `av_items`, with
 * every value passed as a parameter. The semantics mirror `matches()` (match.ts) and `compareBy()`
 * (sort.ts) term by term; see docs/postgres-store.md for the few documented differences.
 * @module
 */
import { fieldPath, isDateField, type QueryNode, type QueryTerm, type SortField } from "../../domain/query/ast.js";
import { parseDateSpan } from "../../domain/query/values.js";
import { typeRank } from "../../domain/query/sort.js";
import { eqKey, KEYED_FIELDS } from "./eq-keys.js";
import { STORED_SORT_KEYS } from "./migrations.js";
import { naturalKey } from "./natural-key.js";

/** Collects query parameters and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast === undefined ? "" : `::${cast}`}`;
  }
}

/** What compiling needs to know about the database. */
export interface CompileContext {
  /** The quoted schema name. */
  readonly schema: string;
  /** The collection queried (equality keys are per collection). */
  readonly collection: string;
  readonly params: Params;
  /** Wraps a text expression in the lower-casing that is closest to JavaScript's `toLowerCase()`. */
  readonly lower: (expr: string) => string;
}

const SAFE_SEGMENT = /^[A-Za-z0-9_]+$/;

/** The jsonb expression reading a query field (`created_at` -> `value -> 'createdAt'`), NULL when missing. */
export function fieldExpr(field: string, params: Params): string {
  let expr = "value";
  for (const segment of fieldPath(field).split(".")) {
    expr = `(${expr} -> ${SAFE_SEGMENT.test(segment) ? `'${segment}'::text` : params.add(segment, "text")})`;
  }
  return expr;
}

/** JSON text of `{ seg1: { seg2: ... inner } }` for a field path (built as text, so `__proto__` is a plain key). */
function nestJson(field: string, inner: string): string {
  const segments = fieldPath(field).split(".");
  let out = inner;
  for (let i = segments.length - 1; i >= 0; i--) out = `{${JSON.stringify(segments[i])}:${out}}`;
  return out;
}

const MAX_ISO_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MIN_ISO_MS = -62_167_219_200_000;

function isoBound(ms: number): string | undefined {
  if (ms === -Infinity) return "";
  if (ms === Infinity) return "\uffff";
  if (ms < MIN_ISO_MS || ms > MAX_ISO_MS) return undefined;
  return new Date(ms).toISOString();
}

function floatParam(ms: number, params: Params): string {
  return params.add(ms === Infinity ? "Infinity" : ms === -Infinity ? "-Infinity" : String(ms), "float8");
}

type ElementTest = (e: string) => string;

let aliasCounter = 0;

/** The candidates JSON scalars equal to `s` under `scalarString()` equality. */
function eqCandidates(s: string): string[] {
  const out = [JSON.stringify(s)];
  const num = Number(s);
  if (s.trim() !== "" && Number.isFinite(num) && String(num) === s) out.push(s);
  if (s === "true" || s === "false") out.push(s);
  return out;
}

function compileTerm(term: QueryTerm, ctx: CompileContext): string {
  const { params, schema } = ctx;
  const x = fieldExpr(term.field, params);
  if (term.op === "nil") return `(${x} IS NULL OR ${x} = 'null'::jsonb OR ${x} = '[]'::jsonb)`;

  const dateField = isDateField(term.field);
  const containment = (values: readonly string[]): string => {
    const parts: string[] = [];
    for (const s of new Set(values)) {
      for (const candidate of eqCandidates(s)) {
        parts.push(`value @> ${params.add(nestJson(term.field, candidate), "jsonb")}`);
        parts.push(`value @> ${params.add(nestJson(term.field, `[${candidate}]`), "jsonb")}`);
      }
    }
    return parts.length === 0 ? "false" : `(${parts.join(" OR ")})`;
  };
  const dateInterval = (lo: number, hi: number): ElementTest => {
    const loIso = isoBound(lo);
    const hiIso = isoBound(hi);
    const loP = floatParam(lo, params);
    const hiP = floatParam(hi, params);
    const slow = (e: string): string => `(${schema}.av_date_ms(${e}) >= ${loP} AND ${schema}.av_date_ms(${e}) < ${hiP})`;
    if (loIso === undefined || hiIso === undefined) return slow;
    const loS = params.add(loIso, "text");
    const hiS = params.add(hiIso, "text");
    return (e) =>
      `(CASE WHEN jsonb_typeof(${e}) = 'string' AND ${schema}.av_is_iso(${e} #>> '{}') ` +
      `THEN ((${e} #>> '{}') COLLATE "C" >= ${loS} AND (${e} #>> '{}') COLLATE "C" < ${hiS}) ELSE ${slow(e)} END)`;
  };
  const anyElement = (test: ElementTest): string => {
    aliasCounter = (aliasCounter + 1) % 1_000_000;
    const alias = `av_e${aliasCounter}`;
    return (
      `coalesce(CASE jsonb_typeof(${x}) WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(${x}) AS ${alias}(e) WHERE ${test(`${alias}.e`)}) ` +
      `ELSE ${test(x)} END, false)`
    );
  };
  const orderTest = (value: string, op: ">" | ">=" | "<" | "<="): ElementTest => {
    const num = value.trim() === "" ? Number.NaN : Number(value);
    const numP = Number.isNaN(num) ? undefined : params.add(Number.isFinite(num) ? String(num) : num > 0 ? "Infinity" : "-Infinity", "numeric");
    const textP = params.add(value, "text");
    return (e) =>
      `(CASE jsonb_typeof(${e}) WHEN 'number' THEN ${numP === undefined ? "false" : `(${e} #>> '{}')::numeric ${op} ${numP}`} ` +
      `WHEN 'string' THEN (${e} #>> '{}') COLLATE "C" ${op} ${textP} WHEN 'boolean' THEN (${e} #>> '{}') COLLATE "C" ${op} ${textP} ELSE false END)`;
  };

  switch (term.op) {
    case "eq": {
      const span = dateField ? parseDateSpan(term.value) : undefined;
      if (span !== undefined) return anyElement(dateInterval(span.lo, span.hi));
      return containment([term.value]);
    }
    case "in": {
      const parts = [containment(term.value)];
      if (dateField) {
        for (const v of term.value) {
          const span = parseDateSpan(v);
          if (span !== undefined) parts.push(anyElement(dateInterval(span.lo, span.hi)));
        }
      }
      return parts.length === 1 ? (parts[0] as string) : `(${parts.join(" OR ")})`;
    }
    case "like": {
      const pattern = term.value
        .toLowerCase()
        .split("%")
        .map((part) => part.replace(/[\\%_]/g, (c) => `\\${c}`))
        .join("%");
      const p = params.add(pattern, "text");
      return anyElement((e) => `(jsonb_typeof(${e}) IN ('string', 'number', 'boolean') AND ${ctx.lower(`(${e} #>> '{}')`)} LIKE ${p})`);
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      if (dateField) {
        const span = parseDateSpan(term.value);
        if (span === undefined) return "false";
        const test =
          term.op === "gt"
            ? dateInterval(span.hi, Infinity)
            : term.op === "gte"
              ? dateInterval(span.lo, Infinity)
              : term.op === "lt"
                ? dateInterval(-Infinity, span.lo)
                : dateInterval(-Infinity, span.hi);
        return anyElement(test);
      }
      const op = term.op === "gt" ? ">" : term.op === "gte" ? ">=" : term.op === "lt" ? "<" : "<=";
      return anyElement(orderTest(term.value, op));
    }
    case "range": {
      const [from, to] = term.value;
      if (dateField) {
        const a = parseDateSpan(from);
        const b = parseDateSpan(to);
        if (a === undefined || b === undefined) return "false";
        return anyElement(dateInterval(a.lo, b.hi));
      }
      const lower = orderTest(from, ">=");
      const upper = orderTest(to, "<=");
      return anyElement((e) => `(${lower(e)} AND ${upper(e)})`);
    }
  }
}

/** True for an `eq`/`in` term answered by the `eq_keys` column (eq-keys.ts). */
function isKeyedTerm(node: QueryNode): node is QueryTerm & { op: "eq" | "in" } {
  return node.type === "term" && (node.op === "eq" || node.op === "in") && KEYED_FIELDS.has(node.field);
}

/** `eq_keys @> ARRAY[...]` for the `eq` terms of one conjunction, one `eq_keys && ARRAY[...]` per `in` term. */
function keyedConditions(terms: readonly (QueryTerm & { op: "eq" | "in" })[], ctx: CompileContext): string[] {
  const all = new Set<string>();
  const out: string[] = [];
  for (const term of terms) {
    if (term.op === "eq") all.add(eqKey(ctx.collection, term.field, term.value as string));
    else out.push(`eq_keys && ${ctx.params.add([...new Set((term.value as string[]).map((v) => eqKey(ctx.collection, term.field, v)))], "text[]")}`);
  }
  if (all.size > 0) out.unshift(`eq_keys @> ${ctx.params.add([...all], "text[]")}`);
  return out;
}

/** The items of nested `and` nodes, flattened (`and(and(a, b), c)` -> `[a, b, c]`). */
export function conjuncts(node: QueryNode): QueryNode[] {
  return node.type === "and" ? node.items.flatMap(conjuncts) : [node];
}

/** SQL for a (validated) query node: a boolean expression that is never NULL. */
export function compileWhere(node: QueryNode | null | undefined, ctx: CompileContext): string {
  if (node === null || node === undefined) return "true";
  switch (node.type) {
    case "and": {
      const items = conjuncts(node);
      if (items.length === 0) return "true";
      // The equality terms on keyed fields become one GIN-indexable condition.
      const keyed = keyedConditions(items.filter(isKeyedTerm), ctx);
      const rest = items.filter((item) => !isKeyedTerm(item)).map((item) => compileWhere(item, ctx));
      return `(${[...keyed, ...rest].join(" AND ")})`;
    }
    case "or":
      return node.items.length === 0 ? "false" : `(${node.items.map((item) => compileWhere(item, ctx)).join(" OR ")})`;
    case "not":
      return `(NOT ${compileWhere(node.item, ctx)})`;
    case "term":
      // never NULL: containment and nil tests are not, and every element test is wrapped in coalesce()
      if (isKeyedTerm(node)) return `(${keyedConditions([node], ctx).join(" AND ")})`;
      return compileTerm(node, ctx);
  }
}

/**
 * True when every row matching `node` has an equality key of the collection: then `collection = $1`
 * is implied, and a count can be answered by the `eq_keys` GIN index alone.
 */
export function impliesCollection(node: QueryNode | null | undefined): boolean {
  if (node === null || node === undefined) return false;
  return conjuncts(node).some((item) => isKeyedTerm(item) && (item.op === "eq" || (item.value as string[]).length > 0));
}

/** One sort field as SQL: its key columns (compared as a row) and the direction. */
export interface SortColumns {
  readonly columns: readonly string[];
  readonly direction: "asc" | "desc";
  /** The parameters of a position value, as SQL placeholders, in the order of `columns`. */
  readonly position: (value: unknown) => string[];
}


/** The SQL sort key of each sort field, mirroring `compareValues()`. */
export function compileSort(sort: readonly SortField[], ctx: CompileContext): SortColumns[] {
  const { schema, params } = ctx;
  return sort.map((s) => {
    if (s.field === "seq") {
      return { columns: ["seq"], direction: s.direction, position: (v) => [params.add(typeof v === "number" ? String(v) : "0", "bigint")] };
    }
    const path = fieldPath(s.field);
    // createdAt / updatedAt: the stored keys of migration 3 (the same values, without reading the jsonb per row).
    const stored = Object.hasOwn(STORED_SORT_KEYS, path) ? STORED_SORT_KEYS[path] : undefined;
    const natural = s.field === "name";
    let columns: string[];
    if (stored !== undefined) columns = [`${stored}_rank`, `${stored}_num`, `(${stored}_str COLLATE "C")`, `${stored}_other`];
    else {
      const x = fieldExpr(s.field, params);
      const str = natural ? `(coalesce(name_key, '') COLLATE "C")` : `(${schema}.av_str(${x}) COLLATE "C")`;
      columns = [`${schema}.av_rank(${x})`, `${schema}.av_num(${x})`, str, `${schema}.av_other(${x})`];
    }
    return {
      columns,
      direction: s.direction,
      position: (v) => {
        const rank = typeRank(v);
        const num = rank === 2 ? String(v) : rank === 1 ? (v ? "1" : "0") : "0";
        const text = rank === 3 ? (natural ? naturalKey(v as string) : (v as string)) : "";
        const other = rank >= 4 ? JSON.stringify(v) : "null";
        return [params.add(String(rank), "integer"), params.add(num, "numeric"), params.add(text, "text"), params.add(other, "jsonb")];
      },
    };
  });
}

/** `ORDER BY` terms for the sort columns (optionally qualified by a table alias) then `key`. */
export function orderBy(sorts: readonly SortColumns[], alias?: (index: number) => string, keyExpr = "key"): string {
  const terms: string[] = [];
  let n = 0;
  for (const s of sorts) {
    for (const column of s.columns) {
      terms.push(`${alias === undefined ? column : alias(n)} ${s.direction === "desc" ? "DESC" : "ASC"}`);
      n++;
    }
  }
  terms.push(`${keyExpr} ASC`);
  return terms.join(", ");
}

/** The keyset condition "strictly after this position" for the sort columns. */
export function afterPosition(sorts: readonly SortColumns[], values: readonly unknown[], key: string, params: Params): string {
  const equal: string[] = [];
  const alternatives: string[] = [];
  sorts.forEach((s, i) => {
    const position = s.position(values[i] ?? null);
    const row = `(${s.columns.join(", ")})`;
    const at = `(${position.join(", ")})`;
    const cmp = s.columns.length === 1 ? `${s.columns[0]} ${s.direction === "desc" ? "<" : ">"} ${position[0]}` : `${row} ${s.direction === "desc" ? "<" : ">"} ${at}`;
    alternatives.push([...equal, cmp].join(" AND "));
    equal.push(s.columns.length === 1 ? `${s.columns[0]} = ${position[0]}` : `${row} = ${at}`);
  });
  alternatives.push([...equal, `key > ${params.add(key, "text")}`].join(" AND "));
  return `(${alternatives.map((a) => `(${a})`).join(" OR ")})`;
}
