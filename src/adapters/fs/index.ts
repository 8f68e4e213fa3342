/**
 * `artifact-versions/fs`: the durable filesystem store (Node.js only).
 * @module artifact-versions/fs
 */
export { fileStore } from "./file-store.js";
export type { FileStore, FileStoreOptions } from "./file-store.js";
export type { FileStoreFs, FileIdentity, PathStat } from "./fs-seam.js";
export { FORMAT_VERSION } from "./format.js";
