/**
 * The first lists after opening a file store of one large project (what the CLI's `ls` pays on top of
 * the open). `node --import tsx bench/profile/first-list-after-open.ts build DIR 100000` seeds the
 * benchmark's versions and writes them to a compacted file store in DIR; `... ls DIR` then opens it
 * (untimed) and times the first unfiltered list of the project's newest 20 (`-updated_at`), a list by
 * `created_at`, and the benchmark's filtered list. Run `ls` in a fresh process each time. `... ls DIR SORT`
 * times only the first list sorted by SORT (e.g. `name`, `-name`, `created_at`).
 */
import { performance } from "node:perf_hooks";
import { createRegistry, SYSTEM } from "../../src/index.js";
import { fileStore } from "../../src/adapters/fs/index.js";
import { SeedSource } from "../seed-source.js";
import { copyStore } from "../copy-store.js";
import { BENCH_PROJECT } from "../version-mix.js";
const [mode, dir, n] = process.argv.slice(2) as [string, string, string];
if (mode === "build") {
  const seed = new SeedSource();
  await seed.growTo(Number(n));
  const store = await fileStore({ dir, durability: "none" });
  await copyStore(seed.store, store);
  await store.compact();
  await store.close();
} else if (n !== undefined) {
  const store = await fileStore({ dir });
  const session = createRegistry({ store }).as(SYSTEM);
  const t = performance.now();
  const page = await session.models.list(BENCH_PROJECT, { limit: 20, sort: n });
  console.log(`${n}: ${(performance.now() - t).toFixed(0)} ms (${page.count})`);
  await store.close();
} else {
  const store = await fileStore({ dir });
  const session = createRegistry({ store }).as(SYSTEM);
  for (const sort of [undefined, "created_at"]) {
    const t = performance.now();
    const page = await session.models.list(BENCH_PROJECT, { limit: 20, ...(sort === undefined ? {} : { sort }) });
    process.stdout.write(`${sort ?? "-updated_at"}: ${(performance.now() - t).toFixed(0)} ms (${page.count}) `);
  }
  const t = performance.now();
  await session.models.list(BENCH_PROJECT, { limit: 20, query: "stage:production, tags:x" });
  console.log(`then filtered ${(performance.now() - t).toFixed(0)} ms`);
  await store.close();
}
