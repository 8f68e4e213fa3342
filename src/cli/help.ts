import type { FlagSpec } from "./args.js";
import type { Command } from "./context.js";
import { GLOBAL_FLAGS } from "./flags.js";

const PROGRAM = "artifact-versions";

function flagLines(flags: readonly FlagSpec[]): string[] {
  const left = flags.map((flag) => `  ${flag.spellings.join(", ")}${flag.value === undefined ? "" : ` ${flag.value}`}`);
  const width = Math.max(...left.map((text) => text.length));
  return flags.map((flag, index) => `${left[index]!.padEnd(width)}  ${flag.help}`);
}

/** Help of one command: usage, summary, flags, global flags, details, examples. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: ${PROGRAM} ${command.words.join(" ")} ${command.usage}`.trimEnd(), "", command.summary];
  if (command.details !== undefined) lines.push("", command.details);
  if (command.flags.length > 0) lines.push("", "Flags:", ...flagLines(command.flags));
  lines.push("", "Global flags:", ...flagLines(GLOBAL_FLAGS));
  lines.push("", "Examples:", ...command.examples.map((example) => `  ${example}`));
  return `${lines.join("\n")}\n`;
}

function commandList(commands: readonly Command[], words: (command: Command) => string): string[] {
  const names = commands.map(words);
  const width = Math.max(...names.map((name) => name.length));
  return commands.map((command, index) => `  ${names[index]!.padEnd(width)}  ${command.summary}`);
}

/** Help of a group: its commands. */
export function groupHelp(group: string, commands: readonly Command[]): string {
  const lines = [
    `Usage: ${PROGRAM} ${group} COMMAND [flags]`,
    "",
    "Commands:",
    ...commandList(commands, (command) => command.words.slice(1).join(" ")),
    "",
    `Run \`${PROGRAM} ${group} COMMAND --help\` for a command's flags.`,
  ];
  return `${lines.join("\n")}\n`;
}

/** Help of the program: groups, global flags, environment. */
export function programHelp(groups: ReadonlyMap<string, readonly Command[]>, init: Command): string {
  const groupLines = [...groups.entries()].map(([group, commands]) => `  ${group.padEnd(11)}  ${commands.map((command) => command.words[1]).join(", ")}`);
  const lines = [
    `Usage: ${PROGRAM} GROUP COMMAND [flags]   (alias: artv)`,
    "",
    "A registry of versioned models, artifacts and components, with stages, lineage and access control.",
    "",
    "Groups:",
    ...groupLines,
    `  ${"init".padEnd(11)}  ${init.summary}`,
    "",
    "Global flags:",
    ...flagLines(GLOBAL_FLAGS),
    "  --version           print the program's version (alone, before any group)",
    "",
    "Environment:",
    "  ARTIFACT_VERSIONS_STORE       store directory (default ./.artifact-versions)",
    "  ARTIFACT_VERSIONS_PROJECT     default project (else the one `init` set)",
    "  ARTIFACT_VERSIONS_DURABILITY  `none` skips fsync (throwaway stores, tests)",
    "",
    "Examples:",
    `  ${PROGRAM} init -p acme/churn`,
    `  ${PROGRAM} artifacts register -p acme/churn --version v1 --description "first" --tags tag1,tag2`,
    `  ${PROGRAM} artifacts get -ver v1`,
    `  ${PROGRAM} models stage -p acme/churn -ver v3 -to staging --reason Approved --message "signed off"`,
    "",
    `Run \`${PROGRAM} GROUP --help\` for a group's commands. Docs: docs/cli.md.`,
  ];
  return `${lines.join("\n")}\n`;
}
