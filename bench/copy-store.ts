import { COLLECTIONS, type Store, type Write } from "../src/index.js";

/** Puts per commit when copying: large enough to be fast, small enough for any adapter. */
const BATCH = 1_000;

/**
 * Copies every record of `source` into the empty `target` through the Store port (puts with
 * `expect: 0`, batched). Revisions restart at 1, which no workload depends on. Returns the record count.
 */
export async function copyStore(source: Store, target: Store): Promise<number> {
  let copied = 0;
  for (const collection of COLLECTIONS) {
    const { items } = await source.query(collection);
    for (let start = 0; start < items.length; start += BATCH) {
      const writes: Write[] = items.slice(start, start + BATCH).map((item) => ({ op: "put", collection, key: item.key, expect: 0, value: item.value }));
      await target.commit(writes);
      copied += writes.length;
    }
  }
  return copied;
}
