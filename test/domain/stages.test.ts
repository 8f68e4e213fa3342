import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RegistryError } from "../../src/errors.js";
import { DEFAULT_STAGES, defineStages, isPlainMove, moveSchema, openStages, stageConditionSchema } from "../../src/domain/stages.js";
import type { StageCondition, StageHolder, StageMachineDefinition } from "../../src/domain/stages.js";
import type { Role } from "../../src/domain/roles.js";

const AT = "2026-01-20T10:00:00.000Z";
const LATER = "2026-01-21T11:30:00.000Z";
const STAGES = ["testing", "staging", "production", "disabled"] as const;
const ROLES: readonly Role[] = ["none", "viewer", "member", "contributor", "admin", "manager", "owner"];

type Version = StageHolder & { readonly uuid: string; readonly name: string; readonly metadata: { readonly nested: { readonly n: number } } };

function version(stage: string, kind: StageHolder["kind"] = "model"): Version {
  const created = DEFAULT_STAGES.creationCondition(kind, "alice", AT);
  const conditions: StageCondition[] = [created];
  if (stage !== "testing") conditions.push({ ...created, type: stage, reason: "Seeded" });
  return Object.freeze({ uuid: "u-1", name: "v1", kind, stage, stageConditions: Object.freeze(conditions), metadata: Object.freeze({ nested: Object.freeze({ n: 1 }) }) });
}

function catchError(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error("expected a RegistryError");
}

/** The default machine's edges, written out by hand (DESIGN §2 "Stages"): from -> allowed targets in stage order. */
const DEFAULT_EDGES: Record<string, readonly string[]> = {
  testing: ["staging", "disabled"],
  staging: ["testing", "production", "disabled"],
  production: ["staging", "disabled"],
  disabled: ["testing"],
};

