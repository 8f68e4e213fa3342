import { readFile } from "node:fs/promises";
import type { JsonValue } from "../../domain/json.js";
import type { ListOptions } from "../../registry/versions.js";
import type { RunArtifactInput } from "../../registry/runs.js";
import { UsageError } from "../args.js";
import type { CommandContext } from "../context.js";
import { SYSTEM } from "../../domain/access.js";
import { isRegistryError } from "../../errors.js";
import type { Session } from "../../registry/session.js";

/** Parses a JSON flag (`--content`, `--metadata`). */
export function jsonFlag(context: CommandContext, key: string, spelling: string): JsonValue | undefined {
  const text = context.string(key);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new UsageError(`${spelling} must be JSON: ${(error as Error).message}`);
  }
}

/** `--content JSON` or `-f/--file PATH` (a JSON file). */
export async function contentFlag(context: CommandContext): Promise<JsonValue | undefined> {
  const file = context.string("file");
  if (file !== undefined && context.has("content")) throw new UsageError("give --content or -f/--file, not both");
  if (file === undefined) return jsonFlag(context, "content", "--content");
  let text: string;
  try {
    text = await readFile(context.path(file), "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new UsageError(`${file} must hold JSON: ${(error as Error).message}`);
  }
}

/** `--metadata JSON`, which must be an object. */
export function metadataFlag(context: CommandContext): Record<string, JsonValue> | undefined {
  const value = jsonFlag(context, "metadata", "--metadata");
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError("--metadata must be a JSON object");
  return value;
}

/** `-q`, `-s`, `--limit`, `--offset` as list options. */
export function listOptions(context: CommandContext): ListOptions {
  const options: ListOptions = {};
  const query = context.string("query");
  const sort = context.string("sort");
  const limit = context.number("limit");
  const offset = context.number("offset");
  if (query !== undefined) options.query = query;
  if (sort !== undefined) options.sort = sort;
  if (limit !== undefined) options.limit = limit;
  if (offset !== undefined) options.offset = offset;
  return options;
}

/** `NAME:KIND:PATH` (the path may hold colons: `model:model:s3://b/m.pkl`; it may be left out: `NAME:KIND`). */
export function parseArtifact(spec: string, isInput: boolean, spelling: string): RunArtifactInput {
  const first = spec.indexOf(":");
  const second = first === -1 ? -1 : spec.indexOf(":", first + 1);
  if (first <= 0) throw new UsageError(`${spelling} needs NAME:KIND:PATH, not ${JSON.stringify(spec)}`);
  const name = spec.slice(0, first);
  const kind = second === -1 ? spec.slice(first + 1) : spec.slice(first + 1, second);
  const path = second === -1 ? null : spec.slice(second + 1);
  if (kind === "") throw new UsageError(`${spelling} needs NAME:KIND:PATH, not ${JSON.stringify(spec)}`);
  return { name, kind, path: path === "" ? null : path, ...(isInput ? { isInput: true } : {}) };
}

/** Thrown after the user declined a confirmation: prints `aborted`, exit code 1. */
export class Aborted extends Error {
  override readonly name = "Aborted";
}

/**
 * Confirms a deletion: `-y` skips the question; on a terminal the user is asked; without one it refuses
 * ({@link UsageError}). Throws {@link Aborted} when the user says no.
 */
export async function confirmDelete(context: CommandContext, what: string): Promise<void> {
  if (context.bool("yes")) return;
  if (!context.io.isTTY || context.io.prompt === undefined) {
    throw new UsageError(`refusing to delete ${what} without confirmation: pass -y/--yes (standard input is not a terminal)`);
  }
  const answer = await context.io.prompt(`Delete ${what}? [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) throw new Aborted();
}

/**
 * Acting as the system principal (the CLI's default), a write into a project that does not exist
 * yet creates it first, as `init` and `push` do, and says so on stderr. Acting as a user, a missing
 * project stays `NOT_FOUND`: users create projects explicitly, with their own rights checked.
 */
export async function createProjectIfMissing(context: CommandContext, session: Session, fullName: string): Promise<void> {
  if (session.principal !== SYSTEM) return;
  try {
    await session.projects.get(fullName);
  } catch (error) {
    if (!isRegistryError(error, "NOT_FOUND")) throw error;
    const [owner = "", name = ""] = fullName.split("/");
    await session.projects.create({ owner, name });
    context.io.stderr(`created project ${fullName}\n`);
  }
}
