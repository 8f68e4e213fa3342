/**
 * Child process for the writer lock's exit test: commits once, then calls `process.exit()` at once,
 * before the store could give up the lock it keeps for a next commit.
 *
 *   node --import tsx test/support/fs-exit-child.ts <dir>
 */
import { fileStore } from "../../src/adapters/fs/index.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: fs-exit-child.ts <dir>");
const store = await fileStore({ dir, onWarning: () => {} });
const { seq } = await store.commit([{ op: "put", collection: "items", key: "exit", expect: 0, value: 1 }]);
console.log(JSON.stringify({ seq }));
process.exit(0);
