/**
 * Stages: an explicit, configurable stage machine for versions, and the pure transition that
 * appends a stage condition. See docs/stages.md.
 *
 * Pure: no I/O, no clock (the caller passes `at`), no randomness.
 * @module
 */
import { deepFreeze } from "./freeze.js";
import { isPlainObject } from "./json.js";
import { z } from "zod";
import { RegistryError } from "../errors.js";
import { ROLES, maxRole, roleAtLeast } from "./roles.js";
import type { Role } from "./roles.js";

// ---------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------

/**
 * One entry of a version's stage history (Polyaxon's stage condition). Each stage change appends
 * one; creation adds the first.
 */
export interface StageCondition {
  /** The stage entered. */
  readonly type: string;
  /** Always `"True"` (kept for compatibility with Polyaxon's conditions). */
  readonly status: "True";
  /** A CamelCase reason, e.g. `ModelVersionStageUpdated`, `ModelVersionCreated`, `DemotedByExclusiveStage`. */
  readonly reason: string;
  /** A human message, or `null`. */
  readonly message: string | null;
  /** ISO-8601 UTC time of the change. */
  readonly lastUpdateTime: string;
  /** ISO-8601 UTC time of the change (same as `lastUpdateTime`). */
  readonly lastTransitionTime: string;
  /** The id of the principal who made the change. */
  readonly actor: string;
}

const isoTime = z.iso.datetime({ error: "must be an ISO-8601 UTC time like 2026-01-20T10:00:00.000Z" });

/** The zod schema of a {@link StageCondition} (strict: unknown keys are refused). */
export const stageConditionSchema = z.strictObject({
  type: z.string().min(1),
  status: z.literal("True"),
  reason: z.string().min(1),
  message: z.string().nullable(),
  lastUpdateTime: isoTime,
  lastTransitionTime: isoTime,
  actor: z.string().min(1),
});

/** The kinds of versions that carry stages (they name the condition reasons: `ModelVersionCreated`, ...). */
export type StageHolderKind = "model" | "artifact" | "component";

const KIND_NAMES: Readonly<Record<StageHolderKind, string>> = Object.freeze({ model: "Model", artifact: "Artifact", component: "Component" });

/**
 * Anything with a stage history: a version record, or your own type with these fields.
 * {@link StageMachine.transition} returns the same type.
 */
export interface StageHolder {
  /** The version's kind; it names the default condition reasons. */
  readonly kind: StageHolderKind;
  /** The current stage. */
  readonly stage: string;
  /** The stage history, oldest first. */
  readonly stageConditions: readonly StageCondition[];
}

/** A stage change asked of {@link StageMachine.transition}. */
export interface StageMove {
  /** The target stage. */
  readonly to: string;
  /** The condition's reason; default `<Kind>VersionStageUpdated` (e.g. `ModelVersionStageUpdated`). */
  readonly reason?: string | null;
  /** The condition's message; default `null`. */
  readonly message?: string | null;
  /** The id of the principal making the move. */
  readonly actor: string;
  /** ISO-8601 UTC time of the move. */
  readonly at: string;
}

/** What {@link StageMachine.demote} needs: who and when (the reason is always `DemotedByExclusiveStage`). */
export interface DemoteOptions {
  /** The id of the principal whose move into the exclusive stage demotes the holder. */
  readonly actor: string;
  /** ISO-8601 UTC time of the move. */
  readonly at: string;
  /** The condition's message; default `Demoted from <stage>: another version entered this exclusive stage`. */
  readonly message?: string | null;
}

/** The result of {@link StageMachine.transition} and {@link StageMachine.demote}. */
export interface TransitionResult<T extends StageHolder> {
  /** The next version (the same object when nothing changed). */
  readonly version: T;
  /** False when the move targeted the current stage: no condition, no event. */
  readonly changed: boolean;
  /** The stage before the move. */
  readonly from: string;
  /** The stage after the move. */
  readonly to: string;
  /** The appended condition, or `null` when nothing changed. */
  readonly condition: StageCondition | null;
}

// ---------------------------------------------------------------------------------------------
// Definition
// ---------------------------------------------------------------------------------------------

