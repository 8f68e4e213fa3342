import { describe, expect, test } from "vitest";
import { memoryStore } from "../../src/store/memory.js";
import { runStoreConformance } from "../../src/testing/index.js";

describe("memoryStore()", () => {
  runStoreConformance({ test, expect, create: () => memoryStore() });
});

describe("runStoreConformance() with an async factory", () => {
  runStoreConformance({ test, expect, create: async () => memoryStore(), skip: ["query-where", "query-sort", "cursor", "json", "keys"], name: "async factory" });
});
