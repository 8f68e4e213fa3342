import { z } from "zod";
import { RegistryError } from "../errors.js";
import type { JsonObject, JsonValue } from "./json.js";
import { plainJsonCopy } from "./json-copy.js";
import { nameProblem, projectFullNameProblem, versionNameProblem } from "./names.js";
import { VERSION_KINDS } from "./records.js";
import { stageConditionSchema } from "./stages.js";

/** Size limits on inputs (DESIGN §5.42); every one is configurable in `createRegistry({ limits })`. */
export interface Limits {
  /** Characters in a description. */
  readonly description: number;
  /** Characters in a readme. */
  readonly readme: number;
  /** Bytes of JSON in `content`. */
  readonly content: number;
  /** Bytes of JSON in `metadata`. */
  readonly metadata: number;
  /** Tags on one version. */
  readonly tags: number;
  /** Artifacts on one run. */
  readonly artifacts: number;
}

/** The default {@link Limits}. */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  description: 10_000,
  readme: 1_000_000,
  content: 1_000_000,
  metadata: 1_000_000,
  tags: 100,
  artifacts: 1_000,
});

/** The longest tag. */
export const TAG_MAX_LENGTH = 64;
/** The longest run uuid a version links, and the longest artifact name. */
export const REFERENCE_MAX_LENGTH = 256;
const slug = z.string().superRefine((value, context) => {
  const problem = nameProblem(value);
  if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
});

const versionName = z.string().superRefine((value, context) => {
  const problem = versionNameProblem(value);
  if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
});

const projectFullName = z.string().superRefine((value, context) => {
  const problem = projectFullNameProblem(value);
  if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
});

// Input JSON is checked and copied in one walk: the parsed input holds frozen copies, never the caller's objects.
const json = (maxBytes: number) =>
  z.custom<JsonValue>().transform((value, context) => {
    const result = plainJsonCopy(value, maxBytes);
    if (result.ok) return result.value;
    context.addIssue({ code: "custom", message: `value ${result.problem}` });
    return z.NEVER;
  });

const jsonObject = (maxBytes: number) =>
  z.custom<JsonObject>().transform((value, context) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      context.addIssue({ code: "custom", message: `expected an object, received ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}` });
      return z.NEVER;
    }
    const result = plainJsonCopy(value, maxBytes);
    if (result.ok) return result.value as JsonObject;
    context.addIssue({ code: "custom", message: `value ${result.problem}` });
    return z.NEVER;
  });

const teamRole = z.enum(["admin", "contributor", "member", "viewer"]);
const revision = z.number().int().min(1);

/** Drops duplicate tags, keeping the first occurrence's order (DESIGN §5.4). */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}

