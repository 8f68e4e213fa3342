/**
 * Child process for the multi-process test: one of several workers committing into the same store.
 *
 *   node --import tsx test/support/fs-worker-child.ts <dir> <worker> <names> <increments> [startAt]
 *
 * `startAt` (epoch ms) lets all workers start at the same instant, once their slow startup is done.
 * - tries to create every name `n-0` .. `n-<names-1>` with `expect: 0` (exactly one worker may win each);
 * - increments the shared counter `counters/shared` `<increments>` times (read-modify-write, retried on CONFLICT);
 * - appends its own log records `log/<worker>-<i>`.
 * Prints one JSON line: `{ worker, won: [...names], increments, conflicts }`.
 */
import { fileStore } from "../../src/adapters/fs/index.js";

const [dir, workerArg, namesArg, incrementsArg, startAtArg] = process.argv.slice(2);
if (dir === undefined || workerArg === undefined) throw new Error("usage: fs-worker-child.ts <dir> <worker> <names> <increments>");
const worker: string = workerArg;
const names = Number(namesArg ?? 20);
const increments = Number(incrementsArg ?? 20);

const store = await fileStore({ dir, durability: "full", compactionBytes: 16 * 1024, lockTimeoutMs: 30_000, onWarning: () => {} });
const startAt = Number(startAtArg ?? 0);
if (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
const won: string[] = [];
let conflicts = 0;
let done = 0;

async function increment(): Promise<void> {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    await store.refresh();
    const current = await store.get("counters", "shared");
    const n = current === undefined ? 0 : (current.value as { n: number }).n;
    try {
      await store.commit([
        { op: "put", collection: "counters", key: "shared", expect: current?.revision ?? 0, value: { n: n + 1 } },
        { op: "put", collection: "log", key: `${worker}-${done}`, expect: 0, value: { worker, counter: n + 1 } },
      ]);
      done++;
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "CONFLICT") throw error;
      conflicts++;
    }
  }
  throw new Error("too many conflicts");
}

for (let i = 0; i < Math.max(names, increments); i++) {
  if (i < names) {
    await store.refresh();
    try {
      await store.commit([{ op: "put", collection: "names", key: `n-${i}`, expect: 0, value: { owner: worker } }]);
      won.push(`n-${i}`);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "CONFLICT") throw error;
    }
  }
  if (i < increments) await increment();
}
await store.close();
process.stdout.write(JSON.stringify({ worker, won, increments: done, conflicts }) + "\n");
