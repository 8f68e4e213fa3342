import { produceWithPatches, enablePatches } from "immer";
import { RegistryError } from "../errors.js";
import { withPromotion } from "../domain/lineage.js";
import type { AuditPatch, Run } from "../domain/records.js";
import type { RegistryContext } from "./context.js";
import type { AccessGuard } from "./guard.js";
import { fromStored, toStored, type StoredRun } from "./stored-records.js";
import { auditTarget, recordChange } from "./audit-trail.js";
import type { Reader, UnitOfWork } from "./unit-of-work.js";

enablePatches();

/** Loads a run by uuid from the store (through `reader`) or from the app's external run source. */
export async function loadRun(context: RegistryContext, reader: Reader, uuid: string): Promise<Run | undefined> {
  if (context.runSource !== undefined) {
    try {
      return await context.runSource.get(uuid);
    } catch (error) {
      throw new RegistryError("STORAGE", `The run source failed to get run ${uuid}.`, { run: uuid }, { cause: error });
    }
  }
  const item = await reader.get<StoredRun>("runs", uuid);
  return item === undefined ? undefined : fromStored<Run>(item);
}

/**
 * Keeps `promotedBy`/`isPromoted` exact: moves `versionUuid` from the run it locked to the run it locks
 * now, in the same unit of work as the version change (store-kept runs), or queued for the external
 * run source after the commit. Emits `run.promoted` / `run.unpromoted` on the edges.
 */
export async function relinkRun(
  context: RegistryContext,
  unit: UnitOfWork,
  guard: AccessGuard,
  versionUuid: string,
  before: string | null,
  after: string | null,
): Promise<void> {
  if (before === after) return;
  if (before !== null) await setPromotion(context, unit, guard, before, versionUuid, false);
  if (after !== null) await setPromotion(context, unit, guard, after, versionUuid, true);
}

async function setPromotion(context: RegistryContext, unit: UnitOfWork, guard: AccessGuard, runUuid: string, versionUuid: string, linked: boolean) {
  if (context.runSource !== undefined) {
    const pending = unit.promotions.get(runUuid);
    const run = pending === undefined ? await loadRun(context, unit, runUuid) : undefined;
    const current = pending ?? run?.promotedBy;
    if (current === undefined) return;
    const set = new Set(current);
    if (linked) set.add(versionUuid);
    else set.delete(versionUuid);
    unit.promotions.set(runUuid, [...set]);
    return;
  }
  const item = await unit.get<StoredRun>("runs", runUuid);
  if (item === undefined) return; // the run is gone (deleted by a cascade in this same unit)
  const run = fromStored<Run>(item);
  const { promotedBy, edge } = withPromotion(run, versionUuid, linked);
  const at = context.clock().toISOString();
  const [next, patches] = produceWithPatches(toStored(run) as StoredRun, (draft) => {
    draft.promotedBy = promotedBy;
    draft.isPromoted = promotedBy.length > 0;
  });
  if (patches.length === 0) return;
  const revision = unit.put("runs", runUuid, next as never);
  if (edge !== null) {
    const type = edge === "promoted" ? "run.promoted" : "run.unpromoted";
    recordChange(context, unit, { type, actor: guard.actor, target: auditTarget.run(run), changes: patches as AuditPatch[], at }, { run: { ...next, revision } });
  }
}
