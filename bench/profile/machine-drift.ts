/**
 * How much this machine's speed drifts on its own (not part of `npm run bench`):
 * `npx tsx bench/profile/machine-drift.ts [seconds]` repeats the benchmark's fixed piece of work
 * (`bench/machine-speed.ts`: 200,000 Map inserts and lookups of small objects, the kind of work a
 * register does) for `seconds` (default 40) and prints each repetition's wall and CPU milliseconds,
 * then their spread. On a quiet machine the figures stay within a few percent of each other; on the
 * 2-vCPU VM of docs/performance.md (2026-11-27) they moved between 91 and 251-260 ms within 40 s
 * (p90/p10 1.85x) with nothing else running.
 */
import { createSpeedProbe } from "../machine-speed.js";

const seconds = Number(process.argv[2] ?? 40);
const probe = createSpeedProbe();
const walls: number[] = [];
const cpus: number[] = [];
const started = performance.now();
while (performance.now() - started < seconds * 1000) {
  const { wallMs, cpuMs } = probe.once();
  walls.push(wallMs);
  cpus.push(cpuMs);
}
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const at = (values: number[], q: number) => sorted(values)[Math.min(values.length - 1, Math.floor(q * values.length))] as number;
console.log(walls.map((wall, index) => `${Math.round(wall)}/${Math.round(cpus[index] as number)}`).join(" "));
console.log(
  `${walls.length} repetitions, wall ms: min ${at(walls, 0).toFixed(0)}, median ${at(walls, 0.5).toFixed(0)}, max ${at(walls, 1).toFixed(0)} ` +
    `(max/min ${(at(walls, 1) / at(walls, 0)).toFixed(2)}x; p90/p10 ${(at(walls, 0.9) / at(walls, 0.1)).toFixed(2)}x)`,
);
