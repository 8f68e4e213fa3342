import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";
import type { JsonValue } from "../../src/index.js";
import { measureThroughput, type RoundPlan } from "../measure.js";
import type { Spread } from "../statistics.js";

/**
 * The peer a TypeScript developer would write: lowdb 7 `JSONFile` holding `size` version records;
 * one operation = push a record and `await db.write()` (rewrites the whole file; no fsync).
 */
export async function measureLowdb(plan: RoundPlan, dir: string, records: readonly JsonValue[], size: number): Promise<Spread> {
  const path = join(dir, `baseline-lowdb-${size}.json`);
  const db = new Low<{ versions: JsonValue[] }>(new JSONFile(path), { versions: [] });
  for (let index = 0; index < size; index++) db.data.versions.push(records[index % records.length] as JsonValue);
  await db.write();
  try {
    return (await measureThroughput(plan, {
      async run() {
        for (let index = 0; index < plan.opsPerRound; index++) {
          db.data.versions.push(records[index % records.length] as JsonValue);
          await db.write();
        }
      },
      after() {
        db.data.versions.length = size;
      },
    })).rate;
  } finally {
    await rm(path, { force: true });
  }
}
