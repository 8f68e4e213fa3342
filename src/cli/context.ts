/**
 * What a command runs with: its parsed flags, the store (opened on first use, closed at the end),
 * the principal, the default project and the output helpers.
 * @module
 */
import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { fileStore } from "../adapters/fs/index.js";
import { createRegistry, type Registry } from "../registry/registry.js";
import type { Session } from "../registry/session.js";
import { SYSTEM, type OrgRole, type Principal } from "../domain/access.js";
import { UsageError, type FlagSpec, type FlagValue, type ParsedArgs } from "./args.js";
import { formatPage, formatRecord, type Field } from "./format.js";
import type { Page } from "../domain/records.js";
import type { CliIo, OpenStore } from "./io.js";

/** A command of the program: its words, flags, help and handler. */
export interface Command {
  /** `["models", "register"]`, `["init"]`. */
  readonly words: readonly string[];
  readonly summary: string;
  /** The part of the usage line after the words (`-p OWNER/NAME [-ver NAME]`). */
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** Extra paragraphs of help. */
  readonly details?: string;
  readonly examples: readonly string[];
  /** Names of the positional arguments it takes (none by default). */
  readonly positionals?: readonly string[];
  readonly run: (context: CommandContext) => Promise<void>;
}

/** The store's `config.json`: the default project set by `init`. */
export interface CliConfig {
  project?: string;
}

const CONFIG_FILE = "config.json";

/** The filesystem store. */
const defaultOpenStore: OpenStore = ({ dir, durability, onWarning }) => fileStore({ dir, durability, onWarning });

/** The context a command handler receives. */
export class CommandContext {
  readonly io: CliIo;
  readonly command: Command;
  readonly args: ParsedArgs;
  /** The store directory (absolute). */
  readonly storeDir: string;
  /** `--json`: print the API's return value as JSON. */
  readonly json: boolean;
  #registry: Registry | undefined;
  #config: CliConfig | undefined;

  constructor(io: CliIo, command: Command, args: ParsedArgs) {
    this.io = io;
    this.command = command;
    this.args = args;
    const dir = this.string("store") ?? nonEmpty(io.env["ARTIFACT_VERSIONS_STORE"]) ?? ".artifact-versions";
    this.storeDir = this.path(dir);
    this.json = this.bool("json");
  }

  /** Resolves a path given on the command line against the working directory. */
  path(path: string): string {
    return isAbsolute(path) ? path : resolve(this.io.cwd, path);
  }

  string(key: string): string | undefined {
    const value: FlagValue | undefined = this.args.flags.get(key);
    return typeof value === "string" ? value : undefined;
  }

  bool(key: string): boolean {
    return this.args.flags.get(key) === true;
  }

  number(key: string): number | undefined {
    const value = this.args.flags.get(key);
    return typeof value === "number" ? value : undefined;
  }

  list(key: string): string[] {
    const value = this.args.flags.get(key);
    return Array.isArray(value) ? value : [];
  }

  has(key: string): boolean {
    return this.args.flags.has(key);
  }

  /** A string flag that must be there. */
  required(key: string): string {
    const value = this.string(key);
    if (value === undefined) {
      const spec = this.command.flags.find((flag) => flag.key === key);
      throw new UsageError(`missing ${spec === undefined ? key : spec.spellings.join("/")}`);
    }
    return value;
  }

