/**
 * Profiling target:
 *   npx esbuild bench/profile/register-fs.ts --bundle --platform=node --format=esm --outfile=/tmp/proffs/regfs.mjs --log-level=warning
 *   node --cpu-prof --cpu-prof-dir=/tmp/proffs /tmp/proffs/regfs.mjs [count] [dir]
 * Registers `count` versions one at a time into a fresh fileStore (durability "full").
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRegistry, SYSTEM } from "../../src/index.js";
import { fileStore } from "../../src/adapters/fs/index.js";
import { benchRegisterInput, BENCH_PROJECT } from "../version-mix.js";

const count = Number(process.argv[2] ?? 2_000);
const dir = mkdtempSync(join(process.argv[3] ?? tmpdir(), "av-profile-"));
const store = await fileStore({ dir, durability: "full" });
const session = createRegistry({ store }).as(SYSTEM);
await session.projects.create({ owner: "acme", name: "bench" });
const start = performance.now();
const cpuStart = process.cpuUsage();
for (let index = 0; index < count; index++) await session.models.register(benchRegisterInput(index));
const cpu = process.cpuUsage(cpuStart);
console.log(`${count} durable registers into ${BENCH_PROJECT}: ${Math.round(count / ((performance.now() - start) / 1000))}/s, ${Math.round((cpu.user + cpu.system) / count)} CPU µs each`);
await store.close();
rmSync(dir, { recursive: true, force: true });
