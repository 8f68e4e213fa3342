/**
 * `runs`: create, get, ls, log-artifact, promote, delete. Runs are addressed by uuid (`--run-uid`).
 * @module
 */
import type { Run, VersionKind } from "../../domain/records.js";
import { VERSION_KINDS } from "../../domain/records.js";
import type { PromoteInput, RunArtifactInput, RunCreateInput } from "../../registry/runs.js";
import type { Session } from "../../registry/session.js";
import { UsageError, commaList } from "../args.js";
import { ownerOf, type Command, type CommandContext } from "../context.js";
import { FLAGS } from "../flags.js";
import { RUN_COLUMNS, runFields, runRow, versionFields } from "../format.js";
import { SYSTEM } from "../../domain/access.js";
import { confirmDelete, listOptions, parseArtifact, createProjectIfMissing } from "./shared.js";

const example = (rest: string) => `artifact-versions runs ${rest}`;

function artifactFlags(context: CommandContext): RunArtifactInput[] {
  return [
    ...context.list("artifact").map((spec) => parseArtifact(spec, false, "--artifact")),
    ...context.list("inputArtifact").map((spec) => parseArtifact(spec, true, "--input-artifact")),
  ];
}

function printRun(context: CommandContext, run: Run): void {
  context.print(run, () => runFields(run));
}