  /** The store's config (`<store>/config.json`), `{}` when there is none. */
  config(): CliConfig {
    if (this.#config !== undefined) return this.#config;
    let config: CliConfig = {};
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(this.storeDir, CONFIG_FILE), "utf8"));
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) config = parsed as CliConfig;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new UsageError(`cannot read ${join(this.storeDir, CONFIG_FILE)}: ${(error as Error).message}`);
    }
    this.#config = config;
    return config;
  }

  /** Writes the store's config atomically (temp file, rename). */
  async writeConfig(config: CliConfig): Promise<void> {
    await mkdir(this.storeDir, { recursive: true });
    const file = join(this.storeDir, CONFIG_FILE);
    const temp = join(this.storeDir, `.tmp-config-${process.pid}-${Date.now()}.json`);
    await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`);
    await rename(temp, file);
    this.#config = config;
  }

  /** The default project: `ARTIFACT_VERSIONS_PROJECT`, else the one `init` recorded. */
  defaultProject(): string | undefined {
    return nonEmpty(this.io.env["ARTIFACT_VERSIONS_PROJECT"]) ?? (typeof this.config().project === "string" ? this.config().project : undefined);
  }

  /**
   * A project named by a flag: `owner/name`, or a bare `name` under the default project's owner.
   * Without the flag: the default project (for `-p` only), else a {@link UsageError}.
   */
  project(key = "project"): string {
    const given = this.string(key);
    const spec = this.command.flags.find((flag) => flag.key === key);
    const spelled = spec === undefined ? key : spec.spellings.join("/");
    if (given === undefined) {
      const fallback = key === "project" ? this.defaultProject() : undefined;
      if (fallback === undefined) {
        throw new UsageError(`missing ${spelled} OWNER/NAME (or set a default project with \`artifact-versions init -p OWNER/NAME\` or ARTIFACT_VERSIONS_PROJECT)`);
      }
      return fallback;
    }
    if (given.includes("/")) return given;
    const owner = this.defaultProject()?.split("/")[0];
    if (owner === undefined) throw new UsageError(`${spelled} needs OWNER/NAME (there is no default project to take the owner from): ${given}`);
    return `${owner}/${given}`;
  }

  /**
   * The principal: `SYSTEM` unless `--as USER`. `--org-role ROLE` gives ROLE in the owners the command
   * names; `--org-role OWNER:ROLE` (repeatable) names the owner.
   */
  principal(owners: readonly string[]): Principal {
    const id = this.string("as");
    const roles = this.list("orgRole");
    if (id === undefined) {
      if (roles.length > 0) throw new UsageError("--org-role needs --as USER");
      return SYSTEM;
    }
    const orgs: Record<string, OrgRole> = {};
    const bare: string[] = [];
    for (const role of roles) {
      const colon = role.indexOf(":");
      if (colon === -1) bare.push(role);
      else orgs[role.slice(0, colon)] = role.slice(colon + 1) as OrgRole;
    }
    if (bare.length > 1) throw new UsageError("give one --org-role ROLE; name the owner for more (--org-role OWNER:ROLE)");
    const role = bare[0];
    if (role !== undefined) for (const owner of owners) if (!Object.hasOwn(orgs, owner)) orgs[owner] = role as OrgRole;
    return Object.keys(orgs).length === 0 ? { id } : { id, orgs };
  }

  /** True when a bare `--org-role ROLE` needs the owners of records the command only names by uuid. */
  needsOwners(): boolean {
    return this.string("as") !== undefined && this.list("orgRole").some((role) => !role.includes(":"));
  }

  /** The registry over the store, opened on first use. */
  async registry(): Promise<Registry> {
    if (this.#registry !== undefined) return this.#registry;
    const durability = this.io.env["ARTIFACT_VERSIONS_DURABILITY"] === "none" ? "none" : "full";
    const open = this.io.openStore ?? defaultOpenStore;
    const onWarning = (message: string) => this.io.stderr(`warning: ${message}\n`);
    const store = await open({ dir: this.storeDir, durability, onWarning });
    this.#registry = createRegistry({ store, onWarning });
    return this.#registry;
  }

  /** A session acting as the principal; `owners` are those a bare `--org-role` applies to. */
  async session(owners: readonly (string | undefined)[]): Promise<Session> {
    const principal = this.principal(owners.filter((owner): owner is string => owner !== undefined));
    return (await this.registry()).as(principal);
  }

  /** Closes the store if it was opened. */
  async close(): Promise<void> {
    const registry = this.#registry;
    this.#registry = undefined;
    await registry?.close();
  }

  out(text: string): void {
    this.io.stdout(text);
  }

  /** Prints `value` as JSON (`--json`), exactly as the API returned it. */
  printJson(value: unknown): void {
    if (value === undefined) return;
    this.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Prints the API's value as JSON with `--json`, else the text block. */
  print(value: unknown, fields: () => readonly Field[]): void {
    if (this.json) this.printJson(value);
    else this.io.stdout(formatRecord(fields()));
  }

  /** Prints a page of a listing as JSON with `--json`, else a table (`empty` when it has no rows) and its footer. */
  printPage<T>(page: Page<T>, offset: number, headers: readonly string[], row: (item: T) => readonly string[], empty: string): void {
    if (this.json) this.printJson(page);
    else this.io.stdout(formatPage(page, offset, headers, row, empty));
  }
}

/** The owner part of `owner/name`. */
export function ownerOf(project: string | undefined): string | undefined {
  return project?.split("/")[0];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
