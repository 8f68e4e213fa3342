import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { measureThroughput, type RoundPlan } from "../measure.js";
import type { Spread } from "../statistics.js";

/**
 * The physical floor of a durable commit: append one line of `lineBytes` to a journal and
 * `fdatasync` it (synchronous calls: no event-loop round trip is counted).
 */
export async function measureAppendFdatasync(plan: RoundPlan, dir: string, lineBytes: number): Promise<Spread> {
  const path = join(dir, "baseline-journal.log");
  const line = Buffer.from(`${"x".repeat(Math.max(0, lineBytes - 1))}\n`);
  const fd = openSync(path, "a");
  try {
    return (await measureThroughput(plan, {
      run() {
        for (let index = 0; index < plan.opsPerRound; index++) {
          writeSync(fd, line);
          fdatasyncSync(fd);
        }
      },
    })).rate;
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

/** An open append + fdatasync journal: `append(n)` performs `n` operations; `close()` removes the file. */
export interface AppendFloor {
  append(operations: number): void;
  close(): void;
}

/**
 * The same floor as {@link measureAppendFdatasync}, kept open so a workload can interleave its rounds
 * with rounds of the floor (disk speed on a shared machine drifts within a run).
 */
export function openAppendFloor(dir: string, lineBytes: number): AppendFloor {
  const path = join(dir, "baseline-interleaved.log");
  const line = Buffer.from(`${"x".repeat(Math.max(0, lineBytes - 1))}\n`);
  const fd = openSync(path, "a");
  return {
    append(operations) {
      for (let index = 0; index < operations; index++) {
        writeSync(fd, line);
        fdatasyncSync(fd);
      }
    },
    close() {
      closeSync(fd);
      rmSync(path, { force: true });
    },
  };
}