/** `--run-uid UUID`, or the uuid as the only argument. */
function runUid(context: CommandContext): string {
  const flag = context.string("runUid");
  const positional = context.args.positionals[0];
  if (context.args.positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(context.args.positionals[1])}`);
  if (flag !== undefined && positional !== undefined) throw new UsageError("give the run's uuid once: --run-uid UUID or as the argument");
  const uuid = flag ?? positional;
  if (uuid === undefined) throw new UsageError("missing --run-uid UUID");
  return uuid;
}

/**
 * A session for a command that names a run only by uuid. A bare `--org-role ROLE` applies to the run's
 * owner, so the run's project is looked up first (the CLI reads the store directly anyway).
 */
async function sessionForRun(context: CommandContext, uuid: string, extraOwners: readonly (string | undefined)[] = []): Promise<Session> {
  if (!context.needsOwners()) return context.session(extraOwners);
  let owner: string | undefined;
  try {
    owner = ownerOf((await (await context.registry()).as(SYSTEM).runs.get(uuid)).project);
  } catch {
    owner = undefined;
  }
  return context.session([owner, ...extraOwners]);
}

function parseKind(value: string | undefined): VersionKind | undefined {
  if (value === undefined) return undefined;
  if (!(VERSION_KINDS as readonly string[]).includes(value)) throw new UsageError(`--kind must be one of ${VERSION_KINDS.join(", ")}, not ${JSON.stringify(value)}`);
  return value as VersionKind;
}

/** The `runs` group. */
export function runCommands(): Command[] {
  return [
    {
      words: ["runs", "create"],
      summary: "Record a run with its lineage artifacts; prints the run, its uuid first.",
      usage: "[-p OWNER/NAME] [-n NAME] [--status S] [--description TEXT] [--artifact NAME:KIND:PATH ...] [--input-artifact NAME:KIND:PATH ...]",
      flags: [FLAGS.project, { ...FLAGS.name, help: "run name" }, FLAGS.status, FLAGS.description, FLAGS.artifact, FLAGS.inputArtifact],
      details: "Artifact kinds include model, data, file, dir, env, metric, image, tensorboard, dockerfile, docker_image, coderef, artifact.",
      examples: [example("create -p acme/train -n exp-7 --status succeeded --artifact model:model:s3://b/model.pkl --artifact env:env:requirements.txt --input-artifact data:data:s3://b/train.csv")],
      async run(context) {
        const project = context.project();
        const input: RunCreateInput = { project, artifacts: artifactFlags(context) };
        const name = context.string("name");
        const status = context.string("status");
        const description = context.string("description");
        if (name !== undefined) input.name = name;
        if (status !== undefined) input.status = status;
        if (description !== undefined) input.description = description;
        const session = await context.session([ownerOf(project)]);
        await createProjectIfMissing(context, session, project);
        printRun(context, await session.runs.create(input));
      },
    },
    {
      words: ["runs", "get"],
      summary: "Show a run and its artifacts.",
      usage: "--run-uid UUID",
      flags: [FLAGS.runUidRequired],
      positionals: ["UUID"],
      examples: [example("get --run-uid 8f2c...")],
      async run(context) {
        const uuid = runUid(context);
        printRun(context, await (await sessionForRun(context, uuid)).runs.get(uuid));
      },
    },
    {
      words: ["runs", "ls"],
      summary: "List a project's runs.",
      usage: "[-p OWNER/NAME] [-q QUERY] [-s FIELDS] [--limit N] [--offset N]",
      flags: [FLAGS.project, FLAGS.query, FLAGS.sort, FLAGS.limit, FLAGS.offset],
      details: "Query fields: name, description, uuid, status, project, created_at, updated_at, is_promoted.",
      examples: [example('ls -p acme/train -q "status:succeeded, is_promoted:false"')],
      async run(context) {
        const project = context.project();
        const options = listOptions(context);
        const page = await (await context.session([ownerOf(project)])).runs.list(project, options);
        context.printPage(page, options.offset ?? 0, RUN_COLUMNS, runRow, "no runs");
      },
    },
    {
      words: ["runs", "log-artifact"],
      summary: "Add or replace lineage artifacts of a run (by name).",
      usage: "--run-uid UUID --artifact NAME:KIND:PATH [...] [--input-artifact NAME:KIND:PATH ...]",
      flags: [FLAGS.runUidRequired, FLAGS.artifact, FLAGS.inputArtifact],
      positionals: ["UUID"],
      details: "An artifact that a version names cannot be changed once the run is promoted (LOCKED).",
      examples: [example("log-artifact --run-uid 8f2c... --artifact summary:metric:s3://b/summary.json")],
      async run(context) {
        const uuid = runUid(context);
        const artifacts = artifactFlags(context);
        if (artifacts.length === 0) throw new UsageError("missing --artifact NAME:KIND:PATH");
        printRun(context, await (await sessionForRun(context, uuid)).runs.logArtifacts(uuid, artifacts));
      },
    },
    {
      words: ["runs", "promote"],
      summary: "Register a version from a run (marks the run promoted).",
      usage: "--run-uid UUID [-p OWNER/NAME] [--kind KIND] [-ver NAME] [--artifacts A,B] [--description TEXT] [--tags A,B] [--force]",
      flags: [
        FLAGS.runUidRequired,
        { ...FLAGS.project, help: "the registry project (default: the run's)" },
        FLAGS.kind,
        FLAGS.versionNew,
        { ...FLAGS.artifacts, help: "artifact names (default: every output artifact of the run)" },
        FLAGS.description,
        FLAGS.tags,
        FLAGS.force,
      ],
      positionals: ["UUID"],
      examples: [example("promote --run-uid 8f2c... -p acme/churn --kind model -ver m1 --artifacts model")],
      async run(context) {
        const uuid = runUid(context);
        const input: PromoteInput = {};
        const project = context.has("project") ? context.project() : undefined;
        const kind = parseKind(context.string("kind"));
        const name = context.string("version");
        const artifacts = context.string("artifacts");
        const description = context.string("description");
        const tags = context.string("tags");
        if (project !== undefined) input.project = project;
        if (kind !== undefined) input.kind = kind;
        if (name !== undefined) input.name = name;
        if (artifacts !== undefined) input.artifacts = commaList(artifacts);
        if (description !== undefined) input.description = description;
        if (tags !== undefined) input.tags = commaList(tags);
        if (context.bool("force")) input.force = true;
        const version = await (await sessionForRun(context, uuid, [ownerOf(project)])).runs.promote(uuid, input);
        context.print(version, () => versionFields(version));
      },
    },
    {
      words: ["runs", "delete"],
      summary: "Delete a run (a promoted run only with --cascade, which deletes its versions too).",
      usage: "--run-uid UUID [--cascade] [-y]",
      flags: [FLAGS.runUidRequired, { ...FLAGS.cascade, help: "also delete the versions that lock the run" }, FLAGS.yes],
      positionals: ["UUID"],
      details: "Without -y it asks on a terminal and refuses when standard input is not one.",
      examples: [example("delete --run-uid 8f2c... -y")],
      async run(context) {
        const uuid = runUid(context);
        const session = await sessionForRun(context, uuid);
        if (!context.bool("yes")) {
          const run = await session.runs.get(uuid);
          await confirmDelete(context, `run ${run.uuid}${run.name === null ? "" : ` (${run.name})`}${context.bool("cascade") ? " and the versions that lock it" : ""}`);
        }
        await session.runs.delete(uuid, context.bool("cascade") ? { cascade: true } : {});
        if (!context.json) context.out(`deleted run ${uuid}\n`);
      },
    },
  ];
}
