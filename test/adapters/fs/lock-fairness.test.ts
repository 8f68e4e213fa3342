/**
 * Lock lingering across processes: a writer that commits back to back keeps its lock from one commit
 * to the next, yet another process waiting for the lock gets it: the waiter marks the lock file, and
 * the holder hands the lock over at the end of its batch.
 */
import { spawn } from "node:child_process";
import * as nodeFs from "node:fs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { fileStore, type FileStoreFs } from "../../../src/adapters/fs/index.js";

const child = fileURLToPath(new URL("./lock-busy-child.ts", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "av-fs-fair-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

function busyWriter(dir: string, mode: "full" | "kill" = "full"): { done: Promise<{ commits: number }>; exit: Promise<NodeJS.Signals | null> } {
  const proc = spawn(process.execPath, ["--import", "tsx", child, dir, mode], { stdio: ["ignore", "pipe", "pipe"] });
  const exit = new Promise<NodeJS.Signals | null>((resolve) => proc.on("exit", (_code, signal) => resolve(signal)));
  let stdout = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<{ commits: number }>((resolve, reject) => {
    proc.on("error", reject);
    proc.on("exit", (code) => {
      if (code !== 0) reject(new Error(`busy writer exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout.trim()) as { commits: number });
    });
  });
  done.catch(() => undefined);
  return { done, exit };
}

/** A file system whose lock waits leave no mark (as in versions before lock lingering). */
const unmarkingFs: FileStoreFs = (({ utimesSync, ...rest }) => (void utimesSync, rest))(nodeFs);

async function busyCommits(dir: string): Promise<number> {
  // opening tries the lock once (to sweep temp files); that try must not mark it
  const store = await fileStore({ dir, durability: "none", fs: unmarkingFs, onWarning: () => {} });
  try {
    return ((await store.get("counters", "busy"))?.value as { n: number } | undefined)?.n ?? 0;
  } finally {
    await store.close();
  }
}

describe("fileStore() lock lingering across processes", () => {
  test("a waiting process gets the lock of a writer that never pauses, and the writer goes on after it", async () => {
    const dir = join(root, `s-${++counter}`);
    (await fileStore({ dir, onWarning: () => {} })).close();
    const writer = busyWriter(dir);
    try {
      // wait until the busy writer is well under way
      while ((await busyCommits(dir)) < 100) await new Promise((resolve) => setTimeout(resolve, 20));
      const store = await fileStore({ dir, onWarning: () => {} });
      const started = performance.now();
      for (let i = 0; i < 5; i++) await store.commit([{ op: "put", collection: "items", key: `k${i}`, expect: 0, value: { i } }]);
      const waited = performance.now() - started;
      const before = await busyCommits(dir);
      await store.close();
      console.log(`lock fairness: 5 commits took ${waited.toFixed(0)} ms against a busy writer`);
      // the busy writer goes on after our commits: nobody holds the lock for good
      while ((await busyCommits(dir)) <= before) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      writeFileSync(`${dir}.stop`, "");
    }
    const { commits } = await writer.done;
    const reopened = await fileStore({ dir, onWarning: () => {} });
    expect((await reopened.query("items")).total).toBe(5);
    expect(await reopened.get("counters", "busy")).toMatchObject({ revision: commits, value: { n: commits - 1 } });
    await reopened.close();
  }, 120_000);

  test("a process killed while its lock lingers leaves a lock that the next writer takes over at once", async () => {
    const dir = join(root, `s-${++counter}`);
    (await fileStore({ dir, onWarning: () => {} })).close();
    expect(await busyWriter(dir, "kill").exit).toBe("SIGKILL");
    expect(nodeFs.existsSync(join(dir, "lock"))).toBe(true);
    const warnings: string[] = [];
    const store = await fileStore({ dir, onWarning: (message) => warnings.push(message) });
    expect(await store.get("counters", "busy")).toMatchObject({ revision: 1 });
    await store.commit([{ op: "put", collection: "counters", key: "busy", expect: 1, value: { n: 1 } }]);
    expect(warnings.some((warning) => warning.includes("Took over"))).toBe(true);
    await store.close();
    expect(nodeFs.existsSync(join(dir, "lock"))).toBe(false);
  }, 60_000);
});
