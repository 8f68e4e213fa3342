/**
 * Four processes commit into the same store at once: create-only names (exactly one winner each)
 * and a shared counter by read-modify-write with retries. Nothing may be lost or duplicated.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { fileStore } from "../../../src/adapters/fs/index.js";
import { runTsxWorker } from "../../support/worker.js";
import { threadPoolFlushFs } from "../../support/fs-thread-pool-flushes.js";
import { countLockTakes } from "../../support/fs-lock-takes.js";

const child = fileURLToPath(new URL("../../support/fs-worker-child.ts", import.meta.url));
const loopChild = fileURLToPath(new URL("../../support/fs-loop-child.ts", import.meta.url));
const commitOnceChild = fileURLToPath(new URL("../../support/fs-commit-once-child.ts", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "av-fs-multi-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface WorkerReport {
  readonly worker: string;
  readonly won: readonly string[];
  readonly increments: number;
  readonly conflicts: number;
}

function worker(dir: string, id: string, names: number, increments: number, startAt: number): Promise<WorkerReport> {
  return runTsxWorker(child, [dir, id, String(names), String(increments), String(startAt)]);
}

describe("fileStore() shared by 4 processes", () => {
  test("loses no update and duplicates no create", async () => {
    const dir = join(root, "store");
    const names = 25;
    const increments = 25;
    const startAt = Date.now() + 4_000;
    const reports = await Promise.all(["w1", "w2", "w3", "w4"].map((id) => worker(dir, id, names, increments, startAt)));
    const store = await fileStore({ dir, durability: "none" });
    try {
      const allWon = reports.flatMap((report) => report.won);
      expect(allWon).toHaveLength(names);
      expect(new Set(allWon).size).toBe(names);
      for (const report of reports) {
        expect(report.increments).toBe(increments);
        for (const name of report.won) expect((await store.get("names", name))?.value).toEqual({ owner: report.worker });
      }
      expect((await store.query("names")).total).toBe(names);
      const counter = await store.get("counters", "shared");
      expect(counter?.value).toEqual({ n: 4 * increments });
      expect(counter?.revision).toBe(4 * increments);
      const log = await store.query("log");
      expect(log.total).toBe(4 * increments);
      // every increment saw a distinct counter value: no two commits were based on the same read
      const seen = log.items.map((item) => (item.value as { counter: number }).counter).sort((a, b) => a - b);
      expect(seen).toEqual(Array.from({ length: 4 * increments }, (_, i) => i + 1));
      console.log(`multi-process: ${reports.map((r) => `${r.worker} won ${r.won.length}, ${r.conflicts} conflicts`).join("; ")}`);
    } finally {
      await store.close();
    }
  }, 120_000);
});

/** Waits until the looping child wrote `started` (after its first commit). */
async function firstCommitOf(started: string): Promise<void> {
  for (const begin = Date.now(); !existsSync(started); ) {
    if (Date.now() - begin > 30_000) throw new Error("the looping child never committed");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("fileStore() writer lock between processes", () => {
  test("a process committing in a loop keeps the lock across its batches, yet hands it over to another that asks", async () => {
    const dir = join(root, "hand-over");
    const started = join(root, "hand-over.started");
    const stop = join(root, "hand-over.stop");
    const looping = runTsxWorker<{ commits: number; stoppedBy: string }>(loopChild, [dir, started, stop, "20000"]);
    try {
      await firstCommitOf(started);
      const store = await fileStore({ dir, onWarning: () => {}, lockTimeoutMs: 5_000 });
      try {
        // the child never pauses between commits: without a hand-over this waits until lockTimeoutMs and fails
        for (let i = 0; i < 3; i++) await expect(store.commit([{ op: "put", collection: "items", key: `other-${i}`, expect: 0, value: i }])).resolves.toBeDefined();
      } finally {
        await store.close();
      }
    } finally {
      writeFileSync(stop, "");
    }
    const report = await looping;
    expect(report.stoppedBy).toBe("stop"); // it was still committing when the other process's commits went through
    expect(report.commits).toBeGreaterThan(1);
  }, 60_000);

  for (const BLOCK_MS of [120, 400]) {
  test(`a waiting process whose event loop is blocked for ${BLOCK_MS} ms at a time, longer than the usual hand-over window, still gets the lock`, async () => {
    const dir = join(root, `slow-waiter-${BLOCK_MS}`);
    const started = join(root, `slow-waiter-${BLOCK_MS}.started`);
    const stop = join(root, `slow-waiter-${BLOCK_MS}.stop`);
    const looping = runTsxWorker<{ commits: number; stoppedBy: string }>(loopChild, [dir, started, stop, "20000"]);
    // this process's event loop runs for a moment, then is blocked for BLOCK_MS, over and over: its waiter
    // polls between the blocks, so it would miss every 50 ms window while the child commits without pause
    let blocking = false;
    let block: ReturnType<typeof setTimeout> | undefined;
    const busy = () => {
      if (blocking) {
        const end = performance.now() + BLOCK_MS;
        while (performance.now() < end);
      }
      // the timers that came due meanwhile (the waiter's poll) run before this one
      block = setTimeout(busy, 2);
    };
    busy();
    try {
      await firstCommitOf(started);
      const takes = countLockTakes(dir);
      const store = await fileStore({ dir, fs: takes.fs, onWarning: () => {}, lockTimeoutMs: 8_000 });
      takes.count = 0; // opening takes the lock when it finds it free, for its upkeep
      try {
        blocking = true;
        await expect(store.commit([{ op: "put", collection: "items", key: "slow", expect: 0, value: 1 }])).resolves.toBeDefined();
        // Taken once, and the commit applied in that turn: a waiter that first reads a long backlog
        // (the child's commits since it last held the lock) must not hand the lock back unused.
        expect(takes.count).toBe(1);
      } finally {
        blocking = false;
        await store.close();
      }
    } finally {
      clearTimeout(block);
      writeFileSync(stop, "");
    }
    const report = await looping;
    expect(report.stoppedBy).toBe("stop"); // the child was still committing in a loop meanwhile
  }, 60_000);
  }

  // One store fed from the event loop (commits arrive while a flush runs), or two stores of one process
  // each committing in a loop: with flushes longer than the hand-over window, another process gets a turn.
  for (const [count, feed] of [
    [1, "event loop"],
    [2, "awaited loops"],
  ] as const) {
  test(`${count} store(s) of one process (${feed}), with flushes longer than the hand-over window, hand the lock over to another process`, async () => {
    const dir = join(root, `slow-local-${count}`);
    // every flush on the thread pool and 80 ms long, longer than a hand-over's 50 ms window
    const slowFs = threadPoolFlushFs(80);
    const stores = [];
    for (let i = 0; i < count; i++) stores.push(await fileStore({ dir, fs: slowFs, onWarning: () => {}, lockTimeoutMs: 20_000 }));
    let stop = false;
    const put = (index: number, i: number) => [{ op: "put" as const, collection: "items", key: `s${index}-${i}`, expect: 0, value: i }];
    const loops = stores.map(async (store, index) => {
      if (feed === "awaited loops") {
        for (let i = 0; !stop; i++) await store.commit(put(index, i));
        return;
      }
      // a commit every 2 ms, up to 16 in flight, as a server's requests come
      const pending = new Set<Promise<unknown>>();
      for (let i = 0; !stop; i++) {
        if (pending.size < 16) {
          const commit = store.commit(put(index, i));
          pending.add(commit);
          void commit.finally(() => pending.delete(commit));
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await Promise.allSettled(pending);
    });
    try {
      // the window starts when the lock is given up (not when the request was seen, a flush earlier) and
      // holds for every store of the process (else two take turns with each other); else the child times out
      const report = await runTsxWorker<{ ok: boolean; ms: number; error?: string }>(commitOnceChild, [dir, "5000"]);
      expect(report).toMatchObject({ ok: true });
    } finally {
      stop = true;
      await Promise.all(loops);
      await Promise.all(stores.map((store) => store.close()));
    }
  }, 60_000);
  }
});
