import type { Store } from "../../src/index.js";
import { measureDuration } from "../measure.js";
import type { Spread } from "../statistics.js";
import type { BenchStoreFactory } from "../stores/index.js";
import { BENCH_PROJECT } from "../version-mix.js";

/** Opens the store and reads one record, so lazily-loading adapters pay their whole open cost. */
export async function openAndTouch(factory: BenchStoreFactory, location: string): Promise<Store> {
  const store = await factory.open(location);
  await store.refresh?.();
  await store.get("projects", BENCH_PROJECT);
  return store;
}

/** Milliseconds to open a persistent store at `location` (open + first read), then close it untimed. */
export async function measureOpenTime(plan: { warmup: number; rounds: number }, factory: BenchStoreFactory, location: string): Promise<Spread> {
  let store: Store | undefined;
  return await measureDuration(plan, {
    async run() {
      store = await openAndTouch(factory, location);
    },
    async after() {
      await store?.close?.();
      store = undefined;
    },
  });
}
