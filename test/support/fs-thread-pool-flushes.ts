/**
 * `node:fs` without `fdatasyncSync`, for file store tests: every journal flush then runs on the thread
 * pool, and commits made meanwhile join the next batch. With `delayMs`, each flush also waits that long
 * first (a slow disk).
 */
import * as nodeFs from "node:fs";
import type { FileStoreFs } from "../../src/adapters/fs/index.js";

export function threadPoolFlushFs(delayMs = 0): FileStoreFs {
  const { fdatasyncSync: _sync, ...threadPoolFs } = nodeFs;
  if (delayMs === 0) return threadPoolFs;
  return { ...threadPoolFs, fdatasync: (fd, done) => setTimeout(() => nodeFs.fdatasync(fd, done), delayMs) };
}
