/**
 * A PostgreSQL server for tests.
 *
 * - `DATABASE_URL` set: tests use that server (each test file works in its own throwaway schemas,
 *   dropped afterwards).
 * - otherwise, when the server binaries are installed (`/usr/lib/postgresql/<v>/bin`, `PG_BIN`, or
 *   `initdb`/`postgres` on `PATH`): a throwaway cluster is created in a temporary directory, started
 *   on a unix socket in that directory (no TCP port), and stopped and removed after the run. As root
 *   it runs as the `postgres` OS user.
 * - neither: {@link postgresTestSkipReason} says why, and the suites skip with that message.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";

/** A server the tests may use. */
export interface PostgresTestServer {
  /** A connection string for `postgresStore({ connectionString })` and for child processes. */
  readonly connectionString: string;
  /** Pool settings for `new pg.Pool(...)`. */
  readonly poolConfig: pg.PoolConfig;
  /** Stops and removes a throwaway cluster; nothing for `DATABASE_URL`. */
  stop(): Promise<void>;
}

function findBinDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env["PG_BIN"]) candidates.push(process.env["PG_BIN"]);
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(join(root, version, "bin"));
  }
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) if (dir) candidates.push(dir);
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres")));
}

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((entry) => entry.startsWith("postgres:"));
    if (line === undefined) return undefined;
    const [, , uid, gid] = line.split(":");
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/**
 * Why the PostgreSQL tests cannot run here, or `undefined` when they can. Synchronous, so a test
 * file can decide at collection time: `describe.skipIf(reason !== undefined)`.
 */
export function postgresTestSkipReason(): string | undefined {
  if (process.env["DATABASE_URL"]) return undefined;
  if (findBinDir() === undefined) {
    return "PostgreSQL tests skipped: DATABASE_URL is not set and no PostgreSQL server binaries (initdb, postgres) were found; install them (apt-get install -y postgresql) or set DATABASE_URL";
  }
  if (isRoot && postgresUser() === undefined) {
    return "PostgreSQL tests skipped: running as root but there is no `postgres` OS user to run a throwaway cluster; set DATABASE_URL";
  }
  return undefined;
}

/** Logs the skip reason once per file (so a skipped run says why), and returns it. */
export function announcePostgresSkip(): string | undefined {
  const reason = postgresTestSkipReason();
  if (reason !== undefined) console.warn(`\n[artifact-versions] ${reason}\n`);
  return reason;
}

async function waitReady(config: pg.PoolConfig, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}:\n${log()}`);
    const client = new pg.Client(config);
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`postgres did not become ready in 30 s: ${String(lastError)}\n${log()}`);
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /**
   * Do not let the server process keep Node's event loop alive (for scripts such as the benchmark,
   * which stop it on `beforeExit`); it is still killed and removed if the process exits first.
   */
  readonly background?: boolean;
}

/** Starts (or connects to) a server. Call from `beforeAll`, and `stop()` it in `afterAll`. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresTestServer> {
  const url = process.env["DATABASE_URL"];
  if (url) {
    return { connectionString: url, poolConfig: { connectionString: url }, stop: async () => undefined };
  }
  const bin = findBinDir();
  if (bin === undefined) throw new Error(postgresTestSkipReason());
  const owner = isRoot ? postgresUser() : undefined;
  if (isRoot && owner === undefined) throw new Error(postgresTestSkipReason());

  const dir = mkdtempSync(join(tmpdir(), "av-pg-"));
  const data = join(dir, "data");
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const ids = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const env = { ...process.env, LC_ALL: "C.UTF-8", LANG: "C.UTF-8" };

  try {
    execFileSync(
      join(bin, "initdb"),
      ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
      { ...ids, env, cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`initdb failed: ${stderr || String(error)}`);
  }

  // Port 5432 only names the socket file inside our private directory; no TCP listener.
  const port = 5432;
  const output: string[] = [];
  const child = spawn(
    join(bin, "postgres"),
    [
      "-D", data,
      "-p", String(port),
      "-k", dir,
      "-c", "listen_addresses=",
      "-c", "fsync=off",
      "-c", "synchronous_commit=off",
      "-c", "full_page_writes=off",
      "-c", "max_connections=100",
      "-c", "shared_buffers=32MB",
    ],
    { ...ids, env, cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  if (options.background === true) {
    child.unref();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  }

  // If the test process exits without stop(), take the cluster down with it.
  const onExit = (): void => {
    try {
      child.kill("SIGQUIT");
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);

  const poolConfig: pg.PoolConfig = { host: dir, port, user: "postgres", database: "postgres" };
  const connectionString = `postgresql://postgres@localhost:${port}/postgres?host=${encodeURIComponent(dir)}`;
  try {
    await waitReady(poolConfig, child, () => output.join(""));
  } catch (error) {
    onExit();
    process.removeListener("exit", onExit);
    throw error;
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= new Promise<void>((resolve) => {
      process.removeListener("exit", onExit);
      const done = (): void => {
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      const timer = setTimeout(() => {
        child.kill("SIGQUIT");
      }, 10_000);
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", done);
      child.kill("SIGINT"); // fast shutdown
    }));

  return { connectionString, poolConfig, stop };
}

let schemaCounter = 0;

/** A fresh schema name for one store in a test: unique per process and run. */
export function freshSchema(prefix = "t"): string {
  schemaCounter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${schemaCounter}`;
}

/** Drops the given schemas (and everything in them); used to clean up a shared `DATABASE_URL` server. */
export async function dropSchemas(pool: pg.Pool, schemas: Iterable<string>): Promise<void> {
  for (const schema of schemas) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) continue;
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}

/** What {@link usePostgres} gives a suite: valid inside its tests (after `beforeAll`). */
export interface PostgresSuite {
  readonly server: PostgresTestServer;
  readonly pool: pg.Pool;
  /** Schemas dropped after the suite: add each one a test creates. */
  readonly schemas: Set<string>;
}

/**
 * Starts a server and a pool of `poolMax` clients for the enclosing `describe` and tears both down
 * after it (first `beforeTeardown`, then dropping `schemas`, ending the pool, stopping the server).
 */
export function usePostgres(options: { poolMax: number; beforeTeardown?: () => Promise<void> }): PostgresSuite {
  let server: PostgresTestServer | undefined;
  let pool: pg.Pool | undefined;
  const schemas = new Set<string>();
  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ ...server.poolConfig, max: options.poolMax });
    pool.on("error", () => undefined); // idle clients see the server stop at the end
  }, 60_000);
  afterAll(async () => {
    await options.beforeTeardown?.();
    if (pool !== undefined) {
      await dropSchemas(pool, schemas).catch(() => undefined);
      await pool.end();
    }
    await server?.stop();
  }, 60_000);
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("usePostgres(): the server is only there inside the suite's tests");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get pool() {
      return started(pool);
    },
    schemas,
  };
}