/**
 * The definition of a stage machine, given to {@link defineStages}.
 *
 * - `stages`: every stage name (slugs: lower-case letters, digits, `-`, `_`, starting with a letter).
 * - `initial`: the stage of a new version.
 * - `transitions`: `{ from: [to, ...] }`; the key `"*"` means "from any stage".
 * - `requiredRole`: `{ stage: role }`; moving into or out of that stage needs the role.
 * - `exclusive`: stages at most one version (per project and kind) holds; `[stage]` demotes the
 *   previous holder to `initial`, `{ stage: demoteTo }` to the given stage.
 */
export interface StageMachineDefinition {
  /** Every stage, in display order. */
  readonly stages: readonly string[];
  /** The stage of a new version. */
  readonly initial: string;
  /** Allowed moves: `{ from: [to, ...] }`, `"*"` as `from` meaning any stage. */
  readonly transitions: Readonly<Record<string, readonly string[]>>;
  /** The role needed to move into or out of a stage. */
  readonly requiredRole?: Readonly<Record<string, Role>>;
  /** Exclusive stages: a list (demote to `initial`) or `{ stage: demoteTo }`. */
  readonly exclusive?: readonly string[] | Readonly<Record<string, string>>;
}

/** A validated stage machine, returned by {@link defineStages}. Frozen; every method is pure. */
export interface StageMachine {
  /** Every stage, in definition order. */
  readonly stages: readonly string[];
  /** The stage of a new version. */
  readonly initial: string;
  /** The normalized definition (frozen): exclusive stages are given as `{ stage: demoteTo }`. */
  readonly definition: Readonly<StageMachineDefinition>;
  /** The exclusive stages, in `stages` order. */
  readonly exclusiveStages: readonly string[];
  /** True when `stage` is one of {@link StageMachine.stages}. */
  hasStage(stage: string): boolean;
  /** True when the machine has an edge `from -> to` (a move to the same stage is a no-op, not an edge: false). */
  canMove(from: string, to: string): boolean;
  /** Every target the machine allows from `from`, in `stages` order, `from` excluded. */
  allowedTargets(from: string): string[];
  /**
   * The role the move needs beyond the base `member`: the stronger of the roles required by `from`
   * and by `to` (moving into or out of a restricted stage needs its role), or `undefined` when neither is restricted.
   */
  requiredRoleFor(from: string, to: string): Role | undefined;
  /** The targets a principal with `role` may move a version in `stage` to: edge allowed and role at least `member` and the stage's role. */
  allowedMoves(stage: string, role: Role): string[];
  /** True when `stage` is exclusive. */
  isExclusive(stage: string): boolean;
  /** Where the holder of the exclusive `stage` is demoted to, or `undefined` when `stage` is not exclusive. */
  demoteTarget(stage: string): string | undefined;
  /**
   * Moves `version` to `move.to` and appends the condition, without mutating the input (a new record
   * with the other fields copied from the input). A move to the current stage returns `changed: false`
   * and the same object. The returned version is deeply frozen, including the parts it shares with the input.
   * @throws RegistryError `INVALID_TRANSITION` with `details: { from, to, allowed }` for an unknown stage or a forbidden edge;
   *   `VALIDATION` for a malformed move or a version that is not a plain record with `stage` and `stageConditions`.
   */
  transition<T extends StageHolder>(version: T, move: StageMove): TransitionResult<T>;
  /** The first condition of a new version of `kind`: `{ type: initial, reason: "ModelVersionCreated", ... }`. */
  creationCondition(kind: StageHolderKind, actor: string, at: string): StageCondition;
  /**
   * Moves the holder of an exclusive stage to its {@link StageMachine.demoteTarget}, whatever the edges
   * say, with reason `DemotedByExclusiveStage`.
   * @throws RegistryError `INVALID_TRANSITION` when the version's stage is not exclusive.
   */
  demote<T extends StageHolder>(version: T, options: DemoteOptions): TransitionResult<T>;
}

/** A stage name: lower-case letters, digits, `-` and `_`, starting with a letter, at most 64 characters. */
const STAGE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
/** Words the query language gives a meaning, which would make `stage:<name>` ambiguous. */
const RESERVED_STAGE_NAMES: ReadonlySet<string> = new Set(["nil"]);
const ANY = "*";

