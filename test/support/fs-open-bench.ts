/**
 * Open-time measurements of an existing file store directory (not a test; no assertions):
 *   node --import tsx test/support/fs-open-bench.ts DIR [runs=5]
 * Build DIR first with `BENCH_DIR=/some/dir node --import tsx test/support/fs-bench.ts 100000` (the
 * store is in DIR/open). Prints, per run, the open time next to a baseline measured in the same
 * process on the same bytes (read the snapshot + one `JSON.parse` per line), then the first get, the
 * first list and the resident memory after open.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileStore } from "../../src/adapters/fs/index.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: fs-open-bench.ts DIR [runs]");
const runs = Number(process.argv[3] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const gc = (globalThis as { gc?: () => void }).gc;
const collect = () => {
  for (let i = 0; i < 4; i++) gc?.();
};

function baseline(): number {
  const started = performance.now();
  const text = readFileSync(join(dir as string, "snapshot.jsonl"), "utf8");
  let count = 0;
  for (let position = 0; position < text.length; ) {
    const newline = text.indexOf("\n", position);
    if (JSON.parse(text.slice(position, newline)) !== null) count++;
    position = newline + 1;
  }
  const ms = performance.now() - started;
  if (count === 0) throw new Error("empty snapshot");
  return ms;
}

const opens: number[] = [];
const bases: number[] = [];
const gets: number[] = [];
const lists: number[] = [];
const lists2: number[] = [];
for (let run = 0; run < runs; run++) {
  collect();
  bases.push(baseline());
  collect();
  const before = process.memoryUsage();
  let started = performance.now();
  const store = await fileStore({ dir, durability: "none", onWarning: () => {}, compactionBytes: Number.MAX_SAFE_INTEGER });
  opens.push(performance.now() - started);
  if (run === 0) {
    collect();
    const after = process.memoryUsage();
    const versions = (await store.query("versions", { limit: 0, where: { type: "term", field: "project", op: "eq", value: "acme/p1" } })).total * 100;
    const perVersion = (a: NodeJS.MemoryUsage) =>
      `rss +${((a.rss - before.rss) / versions).toFixed(0)} B/version, heap +${((a.heapUsed - before.heapUsed) / versions).toFixed(0)} B/version`;
    console.log(`resident after open (~${versions} versions): ${perVersion(after)}`);
    await store.query("versions", { sort: [{ field: "created_at", direction: "desc" }], limit: 20 });
    collect();
    console.log(`resident after a first list (every version parsed): ${perVersion(process.memoryUsage())}`);
    await store.close();
    continue;
  }
  started = performance.now();
  const one = await store.get("versions", "00000000-0000-4000-8000-000000004242");
  gets.push(performance.now() - started);
  if (one === undefined) throw new Error("missing version");
  const query = { where: { type: "term" as const, field: "project", op: "eq" as const, value: "acme/p7" }, sort: [{ field: "created_at", direction: "desc" as const }], limit: 20 };
  started = performance.now();
  await store.query("versions", query);
  lists.push(performance.now() - started);
  started = performance.now();
  await store.query("versions", { ...query, where: { type: "term" as const, field: "project", op: "eq" as const, value: "acme/p8" } });
  lists2.push(performance.now() - started);
  await store.close();
}
const f = (xs: number[]) => `median ${median(xs).toFixed(0)} ms [${xs.map((x) => x.toFixed(0)).join(", ")}]`;
console.log(`baseline read + JSON.parse per line: ${f(bases)}`);
console.log(`open:                               ${f(opens)}  (${(median(opens) / median(bases)).toFixed(2)}x baseline)`);
console.log(`first get after open:               ${f(gets)}`);
console.log(`first list after open (newest 20 of a project): ${f(lists)}`);
console.log(`second list (another project):      ${f(lists2)}`);
