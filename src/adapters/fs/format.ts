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

/** The format version this code writes; files with a higher one are refused. */
export const FORMAT_VERSION = 1;

export const SNAPSHOT_FILE = "snapshot.jsonl";
export const JOURNAL_FILE = "journal.jsonl";
export const ARCHIVE_FILE = "archive.jsonl";
export const LOCK_FILE = "lock";
export const TAKEOVER_FILE = "lock.takeover";
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
}

/** One write of a journal commit line: a put (`r`, `v`) or a delete (`d: 1`). */
export type JournalWrite = { c: string; k: string; r: number; v: unknown } | { c: string; k: string; d: 1 };

/** A journal commit line's JSON. */
export interface JournalCommit {
  readonly seq: number;
  readonly at: string;
  readonly w: readonly JournalWrite[];
}

/** A snapshot or archive record line. */
export type RecordLine = { c: string; k: string; r: number; s: number; v: unknown } | { c: string; k: string; s: number; d: 1 };

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

/** The result of scanning checksummed lines. */
export interface ScanResult {
  /** Offset (within the scanned buffer) just after the last valid line before any damage. */
  readonly validEnd: number;
  /** Offset of the first damaged or incomplete line, or -1. */
  readonly damagedAt: number;
  /** True when a complete, valid line follows a damaged one (damage in the middle, not a torn tail). */
  readonly validAfterDamage: boolean;
}

/**
 * Scans checksummed lines in `buffer`, calling `accept(json)` for each valid one until the first
 * damaged or incomplete line. `accept` returns false to declare a checksum-valid line invalid.
 */
export function scanSealedLines(buffer: Buffer, accept: (json: string) => boolean): ScanResult {
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
    } else if (json !== undefined) {
      return { validEnd, damagedAt, validAfterDamage: true };
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
