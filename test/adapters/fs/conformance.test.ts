import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { fileStore } from "../../../src/adapters/fs/index.js";
import { runStoreConformance } from "../../../src/testing/index.js";

const root = mkdtempSync(join(tmpdir(), "av-fs-conformance-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => join(root, `store-${++counter}`);

describe("fileStore({ durability: 'none' })", () => {
  runStoreConformance({ test, expect, create: () => fileStore({ dir: freshDir(), durability: "none", onWarning: () => {} }) });
});

describe("fileStore({ durability: 'full' })", () => {
  runStoreConformance({ test, expect, create: () => fileStore({ dir: freshDir(), onWarning: () => {} }), name: "durable" });
});

describe("fileStore() reopened after every commit", () => {
  // Every read goes to a fresh instance opened from the files: proves what was really stored.
  runStoreConformance({
    test,
    expect,
    name: "reopened",
    skip: ["concurrency"],
    create: async () => {
      const dir = freshDir();
      let current = await fileStore({ dir, durability: "none", onWarning: () => {} });
      return {
        get: (collection, key) => current.get(collection, key),
        query: (collection, query) => current.query(collection, query),
        async commit(writes) {
          const result = await current.commit(writes).finally(async () => {
            await current.close();
            current = await fileStore({ dir, durability: "none", onWarning: () => {} });
          });
          return result;
        },
        close: () => current.close(),
      };
    },
  });
});

describe("fileStore() compacting after every commit", () => {
  runStoreConformance({
    test,
    expect,
    name: "compacting",
    create: () => fileStore({ dir: freshDir(), durability: "none", compactionBytes: 1, onWarning: () => {} }),
  });
});
