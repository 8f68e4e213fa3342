/**
 * `pull` and `push`: versions to and from a folder of JSON files.
 *
 * Layout: `<path>/<kind>s/<name>/version.json` (the record exactly as `get()` returns it) and, when the
 * version locks a run, `<path>/<kind>s/<name>/run.json` (the run with its lineage artifacts, as
 * `runs.get()` returns it). `push` imports runs first, then versions in their creation order, so
 * `latest` and stage histories come back as they were.
 * @module
 */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RegistryError } from "../errors.js";
import { LATEST } from "../domain/names.js";
import type { Run, Version, VersionKind } from "../domain/records.js";
import type { Session } from "../registry/session.js";
import { UsageError } from "./args.js";
import { ownerOf, type CommandContext } from "./context.js";
import { listOptions } from "./commands/shared.js";

const VERSION_FILE = "version.json";
const RUN_FILE = "run.json";
const PAGE = 1000;

async function writeJson(file: string, value: unknown): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temp, file);
}

/** The versions `pull` selects: one (`-ver`, default latest), or all (`-a`) / all matching `-q`, paged through. */
async function selectVersions(context: CommandContext, session: Session, kind: VersionKind, project: string): Promise<Version[]> {
  const api = session.versions(kind);
  const many = context.bool("all") || context.has("query");
  if (!many) {
    if (context.has("limit") || context.has("offset") || context.has("sort")) throw new UsageError("--limit, --offset and -s apply with -a or -q");
    return [await api.get(`${project}:${context.string("version") ?? LATEST}`)];
  }
  if (context.has("version")) throw new UsageError("give -ver for one version, or -a/-q for many, not both");
  const options = listOptions(context);
  const wanted = options.limit ?? Infinity;
  const versions: Version[] = [];
  let offset = options.offset ?? 0;
  while (versions.length < wanted) {
    const limit = Math.min(PAGE, wanted - versions.length);
    const page = await api.list(project, { ...options, sort: options.sort ?? "sequence", limit, offset });
    versions.push(...page.results);
    if (page.next === null || page.results.length === 0) break;
    offset = page.next.offset;
  }
  return versions;
}

/** `pull`: writes the selected versions and their runs under `--path`. */
export async function pullVersions(context: CommandContext, session: Session, kind: VersionKind, project: string): Promise<void> {
  const versions = await selectVersions(context, session, kind, project);
  const root = context.path(context.string("path") ?? ".");
  const runs = new Map<string, Run | undefined>();
  for (const version of versions) {
    const folder = join(root, `${kind}s`, version.name);
    await mkdir(folder, { recursive: true });
    await writeJson(join(folder, VERSION_FILE), version);
    if (!context.json) context.out(`pulled ${kind} version ${version.project}:${version.name} -> ${folder}\n`);
    if (version.run === null) continue;
    if (!runs.has(version.run)) {
      try {
        runs.set(version.run, await session.runs.get(version.run));
      } catch (error) {
        if (!(error instanceof RegistryError && error.code === "NOT_FOUND")) throw error;
        context.io.stderr(`warning: run ${version.run} of ${version.project}:${version.name} is not readable; ${RUN_FILE} not written\n`);
        runs.set(version.run, undefined);
      }
    }
    const run = runs.get(version.run);
    if (run !== undefined) await writeJson(join(folder, RUN_FILE), run);
  }
  if (context.json) context.printJson(versions);
  else if (versions.length === 0) context.out(`no ${kind} versions matched\n`);
}

interface PulledVersion {
  readonly folder: string;
  readonly version: Record<string, unknown>;
  readonly run: Record<string, unknown> | undefined;
}

async function readJsonObject(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError(`${file} must hold a JSON object`);
  return value as Record<string, unknown>;
}

/** Reads `<path>/<kind>s/*` in creation order (`sequence`, then `createdAt`). */
async function readPulled(root: string, kind: VersionKind, only: string | undefined): Promise<PulledVersion[]> {
  const base = join(root, `${kind}s`);
  let names: string[];
  try {
    names = (await readdir(base, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new UsageError(`nothing to push: ${base} does not exist (pull into --path first)`);
    throw error;
  }
  const pulled: PulledVersion[] = [];
  for (const name of names.sort()) {
    const folder = join(base, name);
    const version = await readJsonObject(join(folder, VERSION_FILE));
    if (version === undefined) continue;
    if (only !== undefined && version["name"] !== only && name !== only) continue;
    pulled.push({ folder, version, run: await readJsonObject(join(folder, RUN_FILE)) });
  }
  const order = (item: PulledVersion) => (typeof item.version["sequence"] === "number" ? item.version["sequence"] : Number.MAX_SAFE_INTEGER);
  const created = (item: PulledVersion) => String(item.version["createdAt"] ?? "");
  pulled.sort((a, b) => order(a) - order(b) || (created(a) < created(b) ? -1 : created(a) > created(b) ? 1 : 0));
  if (only !== undefined && pulled.length === 0) throw new UsageError(`no ${kind} version ${only} under ${base}`);
  return pulled;
}

/** `push`: imports runs (once each), then versions; creates missing projects. */
export async function pushVersions(context: CommandContext, kind: VersionKind): Promise<void> {
  const root = context.path(context.string("path") ?? ".");
  const pulled = await readPulled(root, kind, context.string("version"));
  const target = context.has("project") ? context.project() : undefined;
  const force = context.bool("force");
  const owners = new Set<string>();
  if (target !== undefined) owners.add(ownerOf(target)!);
  for (const item of pulled) {
    for (const project of [item.version["project"], item.run?.["project"]]) if (typeof project === "string") owners.add(ownerOf(project)!);
  }
  const session = await context.session([...owners]);
  const ensured = new Set<string>();
  const ensureProject = async (fullName: unknown) => {
    if (typeof fullName !== "string" || ensured.has(fullName)) return;
    ensured.add(fullName);
    try {
      await session.projects.get(fullName);
    } catch (error) {
      if (!(error instanceof RegistryError && error.code === "NOT_FOUND")) throw error;
      const [owner = "", name = ""] = fullName.split("/");
      await session.projects.create({ owner, name });
      if (!context.json) context.out(`created project ${fullName}\n`);
    }
  };
  const pushedRuns = new Set<string>();
  const imported: Version[] = [];
  for (const item of pulled) {
    const run = item.run;
    if (run !== undefined && typeof run["uuid"] === "string" && !pushedRuns.has(run["uuid"])) {
      pushedRuns.add(run["uuid"]);
      await ensureProject(run["project"]);
      let exists = false;
      try {
        await session.runs.get(run["uuid"]);
        exists = true;
      } catch (error) {
        if (!(error instanceof RegistryError && error.code === "NOT_FOUND")) throw error;
      }
      if (!exists || force) await session.runs.import(run, force ? { force: true } : {});
    }
    await ensureProject(target ?? item.version["project"]);
    const version = await session.versions(kind).import(item.version, { ...(target === undefined ? {} : { project: target }), ...(force ? { force: true } : {}) });
    imported.push(version);
    if (!context.json) context.out(`pushed ${kind} version ${version.project}:${version.name} (${version.uuid})\n`);
  }
  if (context.json) context.printJson(imported);
  else if (imported.length === 0) context.out(`no ${kind} versions under ${join(root, `${kind}s`)}\n`);
}