function fail(problem: string, details: Record<string, unknown> = {}): never {
  throw new RegistryError("VALIDATION", `invalid stage machine: ${problem}`, details);
}

function quoteList(items: readonly string[]): string {
  return items.length === 0 ? "(none)" : items.map((item) => JSON.stringify(item)).join(", ");
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface Normalized {
  stages: string[];
  initial: string;
  transitions: Record<string, string[]>;
  requiredRole: Record<string, Role>;
  exclusive: Record<string, string>;
}

function normalize(definition: StageMachineDefinition): Normalized {
  if (!isPlainRecord(definition)) fail("the definition must be an object { stages, initial, transitions, requiredRole?, exclusive? }");
  const allowedKeys = new Set(["stages", "initial", "transitions", "requiredRole", "exclusive"]);
  const unknownKeys = Object.keys(definition).filter((key) => !allowedKeys.has(key));
  if (unknownKeys.length > 0) fail(`unknown key${unknownKeys.length > 1 ? "s" : ""} ${quoteList(unknownKeys)}; expected stages, initial, transitions, requiredRole, exclusive`, { keys: unknownKeys });

  // stages
  const { stages } = definition;
  if (!Array.isArray(stages) || stages.length === 0) fail("`stages` must be a non-empty list of stage names");
  const seen = new Set<string>();
  for (const stage of stages as readonly unknown[]) {
    if (typeof stage !== "string" || !STAGE_NAME.test(stage)) {
      fail(`stage name ${JSON.stringify(stage)} is not a slug (lower-case letters, digits, - and _, starting with a letter, at most 64 characters)`, { stage });
    }
    if (RESERVED_STAGE_NAMES.has(stage)) fail(`stage name ${JSON.stringify(stage)} is reserved by the query language`, { stage });
    if (seen.has(stage)) fail(`stage ${JSON.stringify(stage)} is listed twice`, { stage });
    seen.add(stage);
  }
  const known = (stage: unknown): stage is string => typeof stage === "string" && seen.has(stage);
  const unknownStage: (stage: unknown, where: string) => never = (stage, where) =>
    fail(`${where} names unknown stage ${JSON.stringify(stage)}; stages are ${quoteList(stages)}`, { stage, stages: [...stages] });

  // initial
  if (!known(definition.initial)) unknownStage(definition.initial, "`initial`");

  // transitions
  if (!isPlainRecord(definition.transitions)) fail("`transitions` must be an object { from: [to, ...] }");
  const transitions: Record<string, string[]> = {};
  for (const [from, targets] of Object.entries(definition.transitions)) {
    if (from !== ANY && !known(from)) unknownStage(from, "`transitions` key");
    if (!Array.isArray(targets)) fail(`\`transitions[${JSON.stringify(from)}]\` must be a list of stages`, { from });
    const list: string[] = [];
    for (const to of targets as readonly unknown[]) {
      if (!known(to)) unknownStage(to, `\`transitions[${JSON.stringify(from)}]\``);
      if (to === from) fail(`\`transitions[${JSON.stringify(from)}]\` lists ${JSON.stringify(from)} itself; a move to the current stage is always a no-op`, { from });
      if (!list.includes(to)) list.push(to);
    }
    transitions[from] = list;
  }

  // requiredRole
  const requiredRole: Record<string, Role> = {};
  if (definition.requiredRole !== undefined) {
    if (!isPlainRecord(definition.requiredRole)) fail("`requiredRole` must be an object { stage: role }");
    for (const [stage, role] of Object.entries(definition.requiredRole)) {
      if (!known(stage)) unknownStage(stage, "`requiredRole`");
      if (typeof role !== "string" || role === "none" || !(ROLES as readonly string[]).includes(role)) {
        fail(`\`requiredRole[${JSON.stringify(stage)}]\` is ${JSON.stringify(role)}; expected one of ${ROLES.filter((r) => r !== "none").join(", ")}`, { stage, role });
      }
      requiredRole[stage] = role;
    }
  }

  // exclusive
  const exclusive: Record<string, string> = {};
  if (definition.exclusive !== undefined) {
    const entries: [string, unknown][] = Array.isArray(definition.exclusive)
      ? (definition.exclusive as readonly unknown[]).map((stage) => {
          if (!known(stage)) unknownStage(stage, "`exclusive`");
          return [stage, definition.initial];
        })
      : isPlainRecord(definition.exclusive)
        ? Object.entries(definition.exclusive)
        : fail("`exclusive` must be a list of stages or an object { stage: demoteTo }");
    for (const [stage, demoteTo] of entries) {
      if (!known(stage)) unknownStage(stage, "`exclusive`");
      if (!known(demoteTo)) unknownStage(demoteTo, `\`exclusive[${JSON.stringify(stage)}]\``);
      if (demoteTo === stage) {
        fail(`exclusive stage ${JSON.stringify(stage)} cannot demote its holder to itself${stage === definition.initial ? " (it is the initial stage; give { stage: demoteTo })" : ""}`, { stage });
      }
      exclusive[stage] = demoteTo;
    }
    for (const [stage, demoteTo] of Object.entries(exclusive)) {
      if (Object.hasOwn(exclusive, demoteTo)) {
        fail(`exclusive stage ${JSON.stringify(stage)} demotes to ${JSON.stringify(demoteTo)}, which is exclusive too; demotions must not cascade`, { stage, demoteTo });
      }
    }
  }

  return { stages: [...stages], initial: definition.initial, transitions, requiredRole, exclusive };
}

// ---------------------------------------------------------------------------------------------
// The machine
// ---------------------------------------------------------------------------------------------

/** The longest `reason` and `message` of a stage move. */
const MOVE_REASON_MAX = 256;
const MOVE_MESSAGE_MAX = 10_000;

/** @internal The schema of a stage move's options (exported for the test of {@link isPlainMove}). */
export const moveSchema = z.strictObject({
  to: z.string({ error: "`to` must be a stage name" }),
  reason: z.string().min(1).max(MOVE_REASON_MAX).nullable().optional(),
  message: z.string().max(MOVE_MESSAGE_MAX).nullable().optional(),
  actor: z.string({ error: "`actor` must be a principal id" }).min(1, { error: "`actor` must not be empty" }),
  at: isoTime,
});

const MOVE_KEYS: ReadonlySet<string> = new Set(["to", "reason", "message", "actor", "at"]);

/**
 * @internal True when `move` certainly passes {@link moveSchema}: the common case checked by hand
 * (every version created runs one), so the object schema only runs to explain a refusal.
 */
export function isPlainMove(move: unknown): boolean {
  try {
    if (!isPlainObject(move)) return false;
    for (const key of Object.keys(move)) if (!MOVE_KEYS.has(key)) return false;
    const { to, reason, message, actor, at } = move;
    return (
      typeof to === "string" &&
      typeof actor === "string" &&
      actor.length >= 1 &&
      (reason === undefined || reason === null || (typeof reason === "string" && reason.length >= 1 && reason.length <= MOVE_REASON_MAX)) &&
      (message === undefined || message === null || (typeof message === "string" && message.length <= MOVE_MESSAGE_MAX)) &&
      typeof at === "string" &&
      isoTime.safeParse(at).success
    );
  } catch {
    return false;
  }
}

function checkMove(move: unknown, what: string): void {
  if (isPlainMove(move)) return;
  const result = moveSchema.safeParse(move);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
    throw new RegistryError("VALIDATION", `invalid ${what}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`, { issues });
  }
}

