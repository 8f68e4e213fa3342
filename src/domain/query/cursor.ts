/**
 * Opaque keyset-paging cursors (base64url JSON of the last item's sort values and key), shared by
 * every adapter that evaluates queries in memory. Browser-safe (uses `btoa`/`TextEncoder`).
 * @module
 */
import { RegistryError } from "../../errors.js";
import type { SortField } from "./ast.js";
import { sortValue, type SortableItem } from "./sort.js";

/** A decoded cursor: the sort values (in sort order) and key of the last item of the previous page. */
export interface CursorPosition {
  readonly values: readonly unknown[];
  readonly key: string;
}

function signature(sort: readonly SortField[]): string {
  return sort.map((s) => (s.direction === "desc" ? "-" : "") + s.field).join(",");
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/**
 * Encodes the position of `item` in the order of `sort` as an opaque cursor string. A query given
 * this cursor continues strictly after that position.
 */
export function encodeCursor(sort: readonly SortField[], item: SortableItem): string {
  const payload = { s: signature(sort), v: sort.map((s) => sortValue(s.field, item) ?? null), k: item.key };
  return toBase64Url(JSON.stringify(payload));
}

/**
 * Decodes a cursor made by {@link encodeCursor} for the same `sort`.
 *
 * @throws RegistryError `VALIDATION` when the cursor is malformed or was made for another sort.
 */
export function decodeCursor(cursor: string, sort: readonly SortField[]): CursorPosition {
  let payload: unknown;
  try {
    if (typeof cursor !== "string" || cursor === "" || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error("not base64url");
    payload = JSON.parse(fromBase64Url(cursor));
  } catch {
    throw new RegistryError("VALIDATION", "Invalid cursor: it is not a cursor this store handed out", { cursor: String(cursor) });
  }
  const p = payload as { s?: unknown; v?: unknown; k?: unknown } | null;
  if (p === null || typeof p !== "object" || typeof p.k !== "string" || !Array.isArray(p.v) || typeof p.s !== "string") {
    throw new RegistryError("VALIDATION", "Invalid cursor: it is not a cursor this store handed out", { cursor });
  }
  const expected = signature(sort);
  if (p.s !== expected || p.v.length !== sort.length) {
    throw new RegistryError("VALIDATION", `Invalid cursor: it was made for sort "${p.s}", not "${expected}"`, { cursor, sort: expected });
  }
  return { values: p.v as unknown[], key: p.k };
}
