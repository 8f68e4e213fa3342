import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RegistryError, SYSTEM, createRegistry, type Session } from "artifact-versions";

const RUNS = Number(process.env.FC_RUNS ?? 30);

const EDGES: Record<string, string[]> = {
  testing: ["staging", "disabled"],
  staging: ["production", "testing", "disabled"],
  production: ["staging", "disabled"],
  disabled: ["testing"],
};

type Op =
  | { op: "register"; name: string | undefined; description: string }
  | { op: "update"; name: string; rename: string | undefined; description: string }
  | { op: "stage"; name: string; to: string }
  | { op: "delete"; name: string };

const NAMES = ["a", "b", "v1", "v2", "v3", "v4"];
const name = fc.constantFrom(...NAMES);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("register" as const), name: fc.option(name, { nil: undefined }), description: fc.string({ maxLength: 5 }) }),
  fc.record({ op: fc.constant("update" as const), name, rename: fc.option(name, { nil: undefined, freq: 3 }), description: fc.string({ maxLength: 5 }) }),
  fc.record({ op: fc.constant("stage" as const), name, to: fc.constantFrom("testing", "staging", "production", "disabled") }),
  fc.record({ op: fc.constant("delete" as const), name }),
);

interface ModelVersion {
  stage: string;
  revision: number;
  sequence: number;
  description: string | null;
  conditions: number;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return error.code;
  }
}

