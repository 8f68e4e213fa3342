/**
 * Child process for the lock hand-over test: commits one at a time, awaiting each, as fast as it can,
 * until `<stop>` exists or `<maxMs>` passed. Writes `<started>` after its first commit.
 *
 *   node --import tsx test/support/fs-loop-child.ts <dir> <started> <stop> <maxMs>
 * Prints one JSON line: `{ commits, stoppedBy }`.
 */
import { existsSync, writeFileSync } from "node:fs";
import { fileStore } from "../../src/adapters/fs/index.js";

const [dir, started, stop, maxMsArg] = process.argv.slice(2);
if (dir === undefined || started === undefined || stop === undefined) throw new Error("usage: fs-loop-child.ts <dir> <started> <stop> <maxMs>");
const maxMs = Number(maxMsArg ?? 10_000);
const store = await fileStore({ dir, onWarning: () => {} });
const begin = Date.now();
let commits = 0;
let stoppedBy = "time";
for (;;) {
  await store.commit([{ op: "put", collection: "items", key: `loop-${commits}`, expect: 0, value: commits }]);
  if (++commits === 1) writeFileSync(started, "");
  if (existsSync(stop)) {
    stoppedBy = "stop";
    break;
  }
  if (Date.now() - begin > maxMs) break;
}
await store.close();
console.log(JSON.stringify({ commits, stoppedBy }));
