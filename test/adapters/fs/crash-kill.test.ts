/**
 * SIGKILL crash test: a child process commits as fast as it can and prints each acknowledged commit;
 * we kill it at a random moment, reopen the store and check that every acknowledged commit is there
 * and that no commit is visible in part. CRASH_RUNS sets the number of kills (default 10).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { fileStore } from "../../../src/adapters/fs/index.js";

const runs = Number(process.env.CRASH_RUNS ?? 10);
const child = fileURLToPath(new URL("../../support/fs-crash-child.ts", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "av-fs-crash-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the child until it has acknowledged something, then kills it after a random delay. */
function runAndKill(dir: string): Promise<{ acked: number[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child, dir, String(1 + Math.floor(Math.random() * 8))], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acked: number[] = [];
    let buffered = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const match = /^ack (\d+) (\d+)$/.exec(line);
        if (match !== null) acked.push(Number(match[1]));
      }
      if (timer === undefined && acked.length > 0) timer = setTimeout(() => proc.kill("SIGKILL"), Math.random() * 250);
    });
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (chunk: string) => (stderr += chunk));
    const guard = setTimeout(() => proc.kill("SIGKILL"), 30_000);
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      clearTimeout(guard);
      if (signal !== "SIGKILL") reject(new Error(`child exited with ${code} ${signal}: ${stderr}`));
      else resolve({ acked, stderr });
    });
  });
}

describe("fileStore() killed with SIGKILL at random moments", () => {
  test(`keeps every acknowledged commit and never shows half of one (${runs} kills)`, async () => {
    const dir = join(root, "store");
    const everAcked = new Set<number>();
    let tornTails = 0;
    for (let run = 0; run < runs; run++) {
      const { acked } = await runAndKill(dir);
      for (const n of acked) everAcked.add(n);
      const warnings: string[] = [];
      const store = await fileStore({ dir, durability: "full", onWarning: (message) => warnings.push(message) });
      tornTails += warnings.filter((w) => w.includes("torn")).length;
      try {
        const audit = await store.query("audit");
        const committed = new Set(audit.items.map((item) => (item.value as { n: number }).n));
        // every acknowledged commit is there
        for (const n of everAcked) expect(committed.has(n)).toBe(true);
        // the counter moved exactly once per commit: all or nothing
        const counter = await store.get("counters", "c");
        expect(counter?.revision).toBe(committed.size);
        expect((counter?.value as { n: number }).n).toBe(committed.size - 1);
        // pairs come in whole, intact pairs, and only from committed commits
        const pairs = await store.query("pairs");
        const byKey = new Map(pairs.items.map((item) => [item.key, item.value as { n: number; text: string; length: number }]));
        for (const [key, value] of byKey) {
          const [side, n] = [key.slice(0, 1), Number(key.slice(2))];
          expect(byKey.get(`${side === "a" ? "b" : "a"}-${n}`)).toEqual(value);
          expect(value.n).toBe(n);
          expect(value.text).toBe(`record ${n} `.repeat(1 + (n % 40)));
          expect(committed.has(n)).toBe(true);
        }
        for (const n of committed) {
          const deleted = n % 7 === 0 && committed.has(n + 7);
          expect(byKey.has(`a-${n}`)).toBe(!deleted);
        }
      } finally {
        await store.close();
      }
      // the killed child's lock claim was swept at the reopen, ours removed at close: no lock files left
      expect(readdirSync(dir).filter((name) => name.startsWith("lock"))).toEqual([]);
    }
    expect(everAcked.size).toBeGreaterThan(0);
    console.log(`crash test: ${runs} kills, ${everAcked.size} acknowledged commits, ${tornTails} torn tails dropped`);
  }, 60_000 + runs * 20_000);
});
