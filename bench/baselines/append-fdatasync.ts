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
