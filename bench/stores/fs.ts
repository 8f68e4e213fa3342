import { rm } from "node:fs/promises";
import type { Store } from "../../src/index.js";
import type { BenchStoreFactory } from "./bench-store.js";

type FileStore = (options: { dir: string; durability?: "full" | "none" }) => Store | Promise<Store>;

async function loadFileStore(): Promise<FileStore | undefined> {
  const module = (await import("../../src/adapters/fs/index.js")) as { fileStore?: unknown };
  return typeof module.fileStore === "function" ? (module.fileStore as FileStore) : undefined;
}

/**
 * The filesystem store measured with `durability: "full"`. Seed data is loaded with
 * `durability: "none"` through the Store port, then the directory is reopened with "full".
 */
export const fsBenchStore: BenchStoreFactory = {
  name: "fs",
  description: 'fileStore({ dir, durability: "full" }), loaded with durability "none"',
  persistent: true,
  fsyncsLocalDisk: true,
  writeWorkloadsUpTo: 10_000,
  async unavailable() {
    try {
      return (await loadFileStore()) === undefined ? "src/adapters/fs does not export fileStore() yet" : undefined;
    } catch (error) {
      return `src/adapters/fs failed to load: ${error instanceof Error ? error.message : String(error)}`;
    }
  },
  async openForLoading(location) {
    const fileStore = await loadFileStore();
    if (fileStore === undefined) throw new Error("fileStore() is not available");
    return await fileStore({ dir: location, durability: "none" });
  },
  async open(location) {
    const fileStore = await loadFileStore();
    if (fileStore === undefined) throw new Error("fileStore() is not available");
    return await fileStore({ dir: location, durability: "full" });
  },
  async destroy(location) {
    await rm(location, { recursive: true, force: true });
  },
};
