/**
 * The on-disk format of the file store: file names, headers, checksummed journal lines.
 *
 * - `journal.jsonl`: a header line, then one line per commit: `<crc32 hex> <json>\n`.
 * - `snapshot.jsonl`: a header line, one JSON line per live record, the archived-keys line and a footer
 *   line carrying the CRC-32 of every byte before it.
 * - `archive.jsonl`: a header line, then checksummed lines of archived (audit) records, append-only.
 * @module
 */
import { crc32 } from "node:zlib";

/**
 * The format version this code writes; files with a higher one are refused. 2: a journal may end in NUL
 * bytes (filled ahead), and its commit lines carry their batch (`b`). Format 1 files are read as ever;
 * files of format 2 are refused by builds that only know format 1 (they would take the NULs for a torn
 * tail and cut them).
 */
export const FORMAT_VERSION = 2;

export const SNAPSHOT_FILE = "snapshot.jsonl";
export const JOURNAL_FILE = "journal.jsonl";
export const ARCHIVE_FILE = "archive.jsonl";
export const LOCK_FILE = "lock";
export const TAKEOVER_FILE = "lock.takeover";
/** Present while a process waits for the writer lock: asks a holder that keeps it across commits to hand it over, for how long (ms) the file says (see lock.ts). */
export const WANT_FILE = "lock.want";
/** A writer's claim file, `lock.claim-<token>`: hard-linked as `lock` to take the lock (see lock.ts). */
export const CLAIM_PREFIX = "lock.claim-";
export const TEMP_PREFIX = ".tmp-";

/** Collections moved out of the snapshot into the archive at compaction (DESIGN.md §5.29). */
export const ARCHIVED_COLLECTIONS: ReadonlySet<string> = new Set(["audit"]);

/** CRC-32 of UTF-8 text or bytes as 8 lower-case hex digits. */
export function checksum(data: string | Uint8Array, previous?: number): string {
  return (previous === undefined ? crc32(data) : crc32(data, previous)).toString(16).padStart(8, "0");
}

/** Running CRC-32 (for the snapshot footer). */
export function crcUpdate(data: string | Uint8Array, previous: number): number {
  return crc32(data, previous);
}

/** A checksummed line: `<crc32> <json>\n`. */
export function sealLine(json: string): string {
  return `${checksum(json)} ${json}\n`;
}

/** Header of the journal. `base` is the snapshot seq this journal continues from. */
export interface JournalHeader {
  readonly format: number;
  readonly file: "journal";
  readonly base: number;
}

/** Header of the snapshot. */
export interface SnapshotHeader {
  readonly format: number;
  readonly file: "snapshot";
  readonly seq: number;
  readonly records: number;
  readonly archiveBytes: number;
  readonly writtenAt: string;
  /**
   * The query fields (as in `fileStore({ indexes })`, plus the compound index fields) each record line's
   * `i` object was built for: under each field name, what an index reads for it (see
   * `ProjectedItem`). Absent in snapshots written before it existed; their lines have no `i`.
   */
  readonly projection?: readonly string[];
  /**
   * Record fields (`updatedAt`, `createdAt`; none of them a `projection` field) whose raw values each
   * line's `i` also holds, under their own names, for sorting (see `ProjectedItem.orderFields`). Absent
   * in snapshots written before it existed; a field also listed in `projection` is not read as one.
   */
  readonly order?: readonly string[];
}

/** One write of a journal commit line: a put (`r`, `v`) or a delete (`d: 1`). */
export type JournalWrite = { c: string; k: string; r: number; v: unknown } | { c: string; k: string; d: 1 };

/** A journal commit line's JSON. */
export interface JournalCommit {
  readonly seq: number;
  /**
   * The `seq` of the first commit of the batch this commit was written in (one write and one flush).
   * Tells a batch that a crash tore (its commits were never acknowledged) from damage in the middle of
   * the journal (see {@link scanSealedLines}). Absent in journals of format 1.
   */
  readonly b?: number;
  readonly at: string;
  readonly w: readonly JournalWrite[];
}

/** A snapshot or archive record line (`i`: a snapshot line's index projection). */
export type RecordLine = { c: string; k: string; r: number; s: number; i?: unknown; v: unknown } | { c: string; k: string; s: number; d: 1 };

const HEX = /^[0-9a-f]{8}$/;
const SPACE = 0x20;
const NEWLINE = 0x0a;

/**
 * Verifies one checksummed line (`bytes` without its newline) and returns its JSON text, or
 * `undefined` when the checksum or shape is wrong.
 */
