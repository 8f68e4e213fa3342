/**
 * The writer lock of a file store directory: a `lock` file created with O_EXCL holding
 * `{ pid, host, token, at }`. Taken per commit batch, never held between calls. A lock whose holder
 * is a dead process on this host is taken over at once (with a warning); any other holder is waited for.
 * @module
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { nanoid } from "nanoid";
import { isMissing, type FileStoreFs } from "./fs-seam.js";
import { LOCK_FILE, TAKEOVER_FILE } from "./format.js";

/** What a lock file says about its holder. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly at: string;
}

/** An unreadable lock file older than this is considered abandoned (its writer died mid-write). */
const UNREADABLE_LOCK_STALE_MS = 5_000;
/** A takeover marker older than this is abandoned. */
const TAKEOVER_STALE_MS = 5_000;
/** Keep our lock file open while held (see {@link DirectoryLock.tryAcquire}). */
const KEEP_LOCK_OPEN = process.platform !== "win32";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}

/** The lock of one directory, as seen from this store instance. */
export class DirectoryLock {
  private token: string | undefined;
  /** The lock file we created: its identity, and (except on Windows) its descriptor, open while we hold it. */
  private mine: { ino: number; dev: number; fd: number | undefined } | undefined;
  private readonly path: string;
  private readonly takeoverPath: string;
  readonly host = hostname();

  constructor(
    private readonly fs: FileStoreFs,
    dir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.path = join(dir, LOCK_FILE);
    this.takeoverPath = join(dir, TAKEOVER_FILE);
  }

  /** True while this instance holds the lock. */
  get held(): boolean {
    return this.token !== undefined;
  }

  /** Reads the current holder, `null` when the file is unreadable, `undefined` when there is no lock. */
  readOwner(): LockOwner | null | undefined {
    let text: string;
    try {
      text = this.fs.readFileSync(this.path).toString("utf8");
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      const owner = JSON.parse(text) as LockOwner;
      if (typeof owner.pid === "number" && typeof owner.host === "string" && typeof owner.token === "string") return owner;
    } catch {
      // fall through
    }
    return null;
  }

  /** One attempt to take the lock, without waiting. Takes over a lock of a dead holder. */
  tryAcquire(): boolean {
    if (this.token !== undefined) return true;
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = nanoid();
      let fd: number;
      try {
        fd = this.fs.openSync(this.path, "wx");
      } catch (error) {
        if ((error as { code?: unknown }).code !== "EEXIST") throw error;
        if (!this.removeIfStale()) return false;
        continue;
      }
      // At release, comparing the file at the path with ours tells whether the lock is still ours
      // without reading it back (we wrote its content; nothing else writes it). The file stays open
      // while held so its inode cannot be reused by another process's lock file; not on Windows,
      // where an open file's name lingers after unlink and would make the next O_EXCL create fail.
      let identity: { ino: number; dev: number };
      try {
        const owner: LockOwner = { pid: process.pid, host: this.host, token, at: new Date().toISOString() };
        const data = Buffer.from(JSON.stringify(owner) + "\n");
        this.fs.writeSync(fd, data, 0, data.length, 0);
        identity = this.fs.fstatSync(fd);
      } catch (error) {
        // never leave a half-written lock behind: others would wait for it to grow stale
        this.fs.closeSync(fd);
        try {
          this.fs.unlinkSync(this.path);
        } catch {
          // nothing more to do
        }
        throw error;
      }
      if (!KEEP_LOCK_OPEN) this.fs.closeSync(fd);
      this.mine = { ino: identity.ino, dev: identity.dev, fd: KEEP_LOCK_OPEN ? fd : undefined };
      this.token = token;
      return true;
    }
    return false;
  }

  /** Releases the lock if this instance holds it (and it was not taken from us). */
  release(): void {
    const token = this.token;
    const mine = this.mine;
    if (token === undefined) return;
    this.token = undefined;
    this.mine = undefined;
    if (mine === undefined) return;
    try {
      let current: { ino: number; dev: number } | undefined;
      try {
        current = this.fs.statSync(this.path);
      } catch (error) {
        if (!isMissing(error)) return;
      }
      if (current === undefined || current.ino !== mine.ino || current.dev !== mine.dev) {
        this.warn(`The file store lock ${this.path} was no longer ours when we released it; another process took it over.`);
        return;
      }
      try {
        this.fs.unlinkSync(this.path);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    } finally {
      if (mine.fd !== undefined) this.closeQuietly(mine.fd);
    }
  }

  private closeQuietly(fd: number): void {
    try {
      this.fs.closeSync(fd);
    } catch {
      // nothing more to do
    }
  }

  /** A description of the holder, for error messages. */
  describeHolder(): string {
    try {
      const owner = this.readOwner();
      if (owner === undefined) return "nobody (the lock is free now)";
      if (owner === null) return "an unknown process (the lock file is unreadable)";
      return `process ${owner.pid} on host ${owner.host} (since ${owner.at})`;
    } catch (error) {
      return `an unknown process (${(error as Error).message})`;
    }
  }

  /** Removes the lock file when its holder is provably dead; true when it did (or the lock vanished). */
  private removeIfStale(): boolean {
    const owner = this.readOwner();
    if (owner === undefined) return true;
    let reason: string;
    if (owner === null) {
      let age: number;
      try {
        age = Date.now() - this.fs.statSync(this.path).mtimeMs;
      } catch (error) {
        if (isMissing(error)) return true;
        throw error;
      }
      if (age < UNREADABLE_LOCK_STALE_MS) return false;
      reason = `an unreadable lock file ${Math.round(age / 1000)} s old`;
    } else {
      if (owner.host !== this.host || isAlive(owner.pid)) return false;
      reason = `process ${owner.pid} on this host (${owner.host}), which is dead, since ${owner.at}`;
    }
    // Only one process may remove a given stale lock: take a takeover marker, re-check, then unlink.
    let marker: number;
    try {
      marker = this.fs.openSync(this.takeoverPath, "wx");
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EEXIST") throw error;
      try {
        if (Date.now() - this.fs.statSync(this.takeoverPath).mtimeMs > TAKEOVER_STALE_MS) this.fs.unlinkSync(this.takeoverPath);
      } catch (inner) {
        if (!isMissing(inner)) throw inner;
      }
      return false;
    }
    this.fs.closeSync(marker);
    try {
      const again = this.readOwner();
      const same = again === undefined || (again === null ? owner === null : owner !== null && again.token === owner.token);
      if (!same) return false;
      if (again !== undefined) this.fs.unlinkSync(this.path);
      this.warn(`Took over the file store lock ${this.path}, held by ${reason}.`);
      return true;
    } finally {
      try {
        this.fs.unlinkSync(this.takeoverPath);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
  }
}