/** Builds every input schema for the given limits. */
export function createInputSchemas(limits: Limits) {
  const description = z.string().max(limits.description).nullable();
  const tags = z
    .array(z.string().min(1, "a tag must not be empty").max(TAG_MAX_LENGTH))
    .max(limits.tags)
    .transform(normalizeTags);
  const access = z.strictObject({
    users: z.record(z.string().min(1), teamRole).optional(),
    teams: z.array(slug).optional(),
  });
  const artifactNames = z.array(z.string().min(1).max(REFERENCE_MAX_LENGTH)).max(limits.artifacts).transform(normalizeTags);
  const runArtifact = z.strictObject({
    name: z.string().min(1).max(256),
    kind: z.string().min(1).max(64),
    path: z.string().max(4096).nullable().optional(),
    summary: jsonObject(limits.metadata).optional(),
    isInput: z.boolean().optional(),
  });

  // The fields a version's register and update share.
  const versionFields = {
    name: versionName.optional(),
    description: description.optional(),
    tags: tags.optional(),
    readme: z.string().max(limits.readme).nullable().optional(),
    content: json(limits.content).optional(),
    metadata: jsonObject(limits.metadata).optional(),
    run: z.string().min(1).max(REFERENCE_MAX_LENGTH).nullable().optional(),
    artifacts: artifactNames.optional(),
  };

  return {
    projectCreate: z.strictObject({
      owner: slug,
      name: slug,
      description: description.optional(),
      visibility: z.enum(["public", "private"]).optional(),
      access: access.optional(),
      allowedSourceProjects: z.array(projectFullName).optional(),
    }),
    projectUpdate: z.strictObject({
      description: description.optional(),
      visibility: z.enum(["public", "private"]).optional(),
      access: access.optional(),
      allowedSourceProjects: z.array(projectFullName).optional(),
    }),
    register: z.strictObject({ project: projectFullName, ...versionFields, force: z.boolean().optional() }),
    update: z.strictObject(versionFields),
    stage: z.strictObject({
      to: z.string().min(1).max(64),
      reason: z.string().min(1).max(256).nullable().optional(),
      message: z.string().max(10_000).nullable().optional(),
    }),
    copy: z.strictObject({
      toProject: projectFullName,
      name: versionName.optional(),
      description: description.optional(),
      tags: tags.optional(),
      content: json(limits.content).optional(),
      keepStage: z.boolean().optional(),
      force: z.boolean().optional(),
    }),
    transfer: z.strictObject({ toProject: projectFullName }),
    pin: z.strictObject({ ifRevision: revision.optional() }),
    projectDelete: z.strictObject({ cascade: z.boolean().optional(), ifRevision: revision.optional() }),
    list: z.strictObject({
      query: z.string().max(10_000).optional(),
      sort: z.string().max(1_000).optional(),
      limit: z.number().int().min(0).max(1000).optional(),
      offset: z.number().int().min(0).optional(),
      cursor: z.string().min(1).max(10_000).optional(),
    }),
    auditList: z.strictObject({
      project: projectFullName.optional(),
      type: z.string().min(1).max(64).optional(),
      since: z.union([z.string(), z.date()]).optional(),
      limit: z.number().int().min(0).max(1000).optional(),
      offset: z.number().int().min(0).optional(),
      cursor: z.string().min(1).max(10_000).optional(),
    }),
    runCreate: z.strictObject({
      project: projectFullName,
      name: slug.nullable().optional(),
      description: description.optional(),
      status: z.string().min(1).max(64).nullable().optional(),
      artifacts: z.array(runArtifact).max(limits.artifacts).optional(),
    }),
    runUpdate: z.strictObject({
      name: slug.nullable().optional(),
      description: description.optional(),
      status: z.string().min(1).max(64).nullable().optional(),
    }),
    runArtifacts: z.array(runArtifact).max(limits.artifacts),
    runPromote: z.strictObject({
      project: projectFullName.optional(),
      kind: z.enum(VERSION_KINDS).optional(),
      name: versionName.optional(),
      description: description.optional(),
      tags: tags.optional(),
      artifacts: artifactNames.optional(),
      force: z.boolean().optional(),
    }),
    runDelete: z.strictObject({ cascade: z.boolean().optional(), ifRevision: revision.optional() }),
    versionImport: z.strictObject({
      ...versionFields,
      uuid: z.string().min(1).max(256),
      name: versionName,
      kind: z.enum(VERSION_KINDS),
      project: projectFullName,
      stage: z.string().min(1).max(64),
      stageConditions: z.array(stageConditionSchema).max(10_000),
      state: z.string().nullable().optional(),
      sequence: z.number().int().min(1).optional(),
      createdBy: z.string().min(1).max(256),
      contributors: z.array(z.string().min(1).max(256)).optional(),
      createdAt: z.iso.datetime(),
      updatedAt: z.iso.datetime(),
      revision: z.number().int().min(1).optional(),
    }),
    importOptions: z.strictObject({ project: projectFullName.optional(), force: z.boolean().optional() }),
    runImport: z.strictObject({
      uuid: z.string().min(1).max(256),
      project: projectFullName,
      name: slug.nullable().optional(),
      description: description.optional(),
      status: z.string().min(1).max(64).nullable().optional(),
      artifacts: z.array(runArtifact).max(limits.artifacts).optional(),
      promotedBy: z.array(z.string()).optional(),
      isPromoted: z.boolean().optional(),
      createdBy: z.string().min(1).max(256),
      createdAt: z.iso.datetime(),
      updatedAt: z.iso.datetime(),
      revision: z.number().int().min(1).optional(),
    }),
    reference: z.string().min(1).max(1_000),
    kind: z.enum(VERSION_KINDS),
  };
}

/** The schemas {@link createInputSchemas} returns. */
export type InputSchemas = ReturnType<typeof createInputSchemas>;

/**
 * Parses `input` with `schema`, turning zod's failure into a `VALIDATION` {@link RegistryError} whose
 * message names each bad path and whose `details.issues` lists `{ path, message }`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  // No copy needed: zod rebuilds every object and array it parses, and JSON values (content, metadata)
  // come out as frozen copies, so the result never shares (or lets the registry freeze) a caller's object.
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
  const summary = issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
  throw new RegistryError("VALIDATION", `Invalid ${what}: ${summary}.`, { issues });
}