export function openSealedLine(bytes: Buffer): string | undefined {
  if (bytes.length < 11 || bytes[8] !== SPACE) return undefined;
  const crc = bytes.toString("latin1", 0, 8);
  if (!HEX.test(crc)) return undefined;
  const body = bytes.subarray(9);
  if (checksum(body) !== crc) return undefined;
  return body.toString("utf8");
}

/**
 * Where the written part of a journal ends for a reader catching up: the first NUL byte at or after
 * `from`, else the buffer's end. A journal of format 2 may run on in NUL bytes (space the writer filled
 * ahead, so a commit's flush writes no metadata); no line holds one (JSON escapes U+0000, and UTF-8
 * encodes no other character with one).
 */
export function writtenEnd(buffer: Uint8Array, from = 0): number {
  const at = buffer.indexOf(0, from);
  return at === -1 ? buffer.length : at;
}

/** Where the NUL bytes that end `buffer` begin (its length when it does not end in one; `from` when all are). */
export function endOfData(buffer: Uint8Array, from = 0): number {
  let end = buffer.length;
  while (end > from) {
    const start = Math.max(from, end - ZEROS.length);
    if (Buffer.compare(buffer.subarray(start, end), ZEROS.subarray(0, end - start)) !== 0) break;
    end = start;
  }
  while (end > from && buffer[end - 1] === 0) end--;
  return end;
}

/** NUL bytes to compare with (see {@link endOfData}) and to fill a journal ahead with. */
export const ZEROS: Buffer = Buffer.alloc(64 * 1024);

/** The result of scanning checksummed lines. */
export interface ScanResult {
  /** Offset (within the scanned buffer) just after the last valid line before any damage. */
  readonly validEnd: number;
  /** Offset of the first damaged or incomplete line, or -1. */
  readonly damagedAt: number;
  /** True when a complete, valid line follows a damaged one and `fromLaterBatch` says it proves damage in the middle, not a torn tail. */
  readonly validAfterDamage: boolean;
}

/**
 * Scans checksummed lines in `buffer`, calling `accept(json)` for each valid one until the first
 * damaged or incomplete line. `accept` returns false to declare a checksum-valid line invalid. A valid
 * line after the damage means damage in the middle, unless `fromLaterBatch(json)` says it was written
 * in the same batch as the damaged line: a crash of the machine while a batch was written can persist
 * its later pages and not its first (the journal's space is filled ahead), and none of it was acknowledged.
 */
export function scanSealedLines(buffer: Buffer, accept: (json: string) => boolean, fromLaterBatch: (json: string) => boolean = () => true): ScanResult {
  let position = 0;
  let validEnd = 0;
  let damagedAt = -1;
  while (position < buffer.length) {
    const newline = buffer.indexOf(NEWLINE, position);
    if (newline === -1) {
      if (damagedAt === -1) damagedAt = position;
      break;
    }
    const json = openSealedLine(buffer.subarray(position, newline));
    if (damagedAt === -1) {
      if (json !== undefined && accept(json)) validEnd = newline + 1;
      else damagedAt = position;
    } else if (json !== undefined && fromLaterBatch(json)) {
      return { validEnd, damagedAt, validAfterDamage: true };
    }
    // No line holds a NUL: a run of them (a zeroed block) may end right where a line starts, with no
    // newline between. What follows the last NUL is looked at as a line of its own.
    if (json === undefined && damagedAt !== -1) {
      const nul = buffer.lastIndexOf(0, newline - 1);
      const after = nul >= position ? openSealedLine(buffer.subarray(nul + 1, newline)) : undefined;
      if (after !== undefined && fromLaterBatch(after)) return { validEnd, damagedAt, validAfterDamage: true };
    }
    position = newline + 1;
  }
  return { validEnd, damagedAt, validAfterDamage: false };
}

/** Reads the first line of a file as a header object; `undefined` when it is not a JSON object line. */
export function readHeader(buffer: Buffer): { header: Record<string, unknown>; end: number } | undefined {
  const newline = buffer.indexOf(NEWLINE);
  if (newline === -1) return undefined;
  try {
    const header = JSON.parse(buffer.toString("utf8", 0, newline)) as unknown;
    if (header === null || typeof header !== "object" || Array.isArray(header)) return undefined;
    return { header: header as Record<string, unknown>, end: newline + 1 };
  } catch {
    return undefined;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Where the last {@link readJsonString} / {@link readInteger} stopped (saves an object per call). */
let next = 0;

/** Reads the JSON string starting at `text[at]` (a `"`), leaving `next` after it. */
function readJsonString(text: string, at: number, end: number): string | undefined {
  if (text.charCodeAt(at) !== QUOTE) return undefined;
  let escaped = false;
  for (let i = at + 1; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) {
      escaped = true;
      i++;
    } else if (code === QUOTE) {
      next = i + 1;
      // A key lives as long as its record: parse it into a string of its own rather than keeping a
      // slice (which would keep the whole decoded piece of the snapshot in memory).
      if (!escaped && i - at - 1 < 13) return text.slice(at + 1, i);
      try {
        return JSON.parse(text.slice(at, i + 1)) as string;
      } catch {
        return undefined;
      }
    } else if (code < 0x20) {
      return undefined;
    }
  }
  return undefined;
}

/** Reads the non-negative integer at `text[at]` (at most 15 digits), leaving `next` after it; -1 when none. */
function readInteger(text: string, at: number, end: number): number {
  let value = 0;
  let i = at;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) break;
    value = value * 10 + (code - 0x30);
  }
  next = i;
  return i === at || i - at > 15 ? -1 : value;
}

