/**
 * Child process of the resident-memory workload (run with `--expose-gc`). Arguments:
 * `<store name> <location> <size>`. A persistent store is opened from `location`; the memory store is
 * seeded to `size` through the registry. Prints one JSON line: resident and heap growth in bytes.
 */
import { SeedSource } from "./seed-source.js";
import { BENCH_STORES } from "./stores/index.js";
import { openAndTouch } from "./workloads/open-time.js";

const [name, location, sizeText] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");
const factory = BENCH_STORES.find((candidate) => candidate.name === name);
if (factory === undefined || location === undefined || sizeText === undefined) throw new Error("usage: resident-child <store> <location> <size>");

function settle(): NodeJS.MemoryUsage {
  for (let pass = 0; pass < 4; pass++) gc?.();
  return process.memoryUsage();
}

async function main(): Promise<void> {
  const size = Number(sizeText);
  // Load the modules and warm the code paths on a throw-away store first, so code is not counted.
  const warm = new SeedSource();
  await warm.growTo(50);
  const before = settle();
  let kept: unknown;
  if (factory?.persistent === true) kept = await openAndTouch(factory, location as string);
  else {
    const seed = new SeedSource();
    await seed.growTo(size);
    kept = seed;
  }
  const after = settle();
  process.stdout.write(
    `${JSON.stringify({ rss: after.rss - before.rss, heapUsed: after.heapUsed - before.heapUsed, external: after.external - before.external, kept: kept !== undefined })}\n`,
  );
}

await main();
