import * as nodeFs from "node:fs";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString, writeHeapSnapshot } from "node:v8";
import { runInNewContext } from "node:vm";
import { crc32 } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { fileStore, type FileStore } from "../../../src/adapters/fs/index.js";
import { DirectoryLock } from "../../../src/adapters/fs/lock.js";
import { sealLine } from "../../../src/adapters/fs/format.js";
import { frozenJsonCopy } from "../../../src/domain/json-copy.js";
import { createRegistry, SYSTEM } from "../../../src/index.js";
import type { Write } from "../../../src/store/store.js";
import { runTsxWorker } from "../../support/worker.js";
import { threadPoolFlushFs } from "../../support/fs-thread-pool-flushes.js";
import { countLockTakes } from "../../support/fs-lock-takes.js";

const root = mkdtempSync(join(tmpdir(), "av-fs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => join(root, `s-${++counter}`);
const quiet = { onWarning: () => {} };

const put = (collection: string, key: string, expect: number, value: unknown): Write => ({ op: "put", collection, key, expect, value: value as never });

async function seeded(dir: string, n = 5, options: { compactionBytes?: number } = {}): Promise<FileStore> {
  const store = await fileStore({ dir, ...quiet, ...options });
  for (let i = 0; i < n; i++) await store.commit([put("items", `k${i}`, 0, { i }), put("audit", `a${i}`, 0, { i })]);
  return store;
}

/** The journal's bytes up to the first NUL (the space a durable store fills ahead), and where they end. */
function journalWritten(dir: string): { text: string; end: number; size: number } {
  const data = readFileSync(join(dir, "journal.jsonl"));
  const end = data.indexOf(0) === -1 ? data.length : data.indexOf(0);
  return { text: data.toString("utf8", 0, end), end, size: data.length };
}

/** The journal's lines (header first), without the space filled ahead. */
const journalLines = (dir: string): string[] => journalWritten(dir).text.trim().split("\n");

/** Opening the store in `dir` fails: damage in the middle of its journal. The journal is left as it was. */
async function expectRefusedAsDamaged(dir: string): Promise<void> {
  const before = readFileSync(join(dir, "journal.jsonl"));
  await expect(fileStore({ dir, ...quiet })).rejects.toMatchObject({ code: "STORAGE", message: expect.stringMatching(/damaged at byte \d+, and valid commits follow the damage/) });
  expect(readFileSync(join(dir, "journal.jsonl")).equals(before)).toBe(true);
}

/** The node fs with a count of the journal's synchronous flushes. */
function countedFlushes(): { fs: typeof nodeFs; count: number } {
  const counted = { fs: nodeFs, count: 0 };
  counted.fs = { ...nodeFs, fdatasyncSync: (fd: number) => (counted.count++, nodeFs.fdatasyncSync(fd)) };
  return counted;
}

/** A full garbage collection (V8's `gc`, exposed for this call). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** One turn of the event loop: a store gives up the lock it kept for its callers' next commit once their microtasks end. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

function deadPid(): number {
  // a pid that is not running: far above the default pid_max of most systems
  for (let pid = 4_000_000; ; pid++) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as { code?: unknown }).code === "ESRCH") return pid;
    }
  }
}

describe("fileStore() files", () => {
  test("creates its directory and keeps readable JSON lines with a format version", async () => {
    const dir = join(freshDir(), "nested", "deeper");
    const store = await seeded(dir, 3);
    await store.compact();
    await store.commit([put("items", "after", 0, { text: "hello" })]);
    await store.close();
    expect(readdirSync(dir).sort()).toEqual(["archive.jsonl", "journal.jsonl", "snapshot.jsonl"]);
    const snapshot = readFileSync(join(dir, "snapshot.jsonl"), "utf8").trim().split("\n");
    expect(JSON.parse(snapshot[0] ?? "")).toMatchObject({ format: 2, file: "snapshot", records: 3, projection: ["project", "kind", "stage", "status", "tags"] });
    // `i`: the record's index projection (none of the indexed fields has a value here).
    expect(JSON.parse(snapshot[1] ?? "")).toEqual({ c: "items", k: "k0", r: 1, s: 1, i: {}, v: { i: 0 } });
    const journal = journalLines(dir);
    expect(JSON.parse(journal[0] ?? "")).toEqual({ format: 2, file: "journal", base: 3, id: expect.stringMatching(/^[A-Za-z0-9_-]{21}$/) });
    expect(journal[1]).toMatch(/^[0-9a-f]{8} \{"seq":4,"b":4,"at":"[^"]+","w":\[\{"c":"items","k":"after","r":1,"v":\{"text":"hello"\}\}\]\}$/);
    const archive = readFileSync(join(dir, "archive.jsonl"), "utf8").trim().split("\n");
    expect(archive).toHaveLength(4);
  });

  test("a durable store fills its journal ahead with NUL bytes, so commits overwrite space instead of growing the file", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    await store.commit([put("items", "k0", 0, { i: 0 })]);
    const first = journalWritten(dir);
    expect(first.size).toBeGreaterThanOrEqual(first.end + 64 * 1024);
    for (let i = 1; i < 20; i++) await store.commit([put("items", `k${i}`, 0, { i })]);
    const later = journalWritten(dir);
    expect(later.size).toBe(first.size);
    expect(later.end).toBeGreaterThan(first.end);
    expect(readFileSync(join(dir, "journal.jsonl")).subarray(later.end).every((byte) => byte === 0)).toBe(true);
    expect(journalLines(dir)).toHaveLength(21);
    await store.close();
    const reopened = await fileStore({ dir, ...quiet });
    expect((await reopened.query("items")).total).toBe(20);
    await reopened.close();
    // nothing to flush, nothing to fill
    const loose = freshDir();
    const none = await fileStore({ dir: loose, durability: "none", ...quiet });
    for (let i = 0; i < 3; i++) await none.commit([put("items", `k${i}`, 0, { i })]);
    await none.close();
    expect(journalWritten(loose).size).toBe(journalWritten(loose).end);
  });

  test("keeps everything across reopen, compaction and reopen again", async () => {
    const dir = freshDir();
    const store = await seeded(dir, 20, { compactionBytes: 500 });
    await store.commit([{ op: "delete", collection: "items", key: "k3", expect: 1 }, { op: "delete", collection: "audit", key: "a4", expect: 1 }]);
    await store.commit([put("items", "k5", 1, { i: 55 }), put("audit", "a5", 1, { i: 55 })]);
    const before = { items: await store.query("items"), audit: await store.query("audit") };
    await store.close();
    const reopened = await fileStore({ dir, ...quiet });
    expect(await reopened.query("items")).toEqual(before.items);
    expect(await reopened.query("audit")).toEqual(before.audit);
    expect(await reopened.get("audit", "a4")).toBeUndefined();
    expect(await reopened.get("audit", "a5")).toMatchObject({ revision: 2, value: { i: 55 } });
    await reopened.close();
  });

  describe("compaction copies the lines of unchanged records from the snapshot on disk", () => {
    /** The snapshot's record lines, each parsed, by collection and key. */
    const snapshotRecords = (dir: string) =>
      new Map(
        readFileSync(join(dir, "snapshot.jsonl"), "utf8")
          .trim()
          .split("\n")
          .slice(1, -2)
          .map((line) => JSON.parse(line) as { c: string; k: string; v: unknown })
          .map((record) => [`${record.c}/${record.k}`, record]),
      );
    /** The node fs, counting reads of the snapshot file's descriptors. */
    function countedSnapshotReads() {
      const counted = { fs: nodeFs, bytes: 0 };
      const snapshotFds = new Set<number>();
      counted.fs = {
        ...nodeFs,
        openSync: ((path: string, flags: string, mode?: number) => {
          const fd = nodeFs.openSync(path, flags, mode);
          if (String(path).endsWith("snapshot.jsonl") && flags === "r") snapshotFds.add(fd);
          return fd;
        }) as typeof nodeFs.openSync,
        closeSync: (fd: number) => (snapshotFds.delete(fd), nodeFs.closeSync(fd)),
        readSync: ((fd: number, ...rest: [Uint8Array, number, number, number]) => {
          const n = nodeFs.readSync(fd, ...rest);
          if (snapshotFds.has(fd)) counted.bytes += n;
          return n;
        }) as typeof nodeFs.readSync,
      };
      return counted;
    }
    // Values with characters of 2, 3 and 4 bytes in UTF-8: a line's place in bytes is not its place in text.
    const value = (i: number, round: number) => ({ i, round, text: `é☃𝄞 ${"x".repeat(i % 7)} ${i}`, pad: "p".repeat(300) });

    test("across reopen, commits and several compactions, every record reads back as committed", async () => {
      const dir = freshDir();
      const first = await fileStore({ dir, ...quiet });
      for (let i = 0; i < 40; i++) await first.commit([put("items", `k${i}`, 0, value(i, 0)), put("audit", `a${i}`, 0, { i })]);
      await first.compact();
      await first.close();
      const counted = countedSnapshotReads();
      const store = await fileStore({ dir, fs: counted.fs, ...quiet });
      const expected = new Map<string, unknown>(Array.from({ length: 40 }, (_, i) => [`k${i}`, value(i, 0)]));
      const revisions = new Map<string, number>(Array.from({ length: 40 }, (_, i) => [`k${i}`, 1]));
      for (let round = 1; round <= 4; round++) {
        for (let i = round; i < 40; i += 5) {
          const key = `k${i}`;
          // half as the registry commits (a frozen JSON copy, kept parsed), half as plain values (kept as text)
          const committed = i % 2 === 0 ? frozenJsonCopy(value(i, round), { collection: "items", key }) : value(i, round);
          await store.commit([put("items", key, revisions.get(key)!, committed)]);
          revisions.set(key, revisions.get(key)! + 1);
          expected.set(key, value(i, round));
        }
        await store.commit([put("items", `new${round}`, 0, value(round, round))]);
        // a deletion moves every later line up by one
        await store.commit([{ op: "delete", collection: "items", key: `k${30 + round}`, expect: revisions.get(`k${30 + round}`)! }]);
        expected.delete(`k${30 + round}`);
        expected.set(`new${round}`, value(round, round));
        revisions.set(`new${round}`, 1);
        if (round === 2) await store.get("items", "k10"); // a row read since: parsed, still copied
        const read = counted.bytes;
        await store.compact();
        expect(counted.bytes - read).toBeGreaterThan(statSync(join(dir, "snapshot.jsonl")).size / 2); // it read the snapshot it copies from
        const onDisk = snapshotRecords(dir);
        for (const [key, v] of expected) expect(onDisk.get(`items/${key}`)?.v).toEqual(v);
        expect(onDisk.size).toBe(expected.size);
      }
      await store.close();
      const reopened = await fileStore({ dir, ...quiet });
      const items = (await reopened.query("items")).items;
      expect(items).toHaveLength(expected.size);
      for (const item of items) expect({ key: item.key, value: item.value, revision: item.revision }).toEqual({ key: item.key, value: expected.get(item.key), revision: revisions.get(item.key) });
      expect((await reopened.query("audit")).total).toBe(40);
      await reopened.close();
    });

    test("records replaced while a compaction runs are not kept for their old line", async () => {
      const dir = freshDir();
      const store = await fileStore({ dir, durability: "none", ...quiet });
      // enough to write that the compaction takes several slices, with commits applied between them
      for (let i = 0; i < 40; i++) await store.commit(Array.from({ length: 50 }, (_, j) => put("big", `b${i}-${j}`, 0, { pad: "x".repeat(1000) })));
      const value = (i: number, round: number) => frozenJsonCopy({ i, round }, { collection: "items", key: `k${i}` });
      for (let i = 0; i < 100; i++) await store.commit([put("items", `k${i}`, 0, value(i, 0))]);
      await store.compact(); // the committed records now have lines in the snapshot
      const old: WeakRef<object>[] = [];
      for (let i = 0; i < 100; i++) old.push(new WeakRef((await store.get("items", `k${i}`))!));
      let compacted = false;
      const compaction = store.compact().then(() => (compacted = true));
      let during = 0;
      for (let i = 0; i < 100; i++) {
        await store.commit([put("items", `k${i}`, 1, value(i, 1))]);
        if (!compacted) during++;
      }
      await compaction;
      expect(during).toBeGreaterThan(10); // replaced while it ran
      await turn();
      collectGarbage();
      expect(old.filter((ref) => ref.deref() !== undefined).length).toBeLessThan(5);
      expect((await store.get("items", "k7"))?.value).toEqual({ i: 7, round: 1 });
      await store.close();
    });

    test("nothing is copied from a snapshot whose lines are not in the order the store writes them (edited by hand)", async () => {
      const dir = freshDir();
      const first = await fileStore({ dir, ...quiet });
      for (let i = 0; i < 10; i++) await first.commit([put("items", `k${i}`, 0, { i }), put("audit", `a${i}`, 0, { i })]);
      await first.compact();
      await first.close();
      // the archived keys' line moved between the record lines, the footer resealed: a valid snapshot
      const path = join(dir, "snapshot.jsonl");
      const lines = readFileSync(path, "utf8").split("\n").slice(0, -1);
      const footer = JSON.parse(lines.pop()!) as { records: number };
      const keysLine = lines.pop()!;
      lines.splice(3, 0, keysLine);
      const body = `${lines.join("\n")}\n`;
      writeFileSync(path, `${body}${JSON.stringify({ end: true, records: footer.records, crc32: crc32(Buffer.from(body)).toString(16).padStart(8, "0") })}\n`);
      const store = await fileStore({ dir, ...quiet });
      await store.commit([put("items", "k0", 1, { i: 100 })]);
      await store.compact();
      await store.close();
      const reopened = await fileStore({ dir, ...quiet });
      for (let i = 1; i < 10; i++) expect((await reopened.get("items", `k${i}`))?.value).toEqual({ i });
      expect((await reopened.get("items", "k0"))?.value).toEqual({ i: 100 });
      expect((await reopened.query("audit")).total).toBe(10);
      await reopened.close();
    });

    test("a snapshot that changed on disk since it was written is rewritten from memory, with a warning", async () => {
      const dir = freshDir();
      const first = await fileStore({ dir, ...quiet });
      for (let i = 0; i < 10; i++) await first.commit([put("items", `k${i}`, 0, { i, text: "abc" })]);
      await first.compact();
      await first.close();
      const warnings: string[] = [];
      const store = await fileStore({ dir, onWarning: (message) => warnings.push(message) });
      // bit rot in an unchanged record, after the store loaded it
      const path = join(dir, "snapshot.jsonl");
      writeFileSync(path, readFileSync(path, "utf8").replace('"i":3,"text":"abc"', '"i":3,"text":"abd"'));
      await store.commit([put("items", "k0", 1, { i: 0, text: "changed" })]);
      await store.compact();
      expect(warnings).toEqual([expect.stringMatching(/snapshot .* changed on disk since it was written \(its checksum does not match\); the compaction rewrites it from memory/)]);
      expect(snapshotRecords(dir).get("items/k3")?.v).toEqual({ i: 3, text: "abc" });
      await store.close();
      const reopened = await fileStore({ dir, ...quiet });
      expect((await reopened.get("items", "k3"))?.value).toEqual({ i: 3, text: "abc" });
      await reopened.close();
    });
  });

  test("the snapshot's archived keys stay exact as compactions add, archive again and remove keys", async () => {
    const dir = freshDir();
    const archivedKeys = () => {
      const line = readFileSync(join(dir, "snapshot.jsonl"), "utf8").split("\n").find((text) => text.startsWith('{"archivedKeys":'));
      return (JSON.parse(line ?? "{}") as { archivedKeys?: unknown }).archivedKeys;
    };
    const expected: Record<string, number> = {};
    const store = await fileStore({ dir, ...quiet });
    for (let i = 0; i < 10; i++) await store.commit([put("audit", `a${i}`, 0, { i })]), (expected[`a${i}`] = 1);
    await store.compact();
    await store.close();
    const reopened = await fileStore({ dir, ...quiet }); // from here, the text kept is built once, then appended to
    // rounds 2 and 4 only add keys (the kept text is appended to); 3 removes one, 5 archives one again
    for (const round of [1, 2, 3, 4, 5]) {
      for (let i = 0; i < 3; i++) await reopened.commit([put("audit", `r${round}-${i}`, 0, { i })]), (expected[`r${round}-${i}`] = 1);
      if (round === 3) await reopened.commit([{ op: "delete", collection: "audit", key: "a3", expect: 1 }]), delete expected.a3;
      if (round === 5) await reopened.commit([put("audit", "a5", 1, { i: 55 })]), (expected.a5 = 2);
      await reopened.compact();
      expect(archivedKeys()).toEqual({ audit: expected });
    }
    await reopened.close();
    const again = await fileStore({ dir, ...quiet });
    await expect(again.commit([put("audit", "a5", 1, { stale: true })])).rejects.toMatchObject({ code: "CONFLICT" });
    await again.commit([put("audit", "a3", 0, { back: true })]);
    expect((await again.get("audit", "a5"))?.value).toEqual({ i: 55 });
    await again.close();
  });

  test("keeps audit out of the open path and answers audit reads and revision checks from the archive", async () => {
    const dir = freshDir();
    const store = await seeded(dir, 10);
    await store.compact();
    await store.close();
    const snapshot = readFileSync(join(dir, "snapshot.jsonl"), "utf8");
    expect(snapshot.includes('"c":"audit"')).toBe(false);
    const reopened = await fileStore({ dir, ...quiet });
    // a create-only write of an archived key conflicts without loading the archive
    await expect(reopened.commit([put("audit", "a3", 0, {})])).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await reopened.get("audit", "missing")).toBeUndefined();
    expect(await reopened.get("audit", "a3")).toMatchObject({ key: "a3", revision: 1, value: { i: 3 } });
    const page = await reopened.query("audit", { sort: [{ field: "seq", direction: "asc" }], limit: 3 });
    expect(page.items.map((item) => item.key)).toEqual(["a0", "a1", "a2"]);
    expect(page.total).toBe(10);
    await reopened.commit([put("audit", "a3", 1, { i: 33 }), put("audit", "a10", 0, { i: 10 })]);
    expect((await reopened.query("audit")).total).toBe(11);
    await reopened.close();
  });

  test("sweeps orphan temp files at open", async () => {
    const dir = freshDir();
    const store = await seeded(dir, 1);
    await store.close();
    writeFileSync(join(dir, ".tmp-orphan"), "half a snapshot");
    const reopened = await fileStore({ dir, ...quiet });
    expect(existsSync(join(dir, ".tmp-orphan"))).toBe(false);
    await reopened.close();
  });

  test("rounds-trips hostile keys without ever using them as paths", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    const keys = ["..", "../x", "../../etc/passwd", "/abs", "con", "CON", "nul", "aux.txt", "V1", "v1", "a\\b", "x".repeat(512), "日本語/キー", "🚀", " ", "\u0000nul"];
    await store.commit(keys.map((key, index) => put("items", key, 0, { index })));
    await store.compact();
    await store.close();
    const reopened = await fileStore({ dir, ...quiet });
    for (const [index, key] of keys.entries()) expect(await reopened.get("items", key)).toMatchObject({ key, value: { index } });
    await reopened.close();
    expect(readdirSync(dir).sort()).toEqual(["journal.jsonl", "snapshot.jsonl"]);
    expect(readdirSync(join(dir, "..")).filter((name) => !name.startsWith("s-"))).toEqual([]);
  });

  test("a value committed as a plain object is kept as its text until read, and archived as it was", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    const entry = { action: "x", nested: { list: [1, "two", null], text: "é🚀" } };
    await store.commit([put("audit", "e1", 0, entry), put("items", "i1", 0, entry)]);
    entry.nested.list.push(4);
    await store.compact();
    expect((await store.get("items", "i1"))?.value).toEqual({ action: "x", nested: { list: [1, "two", null], text: "é🚀" } });
    await store.close();
    const archived = readFileSync(join(dir, "archive.jsonl"), "utf8").trim().split("\n")[1] ?? "";
    expect(JSON.parse(archived.slice(archived.indexOf(" ") + 1))).toEqual({ c: "audit", k: "e1", r: 1, s: 1, v: { action: "x", nested: { list: [1, "two", null], text: "é🚀" } } });
    const reopened = await fileStore({ dir, ...quiet });
    expect(await reopened.get("audit", "e1")).toMatchObject({ revision: 1, seq: 1, value: { nested: { list: [1, "two", null] } } });
    await reopened.close();
  });

  test("sees commits of another instance on refresh, also across its compaction", async () => {
    const dir = freshDir();
    const a = await fileStore({ dir, ...quiet });
    const b = await fileStore({ dir, ...quiet });
    await a.commit([put("items", "x", 0, 1)]);
    expect(await b.get("items", "x")).toBeUndefined();
    await b.refresh();
    expect((await b.get("items", "x"))?.value).toBe(1);
    await a.commit([put("items", "x", 1, 2), put("audit", "e1", 0, {})]);
    await a.compact();
    await a.commit([put("items", "y", 0, 3)]);
    await b.refresh();
    expect((await b.get("items", "x"))?.value).toBe(2);
    expect((await b.get("items", "y"))?.value).toBe(3);
    expect(await b.get("audit", "e1")).toMatchObject({ revision: 1 });
    // b's stale view is refreshed under the lock before its commit is validated
    await a.commit([put("items", "y", 1, 4)]);
    await expect(b.commit([put("items", "y", 1, 5)])).rejects.toMatchObject({ code: "CONFLICT" });
    await b.commit([put("items", "y", 2, 5)]);
    await a.refresh();
    expect(await a.get("items", "y")).toMatchObject({ revision: 3, value: 5 });
    await a.close();
    await b.close();
  });

  test("refuses further use after close", async () => {
    const store = await fileStore({ dir: freshDir(), ...quiet });
    await store.close();
    await expect(store.get("items", "a")).rejects.toMatchObject({ code: "STORAGE" });
    await expect(store.commit([put("items", "a", 0, 1)])).rejects.toMatchObject({ code: "STORAGE" });
  });
});

