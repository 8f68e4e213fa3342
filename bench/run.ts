/**
 * `npx tsx bench/run.ts [--quick] [--json FILE]`: issue 7's benchmark. Every workload goes through the
 * public API (imported from the source, `../src/index.js`), with the baselines that give it meaning
 * measured in the same run. See docs/performance.md for the method.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { COLLECTIONS, type JsonValue, type Store, type StoredItem } from "../src/index.js";
import { measureAppendFdatasync, openAppendFloor } from "./baselines/append-fdatasync.js";
import { measureAtomicReplace } from "./baselines/atomic-replace.js";
import { measureLowdb } from "./baselines/lowdb-peer.js";
import { measureReadParseLines } from "./baselines/read-parse-lines.js";
import { measureZodMap } from "./baselines/zod-map.js";
import { parseOptions } from "./cli-options.js";
import { compare } from "./comparisons.js";
import { copyStore } from "./copy-store.js";
import { figureId, type Figure, type Unit } from "./figure.js";
import { describeMachine } from "./machine.js";
import { probeMachineSpeed } from "./machine-speed.js";
import { formatReport } from "./report.js";
import { SeedSource } from "./seed-source.js";
import type { Spread } from "./statistics.js";
import { BENCH_STORES, type BenchStoreFactory } from "./stores/index.js";
import { evaluateTargets } from "./targets.js";
import { measureFirstPageAfterOpen, measureOpenTime, openAndTouch } from "./workloads/open-time.js";
import { runRegistryWorkloads, type OperationCounts } from "./workloads/registry-workloads.js";
import { measureResidentMemory } from "./workloads/resident-memory.js";

const options = parseOptions(process.argv.slice(2));
// Two warm-up rounds: one left the fs register path cold in --quick mode (about 2x its steady CPU cost).
const WARMUP = 2;
// Besides those, the registry workloads warm up for this long: the memory register path was still being
// compiled and re-optimized (background compiles, deopts) through its first ~9,000 calls in a process.
const WARMUP_MS = options.quick ? 100 : 500;
const LOWDB_SIZES = [1_000, 10_000];

const progress = (message: string) => process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${message}\n`);

function countsFor(factory: BenchStoreFactory): OperationCounts {
  const scale = options.quick ? 0.4 : 1;
  const counts = factory.persistent
    ? { register: 100, registerInFlight: 256, get: 2_000, stage: 100, list: 100 }
    : { register: 1_000, registerInFlight: 1_024, get: 2_000, stage: 500, list: 100 };
  return {
    register: Math.round(counts.register * scale),
    registerInFlight: Math.max(64, Math.round(counts.registerInFlight * scale)),
    get: Math.round(counts.get * scale),
    stage: Math.round(counts.stage * scale),
    list: Math.round(counts.list * scale),
  };
}

async function allItems(store: Store): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  for (const collection of COLLECTIONS) items.push(...(await store.query(collection)).items);
  return items;
}

/** Average JSON bytes the registry writes per version (version, name, counter, audit): one journal line. */
function bytesPerVersion(items: readonly StoredItem[], versions: number): number {
  const total = items.reduce((sum, item) => sum + JSON.stringify(item).length, 0);
  return Math.round(total / versions);
}

