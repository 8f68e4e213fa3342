/**
 * The writer lock of a file store directory: a file named `lock` holding `{ pid, host, token, at }`,
 * present only while a process commits (the file store keeps it across the batches of a loop of
 * awaited commits, never across a turn of the event loop without a batch in flight). A lock whose holder
 * is a dead process on this host is taken over at once (with a warning); any other holder is waited for.
 *
 * Where the file system has hard links (not on Windows), each store instance writes its owner line
 * once into a claim file `lock.claim-<token>` and takes the lock by hard-linking that file as `lock`
 * (`link` fails with EEXIST when the lock is taken, as an O_EXCL create does). Per batch that is one
 * `link`, one `stat` and one `unlink`, where creating a fresh lock file cost an inode allocation, a
 * write, an `fstat` and a `close` besides (about 60 µs against 15 µs per batch on the development VM).
 * Elsewhere the lock file is created with O_EXCL per batch. Both ways make the same `lock` file, so
 * stores of either kind (and older releases) exclude each other.
 *
 * A process that waits for the lock writes `lock.want` at each failed attempt, with how long the lock
 * should be left free for it (its polls may be far apart when its event loop is busy); the store holding
 * the lock across back-to-back commits looks for it every few milliseconds and hands the lock over (see
 * the file store's `pump`). The process whose request it was removes it once one of its stores takes
 * the lock; waiters of other processes create it again.
 * @module
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { nanoid } from "nanoid";
import { isMissing, writeAll, type FileStoreFs } from "./fs-seam.js";
import { CLAIM_PREFIX, LOCK_FILE, TAKEOVER_FILE, WANT_FILE } from "./format.js";

/** What a lock file says about its holder. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  /** When the holder wrote this line: when it took the lock, or (a claim file) when its store first took it. */
  readonly at: string;
}

/** An unreadable lock file older than this is considered abandoned (its writer died mid-write). */
const UNREADABLE_LOCK_STALE_MS = 5_000;
/** A takeover marker older than this is abandoned. */
const TAKEOVER_STALE_MS = 5_000;
/** Keep our lock file open while held (see {@link DirectoryLock.tryAcquire}). */
const KEEP_LOCK_OPEN = process.platform !== "win32";
/** Take the lock by hard link (see the module comment); not on Windows, whose links we do not test. */
const TRY_LINKS = process.platform !== "win32";
/** `link` errors that mean this file system has no hard links: the lock falls back to O_EXCL creates. */
const NO_LINKS: ReadonlySet<unknown> = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV", "EMLINK", "EINVAL"]);
/** A token that is safe to put in a claim file name (a lock file's content is never trusted as a path). */
const TOKEN_RE = /^[A-Za-z0-9_-]{1,64}$/;

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/**
 * The tokens this process's stores hold now (claims, and O_EXCL locks while held). A lock or claim
 * that names this very pid with a token not in here was left by an earlier process that had the same
 * pid (a container's PID 1 restarted after a crash): it is dead, though `kill(pid, 0)` says alive.
 */
const liveTokens = new Set<string>();

/** True when the holder named by `owner` (on this host) may still be running. */
function holderMayLive(owner: LockOwner): boolean {
  if (owner.pid === process.pid) return liveTokens.has(owner.token);
  return isAlive(owner.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM";
  }
}

/** True when `a` is the file `b` (same inode on the same device). */
function sameFile(a: { ino: number; dev: number } | undefined, b: { ino: number; dev: number }): boolean {
  return a !== undefined && a.ino === b.ino && a.dev === b.dev;
}

/** The lock of one directory, as seen from this store instance. */
export class DirectoryLock {
  private token: string | undefined;
  /** The lock file we hold: its identity, and (O_EXCL lock, except on Windows) its descriptor, open while held. */
  private mine: { ino: number; dev: number; fd: number | undefined } | undefined;
  /**
   * Hard-link locking: our claim file, written once and linked as `lock` per batch. Its descriptor stays
   * open so that, even if its names are removed (by hand, or by a process misjudging us dead), its
   * inode is not reused by another lock while this store may still hold or release it.
   */
  private claim: { path: string; token: string; ino: number; dev: number; fd: number } | undefined;
  /** Set when a release could not remove a `lock` linking our claim: the claim is kept so we can take it back. */
  private leftover = false;
  /** True while locking by hard link; false once the file system refused a link (or without `linkSync`). */
  private links: boolean;
  /** Set once a link showed the claim's identity at `lock` (checked on the first link). */
  private linkChecked = false;
  private readonly path: string;
  private readonly takeoverPath: string;
  private readonly wantPath: string;
  readonly host = hostname();

