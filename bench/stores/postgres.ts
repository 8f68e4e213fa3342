import { basename } from "node:path";
import type pg from "pg";
import type { Store } from "../../src/index.js";
import type { BenchStoreFactory } from "./bench-store.js";

/**
 * The PostgreSQL store (issue 9). Uses `DATABASE_URL` when set, otherwise starts a throwaway cluster
 * with test/support/postgres.ts (fsync off, like the tests: this measures the store's SQL and round
 * trips, not the server's disk). Each size lives in its own schema, dropped by `destroy()`.
 * The resident-memory child inherits the connection through `AV_BENCH_POSTGRES_URL`.
 */
const URL_ENV = "AV_BENCH_POSTGRES_URL";

let server: Promise<{ connectionString: string; poolConfig: pg.PoolConfig }> | undefined;
let admin: pg.Pool | undefined;

type Support = typeof import("../../test/support/postgres.js");

async function support(): Promise<Support> {
  return await import("../../test/support/postgres.js");
}

/** The server: the parent's (child processes), `DATABASE_URL`, or a throwaway cluster stopped when the run ends. */
function connect(): Promise<{ connectionString: string; poolConfig: pg.PoolConfig }> {
  server ??= (async () => {
    const inherited = process.env[URL_ENV] ?? process.env["DATABASE_URL"];
    if (inherited) return { connectionString: inherited, poolConfig: { connectionString: inherited } };
    const started = await (await support()).startPostgres({ background: true });
    process.env[URL_ENV] = started.connectionString;
    // Stop the cluster once the run has nothing left to do (the server process does not hold the run open).
    process.once("beforeExit", () => void admin?.end().catch(() => undefined).then(() => started.stop()));
    return started;
  })();
  return server;
}

function schemaOf(location: string): string {
  return `av_bench_${basename(location).replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`.slice(0, 63);
}

async function adminPool(): Promise<pg.Pool> {
  if (admin === undefined) {
    const { default: pgModule } = await import("pg");
    admin = new pgModule.Pool({ ...(await connect()).poolConfig, max: 1 });
    admin.on("error", () => undefined);
  }
  return admin;
}

async function openStore(location: string): Promise<Store> {
  const { postgresStore } = await import("../../src/adapters/postgres/index.js");
  return await postgresStore({ connectionString: (await connect()).connectionString }, { schema: schemaOf(location) });
}

export const postgresBenchStore: BenchStoreFactory = {
  name: "postgres",
  description: "postgresStore({ connectionString }) on DATABASE_URL or a throwaway local cluster (fsync off), pool of 10",
  persistent: true,
  writeWorkloadsUpTo: 10_000,
  async unavailable() {
    // --quick (CI) must stay well under a minute: the cluster start and 64-in-flight rounds would take ~20 s of it.
    const argv = process.argv.slice(2);
    const named = argv.some((arg, i) => argv[i - 1] === "--stores" && arg.split(",").includes("postgres"));
    if (argv.includes("--quick") && !named) return "not run in --quick mode, to keep it under a minute (add --stores memory,fs,postgres to include it)";
    if (process.env[URL_ENV] || process.env["DATABASE_URL"]) return undefined;
    try {
      await import("pg");
    } catch {
      return "the pg package is not installed";
    }
    const reason = (await support()).postgresTestSkipReason();
    return reason === undefined ? undefined : `${reason.replace(/^PostgreSQL tests skipped: /, "")}`;
  },
  async openForLoading(location) {
    const pool = await adminPool();
    await pool.query(`DROP SCHEMA IF EXISTS "${schemaOf(location)}" CASCADE`);
    const store = await openStore(location);
    // After the bulk load, what autovacuum would do soon after: planner statistics and the visibility map.
    const close = store.close?.bind(store);
    return {
      ...store,
      async close() {
        await close?.();
        await pool.query(`VACUUM ANALYZE "${schemaOf(location)}".av_items`);
      },
    };
  },
  async open(location) {
    return await openStore(location);
  },
  async destroy(location) {
    const pool = await adminPool();
    await pool.query(`DROP SCHEMA IF EXISTS "${schemaOf(location)}" CASCADE`);
  },
};
