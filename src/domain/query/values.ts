/**
 * Value helpers shared by the matcher, the sorter and the cursor codec: field access, UTC date
 * spans and natural string order. Pure: no I/O, no clock.
 * @module
 */
import { fieldPath } from "./ast.js";

const MAX_CACHED = 1000;
const getterCache = new Map<string, (value: unknown) => unknown>();

/**
 * Returns a function reading a query field from a record: the field's snake_case name is mapped with
 * `fieldPath()` (`created_at` -> `createdAt`) and dots walk into nested objects (`metadata.f1_score`
 * -> `metadata.f1Score`). Missing steps, arrays on the way and inherited properties read as `undefined`.
 */
export function fieldGetter(field: string): (value: unknown) => unknown {
  let getter = getterCache.get(field);
  if (getter !== undefined) return getter;
  const segments = fieldPath(field).split(".");
  if (segments.length === 1 && !((segments[0] ?? "") in Object.prototype)) {
    // Fast path: a plain field whose name no object inherits, so a plain read is an own-property read.
    const only = segments[0] ?? "";
    getter = (value) =>
      value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[only] : undefined;
  } else {
    getter = (value) => {
      let current: unknown = value;
      for (const segment of segments) {
        if (current === null || typeof current !== "object" || Array.isArray(current) || !Object.hasOwn(current, segment)) return undefined;
        current = (current as Record<string, unknown>)[segment];
      }
      return current;
    };
  }
  if (getterCache.size >= MAX_CACHED) getterCache.clear();
  getterCache.set(field, getter);
  return getter;
}

/** Reads a query field (snake_case, dots for nesting) from a record. See {@link fieldGetter}. */
export function getField(value: unknown, field: string): unknown {
  return fieldGetter(field)(value);
}

/** The string form used by equality: strings as they are, numbers and booleans by `String()`; else `undefined`. */
export function scalarString(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
      return String(value);
    default:
      return undefined;
  }
}

/** A half-open span of UTC milliseconds `[lo, hi)`: a whole day for a date-only value, one millisecond for a date-time. */
export interface DateSpan {
  readonly lo: number;
  readonly hi: number;
}

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parses a query date: `2026-01-20` (that whole UTC day) or an ISO-8601 date-time such as
 * `2026-01-20T10:30`, `2026-01-20T10:30:00.000Z` or `2026-01-20T12:30+02:00` (that millisecond; no
 * offset means UTC). Returns `undefined` for anything else, including impossible dates (`2026-02-30`).
 */
export function parseDateSpan(text: string): DateSpan | undefined {
  const m = DATE_RE.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const start = Date.UTC(year, month - 1, day);
  const check = new Date(start);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  if (m[4] === undefined) return { lo: start, hi: start + DAY_MS };
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  let offset = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offset = sign * (oh * 60 + om) * 60_000;
  }
  const t = start + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offset;
  return { lo: t, hi: t + 1 };
}

/** True for the canonical `toISOString()` form `YYYY-MM-DDTHH:mm:ss.sssZ`, which orders like its instant. */
export function isCanonicalIso(text: string): boolean {
  return (
    text.length === 24 &&
    text.charCodeAt(23) === 90 &&
    text.charCodeAt(10) === 84 &&
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(19) === 46
  );
}

/** The UTC instant of a record's date value (an ISO string or epoch milliseconds), or `undefined`. */
export function dateMs(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  if (isCanonicalIso(value)) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return parseDateSpan(value)?.lo;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Natural (numeric-aware) string order: runs of digits compare by their number, everything else by
 * UTF-16 code unit, so `v2 < v10 < v10a < v11`. Strings equal in that order (`v01`, `v1`) fall back to
 * code-unit order, so the order is total and consistent.
 */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const la = a.length;
  const lb = b.length;
  while (i < la && j < lb) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      while (ei < la && isDigit(a.charCodeAt(ei))) ei++;
      let ej = j;
      while (ej < lb && isDigit(b.charCodeAt(ej))) ej++;
      let si = i;
      while (si < ei - 1 && a.charCodeAt(si) === 48) si++;
      let sj = j;
      while (sj < ej - 1 && b.charCodeAt(sj) === 48) sj++;
      const na = ei - si;
      const nb = ej - sj;
      if (na !== nb) return na - nb;
      for (let k = 0; k < na; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d;
      }
      i = ei;
      j = ej;
    } else {
      if (ca !== cb) return ca - cb;
      i++;
      j++;
    }
  }
  const rest = la - i - (lb - j);
  if (rest !== 0) return rest;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-unit string order (what `<` does): `-1`, `0` or `1`. */
export function codeUnitCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
