import type { Spread } from "./statistics.js";

/** Units a figure is reported in. Higher is better for `ops/s`; lower for the others. */
export type Unit = "ops/s" | "ms" | "bytes/version";

/** One measured figure: a workload at a size on a store (or a baseline). */
export interface Figure {
  /** Stable id, e.g. `fs/register-sequential/10000` or `baseline/append-fdatasync`. */
  readonly id: string;
  /** `memory`, `fs`, ... or `baseline`. */
  readonly store: string;
  readonly workload: string;
  /** Versions (or records) in the project; null when size does not apply. */
  readonly size: number | null;
  readonly unit: Unit;
  readonly spread: Spread;
  /** For ops/s figures: process CPU microseconds per operation (median over rounds). */
  readonly cpuMicrosPerOp?: number;
  /** Free-text detail shown under the table (what exactly was timed). */
  readonly note?: string;
}

/** A figure set to a baseline: `ratio` is ours / baseline for ops/s, baseline / ours for times. */
export interface Comparison {
  readonly figure: string;
  readonly baseline: string;
  readonly ratio: number;
}

/** The id of a figure. */
export function figureId(store: string, workload: string, size: number | null): string {
  return size === null ? `${store}/${workload}` : `${store}/${workload}/${size}`;
}
