import type { Figure } from "./figure.js";

/** One of issue 7's targets, evaluated on the figures of this run. */
export interface TargetResult {
  readonly target: string;
  /** The measured value, in words (`812/s = 0.62x the floor`). */
  readonly measured: string;
  readonly status: "pass" | "miss" | "not measured";
  /** Set when the target's size was not run and a smaller size stands in. */
  readonly proxy?: string;
}

type Find = (store: string, workload: string, size: number | null) => Figure | undefined;

const rate = (value: number) => `${Math.round(value).toLocaleString("en-US")}/s`;

/** Picks the figure at `size`, else at the largest size measured (a proxy, flagged). */
function atSizeOrLargest(figures: readonly Figure[], store: string, workload: string, size: number): { figure: Figure; proxy?: string } | undefined {
  const candidates = figures.filter((figure) => figure.store === store && figure.workload === workload && figure.size !== null);
  const exact = candidates.find((figure) => figure.size === size);
  if (exact !== undefined) return { figure: exact };
  const largest = candidates.sort((a, b) => (b.size ?? 0) - (a.size ?? 0))[0];
  return largest === undefined ? undefined : { figure: largest, proxy: `measured at ${largest.size?.toLocaleString("en-US")}, target is for ${size.toLocaleString("en-US")}` };
}

function result(target: string, ok: boolean | undefined, measured: string, proxy?: string): TargetResult {
  return { target, measured, status: ok === undefined ? "not measured" : ok ? "pass" : "miss", ...(proxy === undefined ? {} : { proxy }) };
}

/** Evaluates every target of issue 7 that this run has figures for. */
export function evaluateTargets(figures: readonly Figure[], storeNames: readonly string[]): TargetResult[] {
  const find: Find = (store, workload, size) => figures.find((figure) => figure.store === store && figure.workload === workload && figure.size === size);
  const results: TargetResult[] = [];
  const floor = find("baseline", "append-fdatasync", null);

  const fsSizes = [...new Set(figures.filter((figure) => figure.store === "fs" && figure.workload === "register-sequential").map((figure) => figure.size))];
  for (const size of fsSizes) {
    const sequential = find("fs", "register-sequential", size);
    const inFlight = find("fs", "register-64-in-flight", size);
    const label = `at ${size?.toLocaleString("en-US")}`;
    // The floor measured in rounds interleaved with the register rounds when there is one (same disk
    // conditions); the run's single floor measurement otherwise.
    const interleaved = find("baseline", "append-fdatasync-interleaved", size);
    const against = interleaved ?? floor;
    if (sequential !== undefined && against !== undefined) {
      const ratio = sequential.spread.median / against.spread.median;
      const which = interleaved === undefined ? "" : " (interleaved rounds)";
      results.push(result(`fs sequential durable register within 2x of append+fdatasync (${label})`, ratio >= 0.5, `${rate(sequential.spread.median)} vs ${rate(against.spread.median)}${which} = ${(1 / ratio).toFixed(2)}x slower`));
    }
    if (sequential !== undefined && inFlight !== undefined) {
      const ratio = inFlight.spread.median / sequential.spread.median;
      results.push(result(`fs 64 in flight >= 3x sequential (${label})`, ratio >= 3, `${rate(inFlight.spread.median)} vs ${rate(sequential.spread.median)} = ${ratio.toFixed(2)}x`));
    }
  }
  if (fsSizes.length === 0) results.push(result("fs sequential durable register within 2x of append+fdatasync", undefined, "fs store not run"));

  const fsAt10k = atSizeOrLargest(figures, "fs", "register-sequential", 10_000);
  const lowdb = fsAt10k === undefined ? undefined : find("baseline", "lowdb-write", fsAt10k.figure.size);
  if (fsAt10k !== undefined && lowdb !== undefined) {
    const ratio = fsAt10k.figure.spread.median / lowdb.spread.median;
    results.push(result("fs register >= 20x lowdb write rate at 10,000 records", ratio >= 20, `${rate(fsAt10k.figure.spread.median)} vs ${rate(lowdb.spread.median)} = ${ratio.toFixed(1)}x`, fsAt10k.proxy));
  } else results.push(result("fs register >= 20x lowdb write rate at 10,000 records", undefined, "not run"));

  for (const size of [...new Set(figures.filter((figure) => figure.store === "memory" && figure.workload === "register-sequential").map((figure) => figure.size))]) {
    const memory = find("memory", "register-sequential", size);
    if (memory !== undefined) results.push(result(`memory register >= 50,000/s (at ${size?.toLocaleString("en-US")})`, memory.spread.median >= 50_000, rate(memory.spread.median)));
  }

  for (const store of storeNames) {
    const list = atSizeOrLargest(figures, store, "list-first-page", 100_000);
    if (list === undefined) continue;
    const ms = 1000 / list.figure.spread.median;
    results.push(result(`${store}: filtered first page over 100,000 < 10 ms`, ms < 10, `${ms.toFixed(2)} ms`, list.proxy));
  }

  const open = atSizeOrLargest(figures, "fs", "open", 100_000);
  results.push(
    open === undefined
      ? result("fs open of 100,000 < 1 s", undefined, "not run")
      : result("fs open of 100,000 < 1 s", open.figure.spread.median < 1000, `${Math.round(open.figure.spread.median)} ms`, open.proxy),
  );

  for (const store of storeNames) {
    const resident = atSizeOrLargest(figures, store, "resident-rss", 100_000);
    if (resident === undefined) continue;
    const bytes = resident.figure.spread.median;
    results.push(result(`${store}: < 2 KB resident per version`, bytes < 2048, `${Math.round(bytes).toLocaleString("en-US")} B/version (RSS growth)`, resident.proxy));
  }
  return results;
}
