/**
 * `node:fs` that counts the times a store takes the writer lock of `dir`: a hard link, or an O_EXCL
 * create, named `lock`. Reset `count` after opening the store (opening takes a free lock for its upkeep).
 */
import * as nodeFs from "node:fs";
import { join } from "node:path";
import type { FileStoreFs } from "../../src/adapters/fs/index.js";

export function countLockTakes(dir: string): { count: number; readonly fs: FileStoreFs } {
  const lockPath = join(dir, "lock");
  const counted = {
    count: 0,
    fs: {
      ...nodeFs,
      linkSync: (existing: string, path: string) => {
        nodeFs.linkSync(existing, path);
        if (path === lockPath) counted.count++;
      },
      openSync: (path: string, flags: string) => {
        const fd = nodeFs.openSync(path, flags);
        if (path === lockPath && flags === "wx") counted.count++;
        return fd;
      },
    } as FileStoreFs,
  };
  return counted;
}