describe("fileStore() journal identity", () => {
  const putItem = (key: string, expect: number, value: unknown) => put("items", key, expect, value);
  const sameInode = (a: { ino: number; dev: number }, b: { ino: number; dev: number }) => a.ino === b.ino && a.dev === b.dev;

  // A journal's inode number is freed when a compaction replaces it, and the file system may give it to a
  // later journal. A store that took "same ino/dev at the path" for "same journal" then read a later
  // journal as its own: nothing appended (a stale revision check passed: a lost update), or bytes from
  // the middle of a line (a spurious damage report, or a torn-tail cut of acknowledged commits).
  test("a store that loaded a journal sees every later commit, however many compactions replaced it", async () => {
    const dir = freshDir();
    const writer = await fileStore({ dir, ...quiet });
    for (let i = 0; i < 10; i++) await writer.commit([putItem(`pad${i}`, 0, i)]);
    await writer.commit([putItem("counter", 0, 1)]);
    await writer.compact();
    const reader = await fileStore({ dir, ...quiet }); // loads that journal, then only reads
    expect((await reader.get("items", "counter"))?.revision).toBe(1);
    const loaded = statSync(join(dir, "journal.jsonl"));
    let revision = 1;
    for (let round = 0; round < 40; round++) {
      await writer.commit([putItem("counter", revision, revision + 1)]);
      revision++;
      await writer.compact(); // each a new journal of the same size as the one the reader loaded
      if (sameInode(statSync(join(dir, "journal.jsonl")), loaded)) break; // (ext4 reuses it within a few rounds, unless held)
    }
    await reader.refresh();
    expect((await reader.get("items", "counter"))?.revision).toBe(revision);
    await expect(reader.commit([putItem("counter", 1, "stale")])).rejects.toMatchObject({ code: "CONFLICT" });
    await Promise.all([writer.close(), reader.close()]);
  }, 60_000);

  test("a store whose own compaction left it no descriptor on the new journal tells a later journal by its header", async () => {
    const dir = freshDir();
    const a = await fileStore({ dir, ...quiet });
    for (let i = 0; i < 10; i++) await a.commit([putItem(`pad${i}`, 0, i)]);
    await a.commit([putItem("counter", 0, 1)]);
    await a.compact(); // a's new journal: no batch written into it yet, so no descriptor of a holds it
    await turn();
    const loaded = statSync(join(dir, "journal.jsonl"));
    const b = await fileStore({ dir, ...quiet });
    let revision = 1;
    let reused = false;
    for (let round = 0; round < 40 && !reused; round++) {
      await b.commit([putItem("counter", revision, revision + 1)]);
      revision++;
      await b.compact();
      reused = sameInode(statSync(join(dir, "journal.jsonl")), loaded);
    }
    await turn();
    await a.refresh();
    expect((await a.get("items", "counter"))?.revision).toBe(revision);
    await expect(a.commit([putItem("counter", 1, "stale")])).rejects.toMatchObject({ code: "CONFLICT" });
    await a.commit([putItem("counter", revision, "fresh")]);
    await b.refresh();
    expect((await b.get("items", "counter"))?.value).toBe("fresh");
    await Promise.all([a.close(), b.close()]);
  }, 60_000);
});