describe("DEFAULT_STAGES", () => {
  it("has the four stages and starts in testing", () => {
    expect(DEFAULT_STAGES.stages).toEqual(["testing", "staging", "production", "disabled"]);
    expect(DEFAULT_STAGES.initial).toBe("testing");
    expect(DEFAULT_STAGES.exclusiveStages).toEqual([]);
    expect(Object.isFrozen(DEFAULT_STAGES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_STAGES.stages)).toBe(true);
    expect(Object.isFrozen(DEFAULT_STAGES.definition.transitions)).toBe(true);
  });

  for (const from of STAGES) {
    for (const to of STAGES) {
      if (from === to) continue;
      const allowed = DEFAULT_EDGES[from]!.includes(to);
      it(`${allowed ? "allows" : "refuses"} ${from} -> ${to}`, () => {
        expect(DEFAULT_STAGES.canMove(from, to)).toBe(allowed);
        const v = version(from);
        if (allowed) {
          const result = DEFAULT_STAGES.transition(v, { to, actor: "bob", at: LATER });
          expect(result.changed).toBe(true);
          expect(result.from).toBe(from);
          expect(result.to).toBe(to);
          expect(result.version.stage).toBe(to);
        } else {
          const error = catchError(() => DEFAULT_STAGES.transition(v, { to, actor: "bob", at: LATER }));
          expect(error.code).toBe("INVALID_TRANSITION");
          expect(error.details).toEqual({ from, to, allowed: DEFAULT_EDGES[from] });
          expect(error.message).toContain(`allowed from "${from}": ${DEFAULT_EDGES[from]!.join(", ")}`);
        }
      });
    }
  }

  it("lists allowed targets in stage order, excluding the current stage", () => {
    for (const from of STAGES) expect(DEFAULT_STAGES.allowedTargets(from)).toEqual(DEFAULT_EDGES[from]);
  });

  it("treats a move to the current stage as a no-op (same object, no condition)", () => {
    for (const stage of STAGES) {
      const v = version(stage);
      const result = DEFAULT_STAGES.transition(v, { to: stage, actor: "bob", at: LATER });
      expect(result).toEqual({ version: v, changed: false, from: stage, to: stage, condition: null });
      expect(result.version).toBe(v);
      expect(DEFAULT_STAGES.canMove(stage, stage)).toBe(false);
    }
  });

  it("refuses a holder that is not a plain record with VALIDATION (transition and demote)", () => {
    class Holder {
      kind = "model" as const;
      stage = "testing";
      stageConditions = [];
    }
    const machine = defineStages({ stages: ["a", "b"], initial: "a", transitions: { a: ["b"] }, exclusive: { b: "a" } });
    for (const bad of [null, undefined, "v1", new Holder(), { kind: "model", stage: 1, stageConditions: [] }, { kind: "model", stage: "testing" }]) {
      expect(catchError(() => DEFAULT_STAGES.transition(bad as never, { to: "staging", actor: "bob", at: LATER })).code).toBe("VALIDATION");
      expect(catchError(() => machine.demote(bad as never, { actor: "bob", at: LATER })).code).toBe("VALIDATION");
    }
  });

  it("refuses an unknown target stage, listing the allowed targets", () => {
    const error = catchError(() => DEFAULT_STAGES.transition(version("staging"), { to: "prod", actor: "bob", at: LATER }));
    expect(error.code).toBe("INVALID_TRANSITION");
    expect(error.details).toEqual({ from: "staging", to: "prod", allowed: ["testing", "production", "disabled"] });
    expect(error.message).toContain('unknown stage "prod"');
    expect(DEFAULT_STAGES.canMove("staging", "prod")).toBe(false);
  });

  it("lets a version in a stage the machine does not know take only the '*' edges", () => {
    const v = version("legacy");
    expect(DEFAULT_STAGES.allowedTargets("legacy")).toEqual(["disabled"]);
    expect(DEFAULT_STAGES.transition(v, { to: "disabled", actor: "bob", at: LATER }).version.stage).toBe("disabled");
    const error = catchError(() => DEFAULT_STAGES.transition(v, { to: "testing", actor: "bob", at: LATER }));
    expect(error.details).toEqual({ from: "legacy", to: "testing", allowed: ["disabled"] });
    expect(error.message).toContain("not one of this machine's stages");
  });

  it("requires admin to move into or out of production, nothing extra elsewhere", () => {
    expect(DEFAULT_STAGES.requiredRoleFor("staging", "production")).toBe("admin");
    expect(DEFAULT_STAGES.requiredRoleFor("production", "staging")).toBe("admin");
    expect(DEFAULT_STAGES.requiredRoleFor("production", "disabled")).toBe("admin");
    expect(DEFAULT_STAGES.requiredRoleFor("testing", "staging")).toBeUndefined();
    expect(DEFAULT_STAGES.requiredRoleFor("staging", "testing")).toBeUndefined();
    expect(DEFAULT_STAGES.requiredRoleFor("testing", "disabled")).toBeUndefined();
    expect(DEFAULT_STAGES.requiredRoleFor("disabled", "testing")).toBeUndefined();
  });

  /** allowedMoves(stage, role), written out by hand. */
  const MEMBER_MOVES: Record<string, readonly string[]> = {
    testing: ["staging", "disabled"],
    staging: ["testing", "disabled"],
    production: [],
    disabled: ["testing"],
  };
  const EXPECTED_MOVES: Record<Role, Record<string, readonly string[]>> = {
    none: { testing: [], staging: [], production: [], disabled: [] },
    viewer: { testing: [], staging: [], production: [], disabled: [] },
    member: MEMBER_MOVES,
    contributor: MEMBER_MOVES,
    admin: DEFAULT_EDGES,
    manager: DEFAULT_EDGES,
    owner: DEFAULT_EDGES,
  };
  for (const role of ROLES) {
    it(`allowedMoves for ${role}`, () => {
      for (const stage of STAGES) expect(DEFAULT_STAGES.allowedMoves(stage, role), `${role} from ${stage}`).toEqual(EXPECTED_MOVES[role][stage]);
    });
  }
});

