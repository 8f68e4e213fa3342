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

const child = fileURLToPath(new URL("../../support/fs-worker-child.ts", import.meta.url));
const loopChild = fileURLToPath(new URL("../../support/fs-loop-child.ts", import.meta.url));
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

describe("fileStore() writer lock between processes", () => {
  test("a process committing in a loop keeps the lock across its batches, yet hands it over to another that asks", async () => {
    const dir = join(root, "hand-over");
    const started = join(root, "hand-over.started");
    const stop = join(root, "hand-over.stop");
    const looping = runTsxWorker<{ commits: number; stoppedBy: string }>(loopChild, [dir, started, stop, "20000"]);
    try {
      for (const begin = Date.now(); !existsSync(started); ) {
        if (Date.now() - begin > 30_000) throw new Error("the looping child never committed");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
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
});