async function main(): Promise<void> {
  await mkdir(options.dir, { recursive: true });
  const machine = describeMachine(options.dir);
  const notes: string[] = [];
  const figures: Figure[] = [];
  const push = (store: string, workload: string, size: number | null, unit: Unit, spread: Spread, note?: string) =>
    figures.push({ id: figureId(store, workload, size), store, workload, size, unit, spread, ...(note === undefined ? {} : { note }) });

  const factories: BenchStoreFactory[] = [];
  for (const factory of BENCH_STORES) {
    if (options.stores !== undefined && !options.stores.includes(factory.name)) continue;
    const reason = await factory.unavailable();
    if (reason === undefined) factories.push(factory);
    else notes.push(`store ${factory.name} skipped: ${reason}`);
  }
  const rounds = options.rounds;
  const seed = new SeedSource();
  // Bytes per operation of the disk baselines: set from the first size's records.
  let lineBytes = 2_048;
  // The machine's speed between sizes (untimed moments): a shared VM's speed drifts within a run.
  const speedProbes: { readonly before: string; readonly ms: number }[] = [];
  const probeRepetitions = options.quick ? 3 : 5;

  try {
    for (const [sizeIndex, size] of options.sizes.entries()) {
      speedProbes.push({ before: `size ${size.toLocaleString("en-US")}`, ms: probeMachineSpeed(probeRepetitions) });
      const seedStart = performance.now();
      await seed.growTo(size);
      progress(`seeded ${size.toLocaleString("en-US")} versions through the registry (memory store) in ${Math.round(performance.now() - seedStart)} ms`);
      const items = await allItems(seed.store);

      const all = options.only === undefined;
      if (all && sizeIndex === 0) {
        lineBytes = bytesPerVersion(items, size);
        const versionRecords = (await seed.store.query("versions", { limit: 1_000 })).items.map((item) => item.value as JsonValue);
        notes.push(`disk baselines use ${lineBytes} B per operation: the average JSON bytes the registry stores per version at ${size.toLocaleString("en-US")}`);
        progress("baselines: append + fdatasync, temp + fsync + rename + dir fsync, zod + Map");
        const diskPlan = { warmup: WARMUP, rounds, opsPerRound: options.quick ? 50 : 300 };
        push("baseline", "append-fdatasync", null, "ops/s", await measureAppendFdatasync(diskPlan, options.dir, lineBytes), `append ${lineBytes} B + fdatasync (sync calls)`);
        push("baseline", "temp-fsync-rename-dirfsync", null, "ops/s", await measureAtomicReplace(diskPlan, options.dir, lineBytes), `temp file ${lineBytes} B + fsync + rename + dir fsync`);
        push("baseline", "zod-map", null, "ops/s", await measureZodMap({ warmup: WARMUP, rounds, opsPerRound: options.quick ? 5_000 : 20_000 }, versionRecords), "zod 4 parse of a stored version record + Map.set");
      }
      if (all && LOWDB_SIZES.includes(size)) {
        progress(`baseline: lowdb at ${size}`);
        const records = (await seed.store.query("versions")).items.map((item) => item.value as JsonValue);
        const opsPerRound = size >= 10_000 ? 4 : 20;
        push("baseline", "lowdb-write", size, "ops/s", await measureLowdb({ warmup: WARMUP, rounds, opsPerRound }, options.dir, records, size), `lowdb 7 JSONFile, ${size.toLocaleString("en-US")} records: push + await db.write()`);
      }
      if (factories.some((factory) => factory.persistent)) {
        push("baseline", "read-parse-lines", size, "ms", await measureReadParseLines({ warmup: WARMUP, rounds: Math.min(rounds, 5) }, options.dir, items, size), `readFileSync + JSON.parse per line + Map.set of the ${items.length.toLocaleString("en-US")} stored records`);
      }

      for (const factory of factories) {
        if (!all && !factory.persistent) continue;
        const location = join(options.dir, `${factory.name}-${size}`);
        const loadStart = performance.now();
        const loader = await factory.openForLoading(location);
        const copied = await copyStore(seed.store, loader);
        await (loader as { compact?: () => Promise<unknown> }).compact?.();
        if (factory.persistent) await loader.close?.();
        progress(`${factory.name} ${size}: loaded ${copied.toLocaleString("en-US")} records through the Store port in ${Math.round(performance.now() - loadStart)} ms`);

        if (factory.persistent) {
          push(factory.name, "open", size, "ms", await measureOpenTime({ warmup: WARMUP, rounds: Math.min(rounds, 5) }, factory, location), "open + refresh + first get");
          push(
            factory.name,
            "first-page-after-open",
            size,
            "ms",
            await measureFirstPageAfterOpen({ warmup: WARMUP, rounds: Math.min(rounds, 5) }, factory, location),
            "the list workload's first page right after open, in a fresh process (open untimed)",
          );
        }
        if (!all) {
          await factory.destroy(location);
          continue;
        }
        const store = await openAndTouch(factory, location);
        const writes = size <= factory.writeWorkloadsUpTo;
        progress(`${factory.name} ${size}: registry workloads${writes ? "" : " (open, get and list only)"}`);
        const floor = factory.fsyncsLocalDisk === true && writes ? openAppendFloor(options.dir, lineBytes) : undefined;
        try {
          figures.push(...(await runRegistryWorkloads({ store, storeName: factory.name, size, writes, counts: countsFor(factory), warmup: WARMUP, warmupMs: WARMUP_MS, rounds, ...(floor === undefined ? {} : { floor }) })));
        } finally {
          floor?.close();
        }
        if (factory.persistent) await store.close?.();

        // RSS moves by ~20% between processes (when V8 returns pages): the median of 3 at every size.
        const residentRounds = options.quick ? 1 : 3;
        progress(`${factory.name} ${size}: resident memory (${residentRounds} child process${residentRounds > 1 ? "es" : ""})`);
        const resident = await measureResidentMemory(residentRounds, factory.name, location, size);
        const how = factory.persistent ? "child opens the store" : "child seeds through the registry";
        push(factory.name, "resident-rss", size, "bytes/version", resident.rss, `RSS growth after full GCs / versions (${how})`);
        push(factory.name, "resident-heap", size, "bytes/version", resident.heapUsed, `V8 heapUsed growth after full GCs / versions (${how})`);
        await factory.destroy(location);
      }
      if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify({ machine, speedProbes, options, partial: `up to ${size}`, figures, notes }, null, 2)}\n`);
    }
  } finally {
    await rm(options.dir, { recursive: true, force: true });
  }

  const persistent = new Set(factories.filter((factory) => factory.persistent).map((factory) => factory.name));
  const comparisons = compare(figures, persistent);
  const targets = evaluateTargets(figures, factories.map((factory) => factory.name));
  const end = describeMachine(".");
  speedProbes.push({ before: "the end", ms: probeMachineSpeed(probeRepetitions) });
  notes.push(`load average at start ${machine.loadAverage.join(" ")}, at end ${end.loadAverage.join(" ")} (${machine.nproc} CPUs)`);
  notes.push(
    `machine speed (bench/machine-speed.ts: 200,000 Map inserts and lookups, median ms of ${probeRepetitions}; lower is faster): ` +
      `${speedProbes.map((probe) => `${Math.round(probe.ms)} before ${probe.before}`).join(", ")}`,
  );
  notes.push(`${WARMUP} warm-up rounds (registry workloads: and at least ${WARMUP_MS} ms of them), then ${rounds} timed rounds per workload (open: ${Math.min(rounds, 5)}); spread = IQR and min-max over rounds`);
  notes.push("open and read-parse-lines: one fresh child process per round (node --import tsx bench/open-child.ts), modules loaded before the clock starts");
  if (options.only !== undefined) notes.push(`--only ${options.only}: the other workloads were not run`);
  console.log(formatReport(machine, figures, comparisons, targets, notes));
  if (options.json !== undefined) {
    await writeFile(options.json, `${JSON.stringify({ machine, speedProbes, options, figures, comparisons, targets, notes }, null, 2)}\n`);
    progress(`wrote ${options.json}`);
  }
}

await main();
