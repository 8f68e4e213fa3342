import type { Store } from "../store/store.js";

/** How the filesystem store is asked to persist (`none` skips fsync: tests and throwaway stores). */
export type Durability = "full" | "none";

/** Opens the store of a directory. The default is the filesystem store. */
export type OpenStore = (options: { dir: string; durability: Durability; onWarning: (message: string) => void }) => Promise<Store>;

/**
 * Everything the program touches outside itself, so `main()` can run in-process in tests.
 * `bin.ts` wires it to the real process.
 */
export interface CliIo {
  /** Writes to standard output (text as given, newlines included). */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths (`--store`, `--path`) start from. */
  readonly cwd: string;
  /** True when standard input is a terminal (then `delete` without `-y` asks). */
  readonly isTTY: boolean;
  /** Asks a question on the terminal and resolves the answer. */
  readonly prompt?: (question: string) => Promise<string>;
  /** Opens the store (default: the filesystem store). Tests inject a memory store. */
  readonly openStore?: OpenStore;
}