describe("conditions", () => {
  const KINDS = [
    ["model", "Model"],
    ["artifact", "Artifact"],
    ["component", "Component"],
  ] as const;

  for (const [kind, name] of KINDS) {
    it(`creation condition for a ${kind} version`, () => {
      const condition = DEFAULT_STAGES.creationCondition(kind, "alice", AT);
      expect(condition).toEqual({
        type: "testing",
        status: "True",
        reason: `${name}VersionCreated`,
        message: `A new ${kind} version is created`,
        lastUpdateTime: AT,
        lastTransitionTime: AT,
        actor: "alice",
      });
      expect(stageConditionSchema.parse(condition)).toEqual(condition);
    });

    it(`default stage reason for a ${kind} version is ${name}VersionStageUpdated`, () => {
      const v = version("testing", kind);
      const { version: next, condition } = DEFAULT_STAGES.transition(v, { to: "staging", actor: "bob", at: LATER });
      const expected: StageCondition = {
        type: "staging",
        status: "True",
        reason: `${name}VersionStageUpdated`,
        message: null,
        lastUpdateTime: LATER,
        lastTransitionTime: LATER,
        actor: "bob",
      };
      expect(next.stageConditions).toEqual([...v.stageConditions, expected]);
      expect(condition).toEqual(expected);
    });
  }

  it("uses the given reason and message", () => {
    const { version: next } = DEFAULT_STAGES.transition(version("testing"), { to: "staging", actor: "bob", at: LATER, reason: "Approved", message: "ready for QA" });
    expect(next.stageConditions.at(-1)).toMatchObject({ reason: "Approved", message: "ready for QA" });
    const { version: other } = DEFAULT_STAGES.transition(version("testing"), { to: "staging", actor: "bob", at: LATER, reason: null, message: null });
    expect(other.stageConditions.at(-1)).toMatchObject({ reason: "ModelVersionStageUpdated", message: null });
  });

  it("does not mutate the input and keeps the other fields (and their identity)", () => {
    const plain = { uuid: "u", name: "v1", kind: "model" as const, stage: "testing", stageConditions: [DEFAULT_STAGES.creationCondition("model", "a", AT)], metadata: { nested: { n: 1 } } };
    const snapshot = structuredClone(plain);
    const { version: next } = DEFAULT_STAGES.transition(plain, { to: "staging", actor: "bob", at: LATER });
    expect(plain).toEqual(snapshot);
    expect(next).not.toBe(plain);
    expect(next.uuid).toBe("u");
    expect(next.metadata).toEqual(plain.metadata);
    expect(next.stageConditions[0]).toBe(plain.stageConditions[0]);
  });

  it("refuses malformed moves with VALIDATION", () => {
    const v = version("testing");
    expect(catchError(() => DEFAULT_STAGES.transition(v, { to: "staging", actor: "", at: LATER })).code).toBe("VALIDATION");
    expect(catchError(() => DEFAULT_STAGES.transition(v, { to: "staging", actor: "bob", at: "yesterday" })).code).toBe("VALIDATION");
    expect(catchError(() => DEFAULT_STAGES.transition({ ...v, kind: "dataset" as "model" }, { to: "staging", actor: "bob", at: LATER })).code).toBe("VALIDATION");
    expect(catchError(() => DEFAULT_STAGES.creationCondition("model", "bob", "not a time")).code).toBe("VALIDATION");
  });

  it("the condition schema is strict", () => {
    const condition = DEFAULT_STAGES.creationCondition("model", "alice", AT);
    expect(stageConditionSchema.safeParse({ ...condition, extra: 1 }).success).toBe(false);
    expect(stageConditionSchema.safeParse({ ...condition, status: "False" }).success).toBe(false);
    expect(stageConditionSchema.safeParse({ ...condition, lastUpdateTime: "now" }).success).toBe(false);
  });
});

describe("openStages", () => {
  it("allows any move between the four stages with no restricted role", () => {
    for (const from of STAGES) {
      expect(openStages.allowedTargets(from)).toEqual(STAGES.filter((s) => s !== from));
      for (const to of STAGES) {
        expect(openStages.canMove(from, to)).toBe(from !== to);
        expect(openStages.requiredRoleFor(from, to)).toBeUndefined();
      }
      expect(openStages.allowedMoves(from, "member")).toEqual(STAGES.filter((s) => s !== from));
      expect(openStages.allowedMoves(from, "viewer")).toEqual([]);
    }
    expect(openStages.transition(version("production"), { to: "testing", actor: "bob", at: LATER }).version.stage).toBe("testing");
  });
});

