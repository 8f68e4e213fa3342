/**
 * Crash-point injection through the `fs` seam: the store's file-system calls fail at every step of a
 * commit and of a compaction (after a write, after an fsync, after a rename, half-way through a
 * write). Afterwards the store refuses further use, and a reopened store shows the state before or
 * after the interrupted commit, never anything in between.
 */
import * as nodeFs from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { fileStore, type FileStoreFs } from "../../../src/adapters/fs/index.js";
import { threadPoolFlushFs } from "../../support/fs-thread-pool-flushes.js";
import type { Store, Write } from "../../../src/store/store.js";

const root = mkdtempSync(join(tmpdir(), "av-fs-points-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

type Step = "writeSync" | "fdatasync" | "fsyncSync" | "renameSync" | "ftruncateSync";

/** A file system that fails the `nth` call of `step` (after doing it, or half-way for writes). */
function faultyFs(step: Step, nth: number, mode: "after" | "torn" = "after", lockToo = false): { fs: FileStoreFs; calls: () => number } {
  let calls = 0;
  const paths = new Map<number, string>();
  const crash = () => Object.assign(new Error(`injected crash at ${step} #${nth}`), { code: "EIO" });
  const fs: FileStoreFs = {
    ...nodeFs,
    openSync(path, flags) {
      const fd = nodeFs.openSync(path, flags);
      paths.set(fd, path);
      return fd;
    },
    writeSync(fd, buffer, offset, length, position) {
      // the lock file, or a claim file linked as the lock (lock.claim-*)
      const isLock = basename(paths.get(fd) ?? "").startsWith("lock");
      if (step === "writeSync" && (lockToo || !isLock) && ++calls === nth) {
        if (mode === "torn") nodeFs.writeSync(fd, buffer, offset, Math.max(1, Math.floor(length / 2)), position);
        else nodeFs.writeSync(fd, buffer, offset, length, position);
        throw crash();
      }
      return nodeFs.writeSync(fd, buffer, offset, length, position);
    },
    fdatasync(fd, callback) {
      if (step === "fdatasync" && ++calls === nth) nodeFs.fdatasync(fd, () => callback(crash()));
      else nodeFs.fdatasync(fd, callback);
    },
    fdatasyncSync(fd) {
      nodeFs.fdatasyncSync(fd);
      if (step === "fdatasync" && ++calls === nth) throw crash();
    },
    fsyncSync(fd) {
      nodeFs.fsyncSync(fd);
      if (step === "fsyncSync" && ++calls === nth) throw crash();
    },
    // compaction flushes its files on the thread pool: counted with the synchronous fsyncs
    fsync(fd, callback) {
      nodeFs.fsync(fd, (error) => {
        if (error !== null) callback(error);
        else callback(step === "fsyncSync" && ++calls === nth ? crash() : null);
      });
    },
    renameSync(from, to) {
      nodeFs.renameSync(from, to);
      if (step === "renameSync" && ++calls === nth) throw crash();
    },
    ftruncateSync(fd, length) {
      nodeFs.ftruncateSync(fd, length);
      if (step === "ftruncateSync" && ++calls === nth) throw crash();
    },
  };
  return { fs, calls: () => calls };
}

/** `node:fs` without `fdatasyncSync`: every journal flush goes to the thread pool. */
const threadPoolFlushes = threadPoolFlushFs();
/** Both ways a journal flush can run, for tests that must hold for each. */
const FLUSH_MODES = [
  ["synchronous flushes", nodeFs],
  ["flushes on the thread pool (no fdatasyncSync)", threadPoolFlushes],
] as const;

/** `base` with each write to a file whose name `refuse(name)` accepts failing with ENOSPC; `opened` hears every open. */
function refusingWrites(base: FileStoreFs, refuse: (name: string) => boolean, opened: (name: string) => void = () => {}): FileStoreFs {
  const names = new Map<number, string>();
  return {
    ...base,
    openSync(path, flags) {
      const fd = base.openSync(path, flags);
      names.set(fd, basename(path));
      opened(basename(path));
      return fd;
    },
    writeSync(fd, buffer, offset, length, position) {
      if (refuse(names.get(fd) ?? "")) throw Object.assign(new Error("injected ENOSPC"), { code: "ENOSPC" });
      return base.writeSync(fd, buffer, offset, length, position);
    },
  };
}

async function state(store: Store) {
  const out: Record<string, unknown> = {};
  for (const collection of ["items", "audit", "counters"]) out[collection] = (await store.query(collection)).items;
  return out;
}

/** Commit i: puts items/k-i, bumps counters/c, adds audit/e-i, and deletes items/k-(i-3). */
async function commitNumber(store: Store, i: number): Promise<void> {
  const c = await store.get("counters", "c");
  const writes: Write[] = [
    { op: "put", collection: "items", key: `k-${i}`, expect: 0, value: { i, text: "é🚀".repeat(i) } },
    { op: "put", collection: "counters", key: "c", expect: c?.revision ?? 0, value: { n: i } },
    { op: "put", collection: "audit", key: `e-${i}`, expect: 0, value: { i } },
  ];
  const old = await store.get("items", `k-${i - 3}`);
  if (old !== undefined) writes.push({ op: "delete", collection: "items", key: old.key, expect: old.revision });
  await store.commit(writes);
}

/**
 * Builds commits 0..n-1 into a fresh store, recording the state after each; then runs commit n
 * (optionally followed by a compaction) on a faulty fs and checks the reopened state is one of the
 * states before or after it.
 */
async function crashScenario(step: Step, nth: number, mode: "after" | "torn", compactAfter: boolean): Promise<{ crashed: boolean; outcome: "before" | "after" }> {
  const dir = join(root, `s-${++counter}`);
  const setup = await fileStore({ dir, compactionBytes: 1_500, onWarning: () => {} });
  for (let i = 0; i < 5; i++) await commitNumber(setup, i);
  const before = await state(setup);
  await setup.close();

  const { fs } = faultyFs(step, nth, mode);
  const faulty = await fileStore({ dir, fs, compactionBytes: compactAfter ? 1 : 1e9, onWarning: () => {} });
  let crashed = false;
  try {
    await commitNumber(faulty, 5);
    if (compactAfter) await faulty.compact();
  } catch (error) {
    crashed = true;
    expect((error as { code?: unknown }).code).toBe("STORAGE");
    // a store whose write or fsync failed refuses further use until reopened
    await expect(faulty.commit([{ op: "put", collection: "items", key: "x", expect: 0, value: 1 }])).rejects.toMatchObject({ code: "STORAGE" });
    await expect(faulty.get("items", "k-1")).rejects.toMatchObject({ code: "STORAGE" });
  }
  await faulty.close();

  const reference = await fileStore({ dir: join(root, `ref-${counter}`), durability: "none" });
  for (let i = 0; i <= 5; i++) await commitNumber(reference, i);
  const after = await state(reference);
  await reference.close();

  const reopened = await fileStore({ dir, onWarning: () => {} });
  const now = await state(reopened);
  const strip = (s: Record<string, unknown>) => JSON.parse(JSON.stringify(s, (key, value) => (key === "seq" ? undefined : value)));
  const outcome = JSON.stringify(strip(now)) === JSON.stringify(strip(before)) ? "before" : "after";
  if (outcome === "after") expect(strip(now)).toEqual(strip(after));
  // and the store works on: the next commit lands on top of whichever state survived
  await commitNumber(reopened, outcome === "after" ? 6 : 5);
  await reopened.close();
  const again = await fileStore({ dir, onWarning: () => {} });
  expect((await again.get("counters", "c"))?.value).toEqual({ n: outcome === "after" ? 6 : 5 });
  await again.close();
  return { crashed, outcome };
}

describe("fileStore() compaction with commits going on", () => {
  const cases: [Step, number][] = [];
  for (const nth of [1, 2, 3, 4, 5, 6, 7]) cases.push(["writeSync", nth], ["fsyncSync", nth]);
  for (const nth of [1, 2, 3]) cases.push(["renameSync", nth]);

  test.each(cases)("%s #%i fails during a compaction with commits in flight: every acknowledged commit survives, and none in part", async (step, nth) => {
    const dir = join(root, `cc-${++counter}`);
    const setup = await fileStore({ dir, onWarning: () => {} });
    for (let i = 0; i < 5; i++) await commitNumber(setup, i);
    await setup.close();

    const { fs } = faultyFs(step, nth);
    const faulty = await fileStore({ dir, fs, compactionBytes: 1e9, onWarning: () => {} });
    const acknowledged: number[] = [];
    const compaction = faulty.compact().catch(() => undefined);
    // commits queued behind and during the compaction (one at a time: each reads the counter)
    for (let i = 5; i < 12; i++) {
      try {
        await commitNumber(faulty, i);
        acknowledged.push(i);
      } catch (error) {
        expect((error as { code?: unknown }).code).toBe("STORAGE");
        break;
      }
    }
    await compaction;
    await faulty.close();

    const reopened = await fileStore({ dir, onWarning: () => {} });
    const counterRecord = await reopened.get("counters", "c");
    const n = (counterRecord?.value as { n: number }).n;
    // all or nothing: commits 0..n are there, whole (items, audit), and nothing after n
    expect(n).toBeGreaterThanOrEqual(acknowledged.at(-1) ?? 4);
    for (let i = 0; i <= n; i++) expect(await reopened.get("audit", `e-${i}`)).toBeDefined();
    expect(await reopened.get("audit", `e-${n + 1}`)).toBeUndefined();
    expect(await reopened.get("items", `k-${n}`)).toMatchObject({ value: { i: n } });
    await commitNumber(reopened, n + 1);
    await reopened.close();
  });

  test("a compaction failing while a batch's flush is pending: the lock is kept until the flush returns, and no second compaction runs without it", async () => {
    const dir = join(root, `flush-pending-${++counter}`);
    let failSnapshotWrite = false;
    let failed = false;
    const afterFailure: string[] = [];
    const refusing = refusingWrites(
      threadPoolFlushes,
      (name) => {
        if (!failSnapshotWrite || !name.startsWith(".tmp-")) return false;
        failSnapshotWrite = false;
        failed = true;
        return true;
      },
      (name) => failed && afterFailure.push(`open ${name}`),
    );
    const fs: FileStoreFs = {
      ...refusing,
      // once armed, the flush itself happens now, its completion is reported late (a slow flush on the thread pool)
      fdatasync(fd, callback) {
        nodeFs.fdatasync(fd, (error) => (failSnapshotWrite || failed ? setTimeout(() => callback(error), 300) : callback(error)));
      },
    };
    const a = await fileStore({ dir, fs, compactionBytes: 3_000, onWarning: () => {} });
    for (let i = 0; i < 10; i++) await a.commit([{ op: "put", collection: "audit", key: `k${i}`, expect: 0, value: { x: "y".repeat(100) } }]);
    await a.commit([{ op: "put", collection: "audit", key: "big", expect: 0, value: { x: "z".repeat(3_000) } }]); // crosses the threshold: a compaction starts
    const inFlight = a.commit([{ op: "put", collection: "items", key: "c1", expect: 0, value: 1 }]);
    failSnapshotWrite = true;
    // another store commits and compacts as soon as it gets the lock
    const other = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const b = await fileStore({ dir, compactionBytes: 1e12, onWarning: () => {}, lockTimeoutMs: 5_000 });
      await b.commit([{ op: "put", collection: "audit", key: "fromB", expect: 0, value: "b" }]);
      await b.compact();
      await b.close();
    })();
    await expect(inFlight).resolves.toMatchObject({ seq: 12 }); // flushed before the failure took effect: acknowledged
    await other;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(afterFailure).toEqual([]); // the failed store touches no file again (a compaction started without the lock would)
    await a.close();
    const reopened = await fileStore({ dir, onWarning: () => {} });
    expect((await reopened.get("audit", "fromB"))?.value).toBe("b");
    expect((await reopened.get("items", "c1"))?.value).toBe(1);
    await reopened.close();
  });

  test("a compaction first catches up with a snapshot another process replaced without replacing the journal (its archive size is newer)", async () => {
    const dir = join(root, `stale-snapshot-${++counter}`);
    const quietNone = { onWarning: () => {}, durability: "none" as const, compactionBytes: 1e12 };
    const audit = (key: string): Write[] => [{ op: "put", collection: "audit", key, expect: 0, value: { key } }];
    let failArchiveWrite = false;
    const aFs = refusingWrites(nodeFs, (name) => failArchiveWrite && name === "archive.jsonl");
    const a = await fileStore({ dir, fs: aFs, ...quietNone });
    for (let i = 0; i < 5; i++) await a.commit(audit(`a${i}`));
    await a.compact();
    for (let i = 0; i < 5; i++) await a.commit(audit(`b${i}`));
    // B's compaction replaces the snapshot (and grows the archive), then fails to replace the journal
    const bFs: FileStoreFs = {
      ...nodeFs,
      renameSync(from, to) {
        if (basename(to) === "journal.jsonl") throw Object.assign(new Error("injected EIO"), { code: "EIO" });
        nodeFs.renameSync(from, to);
      },
    };
    const b = await fileStore({ dir, fs: bFs, ...quietNone });
    await expect(b.compact()).rejects.toMatchObject({ code: "STORAGE" });
    await b.close();
    // A compacts with its archive write failing: it must not have cut the archive below B's snapshot's size
    await a.commit(audit("c0"));
    failArchiveWrite = true;
    await expect(a.compact()).rejects.toMatchObject({ code: "STORAGE" });
    await a.close();
    const reopened = await fileStore({ dir, onWarning: () => {} });
    expect((await reopened.query("audit")).items.map((item) => item.key).sort()).toEqual(["a0", "a1", "a2", "a3", "a4", "b0", "b1", "b2", "b3", "b4", "c0"]);
    await reopened.close();
  });

  test("audit rows read (parsed) during a compaction still leave memory with it: the next compaction does not archive them again", async () => {
    const dir = join(root, `read-during-${++counter}`);
    const store = await fileStore({ dir, durability: "none", compactionBytes: 1e12, onWarning: () => {} });
    for (let i = 0; i < 100; i++) await store.commit([{ op: "put", collection: "audit", key: `k${i}`, expect: 0, value: { i } }]);
    await store.compact();
    await store.close();
    const reopened = await fileStore({ dir, durability: "none", compactionBytes: 1e12, onWarning: () => {} });
    for (let i = 100; i < 200; i++) await reopened.commit([{ op: "put", collection: "audit", key: `k${i}`, expect: 0, value: { i } }]);
    const archiveSize = () => nodeFs.statSync(join(dir, "archive.jsonl")).size;
    const running = reopened.compact();
    await reopened.query("audit"); // parses the rows the compaction took
    await running;
    const size = archiveSize();
    await reopened.commit([{ op: "put", collection: "items", key: "x", expect: 0, value: 1 }]);
    await reopened.compact();
    expect(archiveSize()).toBe(size);
    expect((await reopened.query("audit")).total).toBe(200);
    await reopened.close();
  });

  test.each(FLUSH_MODES)("compact() is not put off for ever by a steady stream of this store's commits (%s)", async (_name, fs) => {
    const dir = join(root, `stream-${++counter}`);
    const store = await fileStore({ dir, fs, compactionBytes: 1e12, onWarning: () => {} });
    let stop = false;
    let next = 0;
    // eight writers, so commits are always applied while a batch is being flushed
    const writer = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!stop) {
          const key = next++;
          await store.commit([{ op: "put", collection: "items", key: `k${key}`, expect: 0, value: key }]);
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const compacted = store.compact().then(() => "compacted");
    const timeout = new Promise((resolve) => setTimeout(() => resolve("still waiting after 10 s"), 10_000));
    expect(await Promise.race([compacted, timeout])).toBe("compacted");
    stop = true;
    await writer;
    await store.close();
    const reopened = await fileStore({ dir, onWarning: () => {} });
    expect((await reopened.query("items")).total).toBe(next);
    await reopened.close();
  }, 20_000);

  test("close() of a store whose compaction failed waits for the batch being flushed, then leaves no lock or claim", async () => {
    const dir = join(root, `close-failed-${++counter}`);
    let failSnapshotWrite = false;
    let slow = false; // flushes report late once the failure is armed
    const fs: FileStoreFs = {
      ...refusingWrites(threadPoolFlushes, (name) => {
        if (!failSnapshotWrite || !name.startsWith(".tmp-")) return false;
        failSnapshotWrite = false;
        return true;
      }),
      fdatasync(fd, callback) {
        nodeFs.fdatasync(fd, (error) => (slow ? setTimeout(() => callback(error), 200) : callback(error)));
      },
    };
    const store = await fileStore({ dir, fs, compactionBytes: 3_000, onWarning: () => {} });
    for (let i = 0; i < 10; i++) await store.commit([{ op: "put", collection: "audit", key: `k${i}`, expect: 0, value: { x: "y".repeat(100) } }]);
    await store.commit([{ op: "put", collection: "audit", key: "big", expect: 0, value: { x: "z".repeat(3_000) } }]);
    slow = true;
    const inFlight = store.commit([{ op: "put", collection: "items", key: "c1", expect: 0, value: 1 }]);
    failSnapshotWrite = true;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.close();
    await expect(inFlight).resolves.toMatchObject({ seq: 12 });
    expect(nodeFs.readdirSync(dir).filter((name) => name.startsWith("lock") || name.startsWith(".tmp-"))).toEqual([]);
  });

  test.each(FLUSH_MODES)("commits made while a compaction writes its slices are acknowledged before it ends, and land in the new journal (%s)", async (_name, fs) => {
    const dir = join(root, `slices-${++counter}`);
    const store = await fileStore({ dir, fs, compactionBytes: 1e12, onWarning: () => {} });
    // ~12 MB of records: the snapshot is written in several slices
    const big = "x".repeat(10_000);
    for (let batch = 0; batch < 12; batch++) {
      await store.commit(Array.from({ length: 100 }, (_, i): Write => ({ op: "put", collection: "big", key: `b-${batch}-${i}`, expect: 0, value: { big } })));
    }
    let compacted = false;
    const compaction = store.compact().then(() => (compacted = true));
    // keep batches in flight the whole time, so the compaction's last step meets one being written
    const during: number[] = [];
    let next = 0;
    while (!compacted) {
      const keys = Array.from({ length: 8 }, () => next++);
      await Promise.all(keys.map((i) => store.commit([{ op: "put", collection: "items", key: `during-${i}`, expect: 0, value: i }])));
      if (!compacted) during.push(...keys);
    }
    await compaction;
    expect(during.length).toBeGreaterThan(0);
    await store.commit([{ op: "put", collection: "items", key: "after", expect: 0, value: 1 }]);
    await store.close();
    // the new journal holds only what came after the snapshot
    const journal = nodeFs.readFileSync(join(dir, "journal.jsonl"), "utf8");
    expect(journal).not.toContain('"big"');
    const reopened = await fileStore({ dir, onWarning: () => {} });
    expect((await reopened.query("big")).total).toBe(1_200);
    for (let i = 0; i < next; i++) expect((await reopened.get("items", `during-${i}`))?.value).toBe(i);
    expect((await reopened.get("items", "after"))?.value).toBe(1);
    await reopened.close();
  });
});