  constructor(
    private readonly fs: FileStoreFs,
    private readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.path = join(dir, LOCK_FILE);
    this.takeoverPath = join(dir, TAKEOVER_FILE);
    this.wantPath = join(dir, WANT_FILE);
    this.links = TRY_LINKS && typeof fs.linkSync === "function";
  }

  /** True while this instance holds the lock. */
  get held(): boolean {
    return this.token !== undefined;
  }

  /** Reads the current holder, `null` when the file is unreadable, `undefined` when there is no lock. */
  readOwner(): LockOwner | null | undefined {
    return this.readOwnerAt(this.path);
  }

  /** The owner line of a lock or claim file; `null` when unreadable, `undefined` when there is no file. */
  private readOwnerAt(path: string): LockOwner | null | undefined {
    let text: string;
    try {
      text = this.fs.readFileSync(path).toString("utf8");
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
    // Room for one stale lock taken over plus one claim file recreated or one fallback to O_EXCL.
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = this.links ? this.tryLink() : this.tryCreate();
      if (outcome === "taken") return true;
      if (outcome === "busy" && !this.removeIfStale()) return false;
    }
    return false;
  }

  /** Hard-link locking: links our claim file as `lock`. */
  private tryLink(): "taken" | "busy" | "again" {
    const claim = this.claim ?? this.writeClaim();
    try {
      this.fs.linkSync!(claim.path, this.path);
    } catch (error) {
      const code = errorCode(error);
      // `lock` may be a link to our own claim, left by a release whose unlink failed: still ours.
      if (code === "EEXIST") return this.isLinkTo(claim) ? this.take(claim) : "busy";
      if (code === "ENOENT") {
        // Our claim file was removed (by hand, or the directory was emptied): write a new one.
        this.claim = undefined;
        return "again";
      }
      if (!NO_LINKS.has(code)) throw error;
      this.fallBackToCreate();
      return "again";
    }
    if (!this.linkChecked) {
      // Release recognises the lock by its identity, so a file system whose hard links do not show the
      // claim's identity at `lock` could never release it: lock by O_EXCL create there instead.
      if (!this.isLinkTo(claim)) {
        this.fs.unlinkSync(this.path);
        this.fallBackToCreate();
        return "again";
      }
      this.linkChecked = true;
    }
    return this.take(claim);
  }

  /** Holds the lock through `claim`, linked as `lock`. */
  private take(claim: { token: string; ino: number; dev: number }): "taken" {
    // The claim file lives as long as this store, so its inode cannot be reused by another lock while we hold it.
    this.mine = { ino: claim.ino, dev: claim.dev, fd: undefined };
    this.token = claim.token;
    return "taken";
  }

  /** True when the file at `lock` is `claim` (a hard link to it). */
  private isLinkTo(claim: { ino: number; dev: number }): boolean {
    return sameFile(this.lockIdentity(), claim);
  }

