/**
 * How the append + fdatasync floor moves when the process works between flushes (not part of
 * `npm run bench`): `npx tsx bench/profile/fdatasync-gap.ts [dir] [ops]`.
 * For each gap (0, 150, 300, 500 µs of busy CPU before each append), prints the rate and the mean
 * fdatasync time. On the development VM (2026-11-26) the flush itself got slower as the gap grew
 * (350-410 µs with no gap, 450-800 µs with 300 µs), and the rate with a 300 µs gap was 2.1-2.9x
 * below the zero-gap floor: a durable commit that spends 300 µs of CPU cannot be within 2x of it.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), "av-fdatasync-gap-"));
const ops = Number(process.argv[3] ?? 2_000);
const line = Buffer.from(`${"x".repeat(2_220)}\n`);

try {
  for (const gapMicros of [0, 150, 300, 500]) {
    const fd = openSync(join(dir, `journal-${gapMicros}.log`), "a");
    let flushMs = 0;
    const start = performance.now();
    for (let op = 0; op < ops; op++) {
      const busyUntil = performance.now() + gapMicros / 1000;
      while (performance.now() < busyUntil);
      writeSync(fd, line);
      const flushStart = performance.now();
      fdatasyncSync(fd);
      flushMs += performance.now() - flushStart;
    }
    const seconds = (performance.now() - start) / 1000;
    closeSync(fd);
    console.log(`gap ${String(gapMicros).padStart(3)} µs: ${Math.round(ops / seconds)} appends/s, fdatasync ${Math.round((flushMs * 1000) / ops)} µs on average`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
