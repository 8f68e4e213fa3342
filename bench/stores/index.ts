import type { BenchStoreFactory } from "./bench-store.js";
import { fsBenchStore } from "./fs.js";
import { memoryBenchStore } from "./memory.js";
import { postgresBenchStore } from "./postgres.js";

export type { BenchStoreFactory } from "./bench-store.js";

/**
 * Every store the benchmark knows. To add an adapter (e.g. PostgreSQL), write
 * `stores/<name>.ts` implementing {@link BenchStoreFactory}, append it here, and report
 * `unavailable()` when its server is not configured so the run skips it instead of failing.
 */
export const BENCH_STORES: readonly BenchStoreFactory[] = [memoryBenchStore, fsBenchStore, postgresBenchStore];
