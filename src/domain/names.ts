import { RegistryError } from "../errors.js";

/** The characters a name may use: letters, digits, `-`, `_` and `.` (Polyaxon's slug rule). */
export const NAME_PATTERN = /^[-a-zA-Z0-9_.]+$/;

/** The longest name accepted. */
export const NAME_MAX_LENGTH = 128;

/** The version name that always means "the newest created"; it cannot be registered. */
export const LATEST = "latest";

/** A project reference split into its parts. */
export interface ProjectRef {
  /** The owner slug. */
  readonly owner: string;
  /** The project's name within its owner. */
  readonly name: string;
  /** `owner/name`. */
  readonly fullName: string;
}

/** A version reference split into its parts. `version` is `"latest"` when the reference named none. */
export interface VersionRef {
  /** The project part of the reference. */
  readonly project: ProjectRef;
  /** The version name, or `"latest"` when the reference named none. */
  readonly version: string;
}

/** Why `name` is not a valid slug, or `undefined` when it is. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return "must not be empty";
  if (name.length > NAME_MAX_LENGTH) return `must be at most ${NAME_MAX_LENGTH} characters (got ${name.length})`;
  if (!NAME_PATTERN.test(name)) return "may only contain letters, digits, '-', '_' and '.'";
  if (/^\.+$/.test(name)) return "must not consist of dots only";
  return undefined;
}

/** True when `name` is a valid slug (owner, project, version, run or artifact name). */
export function isValidName(name: string): boolean {
  return nameProblem(name) === undefined;
}

/** Why `value` is not a project's full name (`owner/name`, both slugs), or `undefined` when it is. */
export function projectFullNameProblem(value: string): string | undefined {
  // Calls name the same few projects over and over: the last valid name is answered without the patterns.
  if (value === lastValidProjectFullName) return undefined;
  const parts = value.split("/");
  const problem = parts.length !== 2 ? 'expected "owner/name"' : (nameProblem(parts[0] ?? "") ?? nameProblem(parts[1] ?? ""));
  if (problem === undefined) lastValidProjectFullName = value;
  return problem;
}

let lastValidProjectFullName: string | undefined;

/** Why `name` cannot name a version (a slug, and not the reserved `latest`), or `undefined`. */
export function versionNameProblem(name: string): string | undefined {
  return nameProblem(name) ?? (name === LATEST ? `"${LATEST}" is reserved: it always means the newest version` : undefined);
}

function invalid(what: string, input: string, problem: string): RegistryError {
  return new RegistryError("VALIDATION", `Invalid ${what} ${JSON.stringify(input)}: ${problem}.`, {
    issues: [{ path: [what], message: problem }],
    input,
  });
}

/**
 * Parses `owner/name` into a {@link ProjectRef}.
 * @throws RegistryError `VALIDATION` when the reference is malformed.
 */
export function parseProjectRef(input: string): ProjectRef {
  const parts = input.split("/");
  if (parts.length !== 2) throw invalid("project", input, 'expected "owner/name"');
  const [owner = "", name = ""] = parts;
  const problem = nameProblem(owner) ?? nameProblem(name);
  if (problem !== undefined) throw invalid("project", input, `${nameProblem(owner) !== undefined ? "owner" : "name"} ${problem}`);
  return { owner, name, fullName: `${owner}/${name}` };
}

/**
 * Parses `owner/project[:version]` into a {@link VersionRef}; without `:version` it means `latest`.
 * @throws RegistryError `VALIDATION` when the reference is malformed.
 */
export function parseVersionRef(input: string): VersionRef {
  const colon = input.indexOf(":");
  const projectPart = colon === -1 ? input : input.slice(0, colon);
  const version = colon === -1 ? LATEST : input.slice(colon + 1);
  const project = parseProjectRef(projectPart);
  if (version !== LATEST) {
    const problem = nameProblem(version);
    if (problem !== undefined) throw invalid("version reference", input, `version ${problem}`);
  }
  return { project, version };
}

/**
 * Parses an owner (`acme`) or a project (`acme/churn`) for listing.
 * @throws RegistryError `VALIDATION` when the scope is malformed.
 */
export function parseListScope(input: string): { readonly owner: string; readonly project?: ProjectRef } {
  if (!input.includes("/")) {
    const problem = nameProblem(input);
    if (problem !== undefined) throw invalid("owner", input, problem);
    return { owner: input };
  }
  const project = parseProjectRef(input);
  return { owner: project.owner, project };
}

/** `owner/project:version`. */
export function formatVersionRef(project: string, version: string): string {
  return `${project}:${version}`;
}