// Built once: every version keeps these strings, so they should be one shared string, not one each.
const CREATION_REASONS: Readonly<Record<StageHolderKind, string>> = Object.fromEntries(
  Object.entries(KIND_NAMES).map(([kind, name]) => [kind, `${name}VersionCreated`]),
) as Record<StageHolderKind, string>;
const STAGE_UPDATED_REASONS: Readonly<Record<string, string>> = Object.fromEntries(Object.values(KIND_NAMES).map((name) => [name, `${name}VersionStageUpdated`]));
const CREATION_MESSAGES: Readonly<Record<StageHolderKind, string>> = Object.fromEntries(
  Object.keys(KIND_NAMES).map((kind) => [kind, `A new ${kind} version is created`]),
) as Record<StageHolderKind, string>;

/** Refuses a holder that is not a plain record with a string `stage` and a `stageConditions` array. */
function checkHolder(version: unknown, what: string): asserts version is StageHolder {
  const holder = version as Partial<StageHolder> | null;
  if (!isPlainObject(version) || typeof holder?.stage !== "string" || !Array.isArray(holder.stageConditions)) {
    throw new RegistryError("VALIDATION", `invalid ${what}: expected a plain record with kind, stage and stageConditions`, {
      issues: [{ path: "version", message: "expected a plain record with kind, stage and stageConditions" }],
    });
  }
}

