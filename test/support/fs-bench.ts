/**
 * Quick measurements of the file store (not a test; no assertions):
 *   node --import tsx test/support/fs-bench.ts [versions=100000]
 * Prints the open time of a store holding N versions with their name, counter and audit records,
 * and the commit latency with durability "full" (sequential, and 64 concurrent).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileStore } from "../../src/adapters/fs/index.js";
import type { Write } from "../../src/store/store.js";

const versions = Number(process.argv[2] ?? 100_000);
const root = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), "av-fs-bench-"));

function versionRecord(i: number, project: string) {
  const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return {
    uuid,
    name: `v${i}`,
    kind: i % 3 === 0 ? "model" : "artifact",
    project,
    sequence: i,
    description: `Version ${i} of ${project}: a gradient boosted model trained on the weekly churn extract`,
    tags: ["churn", `week-${i % 52}`, i % 2 === 0 ? "candidate" : "baseline"],
    readme: null,
    content: null,
    metadata: { f1Score: 0.8 + (i % 100) / 1000, auc: 0.9, rows: 120_000 + i, framework: "xgboost", params: { depth: 6, eta: 0.1, rounds: 400 } },
    run: `11111111-0000-4000-8000-${String(i).padStart(12, "0")}`,
    artifacts: ["model.pkl", "metrics.json"],
    stage: "testing",
    stageConditions: [
      { type: "testing", status: "True", reason: "ModelVersionCreated", message: null, lastUpdateTime: at, lastTransitionTime: at, actor: "alice" },
    ],
    state: null,
    createdBy: "alice",
    contributors: ["alice"],
    createdAt: at,
    updatedAt: at,
  };
}

async function build(dir: string): Promise<void> {
  const store = await fileStore({ dir, durability: "none", onWarning: () => {} });
  const projects = 100;
  const perCommit = 100;
  const counters = new Map<string, number>();
  for (let start = 0; start < versions; start += perCommit) {
    const writes: Write[] = [];
    const project = `acme/p${(start / perCommit) % projects}`;
    for (let i = start; i < Math.min(versions, start + perCommit); i++) {
      const record = versionRecord(i, project);
      writes.push({ op: "put", collection: "versions", key: record.uuid, expect: 0, value: record });
      writes.push({ op: "put", collection: "names", key: `${project}/${record.kind}/${record.name}`, expect: 0, value: { uuid: record.uuid } });
      writes.push({
        op: "put",
        collection: "audit",
        key: `audit-${i}`,
        expect: 0,
        value: { id: `audit-${i}`, type: "version.created", at: record.createdAt, actor: "alice", target: { type: "version", uuid: record.uuid, project }, changes: [{ op: "replace", path: [], value: record }] },
      });
    }
    const revision = counters.get(project) ?? 0;
    writes.push({ op: "put", collection: "counters", key: `${project}/model`, expect: revision, value: { next: start + perCommit, created: start + perCommit } });
    counters.set(project, revision + 1);
    await store.commit(writes);
  }
  await store.compact();
  await store.close();
}

async function timeOpen(dir: string, runs = 5): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const store = await fileStore({ dir, durability: "none", onWarning: () => {} });
    times.push(performance.now() - started);
    await store.close();
  }
  return times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function commitLatency(): Promise<void> {
  const dir = join(root, "latency");
  const store = await fileStore({ dir, durability: "full" });
  const value = versionRecord(1, "acme/bench");
  const n = 300;
  let started = performance.now();
  for (let i = 0; i < n; i++) await store.commit([{ op: "put", collection: "versions", key: `seq-${i}`, expect: 0, value }]);
  const sequential = (performance.now() - started) / n;
  const rounds = 10;
  started = performance.now();
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      Array.from({ length: 64 }, (_, i) => store.commit([{ op: "put", collection: "versions", key: `c-${round}-${i}`, expect: 0, value }])),
    );
  }
  const concurrentTotal = (performance.now() - started) / rounds;
  await store.close();
  console.log(`commit, durability full, 1 KB: sequential ${sequential.toFixed(3)} ms/commit (${Math.round(1000 / sequential)}/s)`);
  console.log(
    `commit, durability full, 64 concurrent: ${concurrentTotal.toFixed(2)} ms per 64 (${(concurrentTotal / 64).toFixed(3)} ms/commit amortized, ${Math.round((64 * 1000) / concurrentTotal)}/s)`,
  );
}

try {
  const dir = join(root, "open");
  let started = performance.now();
  await build(dir);
  console.log(`built ${versions} versions (+ names, counters, audit) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const file of ["snapshot.jsonl", "journal.jsonl", "archive.jsonl"]) console.log(`  ${file}: ${(statSync(join(dir, file)).size / 1e6).toFixed(1)} MB`);
  const times = await timeOpen(dir);
  console.log(`open ${versions} versions (compacted): median ${median(times).toFixed(0)} ms [${times.map((t) => t.toFixed(0)).join(", ")}]`);
  const store = await fileStore({ dir, durability: "none", compactionBytes: Number.MAX_SAFE_INTEGER });
  started = performance.now();
  const page = await store.query("versions", { where: { type: "term", field: "project", op: "eq", value: "acme/p7" }, sort: [{ field: "created_at", direction: "desc" }], limit: 20 });
  console.log(`query one project's newest 20 (of ${page.total}): ${(performance.now() - started).toFixed(1)} ms`);
  started = performance.now();
  const audit = await store.query("audit", { limit: 1 });
  console.log(`first audit query (loads the archive, ${audit.total} entries): ${(performance.now() - started).toFixed(0)} ms`);
  await store.close();
  await commitLatency();
} finally {
  if (process.env.BENCH_DIR === undefined) rmSync(root, { recursive: true, force: true });
}
