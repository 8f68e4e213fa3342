/**
 * The file-system calls the file store makes, as a seam: tests inject failures at any step
 * (after a write, an fsync, a rename) to prove a crash at that instant leaves a consistent store.
 * @module
 */
import * as nodeFs from "node:fs";
import { RegistryError } from "../../errors.js";

/** The subset of `node:fs` the file store uses. Pass a wrapped one as `fileStore({ fs })` to inject faults. */
/** The identity and size of an open file, as `fstat` gives them. */
export interface FileIdentity {
  /** Size in bytes. */
  size: number;
  /** Inode number: tells a replaced file from the one opened. */
  ino: number;
  /** Device number (with `ino`, identifies the file). */
  dev: number;
}

/** What `stat` of a path gives: the file's identity plus its modification time. */
export interface PathStat extends FileIdentity {
  /** Last modification, in milliseconds since the epoch (used to age an unreadable lock file). */
  mtimeMs: number;
  /** Last status change (creation, a hard link), in milliseconds since the epoch; optional (error messages only). */
  ctimeMs?: number;
}

/** The subset of `node:fs` the file store uses. Pass a wrapped one as `fileStore({ fs })` to inject faults. */
export interface FileStoreFs {
  /** Opens a file (`flags` as in `node:fs`: `"r"`, `"a+"`, `"wx"`, ...) and returns its descriptor. */
  openSync(path: string, flags: string): number;
  /** Closes a descriptor. */
  closeSync(fd: number): void;
  /**
   * Asynchronous `close` (callback style, as in `node:fs`): a compaction closes the last descriptor of a
   * replaced file with it, so freeing that file's blocks runs on the thread pool. Optional: without it,
   * {@link FileStoreFs.closeSync} is used.
   */
  close?(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; returns the bytes read. */
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes `length` bytes of `buffer` from `offset` at file `position`; returns the bytes written. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** The identity and size of an open file. */
  fstatSync(fd: number): FileIdentity;
  /** The identity, size and modification time of the file at `path` (throws `ENOENT` when absent). */
  statSync(path: string): PathStat;
  /** Reads a whole file. */
  readFileSync(path: string): Buffer;
  /** Renames atomically, replacing `to`. */
  renameSync(from: string, to: string): void;
  /** Removes a file. */
  unlinkSync(path: string): void;
  /**
   * Creates a hard link `to` of the file `from`, failing with `EEXIST` when `to` exists. Optional:
   * without it (or where the file system has no hard links) the writer lock is taken by creating
   * the lock file with `O_EXCL`, which costs a few more calls per commit batch.
   */
  linkSync?(from: string, to: string): void;
  /** Creates a directory and its parents. */
  mkdirSync(path: string, options: { recursive: true }): string | undefined;
  /** The names in a directory. */
  readdirSync(path: string): string[];
  /** Cuts a file to `length` bytes (drops a torn tail). */
  ftruncateSync(fd: number, length: number): void;
  /** Flushes a file's data and metadata (also used on directories after a create or rename). */
  fsyncSync(fd: number): void;
  /**
   * Asynchronous `fsync` (callback style, as in `node:fs`): compaction flushes the files it writes with
   * it, so the event loop stays free. Optional: without it, {@link FileStoreFs.fsyncSync} is used.
   */
  fsync?(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  /** Asynchronous `fdatasync` (callback style, as in `node:fs`): used when the disk's flushes are slow. */
  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  /**
   * Synchronous `fdatasync`: used while flushes are fast (a thread-pool round trip costs more than a
   * fast flush). Optional: without it every journal flush goes through {@link FileStoreFs.fdatasync}.
   */
  fdatasyncSync?(fd: number): void;
}

const REQUIRED_CALLS = [
  "openSync",
  "closeSync",
  "readSync",
  "writeSync",
  "fstatSync",
  "statSync",
  "readFileSync",
  "renameSync",
  "unlinkSync",
  "mkdirSync",
  "readdirSync",
  "ftruncateSync",
  "fsyncSync",
  "fdatasync",
] as const;
const OPTIONAL_CALLS = ["fdatasyncSync", "linkSync", "fsync", "close"] as const;

/**
 * Answers `fs` when it is a usable {@link FileStoreFs}: every required call a function, every optional
 * one a function or absent. Throws `VALIDATION` naming the calls that are not.
 */
export function checkFileStoreFs(fs: unknown): FileStoreFs {
  const calls = (fs ?? {}) as Record<string, unknown>;
  const wrong = [
    ...REQUIRED_CALLS.filter((name) => typeof calls[name] !== "function"),
    ...OPTIONAL_CALLS.filter((name) => calls[name] !== undefined && typeof calls[name] !== "function"),
  ];
  if (fs === null || typeof fs !== "object" || wrong.length > 0) {
    throw new RegistryError("VALIDATION", `fileStore(): the fs option must provide ${wrong.length > 0 ? wrong.join(", ") : "the file-system calls"} as functions`, {
      issues: wrong.map((name) => ({ path: ["fs", name], message: "not a function" })),
    });
  }
  return fs as FileStoreFs;
}

/** The real file system. */
export const realFs: FileStoreFs = nodeFs;

/**
 * The seam's asynchronous `close` or `fsync`, unless it is `node:fs`'s own while the seam replaced the
 * synchronous call: a seam written as `{ ...nodeFs, closeSync }` (to count, or to fail, the calls) would
 * not see the ones made through the real asynchronous call. Then the synchronous call is used.
 */
export function ownAsyncCall<K extends "close" | "fsync">(fs: FileStoreFs, name: K): FileStoreFs[K] | undefined {
  const call = fs[name];
  const sync = name === "close" ? "closeSync" : "fsyncSync";
  return call === nodeFs[name] && fs[sync] !== nodeFs[sync] ? undefined : call;
}

/** True for an `ENOENT` error. */
export function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ENOENT";
}

/** Reads a whole file, or `undefined` when it does not exist. */
export function readIfExists(fs: FileStoreFs, path: string): Buffer | undefined {
  try {
    return fs.readFileSync(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Reads into all of `buffer` from file `position`, looping over short reads; answers the bytes read (fewer at end of file). */
export function readAll(fs: FileStoreFs, fd: number, buffer: Uint8Array, position: number): number {
  let done = 0;
  while (done < buffer.length) {
    const n = fs.readSync(fd, buffer, done, buffer.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Writes all of `data` at `position`, looping over short writes. */
export function writeAll(fs: FileStoreFs, fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) {
    const n = fs.writeSync(fd, data, done, data.length - done, position + done);
    if (n <= 0) throw new Error(`short write (${n} bytes)`);
    done += n;
  }
}

/**
 * fsyncs a directory so a create or rename in it survives power loss. Best effort where the platform
 * cannot open or fsync directories (Windows: EPERM/EISDIR/EINVAL/EBADF are ignored).
 */
export function fsyncDirectory(fs: FileStoreFs, dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, "r");
  } catch (error) {
    if (ignorableDirSyncError(error)) return;
    throw error;
  }
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    if (!ignorableDirSyncError(error)) throw error;
  } finally {
    fs.closeSync(fd);
  }
}

function ignorableDirSyncError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "EPERM" || code === "EISDIR" || code === "EINVAL" || code === "EBADF" || code === "EACCES";
}