describe("fileStore() journal read without a kept descriptor", () => {
  // refresh() runs without the lock: another process's compaction may rename a new journal into place at
  // any moment. The journal whose header was checked must be the one read, never the path opened again.
  for (const [name, values, readFirst] of [
    ["aligned", ["v1", "v2", "v3", "v4"], false],
    ["misaligned", ["v", "v2", "a much longer value for k3", "v4"], true],
  ] as const) {
    test(`a journal renamed into place between the header check and the read is not read at the old offset (${name})`, async () => {
      const dir = freshDir();
      const journalPath = join(dir, "journal.jsonl");
      let swapTo: string | undefined;
      let opens = 0;
      const fs = {
        ...nodeFs,
        openSync: (path: nodeFs.PathLike, flags?: nodeFs.OpenMode, mode?: nodeFs.Mode) => {
          // "another process compacts" right before this store's second open of the journal for reading
          if (swapTo !== undefined && path === journalPath && flags === "r" && ++opens === 2) nodeFs.renameSync(swapTo, journalPath);
          return nodeFs.openSync(path, flags as nodeFs.OpenMode, mode);
        },
      };
      const store = await fileStore({ dir, fs, durability: "none", ...quiet });
      for (let i = 0; i < 10; i++) await store.commit([put("items", `pad${i}`, 0, i)]);
      await store.compact(); // its own new journal: no descriptor of this store holds it until its next batch
      await turn();
      const other = await fileStore({ dir, durability: "none", ...quiet });
      await other.commit([put("items", "k1", 0, values[0])]);
      if (readFirst) await store.refresh();
      for (const [index, key] of (["k2", "k3", "k4"] as const).entries()) await other.commit([put("items", key, 0, values[index + 1])]);
      // what a compaction of `other` after k2 would leave: a new header, then k3 and k4
      const lines = readFileSync(journalPath, "utf8").split("\n").filter((line) => line !== "");
      const header = JSON.parse(lines[0]!) as { base: number; id: string };
      swapTo = join(dir, "next-journal");
      writeFileSync(swapTo, [JSON.stringify({ format: 1, file: "journal", base: header.base + 2, id: "Z".repeat(header.id.length) }), lines[3], lines[4]].join("\n") + "\n");
      await expect(store.refresh()).resolves.toBeUndefined();
      const seen = await Promise.all(["k1", "k2", "k3", "k4"].map(async (key) => (await store.get("items", key))?.value));
      expect(seen).toEqual(values);
      await Promise.all([store.close(), other.close()]);
    });
  }

  test("compact() waiting for another process's lock compacts once it is free; commits made meanwhile go through", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet, lockTimeoutMs: 5_000 });
    await store.commit([put("items", "before", 0, 1)]);
    await turn();
    writeFileSync(join(dir, "lock"), JSON.stringify({ pid: process.pid, host: "elsewhere", token: "t", at: new Date().toISOString() }));
    const compacting = store.compact();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const during = store.commit([put("items", "during", 0, 2)]);
    expect(existsSync(join(dir, "snapshot.jsonl"))).toBe(false); // still waiting
    rmSync(join(dir, "lock"));
    await compacting;
    await during;
    expect(readFileSync(join(dir, "snapshot.jsonl"), "utf8")).toContain('"k":"before"');
    expect((await store.get("items", "during"))?.value).toBe(2);
    await store.close();
  });

  // From a review: compact() gets the lock from another store of this process in a microtask; a commit of
  // its own store pumping in between (here one that conflicts, so nothing is written) could start the
  // compaction, and compact() then asked for a second one. Probabilistic: it failed 12 of 30 runs before the fix.
  for (const depth of [1, 2, 3]) {
    test(`compact() handed the lock by a store of this process compacts once (a commit ${depth} microtask(s) later)`, async () => {
      const dir = freshDir();
      let snapshots = 0;
      const countingFs = {
        ...nodeFs,
        renameSync: (from: string, to: string) => {
          if (to.endsWith("snapshot.jsonl")) snapshots++;
          nodeFs.renameSync(from, to);
        },
      };
      const a = await fileStore({ dir, ...quiet });
      const b = await fileStore({ dir, fs: countingFs, ...quiet });
      await b.commit([put("items", "seed", 0, 1)]);
      let stop = false;
      let compacting: Promise<void> | undefined;
      const loop = (async () => {
        for (let i = 0; !stop; i++) {
          await a.commit([put("items", `a${i}`, 0, i)]);
          if (i === 3) compacting = b.compact();
          if (compacting !== undefined && !stop) {
            let later: Promise<unknown> = Promise.resolve();
            for (let d = 1; d < depth; d++) later = later.then(() => {});
            void later.then(() => b.commit([put("items", "seed", 0, 2)])).catch(() => {});
          }
        }
      })();
      while (compacting === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
      await compacting;
      stop = true;
      await loop;
      await Promise.all([a.close(), b.close()]);
      expect(snapshots).toBe(1);
    }, 20_000);
  }

  test("compact() that times out waiting for the lock withdraws its request", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet, lockTimeoutMs: 100 });
    writeFileSync(join(dir, "lock"), JSON.stringify({ pid: process.pid, host: "elsewhere", token: "t", at: new Date().toISOString() }));
    await expect(store.compact()).rejects.toMatchObject({ code: "STORAGE" });
    expect(existsSync(join(dir, "lock.want"))).toBe(false);
    rmSync(join(dir, "lock"));
    await store.close();
  });
});

