import { createRegistry, SYSTEM, type Store } from "../../src/index.js";
import type { Figure } from "../figure.js";
import { figureId } from "../figure.js";
import { measureThroughput, type RoundPlan, type Throughput } from "../measure.js";
import type { AppendFloor } from "../baselines/append-fdatasync.js";
import { spreadOf } from "../statistics.js";
import { seededRandom } from "../random.js";
import { benchRegisterInput, BENCH_PROJECT, LIST_QUERY } from "../version-mix.js";

/** Operations per round for one store; chosen so a round lasts tens of milliseconds or more. */
export interface OperationCounts {
  readonly register: number;
  readonly registerInFlight: number;
  readonly get: number;
  readonly stage: number;
  readonly list: number;
}

/** Operations kept in flight by the concurrent register workload. */
export const IN_FLIGHT = 64;

/**
 * Runs get, list and (when `writes`) register one at a time, register 64 in flight and stage
 * through the public API on a project of `size` versions. Versions registered by a round are
 * deleted after it, untimed, so the project stays at `size`.
 */
export async function runRegistryWorkloads(options: {
  store: Store;
  storeName: string;
  size: number;
  writes: boolean;
  counts: OperationCounts;
  warmup: number;
  /** Warm-up time per workload besides the `warmup` rounds (see {@link RoundPlan.warmupMs}). */
  warmupMs: number;
  rounds: number;
  /** For a store fsyncing to the local disk: the floor run right before each sequential register round. */
  floor?: AppendFloor;
}): Promise<Figure[]> {
  const { store, storeName, size, counts, warmup, warmupMs, rounds } = options;
  const session = createRegistry({ store }).as(SYSTEM);
  const figures: Figure[] = [];
  const plan = (opsPerRound: number): RoundPlan => ({ warmup, warmupMs, rounds, opsPerRound });
  const add = (workload: string, measured: Throughput, note: string) =>
    figures.push({ id: figureId(storeName, workload, size), store: storeName, workload, size, unit: "ops/s", spread: measured.rate, cpuMicrosPerOp: measured.cpuMicros.median, note });

  const random = seededRandom(size);
  const references = Array.from({ length: counts.get }, () => `${BENCH_PROJECT}:v${1 + Math.floor(random() * size)}`);
  add(
    "get",
    await measureThroughput(plan(counts.get), {
      async run() {
        for (const reference of references) await session.models.get(reference);
      },
    }),
    "models.get(\"acme/bench:v<random>\"), one at a time",
  );

  add(
    "list-first-page",
    await measureThroughput(plan(counts.list), {
      async run() {
        for (let index = 0; index < counts.list; index++) await session.models.list(BENCH_PROJECT, { query: LIST_QUERY, limit: 50 });
      },
    }),
    `models.list(project, { query: "${LIST_QUERY}", limit: 50 }), default sort -updated_at`,
  );

  if (!options.writes) return figures;

  let registered: string[] = [];
  const removeRegistered = async () => {
    for (let start = 0; start < registered.length; start += IN_FLIGHT) {
      await Promise.all(registered.slice(start, start + IN_FLIGHT).map((name) => session.models.delete(`${BENCH_PROJECT}:${name}`)));
    }
    registered = [];
  };
  const floorRates: number[] = [];
  const floor = options.floor;
  add(
    "register-sequential",
    await measureThroughput(plan(counts.register), {
      before(_round, timed) {
        if (floor === undefined) return;
        const start = process.hrtime.bigint();
        floor.append(counts.register);
        if (timed) floorRates.push(counts.register / (Number(process.hrtime.bigint() - start) / 1e9));
      },
      async run() {
        for (let index = 0; index < counts.register; index++) registered.push((await session.models.register(benchRegisterInput(index))).name);
      },
      after: removeRegistered,
    }),
    "models.register() awaited one at a time (auto name, 2 tags, metadata, description)",
  );
  if (floor !== undefined) {
    figures.push({
      id: figureId("baseline", "append-fdatasync-interleaved", size),
      store: "baseline",
      workload: "append-fdatasync-interleaved",
      size,
      unit: "ops/s",
      spread: spreadOf(floorRates),
      note: `append + fdatasync, ${counts.register} ops right before each ${storeName} register-sequential round`,
    });
  }

  const batches = Math.max(1, Math.round(counts.registerInFlight / IN_FLIGHT));
  add(
    "register-64-in-flight",
    await measureThroughput(plan(batches * IN_FLIGHT), {
      async run() {
        for (let batch = 0; batch < batches; batch++) {
          const versions = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, index) => session.models.register(benchRegisterInput(index))));
          for (const version of versions) registered.push(version.name);
        }
      },
      after: removeRegistered,
    }),
    `${batches} x Promise.all of ${IN_FLIGHT} models.register()`,
  );

  const pool = await session.models.list(BENCH_PROJECT, { query: "stage:testing", limit: counts.stage });
  const stageable = pool.results.map((version) => `${BENCH_PROJECT}:${version.name}`);
  add(
    "stage",
    await measureThroughput(plan(stageable.length), {
      async run(round) {
        const to = round % 2 === 0 ? "staging" : "testing";
        for (const reference of stageable) await session.models.stage(reference, { to });
      },
    }),
    "models.stage() testing <-> staging, awaited one at a time",
  );
  return figures;
}
