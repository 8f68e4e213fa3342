/**
 * Evaluates a query AST against a record in memory (DESIGN.md §2, §5.20-22).
 * @module
 */
import { RegistryError } from "../../errors.js";
import { isDateField, type QueryNode, type QueryTerm } from "./ast.js";
import { dateMs, fieldGetter, isCanonicalIso, parseDateSpan, scalarString } from "./values.js";

/** A compiled query: true when the record matches. */
export type QueryPredicate = (value: unknown) => boolean;

const compiled = new WeakMap<object, QueryPredicate>();
const matchAll: QueryPredicate = () => true;

/**
 * Compiles a query AST into a predicate over records, for evaluating one query against many records
 * (the result is cached per AST object). `null`/`undefined` matches everything.
 *
 * @throws RegistryError `VALIDATION` for a malformed AST (unknown node type or operator, wrong value shape).
 */
export function compileQuery(where: QueryNode | null | undefined): QueryPredicate {
  if (where === null || where === undefined) return matchAll;
  if (typeof where !== "object") throw invalid("a query node must be an object", where);
  const cached = compiled.get(where);
  if (cached !== undefined) return cached;
  const predicate = build(where);
  compiled.set(where, predicate);
  return predicate;
}

/**
 * True when `value` (a record) matches the query `where`; `null`/`undefined` matches everything.
 *
 * Semantics: `eq` is case-sensitive equality (numbers and booleans compare by their string form, so
 * `is_promoted:true` works); `like` with `%` wildcards is anchored and case-insensitive; `in` is
 * membership; `nil` matches null, a missing field and an empty array; `gt`/`gte`/`lt`/`lte`/`range`
 * compare numbers numerically, date fields (`created_at`, any `*_at`) as UTC dates where a date-only
 * value means its whole day, and other strings by code unit. On an array field (tags, contributors) a
 * term holds when any element satisfies it: `eq` means contains, `in` overlaps, `like` any element matches.
 *
 * @example
 * ```ts
 * matches(parseQuery("stage:production, tags:a|b"), version) // true or false
 * ```
 * @throws RegistryError `VALIDATION` for a malformed AST.
 */
export function matches(where: QueryNode | null | undefined, value: unknown): boolean {
  return compileQuery(where)(value);
}

function invalid(message: string, node: unknown): RegistryError {
  let shown: unknown;
  try {
    shown = JSON.parse(JSON.stringify(node) ?? "null");
  } catch {
    shown = String(node);
  }
  return new RegistryError("VALIDATION", `Invalid query: ${message}`, { node: shown });
}

function build(node: QueryNode): QueryPredicate {
  switch (node.type) {
    case "and": {
      if (!Array.isArray(node.items)) throw invalid("an 'and' node needs an items array", node);
      const parts = node.items.map((item) => compileQuery(item));
      if (parts.length === 1) return parts[0] ?? matchAll;
      return (value) => {
        for (const part of parts) if (!part(value)) return false;
        return true;
      };
    }
    case "or": {
      if (!Array.isArray(node.items)) throw invalid("an 'or' node needs an items array", node);
      const parts = node.items.map((item) => compileQuery(item));
      if (parts.length === 1) return parts[0] ?? matchAll;
      return (value) => {
        for (const part of parts) if (part(value)) return true;
        return false;
      };
    }
    case "not": {
      const inner = compileQuery(node.item);
      return (value) => !inner(value);
    }
    case "term":
      return buildTerm(node);
    default:
      throw invalid(`unknown node type ${JSON.stringify((node as { type?: unknown }).type)}`, node);
  }
}

function buildTerm(term: QueryTerm): QueryPredicate {
  if (typeof term.field !== "string" || term.field === "") throw invalid("a term needs a field name", term);
  const get = fieldGetter(term.field);
  if (term.op === "nil") {
    return (value) => {
      const x = get(value);
      return x === null || x === undefined || (Array.isArray(x) && x.length === 0);
    };
  }
  const test = scalarTest(term);
  return (value) => {
    const x = get(value);
    if (x === null || x === undefined) return false;
    if (Array.isArray(x)) {
      for (const element of x) if (element !== null && element !== undefined && test(element)) return true;
      return false;
    }
    return test(x);
  };
}

function expectString(term: QueryTerm, value: unknown): string {
  if (typeof value !== "string") throw invalid(`the '${term.op}' term on '${term.field}' needs a string value`, term);
  return value;
}