describe("property: the registry behaves like a plain model", () => {
  it("random register/update/stage/delete sequences", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), async (ops) => {
        const registry = createRegistry();
        const s = registry.as({ id: "ana", orgs: { acme: "admin" } });
        await s.projects.create({ owner: "acme", name: "p" });
        const model = new Map<string, ModelVersion>();
        let next = 1;
        let created = 0;
        for (const step of ops) {
          let expected: string;
          let actual: string;
          if (step.op === "register") {
            let target = step.name;
            if (target === undefined) {
              let n = next;
              while (model.has(`v${n}`)) n += 1;
              target = `v${n}`;
              next = n + 1;
            }
            expected = model.has(target) ? "ALREADY_EXISTS" : "OK";
            if (expected === "OK") model.set(target, { stage: "testing", revision: 1, sequence: ++created, description: step.description, conditions: 1 });
            actual = await codeOf(s.models.register({ project: "acme/p", description: step.description, ...(step.name === undefined ? {} : { name: step.name }) }));
          } else if (step.op === "update") {
            const current = model.get(step.name);
            const rename = step.rename !== undefined && step.rename !== step.name ? step.rename : undefined;
            expected = current === undefined ? "NOT_FOUND" : rename !== undefined && model.has(rename) ? "ALREADY_EXISTS" : "OK";
            if (expected === "OK" && current !== undefined) {
              current.revision += 1;
              current.description = step.description;
              if (rename !== undefined) {
                model.delete(step.name);
                model.set(rename, current);
              }
            }
            actual = await codeOf(s.models.update(`acme/p:${step.name}`, { description: step.description, ...(step.rename === undefined ? {} : { name: step.rename }) }));
          } else if (step.op === "stage") {
            const current = model.get(step.name);
            expected = current === undefined ? "NOT_FOUND" : current.stage === step.to ? "OK" : EDGES[current.stage]!.includes(step.to) ? "OK" : "INVALID_TRANSITION";
            if (expected === "OK" && current !== undefined && current.stage !== step.to) {
              current.stage = step.to;
              current.revision += 1;
              current.conditions += 1;
            }
            actual = await codeOf(s.models.stage(`acme/p:${step.name}`, { to: step.to }));
          } else {
            expected = model.has(step.name) ? "OK" : "NOT_FOUND";
            model.delete(step.name);
            actual = await codeOf(s.models.delete(`acme/p:${step.name}`));
          }
          expect(actual, JSON.stringify(step)).toBe(expected);
          const page = await s.models.list("acme/p", { limit: 100, sort: "name" });
          const real = Object.fromEntries(page.results.map((v) => [v.name, { stage: v.stage, revision: v.revision, sequence: v.sequence, description: v.description, conditions: v.stageConditions.length }]));
          expect(real).toEqual(Object.fromEntries(model));
          const newest = [...model.entries()].sort((x, y) => y[1].sequence - x[1].sequence)[0];
          if (newest === undefined) expect(await codeOf(s.models.get("acme/p"))).toBe("NOT_FOUND");
          else expect((await s.models.get("acme/p:latest")).name).toBe(newest[0]);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

type LinkOp =
  | { op: "register"; project: number; name: string | undefined; run: number | null; force: boolean }
  | { op: "update"; project: number; name: string; run: number | null }
  | { op: "copy"; project: number; name: string; to: number }
  | { op: "transfer"; project: number; name: string; to: number }
  | { op: "delete"; project: number; name: string }
  | { op: "deleteRun"; run: number; cascade: boolean }
  | { op: "createRun" };

const PROJECTS = ["acme/p1", "acme/p2"];
const pIdx = fc.integer({ min: 0, max: 1 });
const rIdx = fc.integer({ min: 0, max: 3 });
const vName = fc.constantFrom("a", "b", "a-copy", "v1");
const linkOp: fc.Arbitrary<LinkOp> = fc.oneof(
  fc.record({ op: fc.constant("register" as const), project: pIdx, name: fc.option(vName, { nil: undefined }), run: fc.option(rIdx, { nil: null }), force: fc.boolean() }),
  fc.record({ op: fc.constant("update" as const), project: pIdx, name: vName, run: fc.option(rIdx, { nil: null }) }),
  fc.record({ op: fc.constant("copy" as const), project: pIdx, name: vName, to: pIdx }),
  fc.record({ op: fc.constant("transfer" as const), project: pIdx, name: vName, to: pIdx }),
  fc.record({ op: fc.constant("delete" as const), project: pIdx, name: vName }),
  fc.record({ op: fc.constant("deleteRun" as const), run: rIdx, cascade: fc.boolean() }),
  fc.constant({ op: "createRun" as const }),
);

async function assertPromotionExact(s: Session, runs: string[]) {
  const locks = new Map<string, string[]>();
  for (const kind of ["model", "artifact"] as const) {
    const page = await s.versions(kind).list("acme", { limit: 1000 });
    for (const v of page.results) if (v.run !== null) locks.set(v.run, [...(locks.get(v.run) ?? []), v.uuid]);
  }
  const live = new Set<string>();
  for (const project of PROJECTS) for (const run of (await s.runs.list(project, { limit: 1000 })).results) {
    live.add(run.uuid);
    expect([...run.promotedBy].sort(), `run ${run.uuid}`).toEqual([...(locks.get(run.uuid) ?? [])].sort());
    expect(run.isPromoted).toBe(run.promotedBy.length > 0);
  }
  // no version points at a run that is gone
  for (const uuid of locks.keys()) expect(live.has(uuid), `dangling run ${uuid}`).toBe(true);
  void runs;
}

describe("property: promotedBy is exactly the versions that lock the run", () => {
  it("after random register/update/copy/transfer/delete/run-delete-cascade sequences", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(linkOp, { maxLength: 25 }), fc.constantFrom("model" as const, "artifact" as const), async (ops, kind) => {
        const registry = createRegistry();
        const s = registry.as(SYSTEM);
        for (const p of PROJECTS) await s.projects.create({ owner: "acme", name: p.split("/")[1]! });
        const runs: string[] = [];
        for (let i = 0; i < 2; i++) runs.push((await s.runs.create({ project: PROJECTS[i % 2]!, artifacts: [{ name: "m", kind: "model" }] })).uuid);
        const api = s.versions(kind);
        const runOf = (i: number | null) => (i === null ? null : (runs[i % runs.length] ?? null));
        for (const step of ops) {
          const ref = (p: number, n: string) => `${PROJECTS[p]}:${n}`;
          let call: Promise<unknown>;
          switch (step.op) {
            case "register": {
              const run = runOf(step.run);
              call = api.register({ project: PROJECTS[step.project]!, run, ...(run === null ? {} : { artifacts: ["m"] }), ...(step.name === undefined ? {} : { name: step.name }), force: step.force });
              break;
            }
            case "update":
              call = api.update(ref(step.project, step.name), { run: runOf(step.run) });
              break;
            case "copy":
              call = api.copy(ref(step.project, step.name), { toProject: PROJECTS[step.to]! });
              break;
            case "transfer":
              call = api.transfer(ref(step.project, step.name), { toProject: PROJECTS[step.to]! });
              break;
            case "delete":
              call = api.delete(ref(step.project, step.name));
              break;
            case "deleteRun":
              call = runOf(step.run) === null ? Promise.resolve() : s.runs.delete(runOf(step.run)!, { cascade: step.cascade });
              break;
            case "createRun":
              call = s.runs.create({ project: PROJECTS[runs.length % 2]!, artifacts: [{ name: "m", kind: "model" }] }).then((run) => runs.push(run.uuid));
              break;
          }
          const code = await codeOf(call);
          expect(["OK", "ALREADY_EXISTS", "NOT_FOUND", "LOCKED", "LINEAGE"], `${JSON.stringify(step)} -> ${code}`).toContain(code);
          await assertPromotionExact(s, runs);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
