import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { postgresStore } from "../../../src/adapters/postgres/index.js";
import { announcePostgresSkip, freshSchema, usePostgres } from "../../support/postgres.js";
import { runTsxWorker } from "../../support/worker.js";

const skipReason = announcePostgresSkip();
const worker = fileURLToPath(new URL("./pg-worker.ts", import.meta.url));

interface Summary {
  worker: string;
  won: string[];
  lost: number;
  conflicts: number;
}

function runWorker(args: string[]): Promise<Summary> {
  return runTsxWorker(worker, args);
}

describe.skipIf(skipReason !== undefined)("postgresStore across processes", () => {
  const db = usePostgres({ poolMax: 4 });
  const { schemas } = db;

  test("4 processes register into one collection at once: no lost or duplicated record", async () => {
    const schema = freshSchema("procs");
    schemas.add(schema);
    const names = 30;
    const startAt = String(Date.now() + 2500); // all workers start committing together, after the tsx start-up
    const summaries = await Promise.all(["w1", "w2", "w3", "w4"].map((w) => runWorker([db.server.connectionString, schema, w, String(names), startAt])));

    console.info(`[pg processes] conflicts retried: ${summaries.map((s) => `${s.worker}=${s.conflicts}`).join(" ")}`);
    const won = summaries.flatMap((s) => s.won);
    expect(won).toHaveLength(names); // every name registered exactly once...
    expect(new Set(won).size).toBe(names); // ...by exactly one process
    for (const s of summaries) expect(s.won.length + s.lost).toBe(names);

    const store = await postgresStore({ pool: db.pool }, { schema });
    const versions = await store.query("versions");
    expect(versions.total).toBe(names);
    const reservations = await store.query("names");
    expect(reservations.total).toBe(names);
    const counter = await store.get("counters", "acme/p/model");
    expect(counter).toMatchObject({ revision: names, value: { created: names } });
    // the counter's read-modify-write lost no update: sequences are exactly 1..names
    const sequences = versions.items.map((i) => (i.value as { sequence: number }).sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: names }, (_, i) => i + 1));
    // and the commit sequence numbers are distinct and consecutive
    const seqs = versions.items.map((i) => i.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(names);
    await store.close?.();
  }, 120_000);
});
