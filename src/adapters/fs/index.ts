/**
 * `artifact-versions/fs`: the durable filesystem store (Node.js only).
 * @packageDocumentation
 */
export { fileStore } from "./file-store.js";
export type { FileStore, FileStoreOptions } from "./file-store.js";
export type { FileStoreFs } from "./fs-seam.js";
export { FORMAT_VERSION } from "./format.js";
