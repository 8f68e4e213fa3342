/**
 * `projects` and `init`.
 * @module
 */
import { RegistryError } from "../../errors.js";
import type { Project } from "../../domain/records.js";
import type { ProjectCreateInput, ProjectUpdateInput } from "../../registry/projects.js";
import { UsageError } from "../args.js";
import { ownerOf, type Command, type CommandContext } from "../context.js";
import { FLAGS } from "../flags.js";
import { PROJECT_COLUMNS, projectFields, projectRow } from "../format.js";
import { confirmDelete, listOptions } from "./shared.js";

function splitProject(fullName: string): { owner: string; name: string } {
  const slash = fullName.indexOf("/");
  return { owner: fullName.slice(0, slash), name: fullName.slice(slash + 1) };
}

function visibility(context: CommandContext): Pick<ProjectCreateInput, "visibility"> {
  if (context.bool("public") && context.bool("private")) throw new UsageError("give --public or --private, not both");
  if (context.bool("public")) return { visibility: "public" };
  if (context.bool("private")) return { visibility: "private" };
  return {};
}

/** `--description` and `--public`/`--private`: the fields create and update share. */
function descriptionAndVisibility(context: CommandContext): ProjectUpdateInput {
  const description = context.string("description");
  return { ...visibility(context), ...(description === undefined ? {} : { description }) };
}

function printProject(context: CommandContext, project: Project): void {
  context.print(project, () => projectFields(project));
}

const example = (rest: string) => `artifact-versions projects ${rest}`;

/** `projects create|get|ls|update|delete`. */
export function projectCommands(): Command[] {
  return [
    {
      words: ["projects", "create"],
      summary: "Create a project (private unless --public).",
      usage: "-p OWNER/NAME [--description TEXT] [--public | --private]",
      flags: [FLAGS.project, FLAGS.description, FLAGS.publicVisibility, FLAGS.privateVisibility],
      examples: [example('create -p acme/churn --description "churn models" --public')],
      async run(context) {
        const fullName = context.project();
        const input: ProjectCreateInput = { ...splitProject(fullName), ...descriptionAndVisibility(context) };
        printProject(context, await (await context.session([ownerOf(fullName)])).projects.create(input));
      },
    },
    {
      words: ["projects", "get"],
      summary: "Show a project.",
      usage: "[-p OWNER/NAME]",
      flags: [FLAGS.project],
      examples: [example("get -p acme/churn")],
      async run(context) {
        const fullName = context.project();
        printProject(context, await (await context.session([ownerOf(fullName)])).projects.get(fullName));
      },
    },
    {
      words: ["projects", "ls"],
      summary: "List the projects you may read (of one owner with --owner).",
      usage: "[--owner OWNER] [-q QUERY] [-s FIELDS] [--limit N] [--offset N]",
      flags: [FLAGS.owner, FLAGS.query, FLAGS.sort, FLAGS.limit, FLAGS.offset],
      details: "Query fields: name, owner, description, visibility, created_at, updated_at. Default sort: name.",
      examples: [example("ls --owner acme -q visibility:public")],
      async run(context) {
        const owner = context.string("owner");
        const options = listOptions(context);
        const page = await (await context.session([owner ?? ownerOf(context.defaultProject())])).projects.list(owner, options);
        context.printPage(page, options.offset ?? 0, PROJECT_COLUMNS, projectRow, "no projects");
      },
    },
    {
      words: ["projects", "update"],
      summary: "Update a project's description or visibility.",
      usage: "[-p OWNER/NAME] [--description TEXT] [--public | --private]",
      flags: [FLAGS.project, FLAGS.description, FLAGS.publicVisibility, FLAGS.privateVisibility],
      examples: [example('update -p acme/churn --description "churn models, v2 pipeline" --private')],
      async run(context) {
        const fullName = context.project();
        const changes = descriptionAndVisibility(context);
        if (Object.keys(changes).length === 0) throw new UsageError("nothing to update: pass --description, --public or --private");
        printProject(context, await (await context.session([ownerOf(fullName)])).projects.update(fullName, changes));
      },
    },
    {
      words: ["projects", "delete"],
      summary: "Delete a project (with --cascade, also its versions and runs).",
      usage: "-p OWNER/NAME [--cascade] [-y]",
      flags: [FLAGS.project, { ...FLAGS.cascade, help: "also delete its versions and runs" }, FLAGS.yes],
      details: "Without -y it asks on a terminal and refuses when standard input is not one.",
      examples: [example("delete -p acme/churn --cascade -y")],
      async run(context) {
        const fullName = context.project();
        const session = await context.session([ownerOf(fullName)]);
        if (!context.bool("yes")) {
          await session.projects.get(fullName);
          await confirmDelete(context, `project ${fullName}${context.bool("cascade") ? " with its versions and runs" : ""}`);
        }
        await session.projects.delete(fullName, context.bool("cascade") ? { cascade: true } : {});
        if (!context.json) context.out(`deleted project ${fullName}\n`);
      },
    },
  ];
}

/** `init`: records the default project in `<store>/config.json` and creates the project when missing. */
export function initCommand(): Command {
  return {
    words: ["init"],
    summary: "Set the default project of a store (created when missing), so -p can be left out.",
    usage: "-p OWNER/NAME [--store DIR]",
    flags: [{ ...FLAGS.project, help: "the default project (or $ARTIFACT_VERSIONS_PROJECT)" }],
    details: "Writes <store>/config.json. ARTIFACT_VERSIONS_PROJECT, when set, wins over it.",
    examples: ["artifact-versions init -p acme/churn", "artifact-versions artifacts get -ver v1"],
    async run(context) {
      const fullName = context.has("project") ? context.project() : context.io.env["ARTIFACT_VERSIONS_PROJECT"];
      if (fullName === undefined || fullName === "") throw new UsageError("missing -p/--project OWNER/NAME");
      if (!fullName.includes("/")) throw new UsageError(`-p/--project needs OWNER/NAME: ${fullName}`);
      const session = await context.session([ownerOf(fullName)]);
      let project: Project;
      let created = false;
      try {
        project = await session.projects.get(fullName);
      } catch (error) {
        if (!(error instanceof RegistryError && error.code === "NOT_FOUND")) throw error;
        project = await session.projects.create(splitProject(fullName));
        created = true;
      }
      await context.writeConfig({ ...context.config(), project: project.fullName });
      if (context.json) context.printJson(project);
      else context.out(`default project ${project.fullName}${created ? " (created)" : ""} in ${context.storeDir}\n`);
    },
  };
}
