import type { JsonValue } from "../../src/index.js";
import { measureThroughput, type RoundPlan } from "../measure.js";
import type { Spread } from "../statistics.js";
import { versionRecordSchema } from "./version-record-schema.js";

/**
 * The in-memory floor: zod-parse a stored version record and `Map.set` it under a new key.
 * What a register costs with no registry logic and no storage.
 */
export async function measureZodMap(plan: RoundPlan, records: readonly JsonValue[]): Promise<Spread> {
  const map = new Map<string, unknown>();
  let next = 0;
  const { rate } = await measureThroughput(plan, {
    run() {
      for (let index = 0; index < plan.opsPerRound; index++) {
        const record = records[index % records.length];
        map.set(`k${next++}`, versionRecordSchema.parse(record));
      }
    },
    after() {
      map.clear();
    },
  });
  return rate;
}
