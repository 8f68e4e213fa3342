/**
 * Bytes allocated per register, by function: `npx esbuild bench/profile/register-allocation.ts
 * --bundle --platform=node --format=esm --outfile=/tmp/alloc.mjs`, then `node /tmp/alloc.mjs [memory|fs] [count]`
 * (writes the sampling heap profile to /tmp/alloc.json). Counts objects collected since, not only the ones kept.
 * `fs` registers into a fresh fileStore (durability "full") in the system's temp directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRegistry, memoryStore, SYSTEM } from "../../src/index.js";
import { fileStore } from "../../src/adapters/fs/index.js";
import { benchRegisterInput, BENCH_PROJECT, LIST_QUERY } from "../version-mix.js";
const kind = process.argv[2] ?? "memory";
const dir = kind === "fs" ? mkdtempSync(join(tmpdir(), "av-alloc-")) : undefined;
const store = dir === undefined ? memoryStore() : await fileStore({ dir, durability: "full" });
const session = createRegistry({ store }).as(SYSTEM);
await session.projects.create({ owner: "acme", name: "bench" });
const N = Number(process.argv[3] ?? (dir === undefined ? 20000 : 4000));
for (let index = 0; index < N / 2; index++) await session.models.register(benchRegisterInput(index));
await session.models.list(BENCH_PROJECT, { query: LIST_QUERY, limit: 50 });
const inspector = new Session();
inspector.connect();
await inspector.post("HeapProfiler.enable");
await inspector.post("HeapProfiler.startSampling", { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as any);
for (let index = 0; index < N; index++) await session.models.register(benchRegisterInput(index));
const { profile } = await inspector.post("HeapProfiler.stopSampling");
writeFileSync("/tmp/alloc.json", JSON.stringify(profile));
await store.close?.();
if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
// aggregate self size per function
const agg = new Map<string, number>(); let total = 0;
type Node = { callFrame: { functionName: string; lineNumber: number }; selfSize: number; children: Node[] };
const walk = (n: Node): void => {
  const k = `${n.callFrame.functionName || "(anon)"}:${n.callFrame.lineNumber + 1}`;
  agg.set(k, (agg.get(k) ?? 0) + n.selfSize);
  total += n.selfSize;
  for (const c of n.children) walk(c);
};
walk(profile.head as Node);
console.log("bytes/register", Math.round(total / N));
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(String(Math.round(v / N)).padStart(6), k);
