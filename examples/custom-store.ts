// A store of your own: the whole `Store` port over plain Maps, about 80 lines, passing the
// conformance suite (see test/examples/custom-store.test.ts). Run with `npm run examples`.
// It imports the built package by its name, exactly as an app would.
import { pathToFileURL } from "node:url";
import { createRegistry, compareBy, matches, RegistryError } from "artifact-versions";
import type { JsonValue, Store, StoredItem, StoreQuery, StoreQueryResult, Write } from "artifact-versions";

interface Row {
  readonly revision: number;
  readonly seq: number;
  readonly value: JsonValue;
}

/** Deep-copies and freezes a JSON value, so neither the caller nor the store can change it later. */
function frozenCopy(value: JsonValue): JsonValue {
  const freeze = (node: unknown): unknown => {
    if (node !== null && typeof node === "object") for (const child of Object.values(node)) freeze(child);
    return Object.freeze(node);
  };
  return freeze(structuredClone(value)) as JsonValue;
}

/** The cursor is the last item of the page itself: `compareBy()` finds where to continue, even if it was deleted. */
const encodeCursor = (item: StoredItem): string => Buffer.from(JSON.stringify(item)).toString("base64url");
function decodeCursor(cursor: string): StoredItem {
  try {
    const item = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as StoredItem;
    if (typeof item.key === "string") return item;
  } catch {
    // fall through
  }
  throw new RegistryError("VALIDATION", "Invalid cursor: it is not a cursor this store handed out.", { cursor });
}

/** A `Store` kept in `Map`s: one per collection, key -> row. Not durable; a teaching example. */
export function mapStore(): Store {
  const collections = new Map<string, Map<string, Row>>();
  let lastSeq = 0;
  const table = (name: string): Map<string, Row> => {
    let rows = collections.get(name);
    if (rows === undefined) collections.set(name, (rows = new Map()));
    return rows;
  };
  const item = (key: string, row: Row): StoredItem => ({ key, revision: row.revision, seq: row.seq, value: row.value });

  return {
    async get(collection, key) {
      const row = collections.get(collection)?.get(key);
      return row === undefined ? undefined : item(key, row);
    },

    async query(collection, query: StoreQuery = {}): Promise<StoreQueryResult> {
      const order = compareBy(query.sort ?? []);
      const found: StoredItem[] = [];
      for (const [key, row] of collections.get(collection) ?? []) {
        if (query.prefix !== undefined && !key.startsWith(query.prefix)) continue;
        if (matches(query.where, row.value)) found.push(item(key, row));
      }
      found.sort(order);
      let rest = found;
      if (query.cursor !== undefined) {
        const after = decodeCursor(query.cursor);
        rest = found.filter((candidate) => order(candidate, after) > 0);
      }
      rest = rest.slice(query.offset ?? 0);
      const items = query.limit === undefined ? rest : rest.slice(0, query.limit);
      const last = items.at(-1);
      const cursor = items.length < rest.length && last !== undefined ? encodeCursor(last) : null;
      return { items, total: found.length, cursor };
    },

    async commit(writes: readonly Write[]) {
      const seen = new Set<string>();
      for (const write of writes) {
        const id = JSON.stringify([write.collection, write.key]);
        if (seen.has(id)) throw new RegistryError("VALIDATION", `Two writes to ${write.collection}/${write.key} in one commit.`, { collection: write.collection, key: write.key });
        seen.add(id);
        const current = collections.get(write.collection)?.get(write.key)?.revision ?? 0;
        if (current !== write.expect) {
          throw new RegistryError("CONFLICT", `${write.collection}/${write.key} is at revision ${current}, not ${write.expect}.`, { collection: write.collection, key: write.key, expected: write.expect, actual: current });
        }
      }
      // Every check passed and nothing above awaited: the writes below apply together.
      const seq = ++lastSeq;
      for (const write of writes) {
        if (write.op === "put") table(write.collection).set(write.key, { revision: write.expect + 1, seq, value: frozenCopy(write.value) });
        else if (write.op === "delete") table(write.collection).delete(write.key);
      }
      return { seq };
    },
  };
}

// Run directly: a registry on the custom store.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const registry = createRegistry({ store: mapStore() });
  const ana = registry.as({ id: "ana", orgs: { acme: "admin" } });
  await ana.projects.create({ owner: "acme", name: "churn" });
  for (const name of ["v1", "v2", "v10"]) await ana.models.register({ project: "acme/churn", name, tags: name === "v10" ? ["candidate"] : [] });
  await ana.models.stage("acme/churn:v2", { to: "staging", reason: "PassedEval" });
  const page = await ana.models.list("acme/churn", { sort: "name", limit: 2 });
  console.log(`custom store: ${page.count} models; first page by name: ${page.results.map((version) => version.name).join(", ")}`);
  const staged = await ana.models.list("acme/churn", { query: "stage:staging" });
  console.log(`in staging: ${staged.results.map((version) => version.name).join(", ")}; latest is ${(await ana.models.get("acme/churn")).name}`);
  await registry.close();
}
