/**
 * Profiling target: `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile/register-memory.ts [count]`.
 * Registers `count` versions one at a time into a memory store through the public API.
 */
import { createRegistry, memoryStore, SYSTEM } from "../../src/index.js";
import { benchRegisterInput, BENCH_PROJECT } from "../version-mix.js";

const count = Number(process.argv[2] ?? 20_000);
const session = createRegistry({ store: memoryStore() }).as(SYSTEM);
await session.projects.create({ owner: "acme", name: "bench" });
const start = performance.now();
const cpuStart = process.cpuUsage();
for (let index = 0; index < count; index++) await session.models.register(benchRegisterInput(index));
const cpu = process.cpuUsage(cpuStart);
const elapsed = performance.now() - start;
console.log(`${count} registers into ${BENCH_PROJECT}: ${Math.round(count / (elapsed / 1000))}/s, ${((cpu.user + cpu.system) / count).toFixed(1)} CPU µs each`);