/** A test for one non-null, non-array value. */
function scalarTest(term: QueryTerm): (x: unknown) => boolean {
  const dateField = isDateField(term.field);
  switch (term.op) {
    case "eq": {
      const value = expectString(term, term.value);
      const span = dateField ? parseDateSpan(value) : undefined;
      if (span !== undefined) return dateInterval(span.lo, span.hi);
      return (x) => scalarString(x) === value;
    }
    case "in": {
      if (!Array.isArray(term.value)) throw invalid(`the 'in' term on '${term.field}' needs an array of strings`, term);
      const values = term.value.map((v) => expectString(term, v));
      const set = new Set(values);
      const dateTests = dateField
        ? values.flatMap((v) => {
            const span = parseDateSpan(v);
            return span === undefined ? [] : [dateInterval(span.lo, span.hi)];
          })
        : [];
      if (dateTests.length === 0) return (x) => {
        const s = scalarString(x);
        return s !== undefined && set.has(s);
      };
      return (x) => {
        const s = scalarString(x);
        if (s !== undefined && set.has(s)) return true;
        for (const t of dateTests) if (t(x)) return true;
        return false;
      };
    }
    case "like": {
      const match = likeMatcher(expectString(term, term.value));
      return (x) => {
        const s = scalarString(x);
        return s !== undefined && match(s);
      };
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const value = expectString(term, term.value);
      if (dateField) {
        const span = parseDateSpan(value);
        if (span === undefined) return () => false;
        switch (term.op) {
          case "gt":
            return dateInterval(span.hi, Infinity);
          case "gte":
            return dateInterval(span.lo, Infinity);
          case "lt":
            return dateInterval(-Infinity, span.lo);
          default:
            return dateInterval(-Infinity, span.hi);
        }
      }
      const cmp = orderTest(value);
      switch (term.op) {
        case "gt":
          return (x) => cmp(x) > 0;
        case "gte":
          return (x) => cmp(x) >= 0;
        case "lt":
          return (x) => cmp(x) < 0;
        default:
          return (x) => cmp(x) <= 0;
      }
    }
    case "range": {
      const bounds = term.value as unknown;
      if (!Array.isArray(bounds) || bounds.length !== 2) throw invalid(`the 'range' term on '${term.field}' needs two values`, term);
      const from = expectString(term, bounds[0]);
      const to = expectString(term, bounds[1]);
      if (dateField) {
        const a = parseDateSpan(from);
        const b = parseDateSpan(to);
        if (a === undefined || b === undefined) return () => false;
        return dateInterval(a.lo, b.hi);
      }
      const lower = orderTest(from);
      const upper = orderTest(to);
      return (x) => lower(x) >= 0 && upper(x) <= 0;
    }
    default:
      throw invalid(`unknown operator ${JSON.stringify((term as { op?: unknown }).op)}`, term);
  }
}

/**
 * Compares a record value with a query value: numbers numerically (when the query value is a number),
 * other scalars by code unit of their string form. Answers NaN when they are not comparable (every
 * comparison with NaN is false).
 */
function orderTest(value: string): (x: unknown) => number {
  const num = value.trim() === "" ? Number.NaN : Number(value);
  return (x) => {
    if (typeof x === "number") return Number.isNaN(num) ? Number.NaN : x - num;
    const s = scalarString(x);
    if (s === undefined) return Number.NaN;
    return s < value ? -1 : s > value ? 1 : 0;
  };
}

const MAX_ISO_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MIN_ISO_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z

function isoBound(ms: number): string | undefined {
  if (ms === -Infinity) return "";
  if (ms === Infinity) return "\uffff";
  if (ms < MIN_ISO_MS || ms > MAX_ISO_MS) return undefined;
  return new Date(ms).toISOString();
}

/** A test for `lo <= instant(x) < hi`, comparing canonical ISO strings without parsing them. */
function dateInterval(lo: number, hi: number): (x: unknown) => boolean {
  const loIso = isoBound(lo);
  const hiIso = isoBound(hi);
  const fast = loIso !== undefined && hiIso !== undefined;
  return (x) => {
    if (fast && typeof x === "string" && isCanonicalIso(x)) return x >= (loIso as string) && x < (hiIso as string);
    const ms = dateMs(x);
    return ms !== undefined && ms >= lo && ms < hi;
  };
}

/**
 * Compiles a `like` pattern: `%` matches any run of characters (also none), everything else matches
 * itself case-insensitively (JavaScript `toLowerCase()`), and the pattern is anchored at both ends.
 */
export function likeMatcher(pattern: string): (text: string) => boolean {
  const parts = pattern.toLowerCase().split("%");
  if (parts.length === 1) {
    const whole = parts[0] ?? "";
    return (text) => text.toLowerCase() === whole;
  }
  const first = parts[0] ?? "";
  const last = parts[parts.length - 1] ?? "";
  const middle = parts.slice(1, -1).filter((p) => p !== "");
  const minLength = first.length + last.length + middle.reduce((n, p) => n + p.length, 0);
  return (text) => {
    const t = text.toLowerCase();
    if (t.length < minLength || !t.startsWith(first) || !t.endsWith(last)) return false;
    let at = first.length;
    const end = t.length - last.length;
    for (const part of middle) {
      const found = t.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}
