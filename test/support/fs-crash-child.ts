/**
 * Child process for the SIGKILL crash test: commits records into a file store as fast as it can and
 * prints `ack <n> <seq>` to stdout after each commit resolves. The parent kills it at a random moment.
 *
 *   node --import tsx test/support/fs-crash-child.ts <dir> [inFlight=4]
 *
 * Commit n writes, atomically: `pairs/a-<n>` and `pairs/b-<n>` (same value), a counter read-modify-write
 * (`counters/c`: value.n === revision - 1), and an audit entry `audit/e-<n>`. Every 7th commit also
 * deletes `pairs/a-<n-7>` and `pairs/b-<n-7>` (when present). A small compaction threshold makes kills land in compactions too.
 */
import { fileStore } from "../../src/adapters/fs/index.js";
import type { Write } from "../../src/store/store.js";

const dir = process.argv[2];
const inFlight = Number(process.argv[3] ?? 4);
if (dir === undefined) throw new Error("usage: fs-crash-child.ts <dir> [inFlight]");

const store = await fileStore({ dir, durability: "full", compactionBytes: 64 * 1024, onWarning: (message) => process.stderr.write(`warning: ${message}\n`) });
const first = (await store.query("pairs", { sort: [{ field: "n", direction: "desc" }], limit: 1 })).items[0];
let next = first === undefined ? 0 : ((first.value as { n: number }).n + 1);

function payload(n: number): { n: number; text: string; length: number } {
  const text = `record ${n} `.repeat(1 + (n % 40));
  return { n, text, length: text.length };
}

async function commitOne(n: number): Promise<void> {
  for (;;) {
    const counter = await store.get("counters", "c");
    const writes: Write[] = [
      { op: "put", collection: "pairs", key: `a-${n}`, expect: 0, value: payload(n) },
      { op: "put", collection: "pairs", key: `b-${n}`, expect: 0, value: payload(n) },
      { op: "put", collection: "counters", key: "c", expect: counter?.revision ?? 0, value: { n: counter === undefined ? 0 : (counter.value as { n: number }).n + 1 } },
      { op: "put", collection: "audit", key: `e-${n}`, expect: 0, value: { n, at: new Date().toISOString() } },
    ];
    if (n >= 7 && n % 7 === 0) {
      // a commit lost to an earlier kill may have left a gap: delete only what exists
      for (const key of [`a-${n - 7}`, `b-${n - 7}`]) {
        const old = await store.get("pairs", key);
        if (old !== undefined) writes.push({ op: "delete", collection: "pairs", key, expect: old.revision });
      }
    }
    try {
      const { seq } = await store.commit(writes);
      process.stdout.write(`ack ${n} ${seq}\n`);
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "CONFLICT") throw error;
    }
  }
}

for (;;) {
  const batch: Promise<void>[] = [];
  for (let i = 0; i < inFlight; i++) batch.push(commitOne(next++));
  await Promise.all(batch);
}
