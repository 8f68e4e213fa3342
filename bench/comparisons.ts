import type { Comparison, Figure } from "./figure.js";

/**
 * Which baseline gives each workload meaning:
 * - memory-store workloads and every read: the in-memory floor (zod parse + Map.set);
 * - durable writes of a persistent store: append + fdatasync, and temp + fsync + rename + dir fsync
 *   (sequential register first against the append + fdatasync rounds interleaved with its own rounds);
 * - register-sequential at a size where lowdb ran: lowdb's write at that size;
 * - open, and the first page after open: reading and parsing the same records as JSON lines into a Map
 *   (what a store that parses everything at open would pay before its first answer).
 */
export function baselinesOf(figure: Figure, persistent: boolean): string[] {
  if (figure.store === "baseline") return [];
  const size = figure.size;
  if (figure.workload === "open" || figure.workload === "first-page-after-open") return [`baseline/read-parse-lines/${size}`];
  if (figure.workload.startsWith("resident")) return [];
  const writes = figure.workload.startsWith("register") || figure.workload === "stage";
  if (!writes || !persistent) return ["baseline/zod-map"];
  const ids = ["baseline/append-fdatasync", "baseline/temp-fsync-rename-dirfsync"];
  if (figure.workload === "register-sequential") ids.unshift(`baseline/append-fdatasync-interleaved/${size}`);
  if (figure.workload === "register-sequential" || figure.workload === "register-64-in-flight") ids.push(`baseline/lowdb-write/${size}`);
  return ids;
}

/** Ratios of each figure to its baselines that were measured: ours / baseline (rate or time). */
export function compare(figures: readonly Figure[], persistentStores: ReadonlySet<string>): Comparison[] {
  const byId = new Map(figures.map((figure) => [figure.id, figure]));
  const comparisons: Comparison[] = [];
  for (const figure of figures) {
    for (const baselineId of baselinesOf(figure, persistentStores.has(figure.store))) {
      const baseline = byId.get(baselineId);
      if (baseline === undefined) continue;
      comparisons.push({ figure: figure.id, baseline: baselineId, ratio: figure.spread.median / baseline.spread.median });
    }
  }
  return comparisons;
}
