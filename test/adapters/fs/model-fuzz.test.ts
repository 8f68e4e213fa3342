/**
 * Random sequences of commits, deletions, compactions with commits in flight, reads and reopens by two
 * stores of one directory (with different index options, so different snapshot projections), checked
 * against a model after each reopen. It guards compaction's copying of unchanged lines (fix 24): rows
 * replaced or deleted during its slices, values committed as frozen copies and as text, characters of
 * 2-4 UTF-8 bytes, archived collections. Seeds: `FS_FUZZ_SEEDS` (default 10).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { fileStore, type FileStore } from "../../../src/adapters/fs/index.js";
import { frozenJsonCopy } from "../../../src/domain/json-copy.js";
import type { Write } from "../../../src/store/store.js";

const SEEDS = Number(process.env.FS_FUZZ_SEEDS ?? 10);
const root = mkdtempSync(join(tmpdir(), "av-fs-fuzz-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A small deterministic generator (LCG): a failing seed replays exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const INDEXES = [undefined, ["project", "kind", "name"], ["kind"]] as const;
const COLLECTIONS = ["items", "things", "audit"];
const KEYS = Array.from({ length: 25 }, (_, i) => `k${i}`);

for (let seed = 1; seed <= SEEDS; seed++) {
  test(`seed ${seed}: every state read after a reopen is the model's`, async () => {
    const next = random(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const dir = join(root, `s${seed}`);
    const durability = next() < 0.3 ? "full" : "none";
    const open = (indexes: number) => fileStore({ dir, durability, onWarning: () => {}, indexes: INDEXES[indexes] as never });
    const stores: FileStore[] = [await open(0), await open(Math.floor(next() * 3))];
    const model = new Map<string, { revision: number; value: unknown }>();
    let counter = 0;
    const write = (): Write => {
      const collection = pick(COLLECTIONS);
      const key = pick(KEYS);
      const id = `${collection}/${key}`;
      const current = model.get(id);
      if (current !== undefined && next() < 0.2) {
        model.delete(id);
        return { op: "delete", collection, key, expect: current.revision };
      }
      const value = { project: pick(["p1", "p2"]), kind: pick(["a", "b"]), name: `é☃𝄞${counter++}`, pad: "x".repeat(Math.floor(next() * 50)) };
      model.set(id, { revision: (current?.revision ?? 0) + 1, value });
      const committed = next() < 0.5 ? frozenJsonCopy(value, { collection, key }) : structuredClone(value);
      return { op: "put", collection, key, expect: current?.revision ?? 0, value: committed as never };
    };
    const verify = async () => {
      const fresh = await fileStore({ dir, durability, onWarning: () => {} });
      for (const collection of COLLECTIONS) {
        const read = new Map((await fresh.query(collection, { limit: 1000 })).items.map((item) => [`${collection}/${item.key}`, { revision: item.revision, value: item.value }]));
        expect(read).toEqual(new Map([...model].filter(([id]) => id.startsWith(`${collection}/`))));
      }
      await fresh.close();
    };
    for (let step = 0; step < 60; step++) {
      const action = next();
      const which = Math.floor(next() * 2);
      const store = stores[which]!;
      if (action < 0.45) await store.commit([write()]);
      else if (action < 0.6) {
        // commits applied during the compaction's slices
        const writes = Array.from({ length: 1 + Math.floor(next() * 5) }, write);
        await Promise.all([store.compact(), ...writes.map((one) => store.commit([one]))]);
      } else if (action < 0.7) await store.compact();
      else if (action < 0.8) {
        await store.refresh();
        await store.query(pick(COLLECTIONS));
        await store.get(pick(COLLECTIONS), pick(KEYS));
      } else if (action < 0.88) {
        await store.close();
        stores[which] = await open(Math.floor(next() * 3));
      } else await verify();
    }
    await verify();
    for (const store of stores) await store.close();
  });
}
