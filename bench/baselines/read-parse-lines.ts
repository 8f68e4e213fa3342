import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StoredItem } from "../../src/index.js";
import type { Spread } from "../statistics.js";
import { measureInChild } from "../workloads/child-duration.js";

/**
 * The floor of opening a store: read one file holding every record as a JSON line, parse each line
 * and put it in a Map (no validation, no indexes). Timed as a whole, in milliseconds, in a fresh child
 * process per round (`bench/open-child.ts read-parse-lines`), like the open time it is the floor of.
 */
export async function measureReadParseLines(plan: { warmup: number; rounds: number }, dir: string, items: readonly StoredItem[], size: number): Promise<Spread> {
  const path = join(dir, `baseline-lines-${size}.jsonl`);
  writeFileSync(path, items.map((item) => JSON.stringify(item)).join("\n"));
  try {
    return await measureInChild(plan, ["read-parse-lines", path]);
  } finally {
    rmSync(path, { force: true });
  }
}
