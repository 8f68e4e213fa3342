/**
 * Paired-comparison target: `npx esbuild bench/profile/register-rounds.ts --bundle --platform=node --format=esm --outfile=/tmp/a.mjs`,
 * then `node /tmp/a.mjs [rounds] [perRound] [seed]`. Registers `seed` versions, then `rounds` rounds of
 * `perRound` one at a time (after one filtered list, as the benchmark does) into a memory store through the public API; prints each round and the median.
 * With `PROFILE=file.cpuprofile`, only the rounds are profiled (not the seeding).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createRegistry, memoryStore, SYSTEM } from "../../src/index.js";
import { benchRegisterInput, BENCH_PROJECT, LIST_QUERY } from "../version-mix.js";

const [rounds, perRound, seed] = [Number(process.argv[2] ?? 7), Number(process.argv[3] ?? 10_000), Number(process.argv[4] ?? 10_000)];
const session = createRegistry({ store: memoryStore() }).as(SYSTEM);
await session.projects.create({ owner: "acme", name: "bench" });
for (let index = 0; index < seed; index++) await session.models.register(benchRegisterInput(index));
// As in the benchmark, a list first: the memory store then keeps its indexes and a sorted view up to date.
await session.models.list(BENCH_PROJECT, { query: LIST_QUERY, limit: 50 });
const profile = process.env.PROFILE;
const inspector = profile === undefined ? undefined : new Session();
if (inspector !== undefined) {
  inspector.connect();
  await inspector.post("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.post("Profiler.enable");
  await inspector.post("Profiler.start");
}
const rates: number[] = [];
const cpus: number[] = [];
for (let round = 0; round < rounds; round++) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let index = 0; index < perRound; index++) await session.models.register(benchRegisterInput(index));
  const cpu = process.cpuUsage(cpuStart);
  rates.push(perRound / ((performance.now() - start) / 1000));
  cpus.push((cpu.user + cpu.system) / perRound);
}
if (inspector !== undefined && profile !== undefined) writeFileSync(profile, JSON.stringify((await inspector.post("Profiler.stop")).profile));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
// The best round is the steadiest figure for comparing two builds on a noisy machine.
console.log(`median ${Math.round(median(rates))}/s, best ${Math.round(Math.max(...rates))}/s, ${median(cpus).toFixed(1)} CPU µs; rounds ${rates.map((rate) => Math.round(rate)).join(" ")}`);
