import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { measureThroughput, type RoundPlan } from "../measure.js";
import type { Spread } from "../statistics.js";

/**
 * The file-per-record protocol: write a temp file of `recordBytes`, fsync, close, rename over the
 * target, fsync the directory (synchronous calls).
 */
export async function measureAtomicReplace(plan: RoundPlan, dir: string, recordBytes: number): Promise<Spread> {
  const target = join(dir, "baseline-record.json");
  const temp = join(dir, ".baseline-record.json.tmp");
  const body = Buffer.from("x".repeat(recordBytes));
  const dirFd = openSync(dir, "r");
  try {
    return (await measureThroughput(plan, {
      run() {
        for (let index = 0; index < plan.opsPerRound; index++) {
          const fd = openSync(temp, "w");
          writeSync(fd, body);
          fsyncSync(fd);
          closeSync(fd);
          renameSync(temp, target);
          fsyncSync(dirFd);
        }
      },
    })).rate;
  } finally {
    closeSync(dirFd);
    rmSync(target, { force: true });
  }
}
