/**
 * `fileStore()`: the durable filesystem adapter (DESIGN.md §4, §5.28-31, 43, 44).
 *
 * State lives in memory (one {@link MemoryTable} per collection, the memory store's own query engine);
 * the directory holds a compacted snapshot, an append-only journal of commits (one checksummed line
 * each) and an append-only archive of audit entries. See docs/filesystem-store.md.
 * @module
 */
import { deepFreeze } from "../../domain/freeze.js";
import { join, resolve as resolvePath } from "node:path";
import { nanoid } from "nanoid";
import { RegistryError } from "../../errors.js";
import type { JsonValue } from "../../domain/json.js";
import { DEFAULT_INDEXED_FIELDS, MemoryTable, type MemoryTableOptions } from "../../store/memory.js";
import { fieldGetter } from "../../domain/query/values.js";
import { indexedFields, projectedField, type ProjectedItem } from "../../store/memory-table.js";
import type { CommitResult, Store, StoredItem, StoreQuery, StoreQueryResult, Write } from "../../store/store.js";
import { checkCollection, checkKey, checkWrites, jsonTextOf } from "../../store/write-validation.js";
import { isFrozenJsonCopy } from "../../domain/json-copy.js";
import {
  ARCHIVE_FILE,
  ARCHIVED_COLLECTIONS,
  FORMAT_VERSION,
  JOURNAL_FILE,
  SNAPSHOT_FILE,
  TEMP_PREFIX,
  checksum,
  crcUpdate,
  readHeader,
  readRecordLine,
  scanSealedLines,
  writtenEnd,
  endOfData,
  ZEROS,
  sealLine,
  type JournalCommit,
  type RecordLine,
} from "./format.js";
import { checkFileStoreFs, fsyncDirectory, isMissing, ownAsyncCall, readAll, readIfExists, realFs, writeAll, type FileStoreFs } from "./fs-seam.js";
import { DirectoryLock } from "./lock.js";

/** Options of {@link fileStore}. */
export interface FileStoreOptions {
  /** The directory of the store; created (with its parents) when missing. */
  readonly dir: string;
  /**
   * `"full"` (default): a resolved commit is on disk (journal fdatasync'ed; files and the directory
   * fsync'ed where files were created or renamed). `"none"`: no fsync at all, for tests only: a power
   * loss may lose or tear recent commits (a crash of the process alone loses nothing).
   */
  readonly durability?: "full" | "none";
  /** Receives warnings (a torn journal tail dropped, a stale lock taken over). Default: `process.emitWarning`. */
  readonly onWarning?: (message: string) => void;
  /** How long a commit waits for another process's writer lock before failing with `STORAGE`. Default 10,000 ms. */
  readonly lockTimeoutMs?: number;
  /**
   * Compact when the journal grows past this many bytes. Default: the larger of 8 MiB and a quarter
   * of the snapshot. Each compaction rewrites the whole snapshot, and reading a journal at open costs
   * about three times what the snapshot costs per byte: a large store's journal stays within a quarter
   * of its snapshot (open at most ~1.75x a freshly compacted one), and a small store's within 8 MiB
   * (~0.1 s more at open, at worst, on the development VM).
   */
  readonly compactionBytes?: number;
  /** Record fields kept in equality indexes (as in `memoryStore({ indexes })`). */
  readonly indexes?: readonly string[];
  /** The file-system calls to use (a seam for fault injection in tests). Default: `node:fs`. */
  readonly fs?: FileStoreFs;
}

/** A {@link Store} kept in a directory. `refresh()` and `close()` are always present. */
export interface FileStore extends Store {
  /** The absolute path of the store's directory. */
  readonly dir: string;
  /** Reads commits other processes appended since the last look (cheap: one `stat` and one small read when nothing changed). */
  refresh(): Promise<void>;
  /** Waits for pending commits, releases the lock; later calls reject with `STORAGE`. */
  close(): Promise<void>;
  /** Writes a fresh snapshot now, moves audit entries to the archive and starts an empty journal. */
  compact(): Promise<void>;
}

/**
 * The journal size below which a store never compacts on its own (see `compactionBytes`). At 4 MiB, a
 * store of 10,000 versions spent ~47 of its ~84 CPU µs per register (64 in flight) rewriting its
 * snapshot; 8 MiB halves that, for at most ~50 ms more at open (a full journal: 146-191 ms against
 * 105-144 ms at 10,000 versions, 103-130 against 57-69 ms at 1,000).
 */
const MIN_COMPACTION_BYTES = 8 * 1024 * 1024;
/**
 * Record fields whose raw values each snapshot line also projects (header `order`): what the usual lists
 * sort by (the registry's default `-updated_at`, creation time, and the name of a version, run or
 * project). A first list after open then sorts its matches, a whole project's versions included,
 * without parsing their values.
 */
const ORDER_PROJECTION_FIELDS: readonly string[] = Object.freeze(["updatedAt", "createdAt", "name"]);
/** A compaction reads the snapshot it copies from in pieces of this many bytes, with a turn of the event loop between them. */
const COMPACTION_READ_SLICE = 4 * 1024 * 1024;
/** A compaction serialises and writes about this much between two turns of the event loop. */
const COMPACTION_SLICE = 1024 * 1024;
const ARCHIVED_KEYS_PREFIX = '{"archivedKeys":';
/**
 * The snapshot is decoded to text in pieces of about this many bytes (cut at line ends). Unread
 * values are slices of a piece and keep it in memory; small pieces let the text of a collection be
 * freed once its records are parsed (collections are contiguous in the snapshot).
 */
const SNAPSHOT_DECODE_CHUNK = 1024 * 1024;
/**
 * Journal flushes run on the main thread (`fdatasyncSync`) while they take less than this on average
 * (ms), and on the thread pool otherwise. On a fast disk the thread-pool round trip costs more CPU and
 * latency than the flush itself (measured: ~50 µs in the call, ~80 µs CPU more per commit than the
 * synchronous call); on a slow disk the event loop stays free while the flush runs.
 */
const SYNC_FLUSH_LIMIT_MS = 2;
/**
 * With synchronous flushes, batches follow each other without a turn of the event loop (a turn cost
 * ~40-50 CPU µs per sequential durable register), but at least this often the next batch waits for
 * one, so a long run of commits cannot starve timers and I/O.
 */
const EVENT_LOOP_TURN_MS = 5;
/**
 * The journal stays open between batches, except on Windows, where a file held open cannot be
 * replaced by a rename (compaction, in this process or another).
 */
const KEEP_JOURNAL_OPEN = process.platform !== "win32";
/**
 * A store keeping the writer lock across back-to-back commits looks for another process's request
 * (`lock.want`) at most this often (ms): one `stat` per few batches of a sequential writer.
 */
const WANT_CHECK_MS = 2;
/**
 * After handing the lock over, this store does not try to take it back until the waiter took it
 * (removing `lock.want`) or this long (ms) has passed: longer than a waiter's slowest poll (30 ms),
 * short enough that a request left by a process that died only costs one such pause. A waiter whose
 * polls come further apart (its event loop is busy) asks for a longer window, up to {@link MAX_HAND_OVER_MS}.
 */
const HAND_OVER_MS = 50;
/** The longest window a request may ask for (ms): what a request left by a process that died can cost, once. */
const MAX_HAND_OVER_MS = 1_000;
/** A hand-over window (ms) within [{@link HAND_OVER_MS}, {@link MAX_HAND_OVER_MS}]: what a waiter asks for, and what a holder grants. */
function handOverWindow(ms: number): number {
  return Math.min(MAX_HAND_OVER_MS, Math.max(HAND_OVER_MS, ms));
}
/** How many of its last gaps between tries a waiting store's request is based on (see `windowToAskFor`). */
const POLL_GAPS_KEPT = 4;
/** Who waits for the writer lock in {@link FileStoreEngine.waitForLock}: the commit queue, or `compact()`. */
interface LockWaiter {
  /** The store took the lock. */
  acquired(): void;
  /** The wait ended without it: `error` (a timeout, a failed attempt), or `undefined` when the store was closed or failed meanwhile. */
  failed(error: RegistryError | undefined): void;
}
/** Stores keeping the writer lock until their callers' microtasks end: released if the process exits first. */
const lingering = new Set<FileStoreEngine>();
let exitHookInstalled = false;
/**
 * What this process's stores of one directory know of each other: which holds the lock, which wait for
 * it (they do not ask each other through `lock.want`: the holder sees them here, and giving the lock up
 * wakes them), and until when, after a hand-over to another process, none of them takes it back.
 */
interface LocalDirectory {
  holder: FileStoreEngine | undefined;
  readonly waiters: Set<() => void>;
  handOverUntil: number;
  /** Set while lock.want may hold a request of a store of this process: whichever of them takes the lock removes it. */
  asked: boolean;
}
const localDirectories = new Map<string, LocalDirectory>();

function localDirectory(dir: string): LocalDirectory {
  let local = localDirectories.get(dir);
  if (local === undefined) localDirectories.set(dir, (local = { holder: undefined, waiters: new Set(), handOverUntil: 0, asked: false }));
  return local;
}

/** Drops the entry of a directory nobody of this process holds or waits for. */
function forgetIfIdle(dir: string, local: LocalDirectory): void {
  if (local.holder === undefined && local.waiters.size === 0 && local.handOverUntil === 0 && !local.asked && localDirectories.get(dir) === local) localDirectories.delete(dir);
}

/** `process.exit()` right after a commit ends the process before the lock is released: release it on exit. */
function releaseLingeringOnExit(engine: FileStoreEngine): void {
  lingering.add(engine);
  if (exitHookInstalled || typeof process.once !== "function") return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const held of lingering) held.releaseOnExit();
  });
}
const EMPTY_TABLE = new MemoryTable({ indexes: [], compoundIndexes: [] });

interface PreparedWrite {
  readonly op: "put" | "delete" | "check";
  readonly collection: string;
  readonly key: string;
  readonly expect: number;
  readonly text?: string;
  readonly value?: JsonValue;
}

