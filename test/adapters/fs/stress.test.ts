/**
 * Several stores on one directory in one process, incrementing shared counters by read-modify-write:
 * kept locks and hand-overs, synchronous and thread-pool flushes, a store without fsync, and
 * compactions at random. Nothing may be lost or acknowledged twice. `FS_STRESS_ROUNDS` sets the rounds
 * (default 5; more in a long run: 40 rounds failed 3 times before the journal identity fix).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { fileStore, type FileStore } from "../../../src/adapters/fs/index.js";
import { threadPoolFlushFs } from "../../support/fs-thread-pool-flushes.js";

const ROUNDS = Number(process.env.FS_STRESS_ROUNDS ?? 5);
const root = mkdtempSync(join(tmpdir(), "av-fs-stress-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Ways a caller may pause between commits: none, a microtask, a turn of the event loop, a timer. */
const pauses = [async () => {}, () => Promise.resolve(), () => new Promise((resolve) => setImmediate(resolve)), () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3))];

describe("fileStore() under stress: 4 stores on one directory", () => {
  for (let round = 1; round <= ROUNDS; round++) {
    test(`round ${round}: counters by read-modify-write, with compactions`, async () => {
      const dir = join(root, `r${round}`);
      const common = { dir, onWarning: () => {}, lockTimeoutMs: 20_000 };
      const stores: FileStore[] = [
        await fileStore({ ...common, compactionBytes: 3_000 }),
        await fileStore({ ...common, compactionBytes: 5_000, fs: threadPoolFlushFs(3) }),
        await fileStore({ ...common, durability: "none" }),
        await fileStore(common),
      ];
      const acknowledged = new Map<number, string>();
      let increments = 0;
      const lane = async (index: number, lane: number) => {
        const store = stores[index]!;
        for (let i = 0; i < 60; i++) {
          const key = `c${(i + lane) % 3}`;
          for (;;) {
            await store.refresh();
            const current = await store.get("items", key);
            const value = ((current?.value as number | undefined) ?? 0) + 1;
            try {
              const { seq } = await store.commit([{ op: "put", collection: "items", key, expect: current?.revision ?? 0, value }]);
              expect(acknowledged.get(seq), `seq ${seq} acknowledged twice`).toBeUndefined();
              acknowledged.set(seq, `${index}/${lane}`);
              increments++;
              break;
            } catch (error) {
              if ((error as { code?: string }).code !== "CONFLICT") throw error;
              await pauses[3]!();
            }
          }
          if (Math.random() < 0.02) await store.compact();
          await pauses[Math.floor(Math.random() * pauses.length)]!();
        }
      };
      await Promise.all(stores.flatMap((_, index) => [0, 1].map((n) => lane(index, n))));
      await Promise.all(stores.map((store) => store.close()));
      expect(existsSync(join(dir, "lock"))).toBe(false);
      const reopened = await fileStore({ dir, onWarning: () => {} });
      let total = 0;
      for (const key of ["c0", "c1", "c2"]) total += ((await reopened.get("items", key))?.value as number | undefined) ?? 0;
      await reopened.close();
      expect(increments).toBe(480);
      expect(total).toBe(increments);
    }, 120_000);
  }
});
