/**
 * Profiling target: `npx esbuild bench/profile/stage-memory.ts --bundle --platform=node --format=esm --outfile=/tmp/prof/stage.mjs`
 * then `node --cpu-prof --cpu-prof-dir=/tmp/prof /tmp/prof/stage.mjs [versions] [moves]`.
 * Registers `versions` versions, then moves them testing <-> staging `moves` times in all, one at a time.
 */
import { createRegistry, memoryStore, SYSTEM } from "../../src/index.js";
import { benchRegisterInput, BENCH_PROJECT } from "../version-mix.js";

const versions = Number(process.argv[2] ?? 10_000);
const moves = Number(process.argv[3] ?? 20_000);
const session = createRegistry({ store: memoryStore() }).as(SYSTEM);
await session.projects.create({ owner: "acme", name: "bench" });
for (let index = 0; index < versions; index++) await session.models.register(benchRegisterInput(index));
const start = performance.now();
const cpuStart = process.cpuUsage();
for (let index = 0; index < moves; index++) {
  const name = `v${1 + (index % versions)}`;
  await session.models.stage(`${BENCH_PROJECT}:${name}`, { to: Math.floor(index / versions) % 2 === 0 ? "staging" : "testing" });
}
const cpu = process.cpuUsage(cpuStart);
console.log(`${moves} stage moves over ${versions} versions: ${Math.round(moves / ((performance.now() - start) / 1000))}/s, ${((cpu.user + cpu.system) / moves).toFixed(1)} CPU µs each`);
