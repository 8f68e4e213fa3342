/**
 * `models`, `artifacts` and `components`: one set of commands per kind, as in Polyaxon.
 * @module
 */
import { LATEST } from "../../domain/names.js";
import type { Version, VersionKind } from "../../domain/records.js";
import type { CopyInput, RegisterInput, UpdateInput } from "../../registry/versions.js";
import { UsageError, commaList } from "../args.js";
import { ownerOf, type Command, type CommandContext } from "../context.js";
import { FLAGS } from "../flags.js";
import { formatRecord, formatStageHistory, VERSION_COLUMNS, versionFields, versionRow } from "../format.js";
import { pullVersions, pushVersions } from "../exchange.js";
import { confirmDelete, contentFlag, createProjectIfMissing, listOptions, metadataFlag } from "./shared.js";

/** `owner/project:version`, `latest` when `-ver` is left out. */
function reference(context: CommandContext, project: string): string {
  return `${project}:${context.string("version") ?? LATEST}`;
}

/** register/update fields shared by both. */
async function versionFieldsFromFlags(context: CommandContext): Promise<UpdateInput> {
  const fields: UpdateInput = {};
  const description = context.string("description");
  const tags = context.string("tags");
  const artifacts = context.string("artifacts");
  const run = context.string("runUid");
  const readme = context.string("readme");
  const content = await contentFlag(context);
  const metadata = metadataFlag(context);
  if (description !== undefined) fields.description = description;
  if (tags !== undefined) fields.tags = commaList(tags);
  if (artifacts !== undefined) fields.artifacts = commaList(artifacts);
  if (run !== undefined) fields.run = run === "" || run === "none" ? null : run;
  if (readme !== undefined) fields.readme = readme;
  if (content !== undefined) fields.content = content;
  if (metadata !== undefined) fields.metadata = metadata;
  return fields;
}

function printVersion(context: CommandContext, version: Version): void {
  context.print(version, () => versionFields(version));
}

