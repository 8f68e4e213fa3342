/**
 * A fixed piece of CPU and memory work, timed: how fast this machine runs right now. On a shared VM the
 * same work takes 91-251 ms from one moment to the next (docs/performance.md, fix 15), so the benchmark
 * probes it between sizes and prints the figures beside the results; `bench/profile/machine-drift.ts`
 * repeats it for as long as asked.
 */

/** A map the work cycles through: 200,000 keys, so after the first repetition every insert overwrites. */
export interface SpeedProbe {
  /** Runs the work once: 200,000 Map inserts of small objects and 200,000 lookups. Returns wall and CPU ms. */
  once(): { readonly wallMs: number; readonly cpuMs: number };
}

const KEYS = 200_000;

/** A probe with its own map (the first `once()` fills it). */
export function createSpeedProbe(): SpeedProbe {
  const map = new Map<string, { a: number; b: string; c: number[] }>();
  let counter = 0;
  return {
    once() {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      for (let index = 0; index < KEYS; index++) {
        const key = `k${counter++ % KEYS}`;
        map.set(key, { a: index, b: key, c: [index] });
        map.get(`k${(counter * 7919) % KEYS}`);
      }
      const cpu = process.cpuUsage(cpuStart);
      return { wallMs: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000 };
    },
  };
}

/** The median wall milliseconds of `repetitions` runs of the work (after one that fills the map). */
export function probeMachineSpeed(repetitions: number): number {
  const probe = createSpeedProbe();
  probe.once();
  const walls = Array.from({ length: repetitions }, () => probe.once().wallMs).sort((a, b) => a - b);
  return walls[Math.floor(walls.length / 2)] as number;
}
