/**
 * Child process for the writer lock tests: opens the store, commits once, and prints how long that
 * took: `{ ok, ms, seq?, error? }`. Then it closes the store, or with `exit` calls `process.exit()` at
 * once, before the store could give up the lock it keeps for a next commit.
 *
 *   node --import tsx test/support/fs-commit-once-child.ts <dir> <lockTimeoutMs> [exit]
 */
import { fileStore } from "../../src/adapters/fs/index.js";

const [dir, timeoutArg, then] = process.argv.slice(2);
if (dir === undefined) throw new Error("usage: fs-commit-once-child.ts <dir> <lockTimeoutMs> [exit]");
const store = await fileStore({ dir, onWarning: () => {}, lockTimeoutMs: Number(timeoutArg ?? 5_000) });
const begin = Date.now();
let result: { ok: boolean; ms: number; seq?: number; error?: string };
try {
  const { seq } = await store.commit([{ op: "put", collection: "items", key: `child-${process.pid}`, expect: 0, value: 1 }]);
  result = { ok: true, ms: Date.now() - begin, seq };
} catch (error) {
  result = { ok: false, ms: Date.now() - begin, error: (error as Error).message.slice(0, 200) };
}
console.log(JSON.stringify(result));
if (then === "exit") process.exit(0);
await store.close();