describe("defineStages validation", () => {
  const base: StageMachineDefinition = { stages: ["draft", "live"], initial: "draft", transitions: { draft: ["live"] } };
  const cases: [string, unknown, RegExp][] = [
    ["empty stages", { ...base, stages: [] }, /non-empty list/],
    ["a stage that is not a slug", { ...base, stages: ["draft", "Live Now"] }, /"Live Now" is not a slug/],
    ["a stage starting with a digit", { ...base, stages: ["draft", "1live"] }, /"1live" is not a slug/],
    ["a reserved stage name", { ...base, stages: ["draft", "nil"] }, /"nil" is reserved/],
    ["a duplicate stage", { ...base, stages: ["draft", "live", "draft"] }, /"draft" is listed twice/],
    ["an unknown initial", { ...base, initial: "new" }, /`initial` names unknown stage "new"/],
    ["an unknown from", { ...base, transitions: { review: ["live"] } }, /`transitions` key names unknown stage "review"/],
    ["an unknown to", { ...base, transitions: { draft: ["released"] } }, /`transitions\["draft"\]` names unknown stage "released"/],
    ["a self edge", { ...base, transitions: { draft: ["draft"] } }, /lists "draft" itself/],
    ["targets not a list", { ...base, transitions: { draft: "live" } }, /must be a list/],
    ["an unknown requiredRole stage", { ...base, requiredRole: { released: "admin" } }, /`requiredRole` names unknown stage "released"/],
    ["an unknown role", { ...base, requiredRole: { live: "superuser" } }, /`requiredRole\["live"\]` is "superuser"/],
    ["role none", { ...base, requiredRole: { live: "none" } }, /`requiredRole\["live"\]` is "none"/],
    ["an unknown exclusive stage (list)", { ...base, exclusive: ["released"] }, /`exclusive` names unknown stage "released"/],
    ["an unknown exclusive stage (map)", { ...base, exclusive: { released: "draft" } }, /`exclusive` names unknown stage "released"/],
    ["an unknown demote target", { ...base, exclusive: { live: "archived" } }, /`exclusive\["live"\]` names unknown stage "archived"/],
    ["the initial stage exclusive by list", { ...base, exclusive: ["draft"] }, /cannot demote its holder to itself \(it is the initial stage/],
    ["a cascading demotion", { stages: ["a", "b", "c"], initial: "a", transitions: {}, exclusive: { b: "c", c: "a" } }, /demotions must not cascade/],
    ["an unknown key", { ...base, exlusive: ["live"] }, /unknown key "exlusive"/],
    ["no transitions", { stages: ["a"], initial: "a" }, /`transitions` must be an object/],
  ];
  for (const [name, definition, message] of cases) {
    it(`refuses ${name}`, () => {
      const error = catchError(() => defineStages(definition as StageMachineDefinition));
      expect(error.code).toBe("VALIDATION");
      expect(error.message).toMatch(/^invalid stage machine: /);
      expect(error.message).toMatch(message);
    });
  }

  it("accepts a valid custom machine and dedupes targets", () => {
    const machine = defineStages({ ...base, transitions: { draft: ["live", "live"], "*": ["draft"] } });
    expect(machine.definition.transitions).toEqual({ draft: ["live"], "*": ["draft"] });
    expect(machine.allowedTargets("live")).toEqual(["draft"]);
    expect(machine.definition.exclusive).toEqual({});
  });
});

describe("exclusive stages", () => {
  const machine = defineStages({
    stages: ["candidate", "champion", "shadow", "retired"],
    initial: "candidate",
    transitions: { candidate: ["champion", "shadow"], shadow: ["champion"], champion: ["retired"], "*": ["retired"] },
    requiredRole: { champion: "manager" },
    exclusive: { champion: "shadow" },
  });

  it("names its exclusive stages and demote targets", () => {
    expect(machine.exclusiveStages).toEqual(["champion"]);
    expect(machine.isExclusive("champion")).toBe(true);
    expect(machine.isExclusive("shadow")).toBe(false);
    expect(machine.demoteTarget("champion")).toBe("shadow");
    expect(machine.demoteTarget("candidate")).toBeUndefined();
    expect(machine.requiredRoleFor("candidate", "champion")).toBe("manager");
    expect(machine.allowedMoves("candidate", "admin")).toEqual(["shadow", "retired"]);
    expect(machine.allowedMoves("candidate", "manager")).toEqual(["champion", "shadow", "retired"]);
  });

  it("a list demotes to the initial stage", () => {
    const listed = defineStages({ ...DEFAULT_STAGES.definition, exclusive: ["production"] });
    expect(listed.demoteTarget("production")).toBe("testing");
    expect(listed.definition.exclusive).toEqual({ production: "testing" });
  });

  it("demotes the holder whatever the edges say, with DemotedByExclusiveStage", () => {
    const holder: StageHolder = { kind: "artifact", stage: "champion", stageConditions: [machine.creationCondition("artifact", "a", AT)] };
    expect(machine.canMove("champion", "shadow")).toBe(false);
    const result = machine.demote(holder, { actor: "carol", at: LATER });
    expect(result.changed).toBe(true);
    expect(result.from).toBe("champion");
    expect(result.to).toBe("shadow");
    expect(result.version.stage).toBe("shadow");
    expect(result.version.stageConditions).toHaveLength(2);
    expect(result.version.stageConditions[1]).toEqual({
      type: "shadow",
      status: "True",
      reason: "DemotedByExclusiveStage",
      message: "Demoted from champion: another version entered this exclusive stage",
      lastUpdateTime: LATER,
      lastTransitionTime: LATER,
      actor: "carol",
    });
    expect(machine.demote(holder, { actor: "carol", at: LATER, message: "v7 is champion now" }).condition?.message).toBe("v7 is champion now");
  });

  it("refuses to demote a version that is not in an exclusive stage", () => {
    const v: StageHolder = { kind: "model", stage: "shadow", stageConditions: [] };
    const error = catchError(() => machine.demote(v, { actor: "carol", at: LATER }));
    expect(error.code).toBe("INVALID_TRANSITION");
    expect(error.details).toEqual({ from: "shadow", to: null, allowed: ["champion", "retired"] });
  });
});

describe("property: random move sequences follow a model of the graph", () => {
  /** Independent models: the edges written out by hand. */
  const models = [
    { name: "DEFAULT_STAGES", machine: DEFAULT_STAGES, edges: DEFAULT_EDGES },
    {
      name: "openStages",
      machine: openStages,
      edges: {
        testing: ["staging", "production", "disabled"],
        staging: ["testing", "production", "disabled"],
        production: ["testing", "staging", "disabled"],
        disabled: ["testing", "staging", "production"],
      } as Record<string, readonly string[]>,
    },
  ];
  const targets = fc.constantFrom("testing", "staging", "production", "disabled", "archived");
  const kinds = fc.constantFrom("model" as const, "artifact" as const, "component" as const);

  for (const { name, machine, edges } of models) {
    it(name, () => {
      fc.assert(
        fc.property(kinds, fc.array(targets, { maxLength: 30 }), (kind, moves) => {
          let current: StageHolder = { kind, stage: "testing", stageConditions: [machine.creationCondition(kind, "alice", AT)] };
          let modelStage = "testing";
          for (const [i, to] of moves.entries()) {
            const before = current;
            const length = before.stageConditions.length;
            const move = { to, actor: `user-${i % 3}`, at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() };
            if (to === modelStage) {
              const result = machine.transition(before, move);
              expect(result.changed).toBe(false);
              expect(result.version).toBe(before);
            } else if (edges[modelStage]!.includes(to)) {
              const result = machine.transition(before, move);
              expect(result.changed).toBe(true);
              expect(result.version.stageConditions).toHaveLength(length + 1);
              expect(result.version.stageConditions.at(-1)!.type).toBe(to);
              expect(result.version.stage).toBe(to);
              expect(before.stageConditions).toHaveLength(length);
              expect(before.stage).toBe(modelStage);
              modelStage = to;
              current = result.version;
            } else {
              const error = catchError(() => machine.transition(before, move));
              expect(error.code).toBe("INVALID_TRANSITION");
              expect(error.details).toEqual({ from: modelStage, to, allowed: edges[modelStage] });
            }
            expect(current.stage).toBe(modelStage);
            expect(current.stageConditions.at(-1)!.type).toBe(current.stage);
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe("isPlainMove (the hand check before the move schema)", () => {
  const text = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("", "a".repeat(256), "a".repeat(257), "m".repeat(10_000), "m".repeat(10_001)));
  const time = fc.oneof(
    fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((date) => date.toISOString()),
    fc.constantFrom("2026-01-20T10:00:00Z", "2026-02-30T10:00:00.000Z", "2026-01-20 10:00:00", "2026-01-20T10:00:00.000+01:00", ""),
  );
  const field = (valid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: valid }, fc.constantFrom<unknown>(undefined, null, 0, [], {}), text);
  const move = fc
    .tuple(
      fc.record(
        { to: field(fc.constantFrom("testing", "production")), reason: field(text), message: field(text), actor: field(fc.constantFrom("system", "alice")), at: field(time) },
        { requiredKeys: [] },
      ),
      fc.option(fc.constantFrom("extra", "At"), { nil: undefined }),
    )
    .map(([record, extra]) => (extra === undefined ? record : { ...record, [extra]: "x" }));

  it("vouches only for moves the schema accepts, and for the usual ones", () => {
    let vouched = 0;
    fc.assert(
      fc.property(move, (candidate) => {
        if (!isPlainMove(candidate)) return;
        vouched += 1;
        expect(moveSchema.safeParse(candidate).success).toBe(true);
      }),
      { numRuns: 3_000 },
    );
    expect(vouched).toBeGreaterThan(10);
    expect(isPlainMove({ to: "staging", actor: "alice", at: "2026-01-20T10:00:00.000Z", reason: null, message: "ok" })).toBe(true);
    expect(isPlainMove(new (class { to = "staging"; actor = "alice"; at = "2026-01-20T10:00:00.000Z"; })())).toBe(false);
  });
});
