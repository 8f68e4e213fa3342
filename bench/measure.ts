import { spreadOf, type Spread } from "./statistics.js";

/** How many rounds to run and how many operations each round holds. */
export interface RoundPlan {
  /** Untimed rounds first (JIT, caches, file system). */
  readonly warmup: number;
  /**
   * Untimed rounds go on until this many milliseconds have passed since the first one (and at least
   * `warmup` rounds ran): V8 goes on compiling and re-optimizing a hot path such as the register's for
   * its first several thousand calls, on a background thread, and a round timed then measures the compiler.
   */
  readonly warmupMs?: number;
  /** Timed rounds. */
  readonly rounds: number;
  /** Operations one round performs (used to turn a round's time into ops/s). */
  readonly opsPerRound: number;
}

/** One timed workload: `run(round)` performs `opsPerRound` operations; `after(round)` cleans up untimed. */
export interface Workload {
  run(round: number): Promise<void> | void;
  /** Untimed, before the round; `timed` tells whether the round counts (false during warm-up). */
  before?(round: number, timed: boolean): Promise<void> | void;
  after?(round: number): Promise<void> | void;
}

/** Wall-clock rate and this process's CPU time per operation (user + system, all threads). */
export interface Throughput {
  /** Operations per wall-clock second. */
  readonly rate: Spread;
  /** Microseconds of process CPU per operation: less sensitive to other processes than the rate. */
  readonly cpuMicros: Spread;
}

/** Runs warm-up and timed rounds; returns the spread of ops/s (and CPU µs/op) over the timed rounds. */
export async function measureThroughput(plan: RoundPlan, workload: Workload): Promise<Throughput> {
  const rates: number[] = [];
  const cpu: number[] = [];
  const warmupEnds = process.hrtime.bigint() + BigInt(Math.round((plan.warmupMs ?? 0) * 1e6));
  let warmupRounds = 0;
  for (let round = 0; rates.length < plan.rounds; round++) {
    const timed = warmupRounds >= plan.warmup && process.hrtime.bigint() >= warmupEnds;
    await workload.before?.(round, timed);
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    await workload.run(round);
    const elapsedSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpuUsed = process.cpuUsage(cpuStart);
    await workload.after?.(round);
    if (!timed) warmupRounds += 1;
    else {
      rates.push(plan.opsPerRound / elapsedSeconds);
      cpu.push((cpuUsed.user + cpuUsed.system) / plan.opsPerRound);
    }
  }
  return { rate: spreadOf(rates), cpuMicros: spreadOf(cpu) };
}

/** Times a single operation per round; returns the spread of its duration in milliseconds. */
export async function measureDuration(plan: Omit<RoundPlan, "opsPerRound">, workload: Workload): Promise<Spread> {
  const durations: number[] = [];
  for (let round = 0; round < plan.warmup + plan.rounds; round++) {
    await workload.before?.(round, round >= plan.warmup);
    const start = process.hrtime.bigint();
    await workload.run(round);
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    await workload.after?.(round);
    if (round >= plan.warmup) durations.push(elapsedMs);
  }
  return spreadOf(durations);
}