describe("fileStore() recovery from damaged files", () => {
  test("drops a torn journal tail with a warning, never parsing it", async () => {
    const dir = freshDir();
    (await seeded(dir, 3)).close();
    // where a crash leaves it: over the space filled ahead, right after the last commit
    const torn = '0badc0de {"seq":4,"at":"x","w":[{"c":"items","k":"evil","r":1,"v":1}]';
    const fd = nodeFs.openSync(join(dir, "journal.jsonl"), "r+");
    nodeFs.writeSync(fd, torn, journalWritten(dir).end);
    nodeFs.closeSync(fd);
    const warnings: string[] = [];
    const store = await fileStore({ dir, onWarning: (message) => warnings.push(message) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`torn or damaged tail of ${torn.length} bytes`));
    expect(await store.get("items", "evil")).toBeUndefined();
    expect((await store.query("items")).total).toBe(3);
    await store.commit([put("items", "k3", 0, { i: 3 })]);
    await store.close();
    const again = await fileStore({ dir, ...quiet });
    expect((await again.query("items")).total).toBe(4);
    await again.close();
  });

  // A crash of the machine while a batch was written can persist its later pages and not its first
  // (the journal's space was filled ahead, so no size orders them): NULs, the rest of a torn line, then
  // a valid line of a commit that was never acknowledged. Readers stop at the NULs. Here the next
  // commit's line (seq 4) would end right where that valid line starts.
  function leaveTornBatch(dir: string, batch: number): void {
    const next = sealLine(`{"seq":4,"b":4,"at":"${new Date(0).toISOString()}","w":[{"c":"items","k":"k3","r":1,"v":{"i":3}}]}`);
    const ghost = sealLine(`{"seq":5,"b":${batch},"at":"${new Date(0).toISOString()}","w":[{"c":"items","k":"ghost","r":1,"v":1}]}`);
    const rest = 'x"}]}\n';
    const fd = nodeFs.openSync(join(dir, "journal.jsonl"), "r+");
    const at = journalWritten(dir).end + Buffer.byteLength(next);
    nodeFs.writeSync(fd, rest + ghost, at - rest.length);
    nodeFs.closeSync(fd);
  }

  test("cuts what a machine crash left of a batch past a run of NULs before a later commit can run into it", async () => {
    const dir = freshDir();
    (await seeded(dir, 3)).close();
    leaveTornBatch(dir, 4); // the ghost belongs to the batch whose first line is lost
    const warnings: string[] = [];
    const store = await fileStore({ dir, onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual([expect.stringMatching(/torn or damaged tail of \d+ bytes, and \d+ more bytes past a run of NULs/)]);
    expect(await store.get("items", "ghost")).toBeUndefined();
    await store.commit([put("items", "k3", 0, { i: 3 })]);
    await store.close();
    const reopened = await fileStore({ dir, ...quiet });
    expect(await reopened.get("items", "ghost")).toBeUndefined();
    expect((await reopened.query("items")).total).toBe(4);
    await reopened.close();
  });

  test("refuses NULs followed by a commit of a later batch, leaving the files as they are: that is damage in the middle", async () => {
    const dir = freshDir();
    (await seeded(dir, 3)).close();
    leaveTornBatch(dir, 5);
    await expectRefusedAsDamaged(dir);
  });

  test("refuses a zeroed block in the middle of the journal, leaving the files as they are", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    for (let i = 0; i < 10; i++) await store.commit([put("items", `k${i}`, 0, { i })]);
    await store.close();
    const journal = join(dir, "journal.jsonl");
    const fifth = journalLines(dir).slice(0, 5).reduce((bytes, line) => bytes + Buffer.byteLength(line) + 1, 0);
    const fd = nodeFs.openSync(journal, "r+");
    nodeFs.writeSync(fd, Buffer.alloc(16), 0, 16, fifth + 20);
    nodeFs.closeSync(fd);
    await expectRefusedAsDamaged(dir);
  });

  test.runIf(existsSync("/proc/self/fd"))("a store that only reads holds no descriptor on a journal another store replaced, once it read again", async () => {
    const dir = freshDir();
    const writer = await fileStore({ dir, ...quiet });
    for (let i = 0; i < 50; i++) await writer.commit([put("items", `k${i}`, 0, { i })]);
    await writer.close();
    const fd = nodeFs.openSync(join(dir, "journal.jsonl"), "r+");
    nodeFs.writeSync(fd, '0badc0de {"seq":51', journalWritten(dir).end); // a torn commit: the reader's open cuts it
    nodeFs.closeSync(fd);
    const reader = await fileStore({ dir, ...quiet }); // its open finds the lock free and checks the journal
    const other = await fileStore({ dir, ...quiet });
    await other.commit([put("items", "z", 0, 1)]);
    await other.compact();
    await other.close();
    await reader.refresh();
    expect(await reader.get("items", "z")).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the compacting store closes its last descriptor on the thread pool
    const held = readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return nodeFs.readlinkSync(`/proc/self/fd/${fd}`) === `${join(dir, "journal.jsonl")} (deleted)`;
      } catch {
        return false;
      }
    });
    expect(held).toEqual([]);
    await reader.close();
  });

  test("appends to a journal of format 1 without filling it ahead, so builds knowing only format 1 can still read it", async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const line = sealLine(`{"seq":1,"at":"${new Date(0).toISOString()}","w":[{"c":"items","k":"old","r":1,"v":1}]}`);
    writeFileSync(join(dir, "journal.jsonl"), `${JSON.stringify({ format: 1, file: "journal", base: 0 })}\n${line}`);
    const store = await fileStore({ dir, ...quiet });
    for (let i = 0; i < 3; i++) await store.commit([put("items", `k${i}`, 0, { i })]);
    expect(journalWritten(dir).size).toBe(journalWritten(dir).end);
    expect(JSON.parse(journalLines(dir)[0]!)).toMatchObject({ format: 1 });
    await store.compact(); // a new journal, of this build's format
    await store.commit([put("items", "new", 0, 1)]);
    expect(journalWritten(dir).size).toBeGreaterThan(journalWritten(dir).end);
    expect(JSON.parse(journalLines(dir)[0]!)).toMatchObject({ format: 2 });
    expect((await store.query("items")).total).toBe(5);
    await store.close();
  });

  test.runIf(existsSync("/proc/self/fd"))("a compaction frees the files it replaced by closing their last descriptors on the thread pool", async () => {
    const dir = freshDir();
    const closed: number[] = [];
    const fs = { ...nodeFs, close: ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => nodeFs.close(fd, (error) => (closed.push(fd), callback(error)))) as typeof nodeFs.close };
    const store = await fileStore({ dir, fs, ...quiet });
    for (let i = 0; i < 20; i++) await store.commit([put("items", `k${i}`, 0, { i })]);
    await store.compact();
    await store.commit([put("items", "after", 0, 1)]);
    await store.compact(); // replaces a snapshot and a journal this store had loaded
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed.length).toBeGreaterThanOrEqual(2);
    const deleted = readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return nodeFs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir) && nodeFs.readlinkSync(`/proc/self/fd/${fd}`).endsWith("(deleted)");
      } catch {
        return false;
      }
    });
    expect(deleted).toEqual([]);
    expect((await store.query("items")).total).toBe(21);
    await store.close();
  });

  test("refuses damage in a commit the snapshot already holds when an acknowledged commit follows (a compaction stopped before its journal)", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    for (let i = 1; i <= 10; i++) await store.commit([put("items", `k${i}`, 0, { i })]);
    const oldLines = journalLines(dir);
    await store.compact(); // snapshot at seq 10, a new journal from 10
    await store.commit([put("items", "k11", 0, { i: 11 })]); // seq 11, its own batch: acknowledged
    const line11 = journalLines(dir)[1]!;
    await store.close();
    // What a crash between the snapshot's rename and the journal's leaves, commit 11 having been
    // appended to the old journal meanwhile; then bit rot in commit 3, which the snapshot holds.
    const lines = [...oldLines, line11];
    lines[3] = lines[3]!.replace('"i":3', '"i":9');
    writeFileSync(join(dir, "journal.jsonl"), `${lines.join("\n")}\n`);
    await expectRefusedAsDamaged(dir);
  });

  /** A store of 13 one-commit batches whose journal lines `from` up to `to` (1 = the first commit) are zeroed, newlines included. */
  async function zeroedCommits(from: number, to: number): Promise<{ dir: string; at: number }> {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    for (let i = 1; i <= 13; i++) await store.commit([put("items", `k${i}`, 0, { i })]);
    await store.close();
    const lines = journalLines(dir);
    const offset = (n: number) => lines.slice(0, n).reduce((bytes, line) => bytes + Buffer.byteLength(line) + 1, 0);
    const fd = nodeFs.openSync(join(dir, "journal.jsonl"), "r+");
    nodeFs.writeSync(fd, Buffer.alloc(offset(to) - offset(from)), 0, offset(to) - offset(from), offset(from));
    nodeFs.closeSync(fd);
    return { dir, at: offset(from) };
  }

  test("refuses a zeroed block that ends where the line of a later batch starts", async () => {
    const { dir } = await zeroedCommits(11, 13); // commit 13 follows the NULs directly
    await expectRefusedAsDamaged(dir);
  });

  // A read racing another process's writes can see a page as it was before the write (NULs) and the
  // later pages after it: the page may begin where commit 11 begins, or inside its line.
  for (const [where, holeAt] of [
    ["where a line begins", (start: number) => start],
    ["inside a line", (start: number) => (Math.floor(start / 4096) + 1) * 4096],
  ] as const) {
    test(`a store opening while another one writes, whose read saw a page (${where}) before it was written, reads again instead of refusing`, async () => {
      const dir = freshDir();
      const writer = await fileStore({ dir, ...quiet });
      for (let i = 1; i <= 10; i++) await writer.commit([put("items", `k${i}`, 0, { i })]);
      const hole = holeAt(journalWritten(dir).end);
      await writer.commit([put("items", "k11", 0, { big: "y".repeat(9000) })]);
      await writer.commit([put("items", "k12", 0, { i: 12 })]);
      await writer.close();
      let raced = 0;
      const fs = {
        ...nodeFs,
        readSync: ((fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => {
          const n = nodeFs.readSync(fd, buffer, offset, length, position);
          if (raced === 0 && position === 0 && n > hole + 4096 && Buffer.from(buffer.subarray(offset, offset + 40)).toString().includes('"journal"')) {
            raced++;
            buffer.fill(0, offset + hole, offset + hole + 4096);
          }
          return n;
        }) as typeof nodeFs.readSync,
      };
      const reader = await fileStore({ dir, fs, ...quiet });
      expect(raced).toBe(1);
      expect((await reader.query("items")).total).toBe(12);
      await reader.close();
    });
  }

  test("real damage that starts with NULs is refused after reading again, with the file and offset", async () => {
    const { dir, at } = await zeroedCommits(11, 12);
    await expect(fileStore({ dir, ...quiet })).rejects.toMatchObject({ code: "STORAGE", details: { file: join(dir, "journal.jsonl"), offset: at } });
  });

  test("a store that compacted into a new journal cuts a torn batch after it, as a fresh store does", async () => {
    const dir = freshDir();
    const first = await fileStore({ dir, ...quiet });
    for (let i = 1; i <= 5; i++) await first.commit([put("items", `k${i}`, 0, { i })]);
    await first.compact();
    await first.close();
    nodeFs.unlinkSync(join(dir, "journal.jsonl")); // a snapshot (seq 5) without a journal
    const store = await fileStore({ dir, ...quiet });
    await store.compact(); // writes a journal from 5
    await new Promise((resolve) => setTimeout(resolve, 50)); // the lock is given up
    // another writer's batch 6 (commits 6 and 7), torn by a lost block: commit 6's end and newline are NULs
    const line = (seq: number) => sealLine(JSON.stringify({ seq, b: 6, at: new Date(0).toISOString(), w: [{ c: "items", k: `x${seq}`, r: 1, v: { seq } }] }));
    const six = Buffer.from(line(6));
    const torn = Buffer.concat([six.subarray(0, 30), Buffer.alloc(six.length - 30), Buffer.from(line(7)), Buffer.alloc(4096)]);
    nodeFs.appendFileSync(join(dir, "journal.jsonl"), torn);
    await expect(store.commit([put("items", "after", 0, 1)])).resolves.toMatchObject({ seq: 6 });
    expect(await store.get("items", "x7")).toBeUndefined();
    await store.close();
  });

  test("a seam that spreads node:fs and wraps closeSync sees every close", async () => {
    const dir = freshDir();
    const open = new Set<number>();
    const fs = {
      ...nodeFs,
      openSync: ((path: string, flags: string, mode?: number) => {
        const fd = nodeFs.openSync(path, flags, mode);
        open.add(fd);
        return fd;
      }) as typeof nodeFs.openSync,
      closeSync: (fd: number) => (open.delete(fd), nodeFs.closeSync(fd)),
    };
    const store = await fileStore({ dir, fs, ...quiet });
    for (let i = 0; i < 20; i++) await store.commit([put("items", `k${i}`, 0, { i })]);
    await store.compact();
    await store.commit([put("items", "after", 0, 1)]);
    await store.compact();
    await store.close();
    expect([...open]).toEqual([]);
  });

  test("commits by appending when the disk has no room to fill the journal ahead", async () => {
    const dir = freshDir();
    const allNul = (data: Uint8Array) => data.every((byte) => byte === 0);
    const fs = {
      ...nodeFs,
      writeSync: ((fd: number, data: Uint8Array, offset: number, length: number, position: number) => {
        if (length >= 4096 && allNul(data.subarray(offset, offset + length))) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        return nodeFs.writeSync(fd, data, offset, length, position);
      }) as typeof nodeFs.writeSync,
    };
    const warnings: string[] = [];
    const store = await fileStore({ dir, fs, onWarning: (message) => warnings.push(message) });
    for (let i = 0; i < 5; i++) await store.commit([put("items", `k${i}`, 0, { i })]);
    expect(warnings).toEqual([expect.stringMatching(/Could not fill .*journal\.jsonl ahead of its commits \(ENOSPC/)]);
    expect(journalWritten(dir).size).toBe(journalWritten(dir).end);
    await store.close();
    const reopened = await fileStore({ dir, ...quiet });
    expect((await reopened.query("items")).total).toBe(5);
    await reopened.close();
  });

  test("drops a complete tail line whose checksum does not match", async () => {
    const dir = freshDir();
    (await seeded(dir, 2)).close();
    const journal = join(dir, "journal.jsonl");
    const lines = readFileSync(journal, "utf8").split("\n");
    lines[2] = (lines[2] ?? "").replace('"i":1', '"i":9');
    writeFileSync(journal, lines.join("\n"));
    const warnings: string[] = [];
    const store = await fileStore({ dir, onWarning: (message) => warnings.push(message) });
    expect(warnings).toHaveLength(1);
    expect(await store.get("items", "k1")).toBeUndefined();
    expect((await store.get("items", "k0"))?.value).toEqual({ i: 0 });
    await store.close();
  });

  test("refuses a journal with a garbage line in the middle, leaving the files as they are", async () => {
    const dir = freshDir();
    (await seeded(dir, 4)).close();
    const journal = join(dir, "journal.jsonl");
    const lines = readFileSync(journal, "utf8").split("\n");
    lines.splice(2, 0, "garbage that is not a commit");
    writeFileSync(journal, lines.join("\n"));
    const before = readFileSync(journal, "utf8");
    await expect(fileStore({ dir, ...quiet })).rejects.toMatchObject({ code: "STORAGE", message: expect.stringMatching(/damaged at byte \d+, and valid commits follow/) });
    expect(readFileSync(journal, "utf8")).toBe(before);
  });

  test("moves a damaged snapshot aside, reports it, and never opens as an empty store", async () => {
    const dir = freshDir();
    const store = await seeded(dir, 4);
    await store.compact();
    await store.close();
    const snapshot = join(dir, "snapshot.jsonl");
    const text = readFileSync(snapshot, "utf8");
    writeFileSync(snapshot, text.replace('"i":2', '"i":7'));
    await expect(fileStore({ dir, ...quiet })).rejects.toMatchObject({ code: "STORAGE", message: expect.stringMatching(/snapshot .* is damaged \(its checksum does not match\)/) });
    expect(existsSync(snapshot)).toBe(false);
    expect(readdirSync(dir).some((name) => name.startsWith("snapshot.jsonl.damaged-"))).toBe(true);
    // the second open does not start empty either
    await expect(fileStore({ dir, ...quiet })).rejects.toMatchObject({ code: "STORAGE", message: expect.stringMatching(/snapshot\.jsonl is missing/) });
  });

  test("refuses a truncated snapshot", async () => {
    const dir = freshDir();
    const store = await seeded(dir, 4);
    await store.compact();
    await store.close();
    const snapshot = join(dir, "snapshot.jsonl");
    writeFileSync(snapshot, readFileSync(snapshot).subarray(0, statSync(snapshot).size - 30));
    await expect(fileStore({ dir, ...quiet })).rejects.toMatchObject({ code: "STORAGE" });
  });

  test("refuses files of a newer format with STORAGE", async () => {
    const dir = freshDir();
    (await seeded(dir, 1)).close();
    const journal = join(dir, "journal.jsonl");
    const lines = readFileSync(journal, "utf8").split("\n");
    lines[0] = JSON.stringify({ format: 3, file: "journal", base: 0 });
    writeFileSync(journal, lines.join("\n"));
    await expect(fileStore({ dir, ...quiet })).rejects.toMatchObject({ code: "STORAGE", message: expect.stringMatching(/format version 3, newer/) });
  });

  test("removes a journal whose header never reached the disk", async () => {
    const dir = freshDir();
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "journal.jsonl"), '{"format":1,"fi');
    const warnings: string[] = [];
    const store = await fileStore({ dir, onWarning: (message) => warnings.push(message) });
    expect(warnings).toHaveLength(1);
    await store.commit([put("items", "a", 0, 1)]);
    await store.close();
  });
});

