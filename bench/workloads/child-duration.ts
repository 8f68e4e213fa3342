import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { spreadOf, type Spread } from "../statistics.js";

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL("../open-child.ts", import.meta.url));

/**
 * Runs `bench/open-child.ts` with `args` in a fresh process (`node --import tsx`) per round, so the
 * duration does not depend on this process's heap; returns the spread of the durations the children
 * print, in milliseconds, over the rounds after `warmup` untimed ones.
 */
export async function measureInChild(plan: { warmup: number; rounds: number }, args: readonly string[]): Promise<Spread> {
  const durations: number[] = [];
  for (let round = 0; round < plan.warmup + plan.rounds; round++) {
    const { stdout } = await run(process.execPath, ["--import", "tsx", CHILD, ...args], {
      maxBuffer: 1 << 20,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    const line = stdout.trim().split("\n").pop() ?? "{}";
    const { ms } = JSON.parse(line) as { ms?: unknown };
    if (typeof ms !== "number" || !Number.isFinite(ms)) throw new Error(`open-child printed no duration: ${stdout}`);
    if (round >= plan.warmup) durations.push(ms);
  }
  return spreadOf(durations);
}