describe("fileStore() with a crash injected at each step", () => {
  const cases: [Step, number, "after" | "torn", boolean][] = [];
  for (const nth of [1, 2, 3]) cases.push(["writeSync", nth, "after", false], ["writeSync", nth, "torn", false]);
  for (const nth of [1, 2]) cases.push(["fdatasync", nth, "after", false]);
  for (const nth of [1, 2, 3, 4, 5, 6]) cases.push(["writeSync", nth, "after", true], ["writeSync", nth, "torn", true], ["fsyncSync", nth, "after", true]);
  for (const nth of [1, 2, 3]) cases.push(["renameSync", nth, "after", true]);
  cases.push(["ftruncateSync", 1, "after", true]);

  test.each(cases)("%s #%i (%s), compaction %s: reopens to the state before or after", async (step, nth, mode, compact) => {
    const { outcome } = await crashScenario(step, nth, mode, compact);
    expect(["before", "after"]).toContain(outcome);
  });

  test("a failed fsync rejects every pending commit with STORAGE and refuses further use", async () => {
    const dir = join(root, `fsync-${++counter}`);
    const { fs } = faultyFs("fdatasync", 1);
    const store = await fileStore({ dir, fs });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.commit([{ op: "put", collection: "items", key: `p-${i}`, expect: 0, value: i }])),
    );
    expect(results.every((result) => result.status === "rejected" && (result.reason as { code?: unknown }).code === "STORAGE")).toBe(true);
    await expect(store.query("items")).rejects.toMatchObject({ code: "STORAGE" });
    await store.close();
    const reopened = await fileStore({ dir, onWarning: () => {} });
    await reopened.commit([{ op: "put", collection: "items", key: "after", expect: 0, value: 1 }]);
    await reopened.close();
  });

  test("a failed lock write leaves no lock behind (O_EXCL lock file: no linkSync)", async () => {
    const dir = join(root, `lock-${++counter}`);
    const faulty = faultyFs("writeSync", 2, "torn", true); // #1 is the lock taken at open
    const { linkSync: _links, ...withoutLinks } = faulty.fs;
    const store = await fileStore({ dir, fs: withoutLinks, lockTimeoutMs: 200 });
    await expect(store.commit([{ op: "put", collection: "items", key: "a", expect: 0, value: 1 }])).rejects.toMatchObject({ code: "STORAGE" });
    await store.commit([{ op: "put", collection: "items", key: "a", expect: 0, value: 1 }]);
    expect((await store.get("items", "a"))?.revision).toBe(1);
    await store.close();
    expect(nodeFs.readdirSync(dir).filter((name) => name.startsWith("lock"))).toEqual([]);
  });

  test("a failed claim write leaves no claim behind, and the next lock writes a new one (hard-link lock)", async () => {
    const dir = join(root, `claim-${++counter}`);
    const faulty = faultyFs("writeSync", 1, "torn", true); // #1 is the claim file, written when the lock is first taken (at open)
    const store = await fileStore({ dir, fs: faulty.fs, lockTimeoutMs: 200 });
    expect(nodeFs.readdirSync(dir).filter((name) => name.startsWith("lock"))).toEqual([]);
    await store.commit([{ op: "put", collection: "items", key: "a", expect: 0, value: 1 }]);
    expect(nodeFs.readdirSync(dir).filter((name) => name.startsWith("lock.claim-"))).toHaveLength(1);
    await store.close();
    expect(nodeFs.readdirSync(dir).filter((name) => name.startsWith("lock"))).toEqual([]);
  });

  test("a torn journal append is dropped with a warning and the next commit follows valid data", async () => {
    const dir = join(root, `torn-${++counter}`);
    const setup = await fileStore({ dir });
    await commitNumber(setup, 0);
    await setup.close();
    const { fs } = faultyFs("writeSync", 1, "torn");
    const faulty = await fileStore({ dir, fs });
    await expect(commitNumber(faulty, 1)).rejects.toMatchObject({ code: "STORAGE" });
    await faulty.close();
    const warnings: string[] = [];
    const reopened = await fileStore({ dir, onWarning: (message) => warnings.push(message) });
    expect(warnings.some((warning) => warning.includes("torn"))).toBe(true);
    expect(await reopened.get("items", "k-1")).toBeUndefined();
    await commitNumber(reopened, 1);
    await reopened.close();
    const again = await fileStore({ dir, onWarning: () => {} });
    expect((await again.get("items", "k-1"))?.value).toEqual({ i: 1, text: "é🚀" });
    await again.close();
  });

  test("a lock that cannot be removed after a batch gives a warning, not a failed commit or an unhandled rejection", async () => {
    const dir = join(root, `unlink-${++counter}`);
    let refuse = false;
    const fs: FileStoreFs = {
      ...nodeFs,
      unlinkSync(path) {
        if (refuse && String(path).endsWith("lock")) throw Object.assign(new Error("injected EACCES"), { code: "EACCES" });
        nodeFs.unlinkSync(path);
      },
    };
    const warnings: string[] = [];
    const store = await fileStore({ dir, fs, onWarning: (message) => warnings.push(message), lockTimeoutMs: 1_000 });
    refuse = true;
    await store.commit([{ op: "put", collection: "items", key: "a", expect: 0, value: 1 }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.some((warning) => warning.includes("Cannot release the file store lock"))).toBe(true);
    expect((await store.get("items", "a"))?.revision).toBe(1);
    refuse = false;
    // the lock left behind links our own claim: the next batch takes it back (instead of waiting for a
    // live holder until lockTimeoutMs and failing with STORAGE) and removes it
    await expect(store.commit([{ op: "put", collection: "items", key: "b", expect: 0, value: 1 }])).resolves.toMatchObject({ seq: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(nodeFs.existsSync(join(dir, "lock"))).toBe(false);
    await store.close();
  });
});
