import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { createRegistry, type Registry } from "../../src/registry/registry.js";
import { fileStore } from "../../src/adapters/fs/index.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "src/cli/bin.ts");
const TSX = import.meta.resolve("tsx");

/** The outcome of one command line. */
export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Parses stdout as JSON. */
export function json<T = any>(outcome: Outcome): T {
  return JSON.parse(outcome.stdout) as T;
}

/** A fresh temporary folder with a store inside (`<dir>/store`); `cleanup()` removes it. */
export async function tempWorkspace(): Promise<{ dir: string; store: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "artv-cli-"));
  return { dir, store: join(dir, "store"), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunOptions {
  readonly cwd: string;
  readonly store?: string;
  readonly env?: Record<string, string | undefined>;
  readonly isTTY?: boolean;
  readonly answer?: string;
}

function environment(options: RunOptions): Record<string, string | undefined> {
  return {
    ARTIFACT_VERSIONS_DURABILITY: "none",
    ARTIFACT_VERSIONS_PROJECT: undefined,
    ...(options.store === undefined ? {} : { ARTIFACT_VERSIONS_STORE: options.store }),
    ...options.env,
  };
}

/** Runs `main()` in this process. */
export async function cli(args: readonly string[], options: RunOptions): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const prompts: string[] = [];
  const code = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: environment(options),
    cwd: options.cwd,
    isTTY: options.isTTY ?? false,
    prompt: async (question) => {
      prompts.push(question);
      return options.answer ?? "";
    },
  });
  return { code, stdout, stderr };
}

/** Runs the real program in a child process: `node --import tsx src/cli/bin.ts ...`. */
export function bin(args: readonly string[], options: RunOptions): Promise<Outcome> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...environment(options) })) if (value !== undefined) env[key] = value;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ["--import", TSX, BIN, ...args], { cwd: options.cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** Opens the store directly with the library (to seed it quickly or to read what the CLI wrote). */
export async function openRegistry(store: string): Promise<Registry> {
  return createRegistry({ store: await fileStore({ dir: store, durability: "none" }) });
}

/** The lines `key  value` of a record block as a map, in order. */
export function recordLines(text: string): Array<[string, string]> {
  return text
    .trimEnd()
    .split("\n")
    .filter((line) => /^\S/.test(line))
    .map((line) => {
      const match = /^(\S+(?: \S+)?)\s{2,}(.*)$/.exec(line) ?? /^(\S+)$/.exec(line);
      return [match?.[1] ?? line, match?.[2] ?? ""] as [string, string];
    });
}
