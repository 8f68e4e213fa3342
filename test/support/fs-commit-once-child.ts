/**
 * Child process for the lock hand-over tests: opens the store, commits once, and prints how long that
 * took: `{ ok, ms, error? }`.
 *
 *   node --import tsx test/support/fs-commit-once-child.ts <dir> <lockTimeoutMs>
 */
import { fileStore } from "../../src/adapters/fs/index.js";

const [dir, timeoutArg] = process.argv.slice(2);
if (dir === undefined) throw new Error("usage: fs-commit-once-child.ts <dir> <lockTimeoutMs>");
const store = await fileStore({ dir, onWarning: () => {}, lockTimeoutMs: Number(timeoutArg ?? 5_000) });
const begin = Date.now();
let result: { ok: boolean; ms: number; error?: string };
try {
  await store.commit([{ op: "put", collection: "items", key: `child-${process.pid}`, expect: 0, value: 1 }]);
  result = { ok: true, ms: Date.now() - begin };
} catch (error) {
  result = { ok: false, ms: Date.now() - begin, error: (error as Error).message.slice(0, 200) };
}
await store.close();
console.log(JSON.stringify(result));
