/**
 * Child process of the open-time workload and of its `read-parse-lines` baseline, so neither figure
 * depends on the benchmark process's heap (which holds the whole seed). Arguments:
 *   `open <store name> <location>`: opens the persistent store (production settings, fs: durability
 *   "full"), `refresh()`, a first `get`, then closes it untimed.
 *   `first-page <store name> <location>`: opens the store as `open` does (untimed), then times the first
 *   filtered page through the registry (the list workload's query), the cost a one-command process
 *   (the CLI) pays on top of the open.
 *   `read-parse-lines <file>`: reads the file, `JSON.parse` per line, `Map.set` by key.
 * Modules are loaded before the clock starts. Prints one JSON line: `{"ms": elapsed}`.
 */
import { readFileSync } from "node:fs";
import { createRegistry, SYSTEM, type StoredItem } from "../src/index.js";
import { BENCH_STORES } from "./stores/index.js";
import { BENCH_PROJECT, LIST_QUERY } from "./version-mix.js";
import { openAndTouch } from "./workloads/open-time.js";

const USAGE = "usage: open-child open|first-page <store> <location> | open-child read-parse-lines <file>";
const [mode, ...rest] = process.argv.slice(2);

/** Elapsed milliseconds of `work`. */
async function time(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main(): Promise<number> {
  if (mode === "open" || mode === "first-page") {
    const [name, location] = rest;
    const factory = BENCH_STORES.find((candidate) => candidate.name === name);
    if (factory === undefined || location === undefined) throw new Error(USAGE);
    // Loads the adapter's module (fs: the dynamic import of src/adapters/fs) outside the timed part.
    const reason = await factory.unavailable();
    if (reason !== undefined) throw new Error(`store ${factory.name} unavailable: ${reason}`);
    let store: Awaited<ReturnType<typeof openAndTouch>> | undefined;
    let ms: number;
    if (mode === "open") {
      ms = await time(async () => {
        store = await openAndTouch(factory, location);
      });
    } else {
      store = await openAndTouch(factory, location);
      const session = createRegistry({ store }).as(SYSTEM);
      let items = 0;
      ms = await time(async () => {
        items = (await session.models.list(BENCH_PROJECT, { query: LIST_QUERY, limit: 50 })).results.length;
      });
      if (items === 0) throw new Error("the first page after open is empty");
    }
    await store?.close?.();
    return ms;
  }
  if (mode === "read-parse-lines") {
    const [path] = rest;
    if (path === undefined) throw new Error(USAGE);
    return await time(() => {
      const map = new Map<string, unknown>();
      for (const line of readFileSync(path, "utf8").split("\n")) {
        const item = JSON.parse(line) as StoredItem;
        map.set(item.key, item);
      }
      return map;
    });
  }
  throw new Error(USAGE);
}

process.stdout.write(`${JSON.stringify({ ms: await main() })}\n`);
