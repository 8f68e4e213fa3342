import type { Store } from "../../src/index.js";
import type { Spread } from "../statistics.js";
import type { BenchStoreFactory } from "../stores/index.js";
import { BENCH_PROJECT } from "../version-mix.js";
import { measureInChild } from "./child-duration.js";

/** Opens the store and reads one record, so lazily-loading adapters pay their whole open cost. */
export async function openAndTouch(factory: BenchStoreFactory, location: string): Promise<Store> {
  const store = await factory.open(location);
  await store.refresh?.();
  await store.get("projects", BENCH_PROJECT);
  return store;
}

/**
 * Milliseconds to open a persistent store at `location` (open + refresh + first read; closed untimed),
 * each round in a fresh child process (`bench/open-child.ts`): the benchmark process holds the whole
 * seed, and its garbage collection would otherwise inflate the figure.
 */
export async function measureOpenTime(plan: { warmup: number; rounds: number }, factory: BenchStoreFactory, location: string): Promise<Spread> {
  return await measureInChild(plan, ["open", factory.name, location]);
}

/**
 * Milliseconds of the first filtered page (the list workload's query, through the registry) right
 * after opening a persistent store, in a fresh child process per round: what a one-command process
 * (the CLI's `ls`) pays on top of the open, before any index or value is in memory.
 */
export async function measureFirstPageAfterOpen(plan: { warmup: number; rounds: number }, factory: BenchStoreFactory, location: string): Promise<Spread> {
  return await measureInChild(plan, ["first-page", factory.name, location]);
}
