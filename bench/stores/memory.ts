import { memoryStore, type Store } from "../../src/index.js";
import type { BenchStoreFactory } from "./bench-store.js";

const stores = new Map<string, Store>();

/** The in-memory store; "opening" a location hands back the store loaded there. */
export const memoryBenchStore: BenchStoreFactory = {
  name: "memory",
  description: "memoryStore() with its default indexes",
  persistent: false,
  writeWorkloadsUpTo: Number.POSITIVE_INFINITY,
  async unavailable() {
    return undefined;
  },
  async openForLoading(location) {
    const store = memoryStore();
    stores.set(location, store);
    return store;
  },
  async open(location) {
    const store = stores.get(location);
    if (store === undefined) throw new Error(`no memory store loaded at ${location}`);
    return store;
  },
  async destroy(location) {
    stores.delete(location);
  },
};
