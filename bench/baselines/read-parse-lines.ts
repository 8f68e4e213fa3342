import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StoredItem } from "../../src/index.js";
import { measureDuration } from "../measure.js";
import type { Spread } from "../statistics.js";

/**
 * The floor of opening a store: read one file holding every record as a JSON line, parse each line
 * and put it in a Map (no validation, no indexes). Timed as a whole, in milliseconds.
 */
export async function measureReadParseLines(plan: { warmup: number; rounds: number }, dir: string, items: readonly StoredItem[], size: number): Promise<Spread> {
  const path = join(dir, `baseline-lines-${size}.jsonl`);
  writeFileSync(path, items.map((item) => JSON.stringify(item)).join("\n"));
  try {
    return await measureDuration(plan, {
      run() {
        const map = new Map<string, unknown>();
        for (const line of readFileSync(path, "utf8").split("\n")) {
          const item = JSON.parse(line) as StoredItem;
          map.set(item.key, item);
        }
      },
    });
  } finally {
    rmSync(path, { force: true });
  }
}
