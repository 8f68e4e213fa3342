/**
 * Does register cost grow with project size? `npx tsx bench/profile/register-scaling.ts [count] [step]`
 * prints the rate of each block of `step` registers into one memory-store project.
 */
import { createRegistry, memoryStore, SYSTEM } from "../../src/index.js";
import { benchRegisterInput } from "../version-mix.js";

const count = Number(process.argv[2] ?? 40_000);
const step = Number(process.argv[3] ?? 5_000);
const session = createRegistry({ store: memoryStore() }).as(SYSTEM);
await session.projects.create({ owner: "acme", name: "bench" });
for (let done = 0; done < count; done += step) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let index = 0; index < step; index++) await session.models.register(benchRegisterInput(index));
  const cpu = process.cpuUsage(cpuStart);
  console.log(`${(done + step).toLocaleString("en-US").padStart(7)} versions: ${Math.round(step / ((performance.now() - start) / 1000))}/s wall, ${Math.round((cpu.user + cpu.system) / step)} CPU µs/register`);
}
