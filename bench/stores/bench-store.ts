import type { Store } from "../../src/index.js";

/**
 * A store the benchmark can drive. Add one file per adapter in this folder and list it in
 * `stores/index.ts`; every workload, size and baseline then runs against it too.
 */
export interface BenchStoreFactory {
  /** Short name used in tables, `--stores` and JSON ids (`memory`, `fs`, `postgres`). */
  readonly name: string;
  /** What a reader should know about the configuration measured (`durability: "full"`). */
  readonly description: string;
  /** True when the records live outside the process: open time is measured at each size. */
  readonly persistent: boolean;
  /**
   * True when a commit is fsynced to the local disk the benchmark's directory is on: its sequential
   * register rounds are then interleaved with rounds of the append + fdatasync floor, so their ratio
   * compares the two under the same disk conditions.
   */
  readonly fsyncsLocalDisk?: boolean;
  /** Largest project size at which write workloads (register, stage) run; above it only open, get and list. */
  readonly writeWorkloadsUpTo: number;
  /** Undefined when the store can run here, else why not (missing module, no server). */
  unavailable(): Promise<string | undefined>;
  /** A store at `location` configured for loading seed data fast (durability may be relaxed). */
  openForLoading(location: string): Promise<Store>;
  /** The store at `location` as it is measured (production settings). Opening is what open time measures. */
  open(location: string): Promise<Store>;
  /** Frees everything at `location` once the size is done. */
  destroy(location: string): Promise<void>;
}
