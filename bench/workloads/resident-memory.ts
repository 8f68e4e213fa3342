import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { spreadOf, type Spread } from "../statistics.js";

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL("../resident-child.ts", import.meta.url));

/** Growth of one fresh child process holding the store, in bytes per version. */
export interface ResidentMemory {
  readonly rss: Spread;
  readonly heapUsed: Spread;
}

/**
 * Starts `rounds` fresh child processes (`node --expose-gc --import tsx`), each measuring resident
 * set size and V8 heap after full GCs before and after loading the store, divided by `size`.
 */
export async function measureResidentMemory(rounds: number, storeName: string, location: string, size: number): Promise<ResidentMemory> {
  const rss: number[] = [];
  const heap: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const { stdout } = await run(process.execPath, ["--expose-gc", "--import", "tsx", CHILD, storeName, location, String(size)], {
      maxBuffer: 1 << 20,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    const line = stdout.trim().split("\n").pop() ?? "{}";
    const growth = JSON.parse(line) as { rss: number; heapUsed: number };
    rss.push(growth.rss / size);
    heap.push(growth.heapUsed / size);
  }
  return { rss: spreadOf(rss), heapUsed: spreadOf(heap) };
}