/**
 * The position just after the projection object at `text[at]`. Its index keys are strings and arrays
 * of strings, and its sort values (`updatedAt`, `createdAt`) are usually date strings: no object inside,
 * and `},"v":` cannot occur within a JSON string, so its end is the first `},"v":`, found by `indexOf`
 * instead of a walk over every character (the walk was ~10% of an open). A projection with a `{`
 * before that (an object-valued date, a `{` within a string, an edit by hand) is walked.
 */
function projectionEnd(text: string, at: number, end: number): number {
  const close = text.indexOf('},"v":', at);
  if (close === -1 || close >= end) return -1;
  const inner = text.indexOf("{", at + 1);
  return inner === -1 || inner > close ? close + 1 : skipJsonObject(text, at, end);
}

/**
 * Receives one snapshot record: collection, key, revision, seq, the value's JSON text, and the JSON
 * text of its index projection (`i`, see {@link SnapshotHeader.projection}) when the line has one.
 */
export type RecordVisitor = (c: string, k: string, r: number, s: number, v: string, i: string | undefined) => void;

const EMPTY_PROJECTION = "{}";
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * The position just after the JSON object starting at `text[at]` (a `{`), found by matching brackets
 * outside strings; -1 when it does not close before `end`. The object is not validated here: it is
 * parsed when first used.
 */
function skipJsonObject(text: string, at: number, end: number): number {
  if (text.charCodeAt(at) !== OPEN_BRACE) return -1;
  let depth = 0;
  for (let i = at; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      for (i++; i < end; i++) {
        const inner = text.charCodeAt(i);
        if (inner === BACKSLASH) i++;
        else if (inner === QUOTE) break;
      }
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
    else if ((code === CLOSE_BRACE || code === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Reads the snapshot record line in `text[start, end)` without parsing its value and hands its parts
 * to `visit`; answers false when the line is not a record. The line the store writes,
 * `{"c":…,"k":…,"r":…,"s":…,"i":{…},"v":…}` (`i`: absent in snapshots written before it existed), is read by
 * hand; any other shape (keys in another order or spaces, as after an edit by hand) is parsed in full
 * with `JSON.parse`, and its `i` is ignored.
 */
export function readRecordLine(text: string, start: number, end: number, visit: RecordVisitor): boolean {
  fast: {
    if (!text.startsWith('{"c":', start)) break fast;
    const c = readJsonString(text, start + 5, end);
    if (c === undefined || !text.startsWith(',"k":', next)) break fast;
    const k = readJsonString(text, next + 5, end);
    if (k === undefined || !text.startsWith(',"r":', next)) break fast;
    const r = readInteger(text, next + 5, end);
    if (r < 0 || !text.startsWith(',"s":', next)) break fast;
    const s = readInteger(text, next + 5, end);
    if (s < 0) break fast;
    let i: string | undefined;
    if (text.startsWith(',"i":', next)) {
      const after = projectionEnd(text, next + 5, end);
      if (after === -1) break fast;
      // A record without indexed fields (a name, a counter) shares one string rather than a slice each.
      i = after - next === 7 ? EMPTY_PROJECTION : text.slice(next + 5, after);
      next = after;
    }
    if (!text.startsWith(',"v":', next)) break fast;
    const from = next + 5;
    if (from >= end - 1 || text.charCodeAt(end - 1) !== 0x7d) break fast;
    visit(c, k, r, s, text.slice(from, end - 1), i);
    return true;
  }
  let line: unknown;
  try {
    line = JSON.parse(text.slice(start, end));
  } catch {
    return false;
  }
  if (line === null || typeof line !== "object") return false;
  const { c, k, r, s, v } = line as Record<string, unknown>;
  if (typeof c !== "string" || typeof k !== "string" || typeof r !== "number" || typeof s !== "number" || v === undefined) return false;
  // A line in another shape was edited by hand: its projection (if any) is not trusted to match its value.
  visit(c, k, r, s, JSON.stringify(v), undefined);
  return true;
}
