/**
 * Child process for the lock fairness test: a writer that never pauses. It commits one record at a
 * time, each awaited before the next (so its writer lock lingers from one commit to the next), until
 * the file `<dir>.stop` exists; then closes and prints `{ commits }` as one JSON line.
 * With `kill`, it commits once and kills itself (SIGKILL) right after the commit resolved, while its
 * lock lingers.
 *
 *   node --import tsx test/adapters/fs/lock-busy-child.ts <dir> [full|none|kill]
 */
import { existsSync } from "node:fs";
import { fileStore } from "../../../src/adapters/fs/index.js";

const [dir, mode] = process.argv.slice(2);
if (dir === undefined) throw new Error("usage: lock-busy-child.ts <dir> [full|none|kill]");
const store = await fileStore({ dir, durability: mode === "none" ? "none" : "full", onWarning: () => {} });
let commits = 0;
let revision = (await store.get("counters", "busy"))?.revision ?? 0;
if (mode === "kill") {
  await store.commit([{ op: "put", collection: "counters", key: "busy", expect: revision, value: { n: 0 } }]);
  process.kill(process.pid, "SIGKILL");
}
const stop = `${dir}.stop`;
while (!(commits % 16 === 0 && existsSync(stop))) {
  await store.commit([{ op: "put", collection: "counters", key: "busy", expect: revision, value: { n: commits } }]);
  revision++;
  commits++;
}
await store.close();
process.stdout.write(`${JSON.stringify({ commits })}\n`);
