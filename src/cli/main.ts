/**
 * The command-line program `artifact-versions` (alias `artv`): Polyaxon's `models|artifacts|components`
 * commands, plus `projects`, `runs` and `init`, over the public API and the filesystem store.
 *
 * `main(argv, io)` runs one command line and resolves the exit code: 0 on success, 1 for a registry error
 * (`error [CODE]: message`), 2 for a usage error (`error [USAGE]: message` and the command's help).
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RegistryError } from "../errors.js";
import { VERSION_KINDS } from "../domain/records.js";
import { GLOBAL_FLAGS } from "./flags.js";
import { parseArgs, suggest, UsageError } from "./args.js";
import { CommandContext, type Command } from "./context.js";
import { versionCommands } from "./commands/versions.js";
import { initCommand, projectCommands } from "./commands/projects.js";
import { runCommands } from "./commands/runs.js";
import { Aborted } from "./commands/shared.js";
import { commandHelp, groupHelp, programHelp } from "./help.js";
import type { CliIo } from "./io.js";

export type { CliIo, OpenStore, Durability } from "./io.js";

const GROUPS: ReadonlyMap<string, readonly Command[]> = new Map<string, readonly Command[]>([
  ...VERSION_KINDS.map((kind) => [`${kind}s`, versionCommands(kind)] as const),
  ["projects", projectCommands()],
  ["runs", runCommands()],
]);
const INIT = initCommand();

/** Every command of the program (for docs and tests). */
export const COMMANDS: readonly Command[] = [...[...GROUPS.values()].flat(), INIT];

/** The package's version, read from its package.json (found by walking up from this file). */
export function programVersion(): string {
  let dir: string;
  try {
    dir = dirname(fileURLToPath(import.meta.url));
  } catch {
    dir = typeof __dirname === "string" ? __dirname : process.cwd();
  }
  for (let depth = 0; depth < 5; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "artifact-versions" && typeof manifest.version === "string") return manifest.version;
    } catch {
      // not here: look one folder up
    }
    dir = dirname(dir);
  }
  return "unknown";
}

const VALUE_GLOBALS = new Set(GLOBAL_FLAGS.filter((flag) => flag.type !== "boolean").flatMap((flag) => flag.spellings));

/** Splits `[global flags] GROUP [COMMAND] rest`; global flags before the group are kept for the command's parse. */
function splitWords(argv: readonly string[]): { leading: string[]; words: string[]; rest: string[] } {
  const leading: string[] = [];
  let index = 0;
  while (index < argv.length && argv[index]!.startsWith("-") && argv[index] !== "--") {
    const token = argv[index]!;
    leading.push(token);
    index += 1;
    if (VALUE_GLOBALS.has(token) && index < argv.length) {
      leading.push(argv[index]!);
      index += 1;
    }
  }
  const words: string[] = [];
  const group = argv[index];
  if (group !== undefined) {
    words.push(group);
    index += 1;
    const command = argv[index];
    if (group !== "init" && command !== undefined && !command.startsWith("-")) {
      words.push(command);
      index += 1;
    }
  }
  return { leading, words, rest: argv.slice(index) };
}

function usage(io: CliIo, message: string, help: string): number {
  io.stderr(`error [USAGE]: ${message}\n\n${help}`);
  return 2;
}

function isHelp(token: string): boolean {
  return token === "-h" || token === "--help";
}

/**
 * Runs one command line (`argv` without the program name) and resolves its exit code.
 * @example
 * ```ts
 * const code = await main(["artifacts", "get", "-p", "acme/churn", "-ver", "v1"], io);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const { leading, words, rest } = splitWords(argv);
  const program = programHelp(GROUPS, INIT);
  const [group, name] = words;
  if (group === undefined) {
    if (leading.length === 1 && (leading[0] === "--version" || leading[0] === "-V")) {
      io.stdout(`${programVersion()}\n`);
      return 0;
    }
    if (leading.some(isHelp)) {
      io.stdout(program);
      return 0;
    }
    return usage(io, leading.length === 0 ? "missing a command" : `unexpected ${leading.join(" ")} without a command`, program);
  }
  let command: Command | undefined;
  if (group === "init") {
    command = INIT;
  } else {
    const commands = GROUPS.get(group);
    if (commands === undefined) {
      const hint = suggest(group, [...GROUPS.keys(), "init"]);
      return usage(io, `unknown command ${group}${hint === undefined ? "" : ` (did you mean ${hint}?)`}`, program);
    }
    const help = groupHelp(group, commands);
    if (name === undefined) {
      if (rest.some(isHelp) || leading.some(isHelp)) {
        io.stdout(help);
        return 0;
      }
      return usage(io, `missing a ${group} command`, help);
    }
    command = commands.find((candidate) => candidate.words[1] === name);
    if (command === undefined) {
      const hint = suggest(name, commands.map((candidate) => candidate.words[1]!));
      return usage(io, `unknown ${group} command ${name}${hint === undefined ? "" : ` (did you mean ${hint}?)`}`, help);
    }
  }
  const help = commandHelp(command);
  let context: CommandContext;
  try {
    const args = parseArgs([...leading, ...rest], [...command.flags, ...GLOBAL_FLAGS]);
    if (args.flags.get("help") === true) {
      io.stdout(help);
      return 0;
    }
    const extra = args.positionals[command.positionals?.length ?? 0];
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
    context = new CommandContext(io, command, args);
  } catch (error) {
    if (error instanceof UsageError) return usage(io, error.message, help);
    throw error;
  }
  let code = 0;
  try {
    await command.run(context);
  } catch (error) {
    code = report(io, error, help);
  }
  try {
    await context.close();
  } catch (error) {
    if (code === 0) code = report(io, error, help);
  }
  return code;
}

function report(io: CliIo, error: unknown, help: string): number {
  if (error instanceof UsageError) return usage(io, error.message, help);
  if (error instanceof Aborted) {
    io.stderr("aborted\n");
    return 1;
  }
  if (error instanceof RegistryError) {
    io.stderr(`error [${error.code}]: ${error.message}\n`);
    const project = error.details["project"];
    if (error.code === "NOT_FOUND" && typeof project === "string" && Object.keys(error.details).length === 1) {
      io.stderr(`hint: create it with \`artifact-versions projects create -p ${project}\`, or check --as/--org-role\n`);
    }
    return 1;
  }
  io.stderr(`error [INTERNAL]: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
