/**
 * The durable register path of the file store against its physical floor, measured in one process
 * with interleaved rounds (not a test; no assertions):
 *   node --import tsx test/support/fs-register-bench.ts [seedVersions=1000] [rounds=5] [opsPerRound=300]
 * Each round measures, in turn: append one line of ~2.2 KB + fdatasync (synchronous calls, as the
 * bench's `append-fdatasync` baseline), `models.register()` awaited one at a time, and 64 in flight.
 * Prints medians over the rounds (after one warm-up round), the ratios and CPU µs per operation.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createRegistry, SYSTEM } from "../../src/index.js";
import { fileStore } from "../../src/adapters/fs/index.js";
import { benchRegisterInput } from "../../bench/version-mix.js";

const seedCount = Number(process.argv[2] ?? 1_000);
const rounds = Number(process.argv[3] ?? 5);
const ops = Number(process.argv[4] ?? 300);
const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), "av-fs-register-"));

async function timed(run: () => Promise<void> | void, count: number): Promise<{ rate: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { rate: count / seconds, cpu: (used.user + used.system) / count };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  const dir = join(root, "store");
  {
    const loading = await fileStore({ dir, durability: "none" });
    const session = createRegistry({ store: loading }).as(SYSTEM);
    await session.projects.create({ owner: "acme", name: "bench" });
    for (let start = 0; start < seedCount; start += 64) {
      await Promise.all(Array.from({ length: Math.min(64, seedCount - start) }, (_, i) => session.models.register(benchRegisterInput(start + i))));
    }
    await loading.close();
  }
  const store = await fileStore({ dir, durability: "full" });
  const session = createRegistry({ store }).as(SYSTEM);
  const line = Buffer.from(`${"x".repeat(2220)}\n`);
  const journal = openSync(join(root, "floor.log"), "a");
  let index = seedCount;
  const results = { floor: [] as number[], sequential: [] as number[], inFlight: [] as number[], seqCpu: [] as number[], inFlightCpu: [] as number[], vsFloor: [] as number[], vsSeq: [] as number[] };
  for (let round = 0; round <= rounds; round++) {
    const floor = await timed(() => {
      for (let i = 0; i < ops; i++) {
        writeSync(journal, line);
        fdatasyncSync(journal);
      }
    }, ops);
    const sequential = await timed(async () => {
      for (let i = 0; i < ops; i++) await session.models.register(benchRegisterInput(index++));
    }, ops);
    const inFlight = await timed(async () => {
      let left = ops * 2;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (left-- > 0) await session.models.register(benchRegisterInput(index++));
        }),
      );
    }, ops * 2);
    if (round === 0) continue;
    results.floor.push(floor.rate);
    results.sequential.push(sequential.rate);
    results.inFlight.push(inFlight.rate);
    results.seqCpu.push(sequential.cpu);
    results.inFlightCpu.push(inFlight.cpu);
    results.vsFloor.push(floor.rate / sequential.rate);
    results.vsSeq.push(inFlight.rate / sequential.rate);
    console.log(
      `round ${round}: floor ${Math.round(floor.rate)}/s, sequential ${Math.round(sequential.rate)}/s (${(floor.rate / sequential.rate).toFixed(2)}x floor, ${Math.round(sequential.cpu)} CPU µs), ` +
        `64 in flight ${Math.round(inFlight.rate)}/s (${(inFlight.rate / sequential.rate).toFixed(2)}x sequential, ${Math.round(inFlight.cpu)} CPU µs)`,
    );
  }
  closeSync(journal);
  await store.close();
  const f = median(results.floor);
  const s = median(results.sequential);
  const p = median(results.inFlight);
  console.log(
    `seed ${seedCount}, median of ${rounds}: floor ${Math.round(f)}/s; sequential ${Math.round(s)}/s = ${(f / s).toFixed(2)}x the floor's cost ` +
      `(${Math.round(median(results.seqCpu))} CPU µs/op); 64 in flight ${Math.round(p)}/s = ${(p / s).toFixed(2)}x sequential (${Math.round(median(results.inFlightCpu))} CPU µs/op); ` +
      `median per-round ratios: ${median(results.vsFloor).toFixed(2)}x floor, ${median(results.vsSeq).toFixed(2)}x sequential`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