function kindName(kind: unknown): string {
  if (typeof kind === "string" && Object.hasOwn(KIND_NAMES, kind)) return KIND_NAMES[kind as StageHolderKind];
  throw new RegistryError("VALIDATION", `unknown version kind ${JSON.stringify(kind)}; expected model, artifact or component`, { kind });
}


/**
 * Validates a stage machine definition and returns the frozen {@link StageMachine}.
 *
 * @throws RegistryError `VALIDATION` naming the problem: a stage name that is not a slug, a stage listed
 *   twice, an unknown stage as `initial`, in `transitions`, `requiredRole` or `exclusive`, an unknown role,
 *   a self-edge, or an exclusive stage that demotes to itself or to another exclusive stage.
 * @example
 * ```ts
 * const machine = defineStages({
 *   stages: ["draft", "review", "released", "archived"],
 *   initial: "draft",
 *   transitions: { draft: ["review"], review: ["draft", "released"], "*": ["archived"] },
 *   requiredRole: { released: "admin" },
 *   exclusive: ["released"], // at most one released version per project and kind
 * });
 * machine.allowedMoves("review", "member"); // ["draft", "archived"]
 * ```
 */
export function defineStages(definition: StageMachineDefinition): StageMachine {
  const n = normalize(definition);
  const stageSet = new Set(n.stages);
  const anyTargets = new Set(n.transitions[ANY] ?? []);

  const hasStage = (stage: string): boolean => stageSet.has(stage);
  const allowedTargets = (from: string): string[] => {
    const own = Object.hasOwn(n.transitions, from) && from !== ANY ? new Set(n.transitions[from]) : new Set<string>();
    return n.stages.filter((to) => to !== from && (own.has(to) || anyTargets.has(to)));
  };
  const canMove = (from: string, to: string): boolean => from !== to && stageSet.has(to) && allowedTargets(from).includes(to);
  const roleOf = (stage: string): Role | undefined => (Object.hasOwn(n.requiredRole, stage) ? n.requiredRole[stage] : undefined);
  const requiredRoleFor = (from: string, to: string): Role | undefined => {
    const a = roleOf(from);
    const b = roleOf(to);
    if (a === undefined) return b;
    if (b === undefined) return a;
    return maxRole(a, b);
  };
  const allowedMoves = (stage: string, role: Role): string[] =>
    allowedTargets(stage).filter((to) => roleAtLeast(role, maxRole("member", requiredRoleFor(stage, to) ?? "member")));
  const isExclusive = (stage: string): boolean => Object.hasOwn(n.exclusive, stage);
  const demoteTarget = (stage: string): string | undefined => (isExclusive(stage) ? n.exclusive[stage] : undefined);

  const apply = <T extends StageHolder>(version: T, from: string, condition: StageCondition): TransitionResult<T> => {
    // A spread, not an immer draft: a move changes two fields, and drafting the whole record cost a
    // fifth of a stage move. Frozen like the record it came from (deepFreeze stops at frozen parts).
    const next = deepFreeze({ ...version, stage: condition.type, stageConditions: [...version.stageConditions, condition] }) as T;
    return { version: next, changed: true, from, to: condition.type, condition };
  };

  const machine: StageMachine = {
    stages: Object.freeze([...n.stages]),
    initial: n.initial,
    definition: deepFreeze({
      stages: [...n.stages],
      initial: n.initial,
      transitions: n.transitions,
      requiredRole: n.requiredRole,
      exclusive: n.exclusive,
    }),
    exclusiveStages: Object.freeze(n.stages.filter(isExclusive)),
    hasStage,
    canMove,
    allowedTargets,
    requiredRoleFor,
    allowedMoves,
    isExclusive,
    demoteTarget,

    transition<T extends StageHolder>(version: T, move: StageMove): TransitionResult<T> {
      checkHolder(version, "stage move");
      checkMove(move, "stage move");
      const kind = kindName(version.kind);
      const from = version.stage;
      const to = move.to;
      if (to === from) return { version, changed: false, from, to, condition: null };
      if (!canMove(from, to)) {
        const allowed = allowedTargets(from);
        const why = stageSet.has(to) ? `cannot move from ${JSON.stringify(from)} to ${JSON.stringify(to)}` : `unknown stage ${JSON.stringify(to)} (stages are ${n.stages.join(", ")})`;
        const unknownFrom = stageSet.has(from) ? "" : ` (the current stage ${JSON.stringify(from)} is not one of this machine's stages)`;
        throw new RegistryError(
          "INVALID_TRANSITION",
          `${why}; allowed from ${JSON.stringify(from)}: ${allowed.length > 0 ? allowed.join(", ") : "nothing"}${unknownFrom}`,
          { from, to, allowed },
        );
      }
      return apply(version, from, {
        type: to,
        status: "True",
        reason: move.reason ?? (STAGE_UPDATED_REASONS[kind] as string),
        message: move.message ?? null,
        lastUpdateTime: move.at,
        lastTransitionTime: move.at,
        actor: move.actor,
      });
    },

    creationCondition(kind: StageHolderKind, actor: string, at: string): StageCondition {
      kindName(kind); // refuses an unknown kind
      checkMove({ to: n.initial, actor, at }, "creation condition");
      return Object.freeze({
        type: n.initial,
        status: "True",
        reason: CREATION_REASONS[kind as StageHolderKind],
        message: CREATION_MESSAGES[kind as StageHolderKind],
        lastUpdateTime: at,
        lastTransitionTime: at,
        actor,
      });
    },

    demote<T extends StageHolder>(version: T, options: DemoteOptions): TransitionResult<T> {
      checkHolder(version, "demotion");
      kindName(version.kind);
      const from = version.stage;
      const to = demoteTarget(from);
      if (to === undefined) {
        throw new RegistryError("INVALID_TRANSITION", `cannot demote from ${JSON.stringify(from)}: it is not an exclusive stage`, {
          from,
          to: null,
          allowed: allowedTargets(from),
        });
      }
      checkMove({ to, actor: options.actor, at: options.at, message: options.message ?? null }, "demotion");
      return apply(version, from, {
        type: to,
        status: "True",
        reason: "DemotedByExclusiveStage",
        message: options.message ?? `Demoted from ${from}: another version entered this exclusive stage`,
        lastUpdateTime: options.at,
        lastTransitionTime: options.at,
        actor: options.actor,
      });
    },
  };
  return Object.freeze(machine);
}

// ---------------------------------------------------------------------------------------------
// Presets
// ---------------------------------------------------------------------------------------------

/** The four stages of Polyaxon's model registry, in order. */
const POLYAXON_STAGES = ["testing", "staging", "production", "disabled"] as const;

/**
 * The default stage machine: `testing` (initial) -> `staging` -> `production`, back from
 * `production` to `staging` and from `staging` to `testing`, any stage -> `disabled`,
 * `disabled` -> `testing`; moving into or out of `production` needs `admin`. No stage is exclusive.
 */
export const DEFAULT_STAGES: StageMachine = defineStages({
  stages: POLYAXON_STAGES,
  initial: "testing",
  transitions: {
    testing: ["staging"],
    staging: ["production", "testing"],
    production: ["staging"],
    "*": ["disabled"],
    disabled: ["testing"],
  },
  requiredRole: { production: "admin" },
});

/**
 * Polyaxon's own rules: the same four stages, any stage to any stage, no restricted stage
 * (every move needs only `member`), none exclusive.
 */
export const openStages: StageMachine = defineStages({
  stages: POLYAXON_STAGES,
  initial: "testing",
  transitions: { "*": [...POLYAXON_STAGES] },
});