  /** The identity of the file at `lock`, or `undefined` when there is none. */
  private lockIdentity(): { ino: number; dev: number } | undefined {
    try {
      return this.fs.statSync(this.path);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private fallBackToCreate(): void {
    this.links = false;
    this.removeClaim();
  }

  /** Writes our claim file whole, before it can ever be linked as `lock` (so `lock` is never half-written). */
  private writeClaim(): { path: string; token: string; ino: number; dev: number; fd: number } {
    const token = nanoid();
    const path = join(this.dir, `${CLAIM_PREFIX}${token}`);
    const fd = this.fs.openSync(path, "wx");
    const identity = this.writeOwner(fd, path, token);
    liveTokens.add(token);
    this.claim = { path, token, ino: identity.ino, dev: identity.dev, fd };
    return this.claim;
  }

  /**
   * Writes our owner line into the new file `fd` (at `path`) and answers the file's identity. On failure
   * the file is closed and removed: a half-written lock or claim would make others wait for it to grow stale.
   */
  private writeOwner(fd: number, path: string, token: string): { ino: number; dev: number } {
    try {
      writeAll(this.fs, fd, ownerLine(this.host, token), 0);
      return this.fs.fstatSync(fd);
    } catch (error) {
      this.closeQuietly(fd);
      this.unlinkQuietly(path);
      throw error;
    }
  }

  /** O_EXCL locking: creates `lock` with our owner line. */
  private tryCreate(): "taken" | "busy" {
    const token = nanoid();
    let fd: number;
    try {
      fd = this.fs.openSync(this.path, "wx");
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
      return "busy";
    }
    // At release, comparing the file at the path with ours tells whether the lock is still ours
    // without reading it back (we wrote its content; nothing else writes it). The file stays open
    // while held so its inode cannot be reused by another process's lock file; not on Windows,
    // where an open file's name lingers after unlink and would make the next O_EXCL create fail.
    const identity = this.writeOwner(fd, this.path, token);
    if (!KEEP_LOCK_OPEN) this.fs.closeSync(fd);
    this.mine = { ino: identity.ino, dev: identity.dev, fd: KEEP_LOCK_OPEN ? fd : undefined };
    this.token = token;
    liveTokens.add(token);
    return "taken";
  }

  /**
   * Removes our claim file (after open's maintenance, and at close). Kept while a `lock` we failed to
   * remove still links it, so this store (or, once this process is gone, a takeover) can clear it.
   */
  removeClaim(): void {
    const claim = this.claim;
    if (claim === undefined || this.leftover || this.token !== undefined) return;
    this.claim = undefined;
    this.unlinkQuietly(claim.path);
    this.closeQuietly(claim.fd);
    liveTokens.delete(claim.token);
  }

  /**
   * With the lock held (at open): removes claim files left by dead processes on this host, and
   * unreadable ones older than a few seconds (a crash while writing one). Claims of live processes
   * and of other hosts are kept.
   */
  sweepClaims(names: readonly string[]): void {
    for (const name of names) {
      if (!name.startsWith(CLAIM_PREFIX) || name === `${CLAIM_PREFIX}${this.claim?.token ?? ""}`) continue;
      const path = join(this.dir, name);
      try {
        const owner = this.readOwnerAt(path);
        if (owner === undefined) continue;
        if (owner === null) {
          if (this.ageOf(path, "written") >= UNREADABLE_LOCK_STALE_MS) this.fs.unlinkSync(path);
        } else if (owner.host === this.host && !holderMayLive(owner)) {
          this.fs.unlinkSync(path);
        }
      } catch (error) {
        // housekeeping only: a stray entry (a directory, an unreadable file) must not stop the store opening
        if (!isMissing(error)) this.warn(`Left ${path} in place: ${error instanceof Error ? error.message : String(error)}.`);
      }
    }
  }

  /**
   * Milliseconds since `path` was last written, or (`"linked"`) made or linked: a `lock` linking a claim
   * keeps the claim's (possibly old) modification time, but its inode change time is the link's.
   */
  private ageOf(path: string, since: "written" | "linked"): number {
    const stat = this.fs.statSync(path);
    return Date.now() - (since === "linked" ? (stat.ctimeMs ?? stat.mtimeMs) : stat.mtimeMs);
  }

  /** Releases the lock if this instance holds it (and it was not taken from us). */
  release(): void {
    const token = this.token;
    const mine = this.mine;
    if (token === undefined) return;
    this.token = undefined;
    this.mine = undefined;
    if (mine === undefined) return;
    const linked = this.claim !== undefined && this.claim.token === token;
    try {
      const current = this.lockIdentity();
      if (!sameFile(current, mine)) {
        if (current !== undefined) this.warn(`The file store lock ${this.path} was no longer ours when we released it; another process took it over.`);
        this.leftover = false;
        return;
      }
      try {
        this.fs.unlinkSync(this.path);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      this.leftover = false;
    } catch (error) {
      // `lock` may still be ours: a hard-link lock is taken back at our next batch (its claim is kept)
      if (linked) this.leftover = true;
      throw error;
    } finally {
      if (mine.fd !== undefined) this.closeQuietly(mine.fd);
      if (!linked) liveTokens.delete(token);
    }
  }

  private closeQuietly(fd: number): void {
    try {
      this.fs.closeSync(fd);
    } catch {
      // nothing more to do
    }
  }

  private unlinkQuietly(path: string): void {
    try {
      this.fs.unlinkSync(path);
    } catch {
      // nothing more to do
    }
  }

  /**
   * Asks the holder for the lock (after a failed attempt): writes `lock.want` holding how long (ms) the
   * holder should leave the lock free for this waiter, which only polls that often. Best effort.
   */
  askForLock(windowMs: number): void {
    try {
      // Overwritten in place with a fixed width, not truncated: a holder reading meanwhile must not find it empty.
      let fd: number;
      try {
        fd = this.fs.openSync(this.wantPath, "r+");
      } catch (error) {
        if (!isMissing(error)) throw error;
        fd = this.fs.openSync(this.wantPath, "wx"); // EEXIST: another waiter just made it (asked already)
      }
      try {
        writeAll(this.fs, fd, Buffer.from(`${String(Math.min(9999, Math.max(0, Math.round(windowMs)))).padStart(4, "0")}\n`), 0);
      } finally {
        this.fs.closeSync(fd);
      }
    } catch {
      // the holder then keeps its turn until it pauses, as a holder of an older release does
    }
  }

  /**
   * The window (ms) the request in `lock.want` asks for, or `undefined` when there is none. An empty or
   * unreadable request (an older build's, or one being rewritten) asks for nothing in particular: `fallbackMs`.
   */
  requestedWindowMs(fallbackMs: number): number | undefined {
    let text: string;
    try {
      text = this.fs.readFileSync(this.wantPath).toString("latin1", 0, 32);
    } catch (error) {
      return isMissing(error) ? undefined : fallbackMs;
    }
    const ms = Number.parseInt(text, 10);
    return Number.isFinite(ms) && ms > 0 ? ms : fallbackMs;
  }

  /** True when a waiting process asked for the lock (`lock.want` exists). */
  isWanted(): boolean {
    try {
      this.fs.statSync(this.wantPath);
      return true;
    } catch {
      return false;
    }
  }

  /** Removes `lock.want` (a request served, given up, or left unused): waiters still waiting create it again. */
  clearWanted(): void {
    this.unlinkQuietly(this.wantPath);
  }

  /** A description of the holder, for error messages. */
  describeHolder(): string {
    try {
      const owner = this.readOwner();
      if (owner === undefined) return "nobody (the lock is free now)";
      if (owner === null) return "an unknown process (the lock file is unreadable)";
      return `process ${owner.pid} on host ${owner.host} (since ${this.lockedSince() ?? owner.at})`;
    } catch (error) {
      return `an unknown process (${(error as Error).message})`;
    }
  }

  /** When `lock` was made: its inode change time (a hard link sets it too), as an ISO string. */
  private lockedSince(): string | undefined {
    try {
      const changed = this.fs.statSync(this.path).ctimeMs;
      return changed === undefined ? undefined : new Date(changed).toISOString();
    } catch {
      return undefined;
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
        age = this.ageOf(this.path, "linked");
      } catch (error) {
        if (isMissing(error)) return true;
        throw error;
      }
      if (age < UNREADABLE_LOCK_STALE_MS) return false;
      reason = `an unreadable lock file ${Math.round(age / 1000)} s old`;
    } else {
      if (owner.host !== this.host || holderMayLive(owner)) return false;
      reason = `process ${owner.pid} on this host (${owner.host}), which is dead, since ${this.lockedSince() ?? owner.at}`;
    }
    // Only one process may remove a given stale lock: take a takeover marker, re-check, then unlink.
    let marker: number;
    try {
      marker = this.fs.openSync(this.takeoverPath, "wx");
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
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
      // A dead holder that locked by hard link leaves its claim file too.
      if (owner !== null && TOKEN_RE.test(owner.token)) this.unlinkQuietly(join(this.dir, `${CLAIM_PREFIX}${owner.token}`));
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

/** The line a lock (or claim) file holds. */
function ownerLine(host: string, token: string): Buffer {
  const owner: LockOwner = { pid: process.pid, host, token, at: new Date().toISOString() };
  return Buffer.from(JSON.stringify(owner) + "\n");
}