/** The commands of one kind's group (`models`, `artifacts`, `components`). */
export function versionCommands(kind: VersionKind): Command[] {
  const group = `${kind}s`;
  const api = async (context: CommandContext, owners: readonly (string | undefined)[]) => (await context.session(owners)).versions(kind);
  const example = (rest: string) => `artifact-versions ${group} ${rest}`;
  const contentFlags = [FLAGS.content, FLAGS.file];
  return [
    {
      words: [group, "ls"],
      summary: `List ${kind} versions of a project.`,
      usage: "[-p OWNER/NAME] [-q QUERY] [-s FIELDS] [--limit N] [--offset N]",
      flags: [FLAGS.project, FLAGS.query, FLAGS.sort, FLAGS.limit, FLAGS.offset],
      details: "Query fields: name, description, uuid, stage, state, run, tags, created_at, updated_at, contributors.",
      examples: [example('ls -p acme/churn -q "stage:production, tags:a|b" -s -created_at --limit 50')],
      async run(context) {
        const project = context.project();
        const options = listOptions(context);
        const page = await (await api(context, [ownerOf(project)])).list(project, options);
        context.printPage(page, options.offset ?? 0, VERSION_COLUMNS, versionRow, `no ${kind} versions`);
      },
    },
    {
      words: [group, "register"],
      summary: `Register a ${kind} version (or update it with --force).`,
      usage: "[-p OWNER/NAME] [-ver NAME] [--description TEXT] [--tags A,B] [--run-uid UUID --artifacts A,B] [--content JSON] [--force]",
      flags: [FLAGS.project, FLAGS.versionNew, FLAGS.description, FLAGS.tags, FLAGS.artifacts, FLAGS.runUid, ...contentFlags, FLAGS.readme, FLAGS.metadata, FLAGS.force],
      details:
        kind === "component"
          ? "A component version needs --content (or -f/--file); its state is a hash of the content."
          : "--artifacts names lineage artifacts of the run given by --run-uid. With --force, an existing version is updated with only the fields given.",
      examples: [
        example('register -p acme/churn --version v1 --description "first" --tags tag1,tag2 --artifacts model,env,summary --run-uid 8f2c...'),
        example('register -p acme/churn -ver v1 --force --description "re-trained"'),
      ],
      async run(context) {
        const project = context.project();
        const input: RegisterInput = { project, ...(await versionFieldsFromFlags(context)) };
        const name = context.string("version");
        if (name !== undefined) input.name = name;
        if (context.bool("force")) input.force = true;
        await createProjectIfMissing(context, await context.session([ownerOf(project)]), project);
        printVersion(context, await (await api(context, [ownerOf(project)])).register(input));
      },
    },
    {
      words: [group, "get"],
      summary: `Show a ${kind} version.`,
      usage: "[-p OWNER/NAME] [-ver NAME]",
      flags: [FLAGS.project, FLAGS.version],
      examples: [example("get -p acme/churn -ver v1")],
      async run(context) {
        const project = context.project();
        printVersion(context, await (await api(context, [ownerOf(project)])).get(reference(context, project)));
      },
    },
    {
      words: [group, "update"],
      summary: `Update fields of a ${kind} version (only those given).`,
      usage: "[-p OWNER/NAME] [-ver NAME] [-n NEW_NAME] [--description TEXT] [--tags A,B] [--run-uid UUID] [--artifacts A,B] [--content JSON]",
      flags: [FLAGS.project, FLAGS.version, { ...FLAGS.name, help: "rename the version" }, FLAGS.description, FLAGS.tags, FLAGS.artifacts, FLAGS.runUid, ...contentFlags, FLAGS.readme, FLAGS.metadata],
      details: "--tags and --artifacts replace the sets; --run-uid none unlinks the run.",
      examples: [example('update -p acme/churn -ver v1 --description "better" --tags a,b')],
      async run(context) {
        const project = context.project();
        const changes = await versionFieldsFromFlags(context);
        const name = context.string("name");
        if (name !== undefined) changes.name = name;
        if (Object.keys(changes).length === 0) throw new UsageError("nothing to update: pass -n/--name, --description, --tags, --artifacts, --run-uid, --content, --readme or --metadata");
        printVersion(context, await (await api(context, [ownerOf(project)])).update(reference(context, project), changes));
      },
    },
    {
      words: [group, "stage"],
      summary: `Move a ${kind} version to another stage.`,
      usage: "[-p OWNER/NAME] [-ver NAME] -to STAGE [--reason TEXT] [--message TEXT]",
      flags: [FLAGS.project, FLAGS.version, FLAGS.toStage, FLAGS.reason, FLAGS.message],
      details: "Default moves: testing->staging, staging->production|testing, production->staging, any->disabled, disabled->testing. Into or out of production needs admin.",
      examples: [example('stage -p acme/churn -ver v3 -to staging --reason Approved --message "signed off"')],
      async run(context) {
        const project = context.project();
        const to = context.required("to");
        const reason = context.string("reason");
        const message = context.string("message");
        const version = await (await api(context, [ownerOf(project)])).stage(reference(context, project), {
          to,
          ...(reason === undefined ? {} : { reason }),
          ...(message === undefined ? {} : { message }),
        });
        printVersion(context, version);
      },
    },
    {
      words: [group, "stages"],
      summary: `Show a ${kind} version's stage and stage history.`,
      usage: "[-p OWNER/NAME] [-ver NAME]",
      flags: [FLAGS.project, FLAGS.version],
      examples: [example("stages -p acme/churn -ver v3")],
      async run(context) {
        const project = context.project();
        const versions = await api(context, [ownerOf(project)]);
        if (context.json) {
          context.printJson(await versions.stages(reference(context, project)));
          return;
        }
        const version = await versions.get(reference(context, project));
        context.out(
          formatRecord([
            ["name", version.name],
            ["kind", version.kind],
            ["stage", version.stage],
            ["uuid", version.uuid],
          ]),
        );
        context.out(`\n${formatStageHistory(version.stageConditions)}`);
      },
    },
    {
      words: [group, "copy"],
      summary: `Copy a ${kind} version into a project, as a new version with the same run and artifacts.`,
      usage: "[-p OWNER/NAME] [-ver NAME] [-to OWNER/NAME] [-n NAME] [--description TEXT] [--tags A,B] [--content JSON] [--keep-stage] [--force]",
      flags: [
        FLAGS.project,
        FLAGS.version,
        { ...FLAGS.toProject, help: "the target project (default: the same project; it must exist)" },
        { ...FLAGS.name, help: "name of the copy (default: <version>-copy)" },
        FLAGS.description,
        FLAGS.tags,
        ...contentFlags,
        FLAGS.keepStage,
        FLAGS.force,
      ],
      details: "The copy starts again at the initial stage unless --keep-stage.",
      examples: [example("copy -p acme/churn -ver v1 -to acme/prod -n v1 --keep-stage")],
      async run(context) {
        const project = context.project();
        const toProject = context.has("toProject") ? context.project("toProject") : project;
        const input: CopyInput = { toProject };
        const name = context.string("name");
        const description = context.string("description");
        const tags = context.string("tags");
        const content = await contentFlag(context);
        if (name !== undefined) input.name = name;
        if (description !== undefined) input.description = description;
        if (tags !== undefined) input.tags = commaList(tags);
        if (content !== undefined) input.content = content;
        if (context.bool("keepStage")) input.keepStage = true;
        if (context.bool("force")) input.force = true;
        printVersion(context, await (await api(context, [ownerOf(project), ownerOf(toProject)])).copy(reference(context, project), input));
      },
    },
    {
      words: [group, "transfer"],
      summary: `Move a ${kind} version to another project of the same owner (keeps uuid, stage and lineage).`,
      usage: "[-p OWNER/NAME] [-ver NAME] -to OWNER/NAME",
      flags: [FLAGS.project, FLAGS.version, FLAGS.toProject],
      examples: [example("transfer -p acme/churn -ver v1 -to acme/archive")],
      async run(context) {
        const project = context.project();
        if (!context.has("toProject")) throw new UsageError("the destination project was not provided: pass -to/--to-project OWNER/NAME");
        const toProject = context.project("toProject");
        printVersion(context, await (await api(context, [ownerOf(project), ownerOf(toProject)])).transfer(reference(context, project), { toProject }));
      },
    },
    {
      words: [group, "delete"],
      summary: `Delete a ${kind} version.`,
      usage: "[-p OWNER/NAME] -ver NAME [-y]",
      flags: [FLAGS.project, FLAGS.versionRequired, FLAGS.yes],
      details: "Without -y it asks on a terminal and refuses when standard input is not one.",
      examples: [example("delete -p acme/churn -ver v1 -y")],
      async run(context) {
        const project = context.project();
        const ref = `${project}:${context.required("version")}`;
        const versions = await api(context, [ownerOf(project)]);
        if (!context.bool("yes")) {
          const version = await versions.get(ref);
          await confirmDelete(context, `${kind} version ${version.project}:${version.name}`);
        }
        await versions.delete(ref);
        if (!context.json) context.out(`deleted ${kind} version ${ref}\n`);
      },
    },
    {
      words: [group, "pull"],
      summary: `Write ${kind} versions to a folder as JSON (<path>/${group}/<name>/version.json plus the run's run.json).`,
      usage: "[-p OWNER/NAME] [-ver NAME | -a | -q QUERY] [--limit N] [--offset N] [--path DIR]",
      flags: [FLAGS.project, FLAGS.version, FLAGS.all, FLAGS.query, FLAGS.sort, FLAGS.limit, FLAGS.offset, FLAGS.path],
      details: "One version (-ver, default latest), or every version with -a or matching -q.",
      examples: [example("pull -p acme/churn -ver v1 --path ./export"), example('pull -p acme/churn -q "stage:production" --path ./export')],
      async run(context) {
        const project = context.project();
        await pullVersions(context, await context.session([ownerOf(project)]), kind, project);
      },
    },
    {
      words: [group, "push"],
      summary: `Import ${kind} versions from a pulled folder (runs first; missing projects are created).`,
      usage: "[-p OWNER/NAME] [-ver NAME] [--path DIR] [--force]",
      flags: [{ ...FLAGS.project, help: "import into this project instead of each record's own" }, { ...FLAGS.version, help: "only this version (default: every version in the folder)" }, FLAGS.all, FLAGS.path, { ...FLAGS.force, help: "replace versions and runs that exist" }],
      examples: [example("push --path ./export"), example("push --path ./export -p acme/churn-restored --force")],
      async run(context) {
        await pushVersions(context, kind);
      },
    },
  ];
}