describe("fileStore() fs option", () => {
  test("refuses an fs seam whose calls are not functions, naming them, with VALIDATION", async () => {
    const dir = freshDir();
    await expect(fileStore({ dir, fs: { ...nodeFs, linkSync: "yes" } as never })).rejects.toMatchObject({
      code: "VALIDATION",
      message: expect.stringContaining("linkSync"),
      details: { issues: [{ path: ["fs", "linkSync"], message: "not a function" }] },
    });
    const { renameSync: _rename, ...withoutRename } = nodeFs;
    await expect(fileStore({ dir, fs: { ...withoutRename, fsync: 1 } as never })).rejects.toMatchObject({ code: "VALIDATION", message: expect.stringMatching(/renameSync, fsync/) });
    await expect(fileStore({ dir, fs: null as never })).rejects.toMatchObject({ code: "VALIDATION" });
    expect(existsSync(dir)).toBe(false); // refused before touching the disk
  });
});

describe("fileStore() writer lock", () => {
  test("takes over at once a lock whose holder is dead on this host, with a warning", async () => {
    const dir = freshDir();
    (await seeded(dir, 1)).close();
    writeFileSync(join(dir, "lock"), JSON.stringify({ pid: deadPid(), host: hostname(), token: "old", at: new Date().toISOString() }));
    const warnings: string[] = [];
    const store = await fileStore({ dir, onWarning: (message) => warnings.push(message), lockTimeoutMs: 1_000 });
    await store.commit([put("items", "b", 0, 1)]);
    expect(warnings.some((warning) => warning.includes("Took over"))).toBe(true);
    await turn();
    expect(existsSync(join(dir, "lock"))).toBe(false);
    await store.close();
  });

  test("waits for a live holder, then fails with STORAGE naming it", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet, lockTimeoutMs: 150 });
    writeFileSync(join(dir, "lock"), JSON.stringify({ pid: process.pid, host: "elsewhere", token: "t", at: new Date().toISOString() }));
    await expect(store.commit([put("items", "a", 0, 1)])).rejects.toMatchObject({ code: "STORAGE", message: expect.stringMatching(/host elsewhere/) });
    expect(existsSync(join(dir, "lock.want"))).toBe(false); // the request it made while waiting is withdrawn
    rmSync(join(dir, "lock"));
    await store.commit([put("items", "a", 0, 1)]);
    await store.close();
  });

  test("a commit waiting for the lock goes through when the holder releases", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    // a live holder: the parent process (this process's own pid with an unknown token would be a dead earlier incarnation)
    writeFileSync(join(dir, "lock"), JSON.stringify({ pid: process.ppid, host: hostname(), token: "t", at: new Date().toISOString() }));
    const pending = store.commit([put("items", "a", 0, 1)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    rmSync(join(dir, "lock"));
    await expect(pending).resolves.toMatchObject({ seq: 1 });
    await store.close();
  });

  const lockFiles = (dir: string) => readdirSync(dir).filter((name) => name.startsWith("lock")).sort();
  const ownerLine = (pid: number, host: string, token: string) => JSON.stringify({ pid, host, token, at: new Date().toISOString() }) + "\n";

  test("hard-link lock: one claim file per open store, linked as `lock` only while this process commits, removed at close", async () => {
    const dir = freshDir();
    const linked: string[] = [];
    const fs = { ...nodeFs, linkSync: (from: string, to: string) => (linked.push(to), nodeFs.linkSync(from, to)) };
    const store = await fileStore({ dir, fs, ...quiet });
    expect(lockFiles(dir)).toEqual([]); // opening (and only reading) leaves no claim behind
    await store.commit([put("items", "a", 0, 1)]);
    await turn();
    await store.commit([put("items", "b", 0, 1)]);
    await turn();
    const claims = lockFiles(dir);
    expect(claims).toHaveLength(1);
    expect(claims[0]).toMatch(/^lock\.claim-[A-Za-z0-9_-]+$/);
    expect(JSON.parse(readFileSync(join(dir, claims[0]!), "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(linked.filter((path) => path === join(dir, "lock"))).toHaveLength(3); // open's maintenance, then one per commit (a turn apart)
    await store.close();
    expect(lockFiles(dir)).toEqual([]);
  });

  test("takes over a dead holder's hard-link lock and removes its claim file", async () => {
    const dir = freshDir();
    (await seeded(dir, 1)).close();
    writeFileSync(join(dir, "lock.claim-oldtoken"), ownerLine(deadPid(), hostname(), "oldtoken"));
    linkSync(join(dir, "lock.claim-oldtoken"), join(dir, "lock"));
    const warnings: string[] = [];
    const store = await fileStore({ dir, onWarning: (message) => warnings.push(message), lockTimeoutMs: 1_000 });
    await store.commit([put("items", "b", 0, 1)]);
    expect(warnings.some((warning) => warning.includes("Took over"))).toBe(true);
    await turn();
    expect(lockFiles(dir).filter((name) => !name.startsWith("lock.claim-") || name === "lock.claim-oldtoken")).toEqual([]);
    await store.close();
    expect(lockFiles(dir)).toEqual([]);
  });

  test("at open, sweeps claim files of dead processes on this host and old unreadable ones; keeps live and foreign ones", async () => {
    const dir = freshDir();
    (await seeded(dir, 1)).close();
    writeFileSync(join(dir, "lock.claim-dead"), ownerLine(deadPid(), hostname(), "dead"));
    writeFileSync(join(dir, "lock.claim-live"), ownerLine(process.ppid, hostname(), "live"));
    writeFileSync(join(dir, "lock.claim-our-pid"), ownerLine(process.pid, hostname(), "unknownToken")); // our pid, not our token: an earlier incarnation
    mkdirSync(join(dir, "lock.claim-a-directory"));
    writeFileSync(join(dir, "lock.claim-foreign"), ownerLine(deadPid(), "elsewhere", "foreign"));
    writeFileSync(join(dir, "lock.claim-torn-old"), '{"pid":12');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(join(dir, "lock.claim-torn-old"), longAgo, longAgo);
    writeFileSync(join(dir, "lock.claim-torn-new"), '{"pid":12');
    const store = await fileStore({ dir, ...quiet });
    const left = lockFiles(dir);
    expect(left).toEqual(expect.arrayContaining(["lock.claim-foreign", "lock.claim-live", "lock.claim-torn-new"]));
    expect(left).not.toContain("lock.claim-dead");
    expect(left).not.toContain("lock.claim-our-pid");
    expect(left).toContain("lock.claim-a-directory"); // a stray entry is left alone (with a warning), and the store opens
    expect(left).not.toContain("lock.claim-torn-old");
    await store.close();
  });

  /** The node fs with a count of links made as `lock` in `dir`. */
  test("a loop of awaited commits keeps the lock across its batches, and gives it up once the caller's microtasks end", async () => {
    const dir = freshDir();
    const links = countLockTakes(dir);
    const store = await fileStore({ dir, fs: links.fs, ...quiet });
    links.count = 0;
    for (let i = 0; i < 20; i++) await store.commit([put("items", `k${i}`, 0, i)]);
    expect(links.count).toBe(1);
    expect(existsSync(join(dir, "lock"))).toBe(true); // still kept: this continuation could commit again
    await turn();
    expect(existsSync(join(dir, "lock"))).toBe(false);
    // a commit after a turn of the event loop takes the lock again, and sees what others wrote meanwhile
    const other = await fileStore({ dir, ...quiet });
    await other.commit([put("items", "k0", 1, "other")]);
    await turn();
    await expect(store.commit([put("items", "k0", 1, "stale")])).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(store.commit([put("items", "k0", 2, "fresh")])).resolves.toMatchObject({ seq: 22 });
    await Promise.all([store.close(), other.close()]);
    expect(lockFiles(dir)).toEqual([]);
  });

  for (const inFlight of [1, 8]) {
    test(`a store waiting for the lock gets it while another store keeps committing (${inFlight} in flight)`, async () => {
      const dir = freshDir();
      // durable, as without flushes a loop of commits runs in microtasks only and no timer (the waiter's poll) runs meanwhile
      const busy = await fileStore({ dir, ...quiet });
      const waiting = await fileStore({ dir, ...quiet, lockTimeoutMs: 20_000 });
      await busy.commit([put("items", "warm", 0, 0)]);
      let waiterDone = false;
      let busyCommits = 0;
      const limit = 4_000;
      const worker = async (lane: number) => {
        for (let i = 0; !waiterDone && busyCommits < limit; i++) {
          await busy.commit([put("items", `b${lane}-${i}`, 0, i)]);
          busyCommits++;
        }
      };
      const busyLoop = Promise.all(Array.from({ length: inFlight }, (_, lane) => worker(lane)));
      await new Promise((resolve) => setTimeout(resolve, 5));
      await waiting.commit([put("items", "w", 0, 1)]);
      waiterDone = true;
      await busyLoop;
      expect(busyCommits).toBeGreaterThan(0);
      expect(busyCommits).toBeLessThan(limit); // without a hand-over the waiter gets the lock only once the loop ends
      await turn();
      expect(lockFiles(dir).filter((name) => !name.startsWith("lock.claim-"))).toEqual([]);
      await Promise.all([busy.close(), waiting.close()]);
    }, 30_000);
  }

  /**
   * A producer on the event loop (as a server's requests are): a commit into `store` at every `next` tick,
   * up to 16 in flight, until `stopped()` (or `limit` commits). `done` settles when it stopped and every commit did.
   */
  const produceCommits = (store: FileStore, next: (step: () => void) => void, stopped: () => boolean, limit = Infinity) => {
    const pending = new Set<Promise<unknown>>();
    let issued = 0;
    const produced = new Promise<void>((resolve) => {
      const produce = () => {
        if (stopped() || issued >= limit) return resolve();
        if (pending.size < 16) {
          const commit = store.commit([put("items", `p${issued++}`, 0, 0)]);
          pending.add(commit);
          void commit.finally(() => pending.delete(commit));
        }
        next(produce);
      };
      produce();
    });
    return { done: produced.then(() => Promise.allSettled(pending)), issued: () => issued };
  };

  test("a store whose commits keep arriving while its flush runs on the thread pool still hands the lock over", async () => {
    const dir = freshDir();
    // no fdatasyncSync: every flush runs on the thread pool, and commits made meanwhile join the next batch
    const busy = await fileStore({ dir, ...quiet, fs: threadPoolFlushFs() });
    const waiting = await fileStore({ dir, ...quiet, lockTimeoutMs: 20_000 });
    await busy.commit([put("items", "warm", 0, 0)]);
    let waiterDone = false;
    const limit = 4_000;
    const producer = produceCommits(busy, setImmediate, () => waiterDone, limit);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await waiting.commit([put("items", "w", 0, 1)]);
    waiterDone = true;
    await producer.done;
    expect(producer.issued()).toBeLessThan(limit);
    await Promise.all([busy.close(), waiting.close()]);
  }, 60_000);

  test("with slow thread-pool flushes, a store of this process waiting for the lock still gets it from one that keeps committing", async () => {
    const dir = freshDir();
    // every journal flush on the thread pool and 80 ms long: longer than the 50 ms a holder leaves the lock to the waiter
    const busy = await fileStore({ dir, ...quiet, fs: threadPoolFlushFs(80) });
    const waiting = await fileStore({ dir, ...quiet, lockTimeoutMs: 3_000 });
    await busy.commit([put("items", "warm", 0, 0)]);
    let stop = false;
    const producer = produceCommits(busy, (step) => setTimeout(step, 2), () => stop);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const outcome = waiting.commit([put("items", "w", 0, 1)]);
    await outcome.finally(() => (stop = true)).catch(() => undefined);
    await producer.done;
    await expect(outcome).resolves.toBeDefined();
    await Promise.all([busy.close(), waiting.close()]);
  }, 30_000);

  test("a store of this process waiting for the lock is woken when another of its stores gives it up (no poll)", async () => {
    const dir = freshDir();
    const a = await fileStore({ dir, ...quiet, durability: "none" });
    const b = await fileStore({ dir, ...quiet, durability: "none" });
    await a.commit([put("items", "warm", 0, 0)]);
    await turn();
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    // without flushes everything below runs in microtasks; b finds the lock kept by a, and a poll would need a timer
    for (let i = 0; i < 20; i++) {
      await a.commit([put("items", `a${i}`, 0, i)]);
      await b.commit([put("items", `b${i}`, 0, i)]);
    }
    expect(timerRan).toBe(false);
    await Promise.all([a.close(), b.close()]);
  });

  test("a request this process made while another held the lock is removed by whichever of its stores takes the lock", async () => {
    const dir = freshDir();
    const a = await fileStore({ dir, ...quiet, durability: "none" });
    const b = await fileStore({ dir, ...quiet, durability: "none", lockTimeoutMs: 5_000 });
    await a.commit([put("items", "warm", 0, 0)]);
    await turn();
    // another process holds the lock: b waits and asks for it
    writeFileSync(join(dir, "lock"), ownerLine(process.pid, "elsewhere", "t"));
    const waiting = b.commit([put("items", "b", 0, 1)]);
    for (let i = 0; i < 500 && !existsSync(join(dir, "lock.want")); i++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(existsSync(join(dir, "lock.want"))).toBe(true);
    // it lets go, and a (which never asked) takes the lock first: b's request is served by this process,
    // left in place it would make a hand the lock "to another process" and idle every store here a window long
    rmSync(join(dir, "lock"));
    await a.commit([put("items", "a", 0, 1)]);
    expect(existsSync(join(dir, "lock.want"))).toBe(false);
    await waiting;
    await Promise.all([a.close(), b.close()]);
  });

  test("this process forgets a directory once none of its stores holds the lock or waits for it", async () => {
    const probe = `forget-probe-${process.pid}`;
    for (let i = 0; i < 20; i++) {
      const store = await fileStore({ dir: join(root, `${probe}-${i}`), ...quiet, durability: "none" });
      await store.commit([put("items", "k", 0, 1)]);
      await store.close();
    }
    await turn();
    const file = writeHeapSnapshot(join(root, "forget.heapsnapshot"));
    const text = readFileSync(file, "utf8");
    rmSync(file);
    // the names may survive in a few places (strings not yet collected), not one per directory ever used
    expect(new Set(text.match(new RegExp(`${probe}-\\d+`, "g")) ?? []).size).toBeLessThan(5);
  });

  // A request left by a process that died: an empty one (an older build's, or the usual window) costs one
  // 50 ms pause; one asking for an hour gets the longest window, 1 s (the test's timeout would catch an hour).
  for (const [request, pauseMs, what] of [
    ["", 40, "an empty request for the lock left by a process that died costs one pause, then is removed"],
    ["3600000\n", 900, "a request for the lock asking for a long window gets it, up to a second, once"],
  ] as const) {
    test(what, async () => {
      const dir = freshDir();
      const links = countLockTakes(dir);
      const store = await fileStore({ dir, fs: links.fs, ...quiet });
      await store.commit([put("items", "warm", 0, 0)]);
      writeFileSync(join(dir, "lock.want"), request);
      links.count = 0;
      const started = performance.now();
      for (let i = 0; i < 200; i++) await store.commit([put("items", `k${i}`, 0, i)]);
      expect(existsSync(join(dir, "lock.want"))).toBe(false);
      expect(links.count).toBeLessThanOrEqual(2); // the hand-over, and the batch after it; then kept again
      expect(performance.now() - started).toBeGreaterThanOrEqual(pauseMs); // the one pause
      await store.close();
    }, 30_000);
  }


  test("a request for the lock carries the window it asks for: read back as written, 50 ms when empty or unreadable, none when absent", () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const lock = new DirectoryLock(nodeFs, dir, () => {});
    const want = join(dir, "lock.want");
    expect(lock.requestedWindowMs(50)).toBeUndefined();
    lock.askForLock(400);
    expect(readFileSync(want, "utf8")).toBe("0400\n");
    expect(lock.requestedWindowMs(50)).toBe(400);
    lock.askForLock(60); // rewritten in place: the same width, never empty
    expect(lock.requestedWindowMs(50)).toBe(60);
    for (const text of ["", "\n", "abc", "-5", "0"]) {
      writeFileSync(want, text); // an older build's empty request, or garbage
      expect(lock.requestedWindowMs(50)).toBe(50);
    }
    writeFileSync(want, "123456789\n");
    lock.askForLock(1000);
    expect(lock.requestedWindowMs(50)).toBe(1000); // a longer old content does not spoil the number
    lock.clearWanted();
    expect(existsSync(want)).toBe(false);
  });

  for (const [blocks, asks, fits] of [
    [[300, 300, 300], "twice its gap", (window: number) => window >= 600 && window <= 1_000],
    [[300, 1_200, 300], "twice its usual gap despite one longer stall", (window: number) => window >= 600 && window <= 1_000],
    [[1_200, 1_200, 1_200], "the usual 50 ms (a window it could not use would idle the holder a second per try)", (window: number) => window === 50],
  ] as const) {
    test(`a waiter whose event loop is blocked ${blocks.join(" / ")} ms between its tries asks for ${asks}`, async () => {
      const dir = freshDir();
      const store = await fileStore({ dir, ...quiet, lockTimeoutMs: 30_000 });
      writeFileSync(join(dir, "lock"), ownerLine(process.pid, "elsewhere", "t"));
      const waiting = store.commit([put("items", "k", 0, 1)]);
      for (const blockMs of blocks) {
        await new Promise((resolve) => setTimeout(resolve, 5)); // the store's poll, due meanwhile, runs first
        const end = performance.now() + blockMs;
        while (performance.now() < end);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      const window = Number.parseInt(readFileSync(join(dir, "lock.want"), "utf8"), 10);
      expect(fits(window), `asked for ${window} ms`).toBe(true);
      rmSync(join(dir, "lock"));
      await waiting;
      await store.close();
    }, 30_000);
  }


  test("process.exit() right after a commit leaves no lock behind", async () => {
    const dir = freshDir();
    (await seeded(dir, 1)).close();
    const child = fileURLToPath(new URL("../../support/fs-commit-once-child.ts", import.meta.url));
    await expect(runTsxWorker(child, [dir, "5000", "exit"])).resolves.toMatchObject({ ok: true, seq: 2 });
    expect(lockFiles(dir).filter((name) => !name.startsWith("lock.claim-"))).toEqual([]); // its claim is swept at the next open
    const warnings: string[] = [];
    const store = await fileStore({ dir, onWarning: (message) => warnings.push(message) });
    await store.commit([put("items", "after", 0, 1)]);
    expect(warnings).toEqual([]); // no lock of a dead process to take over
    await store.close();
  }, 30_000);

  test("a claim file removed by hand is written anew at the next batch", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    for (const name of lockFiles(dir)) rmSync(join(dir, name));
    await store.commit([put("items", "a", 0, 1)]);
    await turn();
    expect(lockFiles(dir)).toHaveLength(1);
    await store.close();
    expect(lockFiles(dir)).toEqual([]);
  });

  test("a file system without hard links (link fails with EPERM) falls back to an O_EXCL lock file", async () => {
    const dir = freshDir();
    let refused = 0;
    const fs = {
      ...nodeFs,
      linkSync: () => {
        refused += 1;
        throw Object.assign(new Error("injected EPERM: no hard links here"), { code: "EPERM" });
      },
    };
    const store = await fileStore({ dir, fs, ...quiet });
    await store.commit([put("items", "a", 0, 1)]);
    await store.commit([put("items", "b", 0, 1)]);
    await turn();
    expect(refused).toBe(1);
    expect(lockFiles(dir)).toEqual([]);
    const other = await fileStore({ dir, ...quiet }); // a hard-link store on the same directory: both use `lock`
    await other.commit([put("items", "c", 0, 1)]);
    await store.commit([put("items", "c", 1, 2)]); // refreshed under the lock: sees the other store's commit
    await other.refresh();
    expect((await other.get("items", "c"))?.revision).toBe(2);
    await Promise.all([store.close(), other.close()]);
    expect(lockFiles(dir)).toEqual([]);
  });

  test("a file system whose hard links show another identity at `lock` falls back to an O_EXCL lock file", async () => {
    const dir = freshDir();
    const lockPath = join(dir, "lock");
    // as if `lock` reported its own inode number when it is a second link (the claim's identity never shows)
    const fs = {
      ...nodeFs,
      statSync: (path: string) => {
        const stat = nodeFs.statSync(path);
        return path === lockPath && stat.nlink > 1 ? Object.assign(Object.create(stat) as nodeFs.Stats, { ino: stat.ino + 1 }) : stat;
      },
    };
    const store = await fileStore({ dir, fs, ...quiet, lockTimeoutMs: 1_000 });
    await store.commit([put("items", "a", 0, 1)]);
    await store.commit([put("items", "b", 0, 1)]);
    await turn();
    expect(lockFiles(dir)).toEqual([]);
    await store.close();
  });

  test("a lock naming this very pid with a token none of our stores holds (an earlier process with our pid) is taken over at once", async () => {
    const dir = freshDir();
    (await seeded(dir, 1)).close();
    writeFileSync(join(dir, "lock"), ownerLine(process.pid, hostname(), "earlierIncarnation"));
    const warnings: string[] = [];
    const store = await fileStore({ dir, onWarning: (message) => warnings.push(message), lockTimeoutMs: 1_000 });
    await store.commit([put("items", "b", 0, 1)]);
    expect(warnings.some((warning) => warning.includes("Took over"))).toBe(true);
    await store.close();
    expect(lockFiles(dir)).toEqual([]);
  });

  test("a lock whose release fails at open (stat or unlink refused) is a warning, and the next batch takes it back", async () => {
    for (const refused of ["statSync", "unlinkSync"] as const) {
      const dir = freshDir();
      const lockPath = join(dir, "lock");
      // the release's call: the second stat of `lock` (the first checks the new link), or its first unlink
      let calls = 0;
      const failAt = refused === "statSync" ? 2 : 1;
      const maybeFail = (call: string, path: string) => {
        if (call === refused && path === lockPath && ++calls === failAt) throw Object.assign(new Error(`injected EIO in ${refused}`), { code: "EIO" });
      };
      const fs = {
        ...nodeFs,
        statSync: (path: string) => (maybeFail("statSync", path), nodeFs.statSync(path)),
        unlinkSync: (path: string) => (maybeFail("unlinkSync", path), nodeFs.unlinkSync(path)),
      };
      const warnings: string[] = [];
      const store = await fileStore({ dir, fs, onWarning: (message) => warnings.push(message), lockTimeoutMs: 1_000 });
      expect(warnings.some((warning) => warning.includes("Cannot release the file store lock"))).toBe(true);
      expect(existsSync(lockPath)).toBe(true);
      await expect(store.commit([put("items", "a", 0, 1)])).resolves.toMatchObject({ seq: 1 });
      await turn();
      expect(existsSync(lockPath)).toBe(false);
      await store.close();
      expect(lockFiles(dir)).toEqual([]);
    }
  });

  test("short writes still write the whole claim", async () => {
    const dir = freshDir();
    const fs = {
      ...nodeFs,
      writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) =>
        nodeFs.writeSync(fd, buffer, offset, Math.min(length, 7), position),
    };
    const store = await fileStore({ dir, fs, ...quiet });
    await store.commit([put("items", "a", 0, { text: "a value longer than seven bytes" })]);
    const [claim] = lockFiles(dir);
    expect(JSON.parse(readFileSync(join(dir, claim!), "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    await store.close();
  });

  test("opening while another process holds the lock leaves no claim of ours behind", async () => {
    const dir = freshDir();
    (await seeded(dir, 1)).close();
    writeFileSync(join(dir, "lock"), ownerLine(process.ppid, hostname(), "parentHolds"));
    const store = await fileStore({ dir, ...quiet, lockTimeoutMs: 100 });
    expect(lockFiles(dir)).toEqual(["lock"]);
    rmSync(join(dir, "lock"));
    await store.close();
  });

  test("commits pipelined through the registry share batches: 64 registers in flight take a few flushes", async () => {
    const flushes = countedFlushes();
    const store = await fileStore({ dir: freshDir(), ...quiet, fs: flushes.fs });
    const session = createRegistry({ store }).as(SYSTEM);
    await session.projects.create({ owner: "acme", name: "batch" });
    flushes.count = 0;
    const versions = await Promise.all(Array.from({ length: 64 }, () => session.models.register({ project: "acme/batch" })));
    expect(new Set(versions.map((version) => version.name)).size).toBe(64);
    expect(flushes.count).toBeGreaterThan(0);
    expect(flushes.count).toBeLessThanOrEqual(8);
    await store.close();
  });

  test("commits from separate timer and I/O callbacks of one phase share a batch", async () => {
    const flushes = countedFlushes();
    const store = await fileStore({ dir: freshDir(), ...quiet, fs: flushes.fs });
    for (let round = 0; round < 3; round++) {
      await store.commit([put("items", `warm${round}`, 0, round)]);
      flushes.count = 0;
      const commits = await new Promise<Promise<unknown>[]>((resolve) => {
        const started: Promise<unknown>[] = [];
        for (let i = 0; i < 64; i++) {
          setTimeout(() => {
            started.push(store.commit([put("items", `r${round}-${i}`, 0, i)]));
            if (started.length === 64) resolve(started);
          }, 0);
        }
      });
      await Promise.all(commits);
      expect(flushes.count).toBeLessThanOrEqual(2);
    }
    await store.close();
  });

  test("a long run of sequential durable commits lets timers run while it goes on", async () => {
    const store = await fileStore({ dir: freshDir(), ...quiet });
    const total = 400;
    let done = 0;
    let doneWhenTimerRan = -1;
    setTimeout(() => (doneWhenTimerRan = done), 0);
    for (let i = 0; i < total; i++) {
      await store.commit([put("items", `t${i}`, 0, i)]);
      done++;
    }
    expect(doneWhenTimerRan).toBeGreaterThanOrEqual(0);
    expect(doneWhenTimerRan).toBeLessThan(total);
    await store.close();
  });

  test("group commit: 64 concurrent commits each resolve with its own seq and are all on disk", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => store.commit([put("items", `g${i}`, 0, i)])));
    expect(new Set(results.map((result) => result.seq)).size).toBe(64);
    await store.close();
    const lines = journalLines(dir).slice(1).map((line) => JSON.parse(line.slice(9)) as { seq: number; b: number });
    expect(lines).toHaveLength(64);
    // each line names the first commit of the batch it was written in: fewer batches than commits
    const seqs = new Set(lines.map((line) => line.seq));
    for (const line of lines) expect(line.b <= line.seq && seqs.has(line.b)).toBe(true);
    expect(new Set(lines.map((line) => line.b)).size).toBeLessThan(64);
    const reopened = await fileStore({ dir, ...quiet });
    expect((await reopened.query("items")).total).toBe(64);
    await reopened.close();
  });
});
