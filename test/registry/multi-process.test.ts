import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createRegistry, SYSTEM, type Store } from "artifact-versions";
import { fileStore } from "artifact-versions/fs";
import { postgresStore } from "artifact-versions/postgres";
import { announcePostgresSkip, freshSchema, startPostgres, type PostgresTestServer } from "../support/postgres.js";
import { runTsxWorker } from "../support/worker.js";

// Issue 5 and 9: four processes register into the same project at once (auto-named and named):
// no version lost, none duplicated, every auto name distinct.
const child = fileURLToPath(new URL("../support/register-child.ts", import.meta.url));
const WORKERS = 4;
const PER_WORKER = Number(process.env["MULTI_PROCESS_REGISTERS"] ?? 12);

function run(args: string[]): Promise<{ worker: string; names: string[] }> {
  return runTsxWorker(child, args);
}

async function checkRace(open: () => Promise<Store>, argsFor: (worker: string) => string[]): Promise<void> {
  const setup = await open();
  const admin = createRegistry({ store: setup }).as(SYSTEM);
  await admin.projects.create({ owner: "acme", name: "churn" });
  await setup.close?.();

  const results = await Promise.all(Array.from({ length: WORKERS }, (_, index) => run(argsFor(`w${index}`))));
  const acknowledged = results.flatMap((result) => result.names);
  expect(acknowledged).toHaveLength(WORKERS * PER_WORKER);
  expect(new Set(acknowledged).size).toBe(acknowledged.length);

  const store = await open();
  const session = createRegistry({ store }).as(SYSTEM);
  const stored = await session.models.list("acme/churn", { limit: 1000 });
  expect(stored.count).toBe(WORKERS * PER_WORKER);
  expect(stored.results.map((version) => version.name).sort()).toEqual([...acknowledged].sort());
  const sequences = stored.results.map((version) => version.sequence).sort((a, b) => a - b);
  expect(sequences).toEqual(Array.from({ length: WORKERS * PER_WORKER }, (_, index) => index + 1));
  const auto = acknowledged.filter((name) => /^v\d+$/.test(name));
  expect(auto).toHaveLength((WORKERS * PER_WORKER) / 2);
  await store.close?.();
}

describe("four processes registering into one project at once", () => {
  it("filesystem store: no lost or duplicated version", { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "av-race-"));
    try {
      await checkRace(
        () => fileStore({ dir, durability: "full" }),
        (worker) => ["fs", dir, worker, String(PER_WORKER)],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const skip = announcePostgresSkip();
  let server: PostgresTestServer | undefined;
  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  it.skipIf(skip !== undefined)("PostgreSQL store: no lost or duplicated version", { timeout: 180_000 }, async () => {
    server = await startPostgres();
    const connectionString = server.connectionString;
    const schema = freshSchema("race");
    await checkRace(
      () => postgresStore({ connectionString }, { schema }),
      (worker) => ["pg", connectionString, worker, String(PER_WORKER), schema],
    );
  });
});