interface Pending {
  readonly writes: readonly PreparedWrite[];
  readonly resolve: (result: CommitResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Applied {
  readonly seq: number;
  /** The commit line's JSON after its `seq` and batch (`b`), which are set when the batch is written. */
  readonly body: string;
  readonly resolve: (result: CommitResult) => void;
  readonly reject: (error: unknown) => void;
}

interface JournalPosition {
  readonly ino: number;
  readonly dev: number;
  /** Bytes of the journal known to be valid and applied (the header included): where the next commit goes. */
  size: number;
  /**
   * The file's size as last seen: past `size` it holds NUL bytes, filled ahead by a writer (see
   * {@link JOURNAL_FILL_MAX}), except after a crash while writing (see `tailChecked`).
   */
  allocated: number;
  /**
   * True once this store checked, holding the lock, that every byte past `size` is NUL (or cut what was
   * not). A crash of the machine can leave pieces of an unacknowledged batch past a run of NULs, where
   * readers (who stop at the first NUL) do not see them but a later append could run into them.
   */
  tailChecked: boolean;
  /**
   * Set when this journal's commits are appended, not written into space filled ahead: filling failed
   * (a full disk), or the journal is of format 1, which builds that only know format 1 must still read.
   */
  appendOnly?: true;
  readonly headerBytes: number;
  /** The header line as written (with its `id`): tells this journal from a later one that got its inode number. */
  readonly header: Buffer;
}

/**
 * A durable store fills the journal ahead of its commits with NUL bytes, so a commit's `fdatasync`
 * overwrites space the file already has: no size or block allocation to write, as PostgreSQL's
 * pre-zeroed WAL segments. Measured on the development VM, append 2 KB + fdatasync: 147-188 µs;
 * the same into filled space: 93-108 µs. It fills this many bytes past a commit when the file ends
 * there (or as much as the journal already holds, if less, but at least {@link JOURNAL_FILL_MIN}).
 */
const JOURNAL_FILL_MAX = 1024 * 1024;
/** The least a journal is filled ahead by (see {@link JOURNAL_FILL_MAX}): small stores stay small. */
const JOURNAL_FILL_MIN = 64 * 1024;
/** A reader looks for new commits past its position with a read of this many bytes first (then of growing pieces while they are all commits). */
const JOURNAL_READ_FIRST = 512;
/** The buffer of that first read, shared: most find only NULs (nothing new). */
const journalProbe = Buffer.allocUnsafe(JOURNAL_READ_FIRST);

const EMPTY_BUFFER = Buffer.alloc(0);

/** A new journal's header line: `id` makes every journal's header different, even with the same `base`. */
function journalHeader(base: number): Buffer {
  return Buffer.from(JSON.stringify({ format: FORMAT_VERSION, file: "journal", base, id: nanoid() }) + "\n");
}

function storageError(message: string, details: Record<string, unknown> = {}, cause?: unknown): RegistryError {
  return new RegistryError("STORAGE", message, details, cause === undefined ? undefined : { cause });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}


function expose(item: StoredItem): StoredItem {
  deepFreeze(item.value);
  return item;
}

function prepare(writes: readonly Write[]): PreparedWrite[] {
  return checkWrites(writes, ({ op, collection, key, expect, value }): PreparedWrite => {
    if (op !== "put") return { op, collection, key, expect };
    const text = jsonTextOf(value, collection, key);
    // A frozen JSON copy (what the registry hands over) is already what parsing the text would give.
    // Any other value is kept as its text, parsed when first read (see LazyRow): the caller may
    // change its object after the call, and many records (audit entries) are never read back.
    return isFrozenJsonCopy(value) ? { op, collection, key, expect, text, value } : { op, collection, key, expect, text };
  });
}

/**
 * Where the record lines of the snapshot on disk are, for the store that loaded or wrote it: a
 * compaction copies the line of every row unchanged since (found by its line number) from that file
 * instead of serialising the row again. The file is checked before: the same header line (which holds
 * a random `id`), and its checksum.
 */
interface SnapshotLines {
  /** The file's header line, as written. */
  readonly header: Buffer;
  /** Where the record lines begin (after the header line). */
  readonly bodyStart: number;
  /** How many record lines there are. */
  readonly records: number;
  /**
   * Byte offsets: record line `n` is `starts[n]` up to `starts[n + 1]`. Found by the first compaction
   * that copies from a snapshot this store loaded (not at open: a search per line costs ~60 ms at
   * 100,000 versions); known from the start for one it wrote.
   */
  starts: Float64Array | undefined;
  /** The projection shape of its lines (see {@link shapeKey}): copied only into a snapshot of the same shape. */
  readonly projectionKey: string | undefined;
}

/** What the rows of one collection share: its name and the projection fields of the snapshot they came from. */
interface LazySource {
  readonly collection: string;
  readonly projectionFields: ReadonlySet<string> | undefined;
  /** The fields whose raw values the projections hold for sorting (see {@link ProjectedItem.orderFields}). */
  readonly orderFields: ReadonlySet<string> | undefined;
  /** Both kinds of fields, joined: a compaction with the same fields reuses a row's projection text. */
  readonly projectionKey: string | undefined;
  /** How many of the collection's lazy rows still hold their value as text (shared by its sources). */
  readonly tally: { unparsed: number };
}

/** The fields a snapshot line's projection holds: index keys of `fields`, raw values of `order`. */
interface ProjectionShape {
  readonly fields: readonly string[];
  readonly order: readonly string[];
}

/** The shape projecting `fields` as index keys and the rest of `order` as raw values (a field is never both). */
function projectionShape(fields: readonly string[], order: readonly string[]): ProjectionShape {
  return { fields, order: order.filter((field) => !fields.includes(field)) };
}

/** The key of a projection shape (see {@link LazySource.projectionKey}). */
function shapeKey(shape: ProjectionShape): string {
  return `${shape.fields.join("\u0000")}\u0001${shape.order.join("\u0000")}`;
}

/** The source of rows whose projection is built for `shape` (a collection's snapshot's, or this store's own). */
function lazySource(collection: string, shape: ProjectionShape | undefined, tally: { unparsed: number }): LazySource {
  if (shape === undefined) return { collection, projectionFields: undefined, orderFields: undefined, projectionKey: undefined, tally };
  return { collection, projectionFields: new Set(shape.fields), orderFields: shape.order.length === 0 ? undefined : new Set(shape.order), projectionKey: shapeKey(shape), tally };
}

/**
 * A record whose value is still JSON text: a slice of the snapshot, or the text of a committed value
 * that was not handed over as a frozen JSON copy. Parsed the first time the record is read, so
 * opening costs no `JSON.parse` per record (DESIGN.md §5.29), and neither does committing a record
 * that is never read back (audit entries). The snapshot's checksum was verified at open, so the
 * text is exactly what compaction wrote.
 *
 * A row is also an item of its collection's query engine: `value` parses on first use, and a snapshot
 * row's index fields come from its small `i` projection (see {@link ProjectedItem}), so building the
 * indexes parses no value; a query parses only the values it filters further, sorts or returns.
 */
class LazyRow implements ProjectedItem {
  /** The row's line in the snapshot on disk, from 0 (see {@link SnapshotLines}); -1 when it has none. */
  snapshotLine = -1;
  #text: string | undefined;
  #item: StoredItem | undefined;
  /** The projection's text until first used, then the parsed object (the text, a slice, would keep the snapshot's text alive). */
  #projection: string | Readonly<Record<string, unknown>> | undefined;
  #source: LazySource;

  constructor(
    readonly key: string,
    readonly revision: number,
    readonly seq: number,
    text: string,
    source: LazySource,
    projectionText?: string,
  ) {
    this.#text = text;
    this.#projection = projectionText;
    this.#source = source;
    source.tally.unparsed++;
  }

  /** The value's JSON text (kept until the value is parsed, then serialised again when asked). */
  get text(): string {
    return this.#text ?? JSON.stringify((this.#item as StoredItem).value);
  }

  /**
   * The record with its value parsed (once; the same frozen item after, and the text is let go). The
   * projection is let go too when the value answers the same (always, unless a line was edited by hand):
   * indexes then read the value, and memory holds one copy.
   */
  get item(): StoredItem {
    if (this.#item !== undefined) return this.#item;
    const value = this.parse();
    this.#item = Object.freeze({ key: this.key, revision: this.revision, seq: this.seq, value });
    this.#text = undefined;
    this.#source.tally.unparsed--;
    const projection = this.#projection;
    // Still text: no index has read it. Parsed: an index may have filed the row by it, so it stays unless equal.
    if (typeof projection === "string" || (projection !== undefined && sameProjection(projection, value, this.#source))) {
      this.#projection = undefined;
    }
    return this.#item;
  }

  get value(): JsonValue {
    return this.item.value;
  }

  /** The value, parsed now if it was not (without keeping it: a compaction reading every row). */
  peek(): JsonValue {
    return this.#item === undefined ? this.parse() : this.#item.value;
  }

  private parse(): JsonValue {
    try {
      return JSON.parse(this.#text as string) as JsonValue;
    } catch (error) {
      throw storageError(`The snapshot record ${this.#source.collection}/${this.key} is unreadable (${describe(error)}). Restore ${SNAPSHOT_FILE} from a backup.`, {
        collection: this.#source.collection,
        key: this.key,
      });
    }
  }

  get projectionFields(): ReadonlySet<string> | undefined {
    return this.#projection === undefined ? undefined : this.#source.projectionFields;
  }

  get orderFields(): ReadonlySet<string> | undefined {
    return this.#projection === undefined ? undefined : this.#source.orderFields;
  }

  get projection(): Readonly<Record<string, unknown>> | undefined {
    const kept = this.#projection;
    if (typeof kept !== "string") return kept;
    let projection: unknown;
    try {
      projection = JSON.parse(kept);
    } catch {
      projection = undefined;
    }
    // An unreadable projection (a hand edit) is built from the value instead: `{}` would file the row nowhere.
    if (projection === null || typeof projection !== "object" || Array.isArray(projection)) {
      projection = projectionOf(this.peek(), this.#source.projectionFields ?? [], this.#source.orderFields ?? []);
    }
    return (this.#projection = projection as Readonly<Record<string, unknown>>);
  }

  /** The projection's text when it was built for the fields `key` (see {@link LazySource.projectionKey}). */
  projectionTextFor(key: string): string | undefined {
    const kept = this.#projection;
    if (this.#source.projectionKey !== key || kept === undefined) return undefined;
    return typeof kept === "string" ? kept : JSON.stringify(kept);
  }

  /**
   * Keeps the projection a compaction just built from the still unparsed value for `source`'s fields,
   * so the next compaction reuses it instead of parsing the value again. Any projection agrees with
   * the value, so indexes that filed the row by another one (or by the value) read the same keys.
   */
  adoptProjection(text: string, source: LazySource): void {
    if (this.#item !== undefined || typeof this.#projection === "object") return;
    this.#projection = text;
    this.#source = source;
  }
}

/**
 * The projection of a value (see {@link ProjectedItem}): under each of `fields`, what an index reads for
 * it; under each of `order`, the field's raw value (what a sort reads).
 */
function projectionOf(value: unknown, fields: Iterable<string>, order: Iterable<string>): Record<string, unknown> {
  const projection: Record<string, unknown> = {};
  const define = (field: string, x: unknown) => {
    if (x !== undefined) Object.defineProperty(projection, field, { value: x, enumerable: true, writable: true, configurable: true });
  };
  for (const field of fields) define(field, projectedField(value, field));
  for (const field of order) define(field, fieldGetter(field)(value));
  return projection;
}

/** True when `projection` holds exactly what {@link projectionOf} would build from `value` for `source`'s fields. */
function sameProjection(projection: Readonly<Record<string, unknown>>, value: unknown, source: LazySource): boolean {
  let count = 0;
  for (const field of source.orderFields ?? []) {
    const expected = fieldGetter(field)(value);
    if (expected === undefined) continue;
    count++;
    const kept = Object.prototype.hasOwnProperty.call(projection, field) ? projection[field] : undefined;
    // Raw JSON values: a string or number compares as itself, anything else by its text.
    if (kept !== expected && (typeof expected !== "object" || JSON.stringify(kept) !== JSON.stringify(expected))) return false;
  }
  for (const field of source.projectionFields ?? []) {
    const expected = projectedField(value, field);
    if (expected === undefined) continue;
    count++;
    const kept = Object.prototype.hasOwnProperty.call(projection, field) ? projection[field] : undefined;
    if (Array.isArray(expected)) {
      if (!Array.isArray(kept) || kept.length !== expected.length || expected.some((key, n) => kept[n] !== key)) return false;
    } else if (kept !== expected) return false;
  }
  return Object.keys(projection).length === count;
}

/** One key and its revision as the snapshot's `archivedKeys` line holds them (a member of a JSON object). */
function archivedKeyPair(key: string, revision: number): string {
  return `${JSON.stringify(key)}:${revision}`;
}

/** A snapshot's footer line, with its checksum checked against the rest of the file; or what is wrong with it. */
function checkSnapshotFooter(snapshot: Buffer): { footerStart: number; footer: { records?: unknown } } | { damage: string } {
  if (snapshot.length === 0 || snapshot[snapshot.length - 1] !== 0x0a) return { damage: "it does not end with a complete footer line" };
  const footerStart = snapshot.lastIndexOf(0x0a, snapshot.length - 2) + 1;
  let footer: { end?: unknown; records?: unknown; crc32?: unknown };
  try {
    footer = JSON.parse(snapshot.toString("utf8", footerStart, snapshot.length - 1)) as typeof footer;
  } catch {
    return { damage: "its footer line is unreadable" };
  }
  if (footer === null || typeof footer !== "object" || footer.end !== true || typeof footer.crc32 !== "string") return { damage: "its footer line is unreadable" };
  if (checksum(snapshot.subarray(0, footerStart)) !== footer.crc32) return { damage: "its checksum does not match" };
  return { footerStart, footer };
}

/** A row as handed out: a lazy row's parsed item, or the item itself. */
function itemOf(row: Row): StoredItem {
  return row instanceof LazyRow ? row.item : row;
}

type Row = StoredItem | LazyRow;

/**
 * One collection in memory: records by key (values parsed on first use, see {@link LazyRow}), plus
 * the memory store's query engine ({@link MemoryTable}, with its indexes) built on the first query,
 * so opening costs one line scan and one `Map.set` per record.
 */
class Collection {
  private map = new Map<string, Row>();
  /** Rows read from the snapshot and not yet in `map` (it is filled on the first use). */
  private loaded: LazyRow[] | undefined;
  private table: MemoryTable | undefined;
  /** What this collection's snapshot rows share. */
  readonly source: LazySource;
  /** The source of projections a compaction built here for this store's own fields (see {@link LazyRow.adoptProjection}). */
  private ownSource: LazySource | undefined;

  constructor(
    private readonly name: string,
    private readonly options: MemoryTableOptions,
    shape?: ProjectionShape,
  ) {
    this.source = lazySource(name, shape, { unparsed: 0 });
  }

  /** The source for projections built for `shape` (whose key is `key`; the snapshot's own when they are the same). */
  sourceFor(shape: ProjectionShape, key: string): LazySource {
    if (this.source.projectionKey === key) return this.source;
    if (this.ownSource?.projectionKey !== key) this.ownSource = lazySource(this.name, shape, this.source.tally);
    return this.ownSource;
  }

  /** Records by key. */
  get rows(): Map<string, Row> {
    const loaded = this.loaded;
    if (loaded !== undefined) {
      this.loaded = undefined;
      const map = this.map;
      for (const row of loaded) map.set(row.key, row);
    }
    return this.map;
  }

  get size(): number {
    return this.rows.size;
  }

  /** The record `key` with its value parsed. */
  get(key: string): StoredItem | undefined {
    const row = this.rows.get(key);
    if (row === undefined) return undefined;
    const item = itemOf(row);
    this.settle();
    return item;
  }

  /**
   * Once most rows were parsed, parses the rest: every row's text is a slice of a decoded piece of the
   * snapshot, which stays in memory while any row of it is unparsed, beside the values parsed from it.
   * Past half, finishing costs less than the text kept (a value's text is about its parsed size).
   */
  private settle(): void {
    const tally = this.source.tally;
    // Rows replaced or deleted unparsed still count: the tally errs towards settling later, never wrongly.
    if (tally.unparsed === 0 || tally.unparsed * 2 >= this.map.size) return;
    for (const row of this.map.values()) if (row instanceof LazyRow) void row.item;
    tally.unparsed = 0; // every row here is parsed (the ones that left no longer matter)
  }

  /** Every record with its value parsed. */
  *items(): IterableIterator<StoredItem> {
    for (const row of this.rows.values()) yield itemOf(row);
  }

  /** Adds a record read from the snapshot (the collection is being loaded: no query engine yet). */
  load(row: LazyRow): void {
    if (this.loaded === undefined) this.loaded = [];
    this.loaded.push(row);
  }

  // Once the query engine is built it owns the map (it keeps its indexes): writes go through it.
  put(row: Row): void {
    if (this.table === undefined) this.rows.set(row.key, row);
    else this.table.put(row);
  }

  delete(key: string): void {
    if (this.table === undefined) this.rows.delete(key);
    else this.table.delete(key);
  }

  /**
   * Answers a query from the memory store's engine, built on the first query from the rows as they
   * are: a snapshot row's indexes are read from its projection, so only the values the query filters
   * further, sorts or returns are parsed.
   */
  query(query: StoreQuery): StoreQueryResult {
    // The engine takes the rows map over as it is (a second map of every key would cost a `set` per row).
    this.table ??= new MemoryTable(this.options, this.rows);
    const result = this.table.query(query);
    const items = result.items.map(itemOf);
    this.settle();
    return { ...result, items };
  }
}

/** The longest snapshot header read when only the header is needed (its `seq`). */
const MAX_HEADER_BYTES = 1 << 20;

/** Thrown while loading when the files look inconsistent, possibly because another process is compacting. */
class InconsistentFiles extends Error {}

/**
 * Thrown while loading when the journal's damage may be a read that raced another process's write (a
 * page read before it was written: NULs inside a line). Read again, after a pause; `damage` is the
 * error when it stays.
 */
class RacingRead extends InconsistentFiles {
  constructor(readonly damage: RegistryError) {
    super(damage.message);
  }
}

/** Blocks this thread for `ms` (the load is synchronous; a retry after a raced read must give the writer time). */
function pause(ms: number): void {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  } catch {
    // where a thread may not block this way (a browser-like main thread): wait by spinning
    const until = performance.now() + ms;
    while (performance.now() < until);
  }
}

/**
 * Opens (creating when missing) a durable store in a directory.
 *
 * - **Durable**: a resolved commit is fdatasync'ed in the journal; created or renamed files are
 *   fsync'ed with their directory (`durability: "none"` skips every fsync, for tests).
 * - **Atomic**: each commit is one checksummed journal line; a torn or damaged tail is dropped (with a
 *   warning) and never parsed as data, so a crash leaves the state before or after each commit.
 * - **Cross-process safe**: a writer lock per commit batch (kept across the batches of a loop of
 *   awaited commits, handed over when another process asks) plus revision checks against state
 *   refreshed under that lock. Commits arriving while a batch is written join the next batch
 *   (one append and one fsync per batch).
 * - **Fast to open**: one snapshot read (JSON lines, no per-record files) plus the journal tail;
 *   audit entries are moved to an archive read only when audit is queried.
 *
 * @throws RegistryError `STORAGE` when the files are damaged (a damaged snapshot is moved aside, never
 *   replaced by an empty store), written by a newer version, or the directory cannot be used;
 *   `VALIDATION` for a missing `dir`, an unknown `durability`, or an `fs` seam whose calls are not functions.
 *
 * @example
 * ```ts
 * const store = await fileStore({ dir: ".registry" });
 * const registry = createRegistry({ store });
 * ```
 */
export async function fileStore(options: FileStoreOptions): Promise<FileStore> {
  if (options === null || typeof options !== "object" || typeof options.dir !== "string" || options.dir === "") {
    throw new RegistryError("VALIDATION", "fileStore() needs { dir }: the directory of the store", {});
  }
  const engine = new FileStoreEngine(options);
  engine.open();
  const store: FileStore = {
    dir: engine.dir,
    // Commits are validated and applied in memory on arrival when the lock is free (the journal write
    // and fsync follow), so the registry may pipeline mutations and share fsyncs.
    appliesCommitsOnCall: true,
    get: (collection, key) => engine.run(() => engine.get(collection, key)),
    query: (collection, query) => engine.run(() => engine.query(collection, query)),
    commit: (writes) => engine.commit(writes),
    refresh: () => engine.run(() => engine.refresh()),
    close: () => engine.close(),
    compact: () => engine.compact(),
  };
  return store;
}

class FileStoreEngine {
  readonly dir: string;
  private readonly fs: FileStoreFs;
  private readonly durable: boolean;
  private readonly warn: (message: string) => void;
  private readonly lockTimeoutMs: number;
  private readonly compactionBytes: number | undefined;
  private readonly indexes: MemoryTableOptions;
  /** The fields each snapshot line written here projects (see {@link ProjectedItem}), and their key. */
  private readonly projection: ProjectionShape;
  private readonly projectionKey: string;
  private readonly lock: DirectoryLock;
  private readonly snapshotPath: string;
  private readonly journalPath: string;
  private readonly archivePath: string;

  // in-memory state
  private seq = 0;
  private snapshotSeq = 0;
  /** The projection fields of the snapshot loaded (its header's `projection` and `order`), given to its collections. */
  private snapshotProjection: ProjectionShape | undefined;
  private snapshotBytes = 0;
  private tables = new Map<string, Collection>();
  /** Archived collections: keys deleted since the snapshot (the archive may still hold them). */
  private tombstones = new Map<string, Set<string>>();
  /** The compaction in progress, if any: it holds the lock until it ends (see {@link FileStoreEngine.compactInSlices}). */
  private compaction: Promise<void> | undefined;
  /** Set while a compaction is due but commits were in flight (see {@link FileStoreEngine.maybeCompact}). */
  private compactionDue = false;
  /** Set while a compaction replaces the journal: batches wait (see {@link FileStoreEngine.compactInSlices}). */
  private swappingJournal = false;
  /**
   * The JSON text of each record this process committed as a value since the last compaction (the
   * text its journal line carries), so compaction writes it without serialising the value again.
   * Bounded by the journal: cleared at every compaction, and dropped when its row is replaced or
   * deleted. A Map, not a WeakMap: a WeakMap insert cost ~0.9 µs against ~0.3 µs, four per register.
   */
  private committedText = new Map<Row, string>();
  /** The record lines of the snapshot on disk, when this store loaded or wrote it (see {@link SnapshotLines}). */
  private snapshotLines: SnapshotLines | undefined;
  /**
   * The snapshot line of each plain row (committed by this process, then written by its compaction);
   * a snapshot row keeps its own ({@link LazyRow.snapshotLine}). Dropped when its row is replaced or deleted.
   */
  private plainLines = new Map<Row, number>();
  /** Rows replaced or deleted while a compaction runs: it does not file their lines (see {@link FileStoreEngine.adoptSnapshotLines}). */
  private replacedWhileCompacting: Set<Row> | undefined;
  private archiveBytes = 0;
  private archivedKeysText: string | undefined;
  private archivedKeys: Map<string, Map<string, number>> | undefined;
  /**
   * The JSON text of each archived collection's keys and revisions, as the snapshot's `archivedKeys`
   * line holds them, kept from one compaction to the next and appended to (see {@link FileStoreEngine.archiveKeys}).
   */
  private archivedKeysJson: Map<string, string> | undefined;
  /** Archived collections loaded in full (archive + journal tail), once something needed them. */
  private archivedTables: Map<string, Collection> | undefined;
  private journal: JournalPosition | undefined;
  /** The `seq` of the journal's last valid line, read or written here (its `base` before any): where damage after it starts. */
  private lineSeq = 0;
  private tornTailAt: number | undefined;
  /**
   * The journal kept open between batches (read-write), with the identity of the file it is: used
   * only while that is still the file at the journal's path (checked by `stat` under the lock, and
   * reopened after a compaction, ours or another process's).
   */
  private journalFd: { fd: number; ino: number; dev: number } | undefined;
  /**
   * A read-only descriptor on the journal this view was loaded from (not on Windows): while it is open,
   * that file's inode number cannot be given to a new journal, so the same `ino`/`dev` at the path means
   * the same file. Without it (or {@link journalFd}), the header is read back to tell (see `openSameJournal`).
   */
  private journalPin: { fd: number; ino: number; dev: number } | undefined;
  /** Moving average of the journal flush time (ms), deciding between a synchronous and a thread-pool flush. */
  private flushMs = 0;
  /** When a batch last waited for a turn of the event loop (see {@link EVENT_LOOP_TURN_MS}). */
  private lastTurn = performance.now();
  /** True while the callers a batch acknowledged run (their microtasks): their commits may skip the event loop. */
  private afterBatch = false;
  /** True while the lock is kept for the callers a batch woke, until their microtasks end (see {@link FileStoreEngine.pump}). */
  private lingerScheduled = false;
  /** When this store last looked for another process's request for the lock (`performance.now()`). */
  private wantCheckedAt = 0;
  /** Set when this store gave the lock up to another store of this process: its next attempt waits for a turn. */
  private yieldToLocal = false;
  /**
   * While this store waits for the lock: when it last tried to take it, and the last few gaps (ms) between
   * its tries (a few ms, or longer while its event loop is busy): its request asks the holder to leave the
   * lock free for twice the longest of them (see {@link FileStoreEngine.windowToAskFor}).
   */
  private lastPollAt: number | undefined;
  private readonly pollGaps: number[] = [];
  /** Set when this store takes the lock: it applies what it queued before it looks for another's request. */
  private freshTurn = false;
  /** Set when a waiter asked for the lock: commits wait unapplied until what is applied is written, then it is released. */
  private handOverPending: "process" | "store" | undefined;

  /** The commit queue as a {@link LockWaiter}: once the lock is taken it refreshes and applies what waits. */
  private readonly queueWaiter: LockWaiter = {
    acquired: () => {
      if (this.afterAcquire()) this.pump();
    },
    failed: (error) => {
      if (error === undefined) this.pump(); // closed or failed meanwhile: pump rejects what waits
      else this.rejectQueue(error);
    },
  };

  // commit pipeline
  private queue: Pending[] = [];
  private nextBatch: Applied[] = [];
  private writing = false;
  private acquiring = false;
  private failure: RegistryError | undefined;
  private closed = false;

  constructor(options: FileStoreOptions) {
    this.dir = resolvePath(options.dir);
    this.fs = options.fs === undefined ? realFs : checkFileStoreFs(options.fs);
    this.durable = (options.durability ?? "full") === "full";
    if (options.durability !== undefined && options.durability !== "full" && options.durability !== "none") {
      throw new RegistryError("VALIDATION", `fileStore(): durability must be "full" or "none", not ${JSON.stringify(options.durability)}`, {});
    }
    const onWarning = options.onWarning;
    this.warn =
      onWarning ??
      ((message: string) => {
        if (typeof process !== "undefined" && typeof process.emitWarning === "function") process.emitWarning(message, { code: "ARTIFACT_VERSIONS_FS" });
        else console.warn(message);
      });
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.compactionBytes = options.compactionBytes;
    // A list of one small bucket (a project's versions among many projects') sorts that bucket rather
    // than a view of every row: values are parsed on first use, and a view parses them all.
    this.indexes = { indexes: options.indexes ?? DEFAULT_INDEXED_FIELDS, viewMinShare: 1 / 8, projectedItems: true };
    // Every field an index of this store reads, and the sort fields of the usual lists: what snapshot lines project.
    this.projection = projectionShape(indexedFields(this.indexes), ORDER_PROJECTION_FIELDS);
    this.projectionKey = shapeKey(this.projection);
    this.lock = new DirectoryLock(this.fs, this.dir, (message) => this.warn(message));
    this.snapshotPath = join(this.dir, SNAPSHOT_FILE);
    this.journalPath = join(this.dir, JOURNAL_FILE);
    this.archivePath = join(this.dir, ARCHIVE_FILE);
  }

  // ------------------------------------------------------------------------------------------
  // open and load

  open(): void {
    try {
      const created = this.fs.mkdirSync(this.dir, { recursive: true });
      if (created !== undefined && this.durable) fsyncDirectory(this.fs, join(created, ".."));
    } catch (error) {
      throw storageError(`Cannot create the file store directory ${this.dir}: ${describe(error)}`, { dir: this.dir }, error);
    }
    this.load();
    this.maintain();
  }

  /** At open: if the lock is free, sweep orphan temp files and dead processes' claim files, and cut a torn journal tail. */
  private maintain(): void {
    let acquired = false;
    try {
      acquired = this.lock.tryAcquire();
    } catch {
      return;
    }
    if (!acquired) {
      this.lock.removeClaim(); // the claim written for this attempt: the first commit writes one again
      return;
    }
    try {
      const names = this.fs.readdirSync(this.dir);
      this.lock.sweepClaims(names);
      for (const name of names) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        try {
          this.fs.unlinkSync(join(this.dir, name));
        } catch (error) {
          if (!isMissing(error)) throw error;
        }
      }
      this.refreshUnderLock();
    } catch (error) {
      throw error instanceof RegistryError ? error : storageError(`Cannot open the file store in ${this.dir}: ${describe(error)}`, { dir: this.dir }, error);
    } finally {
      this.releaseLock();
      // A store that only reads leaves no claim file behind, even if it is never closed; the first commit writes one.
      this.lock.removeClaim();
    }
  }

  private load(): void {
    for (let attempt = 0; ; attempt++) {
      try {
        this.loadOnce();
        return;
      } catch (error) {
        if (error instanceof InconsistentFiles && attempt < 5) {
          if (error instanceof RacingRead) pause(2);
          continue;
        }
        if (error instanceof RacingRead) throw error.damage;
        if (error instanceof InconsistentFiles) throw storageError(error.message, { dir: this.dir });
        if (error instanceof RegistryError) throw error;
        throw storageError(`Cannot read the file store in ${this.dir}: ${describe(error)}`, { dir: this.dir }, error);
      }
    }
  }

  private loadOnce(): void {
    this.tables = new Map();
    this.committedText.clear();
    this.snapshotLines = undefined;
    this.plainLines.clear();
    this.tombstones = new Map();
    this.archivedKeys = undefined;
    this.archivedKeysText = undefined;
    this.archivedKeysJson = undefined;
    this.archivedTables = undefined;
    this.seq = 0;
    this.snapshotSeq = 0;
    this.snapshotProjection = undefined;
    this.snapshotBytes = 0;
    this.archiveBytes = 0;
    this.journal = undefined;
    this.lineSeq = 0;
    this.tornTailAt = undefined;
    this.unpinJournal();

    const snapshot = readIfExists(this.fs, this.snapshotPath);
    if (snapshot !== undefined) this.loadSnapshot(snapshot);

    let fd: number;
    try {
      fd = this.fs.openSync(this.journalPath, "r");
    } catch (error) {
      if (!isMissing(error)) throw error;
      return;
    }
    // Kept open (as the pin) when the journal is loaded, closed on every other way out.
    let pinned = false;
    try {
      const stat = this.fs.fstatSync(fd);
      let data = Buffer.allocUnsafe(stat.size);
      data = data.subarray(0, readAll(this.fs, fd, data, 0));
      const parsed = readHeader(data);
      if (parsed === undefined) {
        if (data.length === 0 || data.indexOf(0x0a) === -1) {
          // A journal whose header never made it to disk: nothing was committed in it.
          this.journal = undefined;
          this.tornTailAt = 0;
          return;
        }
        throw storageError(`The journal ${this.journalPath} is damaged: its first line is not a header. The file was left as it is.`, { file: this.journalPath });
      }
      const header = parsed.header;
      this.checkFormat(header, "journal", this.journalPath);
      const base = header.base;
      if (typeof base !== "number" || !Number.isSafeInteger(base) || base < 0) {
        throw storageError(`The journal ${this.journalPath} has a damaged header (no base). The file was left as it is.`, { file: this.journalPath });
      }
      if (base > this.snapshotSeq) {
        const what = snapshot === undefined ? `${SNAPSHOT_FILE} is missing` : `${SNAPSHOT_FILE} stops at commit ${this.snapshotSeq}`;
        throw new InconsistentFiles(
          `The file store in ${this.dir} is incomplete: ${JOURNAL_FILE} continues from commit ${base} but ${what}. ` +
            `Restore ${SNAPSHOT_FILE} from a backup (a damaged one is kept next to it as ${SNAPSHOT_FILE}.damaged-*).`,
        );
      }
      this.seq = Math.max(this.seq, base);
      this.lineSeq = base;
      // The NULs that end the file are space filled ahead (see JOURNAL_FILL_MAX); NULs before data are damage.
      const scan = scanSealedLines(
        data.subarray(parsed.end, endOfData(data, parsed.end)),
        (json) => this.applyJournalLine(json),
        (json) => this.fromLaterBatch(json),
      );
      if (scan.validAfterDamage) {
        // NULs in the damaged line: a block zeroed by damage, or a page of another process's write that
        // this read saw before it was written (the load holds no lock). The second passes: read again first.
        const at = parsed.end + scan.damagedAt;
        const nul = data.indexOf(0, at);
        const lineEnd = data.indexOf(0x0a, at);
        const damage = this.journalDamaged(at);
        throw nul !== -1 && (lineEnd === -1 || nul < lineEnd) ? new RacingRead(damage) : damage;
      }
      this.journal = {
        ino: stat.ino,
        dev: stat.dev,
        size: parsed.end + scan.validEnd,
        allocated: data.length,
        // everything read past the commits is NUL: nothing for a lock holder to check (see tailChecked)
        tailChecked: scan.damagedAt === -1,
        ...(header.format === 1 ? { appendOnly: true as const } : {}),
        headerBytes: parsed.end,
        header: Buffer.from(data.subarray(0, parsed.end)),
      };
      if (scan.damagedAt !== -1) this.tornTailAt = parsed.end + scan.damagedAt;
      if (KEEP_JOURNAL_OPEN) {
        this.journalPin = { fd, ino: stat.ino, dev: stat.dev };
        pinned = true;
      }
    } finally {
      if (!pinned) this.fs.closeSync(fd);
    }
  }

  private checkFormat(header: Record<string, unknown>, file: string, path: string): void {
    const format = header.format;
    if (header.file !== file || typeof format !== "number" || !Number.isSafeInteger(format) || format < 1) {
      throw storageError(`${path} is not a ${file} file of artifact-versions (its header is ${JSON.stringify(header).slice(0, 200)}).`, { file: path });
    }
    if (format > FORMAT_VERSION) {
      throw storageError(
        `${path} has format version ${format}, newer than this artifact-versions understands (${FORMAT_VERSION}). Upgrade artifact-versions to open this store.`,
        { file: path, format, supported: FORMAT_VERSION },
      );
    }
  }

  private loadSnapshot(snapshot: Buffer): void {
    const damaged = (reason: string): never => {
      const aside = `${this.snapshotPath}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      let moved = false;
      try {
        this.fs.renameSync(this.snapshotPath, aside);
        moved = true;
      } catch {
        // leave it where it is
      }
      throw storageError(
        `The snapshot ${this.snapshotPath} is damaged (${reason}). ` +
          (moved ? `It was moved aside to ${aside}. ` : "") +
          `The store was not opened, so nothing was lost: restore ${SNAPSHOT_FILE} from a backup (see docs/filesystem-store.md).`,
        { file: this.snapshotPath, ...(moved ? { movedTo: aside } : {}) },
      );
    };
    const parsed = readHeader(snapshot);
    if (parsed === undefined) return damaged("no header line");
    this.checkFormat(parsed.header, "snapshot", this.snapshotPath);
    const header = parsed.header;
    const checked = checkSnapshotFooter(snapshot);
    if ("damage" in checked) return damaged(checked.damage);
    const { footerStart, footer } = checked;
    const seq = header.seq;
    const archiveBytes = header.archiveBytes;
    if (typeof seq !== "number" || typeof archiveBytes !== "number" || footer.records !== header.records) return damaged("its header is inconsistent");

    // Decode in slices of whole lines (a string has a maximum length), then read each record line's
    // collection, key, revision and seq by hand; values stay text until used (see LazyRow).
    let records = 0;
    let table: Collection | undefined;
    let tableName = "";
    // The fields of the lines' projections (`i`): only lists of strings are trusted, else they are ignored.
    const strings = (list: unknown): string[] | undefined => (Array.isArray(list) && list.every((field) => typeof field === "string") ? (list as string[]) : undefined);
    // A snapshot from before `order` has none; a field also in `projection` holds an index key, not a raw value.
    const projectionFields = strings(header.projection);
    this.snapshotProjection = projectionFields === undefined ? undefined : projectionShape(projectionFields, strings(header.order) ?? []);
    const visit = (c: string, k: string, r: number, s: number, v: string, i: string | undefined): void => {
      if (c !== tableName || table === undefined) {
        tableName = c;
        table = this.table(c);
      }
      const row = new LazyRow(k, r, s, v, table.source, i);
      row.snapshotLine = records; // record lines follow the header in order (checked before a compaction copies any)
      table.load(row);
      records++;
    };
    for (let from = parsed.end; from < footerStart; ) {
      let to = Math.min(footerStart, from + SNAPSHOT_DECODE_CHUNK);
      if (to < footerStart) to = snapshot.lastIndexOf(0x0a, to - 1) + 1;
      if (to <= from) to = snapshot.indexOf(0x0a, from) + 1;
      const text = snapshot.toString("utf8", from, to);
      for (let position = 0; position < text.length; ) {
        const newline = text.indexOf("\n", position);
        if (text.startsWith(ARCHIVED_KEYS_PREFIX, position)) this.archivedKeysText = text.slice(position, newline);
        else if (!readRecordLine(text, position, newline, visit)) return damaged(`record line ${records + 2} is unreadable`);
        position = newline + 1;
      }
      from = to;
    }
    if (records !== header.records) return damaged("its record count does not match");
    const projection = this.snapshotProjection;
    this.snapshotLines = {
      header: Buffer.from(snapshot.subarray(0, parsed.end)),
      bodyStart: parsed.end,
      records,
      starts: undefined,
      projectionKey: projection === undefined ? undefined : shapeKey(projection),
    };
    this.seq = seq;
    this.snapshotSeq = seq;
    this.archiveBytes = archiveBytes;
    this.snapshotBytes = snapshot.length;
  }

  private table(collection: string): Collection {
    let table = this.tables.get(collection);
    if (table === undefined) this.tables.set(collection, (table = new Collection(collection, this.indexes, this.snapshotProjection)));
    return table;
  }

  /** Applies one journal commit line (when newer than the state); false when it is malformed. */
  private applyJournalLine(json: string): boolean {
    let commit: JournalCommit;
    try {
      commit = JSON.parse(json) as JournalCommit;
    } catch {
      return false;
    }
    if (commit === null || typeof commit !== "object" || typeof commit.seq !== "number" || !Array.isArray(commit.w)) return false;
    if (commit.seq <= this.snapshotSeq) {
      this.lineSeq = commit.seq;
      return true;
    }
    if (commit.seq <= this.seq) return false;
    this.lineSeq = commit.seq;
    for (const write of commit.w) {
      if ("d" in write) this.applyDelete(write.c, write.k);
      else this.applyPut(write.c, Object.freeze({ key: write.k, revision: write.r, seq: commit.seq, value: write.v as JsonValue }));
    }
    this.seq = commit.seq;
    return true;
  }

  private applyPut(collection: string, item: Row): void {
    this.forgetCommittedText(collection, item.key);
    this.table(collection).put(item);
    if (!ARCHIVED_COLLECTIONS.has(collection)) return;
    this.tombstones.get(collection)?.delete(item.key);
    if (this.archivedTables !== undefined) {
      let full = this.archivedTables.get(collection);
      if (full === undefined) this.archivedTables.set(collection, (full = new Collection(collection, this.indexes)));
      full.put(item);
    }
  }

  private applyDelete(collection: string, key: string): void {
    this.forgetCommittedText(collection, key);
    this.tables.get(collection)?.delete(key);
    if (!ARCHIVED_COLLECTIONS.has(collection)) return;
    let set = this.tombstones.get(collection);
    if (set === undefined) this.tombstones.set(collection, (set = new Set()));
    set.add(key);
    this.archivedTables?.get(collection)?.delete(key);
  }

  // ------------------------------------------------------------------------------------------
  // archived collections

  private archivedKeyIndex(): Map<string, Map<string, number>> {
    if (this.archivedKeys !== undefined) return this.archivedKeys;
    const index = new Map<string, Map<string, number>>();
    if (this.archivedKeysText !== undefined) {
      const parsed = JSON.parse(this.archivedKeysText) as { archivedKeys: Record<string, Record<string, number>> };
      for (const [collection, keys] of Object.entries(parsed.archivedKeys)) index.set(collection, new Map(Object.entries(keys)));
    }
    this.archivedKeys = index;
    this.archivedKeysText = undefined;
    return index;
  }

  private loadArchived(): Map<string, Collection> {
    if (this.archivedTables !== undefined) return this.archivedTables;
    const tables = new Map<string, Collection>();
    const tableOf = (collection: string) => {
      let table = tables.get(collection);
      if (table === undefined) tables.set(collection, (table = new Collection(collection, this.indexes)));
      return table;
    };
    if (this.archiveBytes > 0) {
      let data: Buffer;
      const fd = this.fs.openSync(this.archivePath, "r");
      try {
        data = Buffer.allocUnsafe(this.archiveBytes);
        const done = readAll(this.fs, fd, data, 0);
        if (done < this.archiveBytes) throw storageError(`The archive ${this.archivePath} is shorter than the snapshot says (${done} < ${this.archiveBytes} bytes).`, { file: this.archivePath });
      } finally {
        this.fs.closeSync(fd);
      }
      const parsed = readHeader(data);
      if (parsed === undefined) throw storageError(`The archive ${this.archivePath} is damaged: no header line.`, { file: this.archivePath });
      this.checkFormat(parsed.header, "archive", this.archivePath);
      const scan = scanSealedLines(data.subarray(parsed.end), (json) => {
        const line = JSON.parse(json) as RecordLine;
        if ("d" in line) tables.get(line.c)?.delete(line.k);
        else tableOf(line.c).put(Object.freeze({ key: line.k, revision: line.r, seq: line.s, value: line.v as JsonValue }));
        return true;
      });
      if (scan.damagedAt !== -1) {
        throw storageError(`The archive ${this.archivePath} is damaged at byte ${parsed.end + scan.damagedAt}; audit history cannot be read. Restore it from a backup.`, {
          file: this.archivePath,
        });
      }
    }
    for (const collection of ARCHIVED_COLLECTIONS) {
      for (const item of this.tables.get(collection)?.items() ?? []) tableOf(collection).put(item);
      for (const key of this.tombstones.get(collection) ?? []) tables.get(collection)?.delete(key);
    }
    this.archivedTables = tables;
    return tables;
  }

  private revisionOf(collection: string, key: string): number {
    const row = this.tables.get(collection)?.rows.get(key);
    if (row !== undefined) return row.revision;
    if (!ARCHIVED_COLLECTIONS.has(collection) || this.tombstones.get(collection)?.has(key) === true) return 0;
    if (this.archivedTables !== undefined) return this.archivedTables.get(collection)?.rows.get(key)?.revision ?? 0;
    return this.archivedKeyIndex().get(collection)?.get(key) ?? 0;
  }

  // ------------------------------------------------------------------------------------------
  // reads

  async run<T>(read: () => T | Promise<T>): Promise<T> {
    this.ensureUsable("reading");
    return read();
  }

  get(collection: string, key: string): StoredItem | undefined {
    checkCollection(collection);
    checkKey(key);
    const row = this.tables.get(collection)?.get(key);
    if (row !== undefined) return expose(row);
    if (!ARCHIVED_COLLECTIONS.has(collection) || this.tombstones.get(collection)?.has(key) === true) return undefined;
    if (this.archivedTables === undefined && this.archivedKeyIndex().get(collection)?.has(key) !== true) return undefined;
    const item = this.loadArchived().get(collection)?.get(key);
    return item === undefined ? undefined : expose(item);
  }

  query(collection: string, query: StoreQuery = {}): StoreQueryResult {
    checkCollection(collection);
    const table = ARCHIVED_COLLECTIONS.has(collection) ? this.loadArchived().get(collection) : this.tables.get(collection);
    const result = (table ?? EMPTY_TABLE).query(query);
    for (const item of result.items) expose(item);
    return result;
  }

  refresh(): void {
    if (this.lock.held || this.writing) return; // we are the writer: nobody else can have written
    const change = this.readJournalChanges();
    if (change === "replaced") this.load();
  }

  /**
   * Reads what other processes appended to the journal since our position and applies it.
   * Answers "replaced" when the journal is another file now (compaction): the caller reloads.
   */
  private readJournalChanges(): "replaced" | { damagedAt: number } | undefined {
    let stat: { ino: number; dev: number; size: number };
    try {
      stat = this.fs.statSync(this.journalPath);
    } catch (error) {
      if (isMissing(error)) return this.journal === undefined ? undefined : "replaced";
      throw error;
    }
    const journal = this.journal;
    if (journal === undefined || stat.ino !== journal.ino || stat.dev !== journal.dev || stat.size < journal.size) return "replaced";
    const kept = this.keptJournal(stat);
    // Without a kept descriptor, the one that verified the header is the one read from: opening the path
    // again could open a journal another process renamed into place meanwhile.
    const fd = kept ?? this.openSameJournal(journal);
    if (fd === undefined) return "replaced";
    journal.allocated = stat.size;
    let data: Buffer;
    try {
      if (stat.size === journal.size) return undefined;
      data = this.readWritten(fd, journal.size, stat.size);
    } finally {
      if (kept === undefined) this.fs.closeSync(fd);
    }
    if (data.length === 0) return undefined;
    const scan = scanSealedLines(
      data,
      (json) => this.applyJournalLine(json),
      (json) => this.fromLaterBatch(json),
    );
    const start = journal.size;
    journal.size += scan.validEnd;
    if (scan.validAfterDamage) throw this.journalDamaged(start + scan.damagedAt);
    return scan.damagedAt === -1 ? undefined : { damagedAt: start + scan.damagedAt };
  }

  /**
   * Whether a valid commit line found after damage in the journal was written in a later batch than
   * the damaged one: then the damage is in the middle of the journal (acknowledged commits follow it).
   * Otherwise it is part of the batch a crash tore, past the last valid line (`lineSeq`, which may be a
   * commit the snapshot already holds), which was never acknowledged. A line without its batch (format 1)
   * counts as later.
   */
  private fromLaterBatch(json: string): boolean {
    let batch: unknown;
    try {
      batch = (JSON.parse(json) as Partial<JournalCommit> | null)?.b;
    } catch {
      return true;
    }
    return typeof batch !== "number" || batch > this.lineSeq + 1;
  }

  private journalDamaged(offset: number): RegistryError {
    return storageError(
      `The journal ${this.journalPath} is damaged at byte ${offset}, and valid commits follow the damage. ` +
        `The files were left as they are: restore from a backup, or remove the damaged line by hand (see docs/filesystem-store.md).`,
      { file: this.journalPath, offset },
    );
  }

  /**
   * The journal's bytes from `from` up to the first NUL (space filled ahead) or `fileSize`: read a page
   * first, then in growing pieces while they hold only commits, so a store that is up to date reads
   * one page of NULs, not the whole filled space.
   */
  private readWritten(fd: number, from: number, fileSize: number): Buffer {
    const probe = journalProbe.subarray(0, readAll(this.fs, fd, journalProbe.subarray(0, Math.min(JOURNAL_READ_FIRST, fileSize - from)), from));
    const written = writtenEnd(probe);
    if (written === 0) return EMPTY_BUFFER;
    const pieces = [Buffer.from(probe.subarray(0, written))];
    if (written < probe.length) return pieces[0]!;
    let position = from + written;
    let want = JOURNAL_READ_FIRST * 8;
    while (position < fileSize) {
      const piece = Buffer.allocUnsafe(Math.min(want, fileSize - position));
      const done = readAll(this.fs, fd, piece, position);
      const end = writtenEnd(piece.subarray(0, done));
      pieces.push(piece.subarray(0, end));
      position += end;
      if (end < piece.length) break;
      want *= 8;
    }
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  /** A descriptor this store keeps on the file `stat` describes (which pins its inode), if any. */
  private keptJournal(stat: { ino: number; dev: number }): number | undefined {
    // Two plain checks, not a loop over an array: this runs on every refresh, i.e. every read.
    const open = this.journalFd;
    if (open !== undefined && open.ino === stat.ino && open.dev === stat.dev) return open.fd;
    const pin = this.journalPin;
    return pin !== undefined && pin.ino === stat.ino && pin.dev === stat.dev ? pin.fd : undefined;
  }

  /**
   * A descriptor on the file at the journal's path when it begins with `journal`'s header, i.e. it is that
   * journal, not a later one given the freed inode number of ours (the same `ino`/`dev` proves nothing
   * then); `undefined` otherwise. The caller closes it.
   */
  private openSameJournal(journal: JournalPosition): number | undefined {
    const fd = this.openIfExists(this.journalPath);
    if (fd === undefined) return undefined;
    let same = false;
    try {
      const head = Buffer.allocUnsafe(journal.header.length);
      same = readAll(this.fs, fd, head, 0) === head.length && head.equals(journal.header);
    } finally {
      if (!same) this.fs.closeSync(fd);
    }
    return same ? fd : undefined;
  }

  private unpinJournal(inBackground = false): void {
    const pin = this.journalPin;
    this.journalPin = undefined;
    if (pin === undefined) return;
    if (inBackground) this.closeInBackground(pin.fd);
    else this.closeQuietly(pin.fd);
  }

  /**
   * Closes a descriptor on the thread pool when the fs seam can: when it is the last one on a file that
   * was replaced, freeing the file's blocks (milliseconds for a large file) then does not block the
   * event loop.
   */
  private closeInBackground(fd: number): void {
    const close = ownAsyncCall(this.fs, "close");
    if (close === undefined) this.closeQuietly(fd);
    else close.call(this.fs, fd, () => {});
  }

  /** With the lock held: catch up with other processes and cut a torn tail, so our appends follow valid data. */
  private refreshUnderLock(): void {
    let change = this.readJournalChanges();
    if (change === "replaced") {
      this.load();
      change = this.tornTailAt === undefined ? undefined : { damagedAt: this.tornTailAt };
    }
    const journal = this.journal;
    if (change === undefined) {
      if (journal === undefined && this.tornTailAt === 0) this.removeHeaderlessJournal();
      else if (journal !== undefined && !journal.tailChecked) this.checkTail(journal);
      return;
    }
    if (journal === undefined) {
      this.removeHeaderlessJournal();
      return;
    }
    this.checkTail(journal);
  }

  /**
   * With the lock held, once per journal and after a torn or damaged tail: reads everything past the
   * last valid commit. Only NUL bytes there: nothing to do. Otherwise the damage is either a batch a
   * crash tore (cut, with a warning: none of it was acknowledged) or damage in the middle, followed by
   * a later batch (refused, the files left as they are; see {@link FileStoreEngine.fromLaterBatch}).
   * The pieces of a torn batch can lie past a run of NULs, where readers, who stop at the first NUL,
   * do not see them: a later append must not run into them.
   */
  private checkTail(journal: JournalPosition): void {
    if (journal.allocated <= journal.size) {
      journal.tailChecked = true;
      return;
    }
    const fd = this.fs.openSync(this.journalPath, "r");
    let rest: Buffer;
    try {
      rest = Buffer.allocUnsafe(journal.allocated - journal.size);
      rest = rest.subarray(0, readAll(this.fs, fd, rest, journal.size));
    } finally {
      this.fs.closeSync(fd);
    }
    const end = endOfData(rest);
    if (end > 0) {
      const scan = scanSealedLines(
        rest.subarray(0, end),
        (json) => this.applyJournalLine(json),
        (json) => this.fromLaterBatch(json),
      );
      if (scan.validAfterDamage) throw this.journalDamaged(journal.size + scan.damagedAt);
      journal.size += scan.validEnd;
      if (scan.damagedAt !== -1) {
        const torn = writtenEnd(rest, scan.damagedAt) - scan.damagedAt;
        const what = scan.damagedAt + torn < end ? `, and ${end - scan.damagedAt - torn} more bytes past a run of NULs` : "";
        this.cutTail(journal, `a torn or damaged tail of ${torn} bytes${what}`);
      }
    }
    journal.tailChecked = true;
  }

  /** With the lock held: cuts the journal after its last valid commit (dropping the space filled ahead too), with a warning. */
  private cutTail(journal: JournalPosition, what: string): void {
    this.warn(`Dropped ${what} at byte ${journal.size} of ${this.journalPath} (a commit interrupted by a crash; it was never acknowledged).`);
    const fd = this.fs.openSync(this.journalPath, "r+");
    try {
      this.fs.ftruncateSync(fd, journal.size);
      if (this.durable) this.fs.fsyncSync(fd);
    } finally {
      this.fs.closeSync(fd);
    }
    journal.allocated = journal.size;
    this.tornTailAt = undefined;
  }

  private removeHeaderlessJournal(): void {
    this.warn(`Removed ${this.journalPath}: a journal whose header was never completely written (a crash while creating it).`);
    try {
      this.fs.unlinkSync(this.journalPath);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    this.tornTailAt = undefined;
  }

  // ------------------------------------------------------------------------------------------
  // commits

  private ensureUsable(doing: string): void {
    if (this.closed) throw storageError(`The file store in ${this.dir} is closed (while ${doing}).`, { doing, dir: this.dir });
    if (this.failure !== undefined) {
      throw storageError(`The file store in ${this.dir} failed earlier and refuses further use until it is reopened: ${this.failure.message}`, { doing, dir: this.dir }, this.failure);
    }
  }

  commit(writes: readonly Write[]): Promise<CommitResult> {
    let prepared: PreparedWrite[];
    try {
      this.ensureUsable("committing");
      prepared = prepare(writes);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<CommitResult>((resolve, reject) => {
      this.queue.push({ writes: prepared, resolve, reject });
      this.pump();
    });
  }

  /**
   * Moves the pipeline on: take the lock, apply queued commits in order, start a batch write, release.
   *
   * Right after a batch, the callers it acknowledged often commit again before their microtasks end (a
   * loop of awaited commits): the lock is kept for them until then, which saves the lock's and the
   * freshness check's file-system calls per batch (and their metadata in the next flush). It is never
   * kept across a turn of the event loop without a batch in flight, and a process waiting for it gets
   * it within a few milliseconds (`lock.want`, checked every {@link WANT_CHECK_MS}).
   */
  private pump(): void {
    if (this.failure !== undefined) {
      this.rejectEverything(this.failure);
      return;
    }
    if (this.lock.held && this.compaction === undefined) {
      // A store that just took the lock applies its own commits first: reading a long backlog (another
      // process's loop of commits) could outlast its turn, and it would hand the lock back unused, again and again.
      if (this.handOverPending === undefined && !this.freshTurn) this.handOverPending = this.handOverDue();
      if (this.handOverPending !== undefined && this.mayRelease()) {
        const to = this.handOverPending;
        if (to === "process") {
          // The waiter's window starts when the lock is free, not when the request was seen (a slow flush
          // may lie between), and holds for every store of this process: they would otherwise take turns
          // with each other and the other process never get one.
          const windowMs = handOverWindow(this.lock.requestedWindowMs(HAND_OVER_MS) ?? HAND_OVER_MS);
          this.releaseLock(false);
          localDirectory(this.dir).handOverUntil = performance.now() + windowMs;
        } else {
          this.releaseLock();
          this.yieldToLocal = true;
        }
      }
    }
    if (!this.lock.held) {
      if (this.queue.length === 0 || this.acquiring) return;
      if (this.yieldToLocal || this.handingOver()) {
        this.waitForLock();
        return;
      }
      let acquired: boolean;
      try {
        acquired = this.lock.tryAcquire();
      } catch (error) {
        this.rejectQueue(storageError(`Cannot take the file store lock in ${this.dir}: ${describe(error)}`, { dir: this.dir }, error));
        return;
      }
      if (!acquired) {
        this.waitForLock();
        return;
      }
      if (!this.afterAcquire()) return;
    }
    // While a compaction is due, or the lock is to be handed over, commits wait unapplied until the batch in flight is written.
    if (!((this.compactionDue || this.handOverPending !== undefined) && this.writing)) {
      this.applyQueue();
      this.freshTurn = false;
    }
    if (this.writing || this.swappingJournal) return;
    if (this.nextBatch.length > 0) {
      this.writing = true;
      // A synchronous flush blocks the event loop: first let every commit already on its way join this
      // batch. Commits from I/O and timer callbacks of this phase of the event loop arrive one callback
      // at a time, so the batch waits for the phase to end (setImmediate). But the commits of callers
      // that the last batch woke (a loop of awaited commits; the registry's pipelined mutations) run in
      // microtasks: a nextTick queued from one runs once the microtask queue is empty, so they have all
      // joined, and no turn of the event loop is paid (~40-50 CPU µs per sequential durable register).
      // One turn every EVENT_LOOP_TURN_MS keeps timers and I/O going. A thread-pool flush lets commits
      // join the next batch while it runs.
      if (!this.flushesOnMainThread()) queueMicrotask(() => void this.writeBatch());
      else if (this.afterBatch && performance.now() - this.lastTurn < EVENT_LOOP_TURN_MS) process.nextTick(() => void this.writeBatch());
      else {
        setImmediate(() => {
          this.lastTurn = performance.now();
          void this.writeBatch();
        });
      }
    } else if (this.compactionDue) {
      this.maybeCompact();
    } else if (this.compaction === undefined) {
      if (this.afterBatch) this.linger();
      else this.releaseLock();
    }
  }

  /** True when nothing applied is unwritten and no compaction needs the lock: it may be given up. */
  private mayRelease(): boolean {
    return !this.writing && this.nextBatch.length === 0 && this.compaction === undefined && !this.compactionDue;
  }

  /** Keeps the lock until the microtasks of the callers just acknowledged end; then `pump` releases it unless they committed. */
  private linger(): void {
    releaseLingeringOnExit(this);
    if (this.lingerScheduled) return;
    this.lingerScheduled = true;
    // queued after the nextTick that ends `afterBatch`, so this pump releases unless a batch started
    process.nextTick(() => {
      this.lingerScheduled = false;
      this.pump();
    });
  }

  /**
   * Looks (at most every {@link WANT_CHECK_MS}) whether another process asked for the lock (`lock.want`),
   * or else another store of this process waits for it.
   */
  private handOverDue(): "process" | "store" | undefined {
    const now = performance.now();
    if (now - this.wantCheckedAt < WANT_CHECK_MS) return undefined;
    this.wantCheckedAt = now;
    if (this.lock.isWanted()) return "process";
    return (localDirectories.get(this.dir)?.waiters.size ?? 0) > 0 ? "store" : undefined;
  }

  /**
   * True while this process leaves the lock it handed over to another process that asked for it. A
   * request still there when the window ends was not taken up (its process died, or will ask again):
   * it is removed, so it costs one pause only.
   */
  private handingOver(): boolean {
    const local = localDirectories.get(this.dir);
    if (local === undefined || local.handOverUntil === 0) return false;
    const wanted = this.lock.isWanted();
    if (wanted && performance.now() < local.handOverUntil) return true;
    if (wanted) this.lock.clearWanted();
    local.handOverUntil = 0;
    forgetIfIdle(this.dir, local);
    return false;
  }

  /** On process exit: gives up a lock kept for callers that never committed again (a batch or compaction in flight keeps it: a later opener takes it over). */
  releaseOnExit(): void {
    if (this.lock.held && this.mayRelease()) this.releaseLock();
  }

  /** Drops the kept text of the row `key` is about to replace or delete. */
  private forgetCommittedText(collection: string, key: string): void {
    const previous = this.tables.get(collection)?.rows.get(key);
    if (previous === undefined) return;
    this.committedText.delete(previous);
    this.plainLines.delete(previous);
    if (this.compaction !== undefined) (this.replacedWhileCompacting ??= new Set()).add(previous);
  }

  /**
   * Releases the writer lock, waking this process's other stores waiting for it (unless `wakeLocal` is
   * false: a hand-over to another process). A failure is a warning (every commit is acknowledged, only
   * the lock file stays).
   */
  private releaseLock(wakeLocal = true): void {
    lingering.delete(this);
    this.handOverPending = undefined;
    const held = this.lock.held;
    const local = localDirectories.get(this.dir);
    if (local !== undefined && local.holder === this) local.holder = undefined;
    try {
      this.lock.release();
      if (held && wakeLocal && local !== undefined) for (const wake of local.waiters) wake();
    } catch (error) {
      this.warn(
        `Cannot release the file store lock in ${this.dir}: ${describe(error)}. Other processes may wait for it until this process exits (with the hard-link lock, this store removes it at its next batch).`,
      );
    }
    if (local !== undefined) forgetIfIdle(this.dir, local);
  }

  /** Notes a try for the lock while waiting for it (`first`: the first of a wait), for the window its requests ask for. */
  private notePoll(first: boolean): void {
    const now = performance.now();
    if (first || this.lastPollAt === undefined) this.pollGaps.length = 0;
    else if (this.pollGaps.push(now - this.lastPollAt) > POLL_GAPS_KEPT) this.pollGaps.shift();
    this.lastPollAt = now;
  }

  /**
   * The window (ms) this store's request asks for: twice its longest recent gap between tries, within
   * [{@link HAND_OVER_MS}, {@link MAX_HAND_OVER_MS}]. Gaps longer than the longest window do not count:
   * a waiter that always polls that slowly would miss any window, so it asks for the usual one, and the
   * holder does not idle a second per try.
   */
  private windowToAskFor(): number {
    // the longest recent gap the longest window can cover: one stall longer than that (a GC pause) among
    // usual gaps of a few hundred ms must not make it ask for windows it then misses for certain
    let gap = 0;
    for (const each of this.pollGaps) if (each <= MAX_HAND_OVER_MS) gap = Math.max(gap, each);
    return handOverWindow(2 * gap);
  }

  /** Notes that this store took the lock: the holder of its directory in this process, with a turn of at least WANT_CHECK_MS. */
  private tookLock(): void {
    this.lastPollAt = undefined;
    this.freshTurn = true;
    this.wantCheckedAt = performance.now();
    this.yieldToLocal = false;
    const local = localDirectory(this.dir);
    local.holder = this;
    this.withdrawRequest(local); // served (another process's, if also in the file, is made again at its next poll)
  }

  /**
   * Asks for the lock through `lock.want`, unless a store of this process holds it (that holder sees its
   * waiters without the file). True when it asked.
   */
  private askForLock(local: LocalDirectory): boolean {
    if (local.holder !== undefined) return false;
    this.lock.askForLock(this.windowToAskFor());
    local.asked = true;
    return true;
  }

  /** Removes this process's request for the lock (`lock.want`), if it made one: served, or given up. */
  private withdrawRequest(local: LocalDirectory): void {
    if (!local.asked) return;
    local.asked = false;
    this.lock.clearWanted();
  }

  /** Refreshes under the freshly taken lock; on failure rejects the queue and releases. */
  private afterAcquire(): boolean {
    this.tookLock();
    try {
      this.refreshUnderLock();
      return true;
    } catch (error) {
      this.releaseLock();
      this.rejectQueue(error instanceof RegistryError ? error : storageError(`Cannot read the file store in ${this.dir}: ${describe(error)}`, { dir: this.dir }, error));
      return false;
    }
  }

  /**
   * Polls for the writer lock until this store takes it, then tells `waiter` (by default the commit
   * queue: it refreshes and applies what waits). Meanwhile `acquiring` holds new commits back, this
   * process's other stores wake it when they give the lock up, and failed attempts ask the holder for
   * it (`lock.want`).
   */
  private waitForLock(waiter: LockWaiter = this.queueWaiter): void {
    this.acquiring = true;
    const started = Date.now();
    let delay = 1;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let woken = false;
    let asked = false;
    const local = localDirectory(this.dir);
    const stop = () => {
      this.acquiring = false;
      local.waiters.delete(wake);
      forgetIfIdle(this.dir, local);
    };
    const later = (ms: number) => {
      timer = setTimeout(attempt, ms);
    };
    // Another store of this process that gives the lock up wakes us: no waiting for the next poll.
    const wake = () => {
      if (woken) return;
      woken = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      queueMicrotask(attempt);
    };
    const attempt = () => {
      timer = undefined;
      woken = false;
      this.notePoll(false);
      this.yieldToLocal = false; // the woken store of this process had its chance (a microtask, before this timer)
      if (this.closed || this.failure !== undefined) {
        if (asked) this.withdrawRequest(local); // not left to cost the holder a pause
        stop();
        waiter.failed(undefined);
        return;
      }
      if (this.handingOver()) {
        later(1);
        return;
      }
      let acquired = false;
      try {
        acquired = this.lock.tryAcquire();
      } catch (error) {
        stop();
        waiter.failed(storageError(`Cannot take the file store lock in ${this.dir}: ${describe(error)}`, { dir: this.dir }, error));
        return;
      }
      if (acquired) {
        stop();
        waiter.acquired();
        return;
      }
      // Not when a store of this process holds the lock: a request in the file would be erased by whichever
      // of our stores takes the lock next, with another process's in it.
      if (this.askForLock(local)) asked = true;
      if (Date.now() - started >= this.lockTimeoutMs) {
        this.withdrawRequest(local); // other waiters ask again at their next attempt
        stop();
        waiter.failed(
          storageError(
            `Timed out after ${this.lockTimeoutMs} ms waiting for the file store lock in ${this.dir}, held by ${this.lock.describeHolder()}. ` +
              `If that process is gone (on another host), delete ${join(this.dir, "lock")}.`,
            { dir: this.dir, lockTimeoutMs: this.lockTimeoutMs },
          ),
        );
        return;
      }
      delay = Math.min(delay * 2, 20);
      later(delay / 2 + Math.random() * delay);
    };
    local.waiters.add(wake);
    this.notePoll(true);
    later(delay);
  }

  /** Validates and applies every queued commit in arrival order (the lock is held, the state fresh). */
  private applyQueue(): void {
    const queue = this.queue;
    this.queue = [];
    for (const pending of queue) {
      const conflicts: { collection: string; key: string; expected: number; actual: number }[] = [];
      for (const write of pending.writes) {
        const actual = this.revisionOf(write.collection, write.key);
        if (actual !== write.expect) conflicts.push({ collection: write.collection, key: write.key, expected: write.expect, actual });
      }
      const first = conflicts[0];
      if (first !== undefined) {
        pending.reject(
          new RegistryError(
            "CONFLICT",
            `Revision conflict on ${first.collection}/${first.key}: expected revision ${first.expected}, found ${first.actual}` +
              (conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ""),
            { ...first, conflicts },
          ),
        );
        continue;
      }
      const seq = this.seq + 1;
      const parts: string[] = [];
      for (const write of pending.writes) {
        if (write.op === "check") continue;
        // A collection name is /^[a-z][a-z0-9_]*$/ (checked): its JSON is itself in quotes.
        const head = `{"c":"${write.collection}","k":${JSON.stringify(write.key)}`;
        if (write.op === "delete") {
          parts.push(`${head},"d":1}`);
          this.applyDelete(write.collection, write.key);
        } else {
          parts.push(`${head},"r":${write.expect + 1},"v":${write.text ?? "null"}}`);
          const revision = write.expect + 1;
          const text = write.text ?? "null";
          if (write.value === undefined) this.applyPut(write.collection, new LazyRow(write.key, revision, seq, text, this.table(write.collection).source));
          else {
            const row = Object.freeze({ key: write.key, revision, seq, value: write.value });
            this.applyPut(write.collection, row);
            this.committedText.set(row, text);
          }
        }
      }
      this.seq = seq;
      this.nextBatch.push({ seq, body: `"at":"${new Date().toISOString()}","w":[${parts.join(",")}]}`, resolve: pending.resolve, reject: pending.reject });
    }
  }

  /** Appends the batch (and whatever joined it this tick), fsyncs once, acknowledges, then moves on. */
  private async writeBatch(): Promise<void> {
    const batch = this.nextBatch;
    this.nextBatch = [];
    try {
      const journal = this.ensureJournal();
      const first = batch[0]!.seq;
      const line = (applied: Applied) => sealLine(`{"seq":${applied.seq},"b":${first},${applied.body}`);
      const data = Buffer.from(batch.length === 1 ? line(batch[0]!) : batch.map(line).join(""));
      const fd = this.journalDescriptor(journal);
      if (this.durable && journal.size + data.length > journal.allocated) this.fillAhead(journal, fd, journal.size + data.length);
      writeAll(this.fs, fd, data, journal.size);
      // fdatasync also writes the grown size (metadata needed to read the data back), not mtime.
      if (this.durable) await this.flushJournal(fd);
      journal.size += data.length;
      this.lineSeq = batch[batch.length - 1]!.seq;
      if (!KEEP_JOURNAL_OPEN) this.closeJournal();
    } catch (error) {
      this.writing = false;
      this.fail(error, batch);
      return;
    }
    // Flushed, so acknowledged, even if the store failed meanwhile (its descriptor was kept open for this flush).
    // Commits made by the callers woken here (their microtasks, until the tick below) may follow on nextTick.
    this.afterBatch = true;
    process.nextTick(() => (this.afterBatch = false));
    for (const applied of batch) applied.resolve({ seq: applied.seq });
    this.writing = false;
    if (this.failure !== undefined) {
      this.closeJournal();
      this.releaseLock();
      return;
    }
    this.maybeCompact();
    this.pump();
  }

  /**
   * Fills the journal with NUL bytes past `end` (where the batch about to be written ends), so the
   * next commits' flushes overwrite space the file has (see {@link JOURNAL_FILL_MAX}). Written before
   * the batch: if it fails, nothing of the batch is in the file. The batch's flush makes it durable.
   */
  private fillAhead(journal: JournalPosition, fd: number, end: number): void {
    if (journal.appendOnly) return;
    const target = end + Math.min(JOURNAL_FILL_MAX, Math.max(JOURNAL_FILL_MIN, journal.size));
    try {
      for (let position = end; position < target; position += ZEROS.length) {
        writeAll(this.fs, fd, ZEROS.subarray(0, Math.min(ZEROS.length, target - position)), position);
      }
      journal.allocated = target;
    } catch (error) {
      // A full disk or quota: the commit may still fit without the filled space. Give that back, and
      // append this journal's commits from now on (a compaction's new journal tries again).
      this.fs.ftruncateSync(fd, journal.size);
      journal.allocated = journal.size;
      journal.appendOnly = true;
      this.warn(`Could not fill ${this.journalPath} ahead of its commits (${describe(error)}); they are appended instead, with slower flushes.`);
    }
  }

  private flushesOnMainThread(): boolean {
    return this.durable && this.fs.fdatasyncSync !== undefined && this.flushMs < SYNC_FLUSH_LIMIT_MS;
  }

  /** fdatasync of the journal: synchronous while flushes are fast, on the thread pool otherwise. */
  private async flushJournal(fd: number): Promise<void> {
    const started = performance.now();
    if (this.flushesOnMainThread()) this.fs.fdatasyncSync!(fd);
    else await new Promise<void>((resolve, reject) => this.fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
    this.flushMs = 0.8 * this.flushMs + 0.2 * (performance.now() - started);
  }

  /**
   * The open journal for `journal` (the file the lock holder just checked by `stat`): the kept
   * descriptor when it is that file, otherwise a fresh one (verified by `fstat`).
   */
  private journalDescriptor(journal: JournalPosition): number {
    const open = this.journalFd;
    if (open !== undefined && open.ino === journal.ino && open.dev === journal.dev) return open.fd;
    this.closeJournal();
    const fd = this.fs.openSync(this.journalPath, "r+");
    let stat: { ino: number; dev: number };
    try {
      stat = this.fs.fstatSync(fd);
    } catch (error) {
      this.fs.closeSync(fd);
      throw error;
    }
    if (stat.ino !== journal.ino || stat.dev !== journal.dev) {
      this.fs.closeSync(fd);
      throw storageError(`The journal ${this.journalPath} was replaced while this process held the lock (by something that does not take it).`, { file: this.journalPath });
    }
    this.journalFd = { fd, ino: stat.ino, dev: stat.dev };
    return fd;
  }

  private closeJournal(): void {
    const open = this.journalFd;
    this.journalFd = undefined;
    if (open !== undefined) this.closeQuietly(open.fd);
  }

  private closeQuietly(fd: number): void {
    try {
      this.fs.closeSync(fd);
    } catch {
      // nothing more to do
    }
  }

  /** Creates the journal (temp file, fsync, rename, directory fsync) when there is none yet. */
  private ensureJournal(): JournalPosition {
    if (this.journal !== undefined) return this.journal;
    const header = journalHeader(this.snapshotSeq);
    const stat = this.writeFileAtomically(this.journalPath, [header]);
    this.unpinJournal();
    this.journal = { ino: stat.ino, dev: stat.dev, size: header.length, allocated: header.length, tailChecked: true, headerBytes: header.length, header };
    this.lineSeq = this.snapshotSeq;
    return this.journal;
  }

  /** Writes a file by temp file + fsync + rename + directory fsync; answers the new file's identity. */
  private writeFileAtomically(path: string, chunks: Iterable<Uint8Array>): { ino: number; dev: number; size: number } {
    const temp = join(this.dir, `${TEMP_PREFIX}${nanoid()}`);
    const fd = this.fs.openSync(temp, "wx");
    let stat: { ino: number; dev: number; size: number };
    try {
      let position = 0;
      for (const chunk of chunks) {
        writeAll(this.fs, fd, chunk, position);
        position += chunk.length;
      }
      if (this.durable) this.fs.fsyncSync(fd);
      stat = this.fs.fstatSync(fd);
    } finally {
      this.fs.closeSync(fd);
    }
    this.fs.renameSync(temp, path);
    if (this.durable) fsyncDirectory(this.fs, this.dir);
    return stat;
  }

  /** Rejects everything pending and refuses further use until reopened (as PostgreSQL does after a failed fsync). */
  private fail(error: unknown, batch: readonly Applied[]): void {
    const failure =
      error instanceof RegistryError && error.code === "STORAGE"
        ? error
        : storageError(`The file store in ${this.dir} failed to write: ${describe(error)}. Reopen the store to continue.`, { dir: this.dir }, error);
    this.failure = failure;
    for (const applied of batch) applied.reject(failure);
    this.rejectEverything(failure);
    // A batch still being written (a compaction failed meanwhile) keeps the journal descriptor, whose
    // flush may be pending, and the lock: its epilogue closes and releases them.
    if (!this.writing) this.closeJournal();
  }

  private rejectEverything(error: unknown): void {
    const applied = this.nextBatch;
    this.nextBatch = [];
    for (const entry of applied) entry.reject(error);
    this.rejectQueue(error);
    // the lock of a failed store: if it cannot be removed, a later opener takes it over when we are gone
    if (!this.writing) this.releaseLock();
  }

  private rejectQueue(error: unknown): void {
    const queue = this.queue;
    this.queue = [];
    for (const pending of queue) pending.reject(error);
  }

  // ------------------------------------------------------------------------------------------
  // compaction

  /**
   * Starts a compaction when one is due (the journal passed its threshold, or `compact()` asked) and
   * this store may: it holds the lock, works, and has nothing applied but unwritten (the snapshot is
   * taken as of the last written commit). Otherwise, with commits in flight, it marks the compaction
   * due: `pump()` then applies no new commit until the batch in flight is written, so a steady stream
   * of commits cannot put it off for ever.
   */
  private maybeCompact(): void {
    if (this.compaction !== undefined || this.failure !== undefined || this.closed || !this.lock.held) return;
    const journal = this.journal;
    const threshold = this.compactionBytes ?? Math.max(MIN_COMPACTION_BYTES, this.snapshotBytes / 4);
    if (!this.compactionDue && (journal === undefined || journal.size - journal.headerBytes <= threshold)) return;
    if (this.writing || this.nextBatch.length > 0) {
      this.compactionDue = true;
      return;
    }
    this.compactionDue = false;
    void this.startCompaction();
  }

  /**
   * Starts a compaction (the lock held, nothing unwritten). It keeps the lock until it ends; meanwhile
   * this store's commits go on into the current journal. A failure fails the store, as a failed write does.
   */
  private startCompaction(): Promise<void> {
    const running = this.compactInSlices()
      .catch((error: unknown) => this.fail(error, []))
      .finally(() => {
        this.compaction = undefined;
        this.replacedWhileCompacting = undefined;
        this.swappingJournal = false;
        this.pump();
      });
    this.compaction = running;
    return running;
  }

  /** Compacts now (after a compaction already running, which covers only what came before it). */
  async compact(): Promise<void> {
    this.ensureUsable("compacting");
    for (;;) {
      if (this.compaction !== undefined) await this.compaction;
      else if (!this.lock.held && (this.acquiring || this.queue.length > 0)) await new Promise((resolve) => setTimeout(resolve, 1));
      else break;
      this.ensureUsable("compacting");
    }
    if (!this.lock.held) {
      await new Promise<void>((resolve, reject) =>
        this.waitForLock({
          acquired: () => {
            try {
              this.tookLock();
              try {
                this.refreshUnderLock();
              } catch (error) {
                this.fail(error, []);
                reject(this.failure);
                return;
              }
              // due before any other callback runs: one that found the lock idle would give it up again
              this.compactionDue = true;
              resolve();
            } catch (error) {
              reject(error); // (a throwing onWarning): settled, not thrown from a timer
            }
          },
          failed: (error) => {
            try {
              if (error !== undefined) throw error;
              this.ensureUsable("compacting");
            } catch (reason) {
              reject(reason);
            }
            // commits that arrived while it waited were held back by `acquiring`
            this.pump();
          },
        }),
      );
    }
    // Due now: it starts at once, or (commits in flight) as soon as the batch being written is. A compaction
    // started since the lock was taken (by a pump between the wait's end and this line) covers everything.
    if (this.compaction === undefined) this.compactionDue = true;
    this.maybeCompact();
    this.pump();
    while (this.compactionDue && this.failure === undefined && !this.closed) await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.compaction !== undefined) await this.compaction;
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * A record line of the snapshot or archive (without its newline): the shape JSON.stringify({ c, k, r, s, v })
   * gives, with the value's kept text when there is some (no parse, no second serialisation).
   */
  private recordLine(collectionJson: string, row: Row, projectTo: LazySource | undefined): string {
    const text = row instanceof LazyRow ? row.text : (this.committedText.get(row) ?? JSON.stringify(row.value));
    const head = `{"c":${collectionJson},"k":${JSON.stringify(row.key)},"r":${row.revision},"s":${row.seq}`;
    return projectTo === undefined ? `${head},"v":${text}}` : `${head},"i":${this.projectionTextOf(row, projectTo)},"v":${text}}`;
  }

  /**
   * A snapshot line's index projection: the row's own when it was built for the same fields, else built
   * from the value (an unparsed row then keeps it, with `own`, its collection's source for this store's
   * fields: the next compaction does not parse the value again).
   */
  private projectionTextOf(row: Row, own: LazySource): string {
    const { fields, order } = this.projection;
    if (!(row instanceof LazyRow)) return JSON.stringify(projectionOf(row.value, fields, order));
    const kept = row.projectionTextFor(this.projectionKey);
    if (kept !== undefined) return kept;
    const text = JSON.stringify(projectionOf(row.peek(), fields, order));
    row.adoptProjection(text, own);
    return text;
  }

  /** Lets the event loop run (commits, reads) between slices of a compaction; stops it if the store failed. */
  private async compactionBreak(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  /** fsync of a file the compaction wrote: on the thread pool when the fs seam offers it. */
  private async syncFile(fd: number): Promise<void> {
    const fsync = ownAsyncCall(this.fs, "fsync");
    if (fsync === undefined) this.fs.fsyncSync(fd);
    else await new Promise<void>((resolve, reject) => fsync.call(this.fs, fd, (error) => (error ? reject(error) : resolve())));
  }

  /**
   * Archive, snapshot, fresh journal, as of the commit `seq` at the start (the lock held throughout).
   * The records are taken as they are at the start (rows are immutable), then serialised and written in
   * slices of about {@link COMPACTION_SLICE} with the event loop free between them, so this store's reads
   * and commits go on: commits are appended to the current journal. At the end, in one synchronous step
   * with no batch being written, the journal is replaced by one holding only the commits after `seq`.
   * The files change in the same order as ever (archive, snapshot, journal), so a crash between two
   * steps leaves files that open to the same state.
   */
  private async compactInSlices(): Promise<void> {
    // Another process may have replaced the snapshot and then failed before replacing the journal: our
    // view (and its archive size) would be older than the files. Catch up first (the lock is held and
    // nothing is unwritten, so the files hold all we have).
    if (this.snapshotSeqOnDisk() !== this.snapshotSeq) this.load();
    // 0. What the snapshot holds: every row as of `seq` (all written and flushed: nothing is unwritten here).
    const seq = this.seq;
    const startJournal = this.journal === undefined ? undefined : { ino: this.journal.ino, dev: this.journal.dev, size: this.journal.size };
    const live: { collection: string; rows: Row[] }[] = [];
    const archived: { collection: string; rows: Row[]; tombstones: string[] }[] = [];
    for (const [collection, table] of this.tables) {
      if (ARCHIVED_COLLECTIONS.has(collection)) continue;
      live.push({ collection, rows: [...table.rows.values()] });
    }
    for (const collection of ARCHIVED_COLLECTIONS) {
      archived.push({ collection, rows: [...(this.tables.get(collection)?.rows.values() ?? [])], tombstones: [...(this.tombstones.get(collection) ?? [])] });
    }

    // 1. Append the archived collections' changes since the last snapshot to the archive.
    let archiveBytes = this.archiveBytes;
    // Updated in place once the archive is written: revision checks meanwhile find these rows in their
    // tables (or tombstones) first, and a compaction that fails fails the store.
    const keyIndex = this.archivedKeyIndex();
    const archiveChunks: Buffer[] = [];
    let pending = "";
    for (const { collection, rows, tombstones } of archived) {
      const c = JSON.stringify(collection);
      for (const row of rows) {
        pending += sealLine(this.recordLine(c, row, undefined));
        if (pending.length >= COMPACTION_SLICE) {
          archiveChunks.push(Buffer.from(pending));
          pending = "";
          await this.compactionBreak();
        }
      }
      for (const key of tombstones) pending += sealLine(JSON.stringify({ c: collection, k: key, s: seq, d: 1 }));
    }
    if (pending !== "") archiveChunks.push(Buffer.from(pending));
    if (archiveChunks.length > 0) {
      const created = archiveBytes === 0;
      const fd = this.fs.openSync(this.archivePath, created ? "w" : "r+");
      try {
        let position = archiveBytes;
        if (created) {
          const header = Buffer.from(JSON.stringify({ format: FORMAT_VERSION, file: "archive" }) + "\n");
          writeAll(this.fs, fd, header, 0);
          position = header.length;
        } else {
          this.fs.ftruncateSync(fd, archiveBytes);
        }
        for (const chunk of archiveChunks) {
          writeAll(this.fs, fd, chunk, position);
          position += chunk.length;
          await this.compactionBreak();
        }
        if (this.durable) await this.syncFile(fd);
        archiveBytes = position;
      } finally {
        this.fs.closeSync(fd);
      }
      if (created && this.durable) fsyncDirectory(this.fs, this.dir);
      this.archiveKeys(keyIndex, archived);
    }
    if (this.failure !== undefined) throw this.failure;

    // 2. The snapshot of every live record, written in slices with a running CRC, then renamed into place.
    let records = 0;
    for (const { rows } of live) records += rows.length;
    const temp = join(this.dir, `${TEMP_PREFIX}${nanoid()}`);
    let written: { bytes: number; lines: SnapshotLines };
    try {
      written = await this.writeSnapshot(temp, { seq, records, archiveBytes }, live, this.archivedKeysLine(keyIndex));
      if (this.failure !== undefined) throw this.failure;
      // Held across the rename (not on Windows, where it would fail it), so the replaced snapshot's
      // blocks are freed by a close on the thread pool.
      const replaced = KEEP_JOURNAL_OPEN ? this.openIfExists(this.snapshotPath) : undefined;
      try {
        this.fs.renameSync(temp, this.snapshotPath);
      } finally {
        if (replaced !== undefined) this.closeInBackground(replaced);
      }
    } catch (error) {
      try {
        this.fs.unlinkSync(temp); // not left behind until an open finds the lock free: it can be as large as the snapshot
      } catch {
        // gone already (renamed), or nothing more to do
      }
      throw error;
    }
    const snapshotBytes = written.bytes;
    this.adoptSnapshotLines(written.lines, live);
    if (this.durable) fsyncDirectory(this.fs, this.dir);

    // 3. A fresh journal holding the commits made since `seq` (appended meanwhile), written when no
    //    batch is: one synchronous step, so no append can fall between reading the tail and the rename.
    // No new batch starts from here on (commits still apply and wait in the next batch), so this
    // cannot starve behind a stream of commits; the one being written (or flushed) is waited for.
    this.swappingJournal = true;
    while (this.writing) await this.compactionBreak();
    if (this.failure !== undefined) throw this.failure;
    const current = this.journal;
    let tail: Buffer = Buffer.alloc(0);
    if (current !== undefined) {
      const same = startJournal !== undefined && startJournal.ino === current.ino && startJournal.dev === current.dev;
      const from = same ? startJournal.size : current.headerBytes;
      tail = Buffer.allocUnsafe(current.size - from);
      if (readAll(this.fs, this.journalDescriptor(current), tail, from) < tail.length) {
        throw storageError(`The journal ${this.journalPath} is shorter than this process wrote.`, { file: this.journalPath });
      }
    }
    // Windows cannot replace a file this process holds open: closed before the rename there. Elsewhere
    // held across it, and closed on the thread pool with the pin, where the replaced file is freed.
    const held = KEEP_JOURNAL_OPEN ? this.journalFd : undefined;
    if (held === undefined) this.closeJournal();
    else this.journalFd = undefined;
    const header = journalHeader(seq);
    let stat: { ino: number; dev: number; size: number };
    try {
      stat = this.writeFileAtomically(this.journalPath, [header, tail]);
    } finally {
      if (held !== undefined) this.closeInBackground(held.fd);
    }
    this.unpinJournal(true);
    this.lineSeq = Math.max(this.lineSeq, seq); // the new journal's base, when no commit followed it

    // 4. Memory follows the files: the archived rows written above leave memory (rows committed since stay).
    for (const { collection, rows, tombstones } of archived) {
      const table = this.tables.get(collection);
      for (const row of rows) {
        // the same version of the record (a value parsed meanwhile is another object for the same row)
        const now = table?.rows.get(row.key);
        if (now !== undefined && now.seq === row.seq && now.revision === row.revision) table?.delete(row.key);
      }
      const set = this.tombstones.get(collection);
      for (const key of tombstones) set?.delete(key);
    }
    // The texts of rows now in the snapshot or the archive (those committed since keep theirs): a walk
    // over this map (bounded by the journal), not over every live row.
    for (const row of this.committedText.keys()) if (row.seq <= seq) this.committedText.delete(row);
    this.archivedKeysText = undefined;
    this.archiveBytes = archiveBytes;
    this.snapshotSeq = seq;
    this.snapshotBytes = snapshotBytes;
    const size = header.length + tail.length;
    this.journal = { ino: stat.ino, dev: stat.dev, size, allocated: size, tailChecked: true, headerBytes: header.length, header };
    this.tornTailAt = undefined;
  }

  /** The `seq` in the header of the snapshot file now on disk (0 when there is none or it has no header). */
  private snapshotSeqOnDisk(): number {
    const fd = this.openIfExists(this.snapshotPath);
    if (fd === undefined) return 0;
    try {
      // The header line is short, unless it lists many long projection fields: read on to its newline.
      let head = Buffer.alloc(4096);
      let n = 0;
      for (;;) {
        const read = this.fs.readSync(fd, head, n, head.length - n, n);
        n += read;
        if (read === 0 || head.subarray(0, n).includes(0x0a) || n >= MAX_HEADER_BYTES) break;
        if (n === head.length) head = Buffer.concat([head, Buffer.alloc(head.length)]);
      }
      const header = readHeader(head.subarray(0, n))?.header;
      return typeof header?.seq === "number" ? header.seq : 0;
    } finally {
      this.fs.closeSync(fd);
    }
  }

  /**
   * Writes a snapshot to `temp` in slices, with the running CRC in its footer, and flushes it; answers
   * its size and where its record lines are. The line of a row unchanged since the snapshot on disk
   * is copied from that file (see {@link SnapshotLines}); other rows are serialised.
   */
  private async writeSnapshot(
    temp: string,
    header: { seq: number; records: number; archiveBytes: number },
    live: readonly { collection: string; rows: readonly Row[] }[],
    archivedKeysLine: string,
  ): Promise<{ bytes: number; lines: SnapshotLines }> {
    const source = await this.copySource();
    const fd = this.fs.openSync(temp, "wx");
    let crc = 0;
    let bytes = 0;
    const starts = new Float64Array(header.records + 1);
    let line = 0;
    try {
      const { fields: projection, order } = this.projection;
      const headerLine = Buffer.from(JSON.stringify({ format: FORMAT_VERSION, file: "snapshot", ...header, id: nanoid(), writtenAt: new Date().toISOString(), projection, order }) + "\n");
      let chunk = "";
      let chunkBytes = 0;
      // A range of the snapshot on disk to copy next (consecutive unchanged lines join it).
      let copyFrom = 0;
      let copyTo = 0;
      const write = (buffer: Buffer) => {
        crc = crcUpdate(buffer, crc);
        writeAll(this.fs, fd, buffer, bytes);
        bytes += buffer.length;
      };
      write(headerLine);
      const emit = () => {
        if (chunk !== "") write(Buffer.from(chunk));
        chunk = "";
        chunkBytes = 0;
        if (copyTo > copyFrom && source !== undefined) write(source.data.subarray(copyFrom, copyTo));
        copyFrom = copyTo = 0;
      };
      for (const { collection, rows } of live) {
        const c = JSON.stringify(collection);
        const own = this.table(collection).sourceFor(this.projection, this.projectionKey);
        for (const row of rows) {
          starts[line++] = bytes + chunkBytes + (copyTo - copyFrom);
          const n = source === undefined ? -1 : this.snapshotLineOf(row);
          if (source !== undefined && n >= 0 && n + 1 < source.starts.length) {
            const from = source.starts[n]!;
            const to = source.starts[n + 1]!;
            if (chunk !== "" || (copyTo > copyFrom && copyTo !== from)) emit();
            if (copyTo === copyFrom) copyFrom = from;
            copyTo = to;
          } else {
            if (copyTo > copyFrom) emit();
            const text = `${this.recordLine(c, row, own)}\n`;
            chunk += text;
            chunkBytes += Buffer.byteLength(text);
          }
          if (chunkBytes + (copyTo - copyFrom) >= COMPACTION_SLICE) {
            emit();
            await this.compactionBreak();
          }
        }
      }
      starts[line] = bytes + chunkBytes + (copyTo - copyFrom);
      emit();
      chunk = `${archivedKeysLine}\n`;
      emit();
      chunk = JSON.stringify({ end: true, records: header.records, crc32: crc.toString(16).padStart(8, "0") }) + "\n";
      emit();
      if (this.durable) await this.syncFile(fd);
      return { bytes, lines: { header: headerLine, bodyStart: headerLine.length, records: header.records, starts, projectionKey: this.projectionKey } };
    } finally {
      this.fs.closeSync(fd);
    }
  }

  /**
   * After the rename: the snapshot on disk is the one just written, whose line `n` is the `n`th of
   * `live`. Rows still current take their new line numbers (a row replaced meanwhile is gone).
   */
  private adoptSnapshotLines(lines: SnapshotLines, live: readonly { collection: string; rows: readonly Row[] }[]): void {
    this.snapshotLines = lines;
    const gone = this.replacedWhileCompacting;
    this.replacedWhileCompacting = undefined;
    let line = 0;
    for (const { rows } of live) {
      for (const row of rows) {
        const n = line++;
        // A snapshot row that is gone keeps a number nobody reads; a plain one is not filed (it would stay in the map).
        if (row instanceof LazyRow) row.snapshotLine = n;
        else if (gone === undefined || !gone.has(row)) this.plainLines.set(row, n);
      }
    }
  }

  /**
   * Files the keys of archived rows (and removes tombstoned ones) in `index`, and keeps the JSON text of
   * each collection's keys up to date by appending to it (see {@link FileStoreEngine.archivedKeysJson}):
   * a compaction then serialises the keys archived since the last one, not every key archived ever.
   * A key archived again or removed makes the text be rebuilt from the index.
   */
  private archiveKeys(index: Map<string, Map<string, number>>, archived: readonly { collection: string; rows: readonly Row[]; tombstones: readonly string[] }[]): void {
    const texts = this.archivedKeysJson;
    let rebuild = texts === undefined;
    for (const { collection, rows, tombstones } of archived) {
      let keys = index.get(collection);
      if (keys === undefined) index.set(collection, (keys = new Map()));
      const added: string[] = [];
      for (const row of rows) {
        if (keys.has(row.key)) rebuild = true;
        keys.set(row.key, row.revision);
        added.push(archivedKeyPair(row.key, row.revision));
      }
      for (const key of tombstones) if (keys.delete(key)) rebuild = true;
      if (rebuild || texts === undefined || added.length === 0) continue;
      const text = texts.get(collection) ?? "{}";
      texts.set(collection, text === "{}" ? `{${added.join(",")}}` : `${text.slice(0, -1)},${added.join(",")}}`);
    }
    if (rebuild) this.archivedKeysJson = undefined;
  }

  /** The snapshot's `archivedKeys` line for `index`, from each collection's kept text (built once when there is none). */
  private archivedKeysLine(index: Map<string, Map<string, number>>): string {
    let texts = this.archivedKeysJson;
    if (texts === undefined) {
      texts = new Map();
      for (const [collection, keys] of index) {
        const pairs: string[] = [];
        for (const [key, revision] of keys) pairs.push(archivedKeyPair(key, revision));
        texts.set(collection, `{${pairs.join(",")}}`);
      }
      this.archivedKeysJson = texts;
    }
    const parts: string[] = [];
    for (const collection of index.keys()) parts.push(`${JSON.stringify(collection)}:${texts.get(collection) ?? "{}"}`);
    return `${ARCHIVED_KEYS_PREFIX}{${parts.join(",")}}}`;
  }

  /** A read-only descriptor on `path`, or `undefined` when there is no such file. */
  private openIfExists(path: string): number | undefined {
    try {
      return this.fs.openSync(path, "r");
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** The line of `row` in the snapshot on disk, or -1 (see {@link SnapshotLines}). */
  private snapshotLineOf(row: Row): number {
    return row instanceof LazyRow ? row.snapshotLine : (this.plainLines.get(row) ?? -1);
  }

  /**
   * The snapshot on disk, to copy unchanged lines from (see {@link SnapshotLines}): read in slices,
   * and only when it is the file this store's line numbers describe (its header line) and its checksum
   * still holds, so what is copied is what was written. A snapshot that changed on disk since (bit rot)
   * is rewritten from memory, with a warning.
   */
  private async copySource(): Promise<{ data: Buffer; starts: Float64Array } | undefined> {
    const lines = this.snapshotLines;
    if (lines === undefined || lines.projectionKey !== this.projectionKey) return undefined;
    const fd = this.openIfExists(this.snapshotPath);
    if (fd === undefined) return undefined;
    let data: Buffer;
    try {
      const size = this.fs.fstatSync(fd).size;
      if (size < lines.header.length) return undefined;
      data = Buffer.allocUnsafe(size);
      for (let position = 0; position < size; position += COMPACTION_READ_SLICE) {
        const piece = data.subarray(position, Math.min(size, position + COMPACTION_READ_SLICE));
        if (readAll(this.fs, fd, piece, position) < piece.length) return undefined;
        if (position === 0 && !piece.subarray(0, lines.header.length).equals(lines.header)) return undefined;
        await this.compactionBreak();
      }
    } finally {
      this.fs.closeSync(fd);
    }
    const checked = checkSnapshotFooter(data);
    if ("damage" in checked) {
      this.warn(`The snapshot ${this.snapshotPath} changed on disk since it was written (${checked.damage}); the compaction rewrites it from memory.`);
      return undefined;
    }
    const starts = lines.starts ?? (await this.recordLineStarts(data, lines));
    if (starts === undefined) return undefined;
    lines.starts = starts;
    return { data, starts };
  }

  /**
   * Where each record line of a snapshot this store loaded begins: the `records` lines after the
   * header, each a record line (`{"c":`), then the archived keys' line. Anything else (a file edited by
   * hand) answers `undefined`: nothing is copied from it.
   */
  private async recordLineStarts(data: Buffer, lines: SnapshotLines): Promise<Float64Array | undefined> {
    const starts = new Float64Array(lines.records + 1);
    let position = lines.bodyStart;
    for (let n = 0; n < lines.records; n++) {
      if (data[position] !== 0x7b || data[position + 1] !== 0x22 || data[position + 2] !== 0x63 || data[position + 3] !== 0x22) return undefined;
      starts[n] = position;
      const newline = data.indexOf(0x0a, position);
      if (newline === -1) return undefined;
      position = newline + 1;
      if (n % 20_000 === 19_999) await this.compactionBreak();
    }
    starts[lines.records] = position;
    return data.toString("latin1", position, position + ARCHIVED_KEYS_PREFIX.length) === ARCHIVED_KEYS_PREFIX ? starts : undefined;
  }

  // ------------------------------------------------------------------------------------------
  // close

  async close(): Promise<void> {
    if (this.closed) return;
    for (;;) {
      if (this.compaction !== undefined) await this.compaction;
      // a batch in flight is waited for even in a failed store: its epilogue gives up the lock
      else if (this.writing || ((this.acquiring || this.queue.length > 0 || this.nextBatch.length > 0) && this.failure === undefined)) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      } else break;
    }
    this.closed = true;
    if (!this.writing) this.closeJournal();
    this.unpinJournal();
    if (!this.writing) this.releaseLock();
    this.lock.removeClaim();
    this.tables = new Map();
    this.committedText.clear();
    this.plainLines.clear();
    this.snapshotLines = undefined;
    this.archivedTables = undefined;
    this.archivedKeys = undefined;
    this.archivedKeysJson = undefined;
  }
}
