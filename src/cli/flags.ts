import type { FlagSpec } from "./args.js";

/** Flags every command takes. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { key: "store", spellings: ["--store"], type: "string", value: "DIR", help: "store directory (default: $ARTIFACT_VERSIONS_STORE, else ./.artifact-versions)" },
  { key: "as", spellings: ["--as"], type: "string", value: "USER", help: "act as this user instead of the system principal" },
  { key: "orgRole", spellings: ["--org-role"], type: "list", value: "[OWNER:]ROLE", help: "the --as user's org role (owner, manager, admin, member, viewer, billing, outsider); repeatable" },
  { key: "json", spellings: ["--json"], type: "boolean", help: "print the API's return value as JSON" },
  { key: "help", spellings: ["-h", "--help"], type: "boolean", help: "show this help" },
];

const flag = (key: string, spellings: string[], type: FlagSpec["type"], help: string, value?: string): FlagSpec =>
  value === undefined ? { key, spellings, type, help } : { key, spellings, type, help, value };

/** Flags shared by several commands, by name. */
export const FLAGS = {
  project: flag("project", ["-p", "--project"], "string", "the project (default: $ARTIFACT_VERSIONS_PROJECT, else the one `init` set)", "OWNER/NAME"),
  version: flag("version", ["-ver", "--version"], "string", "the version name (default: latest)", "NAME"),
  versionRequired: flag("version", ["-ver", "--version"], "string", "the version name", "NAME"),
  versionNew: flag("version", ["-ver", "--version"], "string", "the version name (default: the next free v<N>)", "NAME"),
  description: flag("description", ["--description"], "string", "description", "TEXT"),
  tags: flag("tags", ["--tags"], "string", "comma list of tags (replaces the set)", "A,B"),
  artifacts: flag("artifacts", ["--artifacts"], "string", "comma list of the run's lineage artifact names", "A,B"),
  runUid: flag("runUid", ["--run-uid"], "string", "uuid of the run to lock (lineage)", "UUID"),
  content: flag("content", ["--content"], "string", "content as JSON", "JSON"),
  file: flag("file", ["-f", "--file"], "string", "read the content (JSON) from a file", "PATH"),
  readme: flag("readme", ["--readme"], "string", "readme text", "TEXT"),
  metadata: flag("metadata", ["--metadata"], "string", "metadata as a JSON object", "JSON"),
  force: flag("force", ["--force"], "boolean", "overwrite an existing version of that name"),
  name: flag("name", ["-n", "--name"], "string", "name", "NAME"),
  toStage: flag("to", ["-to", "--to"], "string", "the stage to move to (testing, staging, production, disabled)", "STAGE"),
  toProject: flag("toProject", ["-to", "--to-project"], "string", "the target project", "OWNER/NAME"),
  reason: flag("reason", ["--reason"], "string", "reason of the stage change (CamelCase)", "TEXT"),
  message: flag("message", ["--message"], "string", "message of the stage change", "TEXT"),
  keepStage: flag("keepStage", ["--keep-stage"], "boolean", "keep the source's stage and stage history"),
  query: flag("query", ["-q", "--query"], "string", "filter, e.g. \"stage:production, tags:a|b\"", "QUERY"),
  sort: flag("sort", ["-s", "--sort"], "string", "sort fields, - for descending (default -updated_at)", "FIELDS"),
  limit: flag("limit", ["-l", "--limit"], "number", "page size, 0..1000 (default 20)", "N"),
  offset: flag("offset", ["-off", "--offset"], "number", "skip this many", "N"),
  yes: flag("yes", ["-y", "--yes"], "boolean", "do not ask for confirmation"),
  cascade: flag("cascade", ["--cascade"], "boolean", "also delete what it holds or what locks it"),
  path: flag("path", ["--path"], "string", "folder to write to / read from (default: .)", "DIR"),
  all: flag("all", ["-a", "--all-versions"], "boolean", "every version (matching -q)"),
  publicVisibility: flag("public", ["--public"], "boolean", "readable by everyone"),
  privateVisibility: flag("private", ["--private"], "boolean", "readable by the owner's members and grants (default)"),
  status: flag("status", ["--status"], "string", "run status (running, succeeded, failed, ...)", "STATUS"),
  artifact: flag("artifact", ["--artifact"], "list", "an output artifact NAME:KIND:PATH; repeatable", "NAME:KIND:PATH"),
  inputArtifact: flag("inputArtifact", ["--input-artifact"], "list", "an input artifact NAME:KIND:PATH; repeatable", "NAME:KIND:PATH"),
  runUidRequired: flag("runUid", ["--run-uid", "--uid"], "string", "the run's uuid", "UUID"),
  kind: flag("kind", ["--kind"], "string", "version kind: model, artifact or component (default artifact)", "KIND"),
  owner: flag("owner", ["--owner"], "string", "only this owner's projects", "OWNER"),
} satisfies Record<string, FlagSpec>;
