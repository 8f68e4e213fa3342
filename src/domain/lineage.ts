import { RegistryError } from "../errors.js";
import type { Run } from "./records.js";

/** What a lineage check needs to know about the project a version lives in. */
export interface LineageTarget {
  /** `owner/name` of the version's project. */
  readonly project: string;
  readonly owner: string;
  /** The project's allow-list of source projects; empty means any project of the same owner. */
  readonly allowedSourceProjects: readonly string[];
}

/**
 * Checks that a version may lock `run` and carry `artifacts` (DESIGN §2 "Runs and lineage"):
 * artifacts need a run; every artifact name must exist on the run; the run's project must be the
 * version's project, or on the target's allow-list, or (with an empty list) of the same owner.
 * @throws RegistryError `LINEAGE` naming what is wrong.
 */
export function assertLineage(target: LineageTarget, run: Run | null, artifacts: readonly string[]): void {
  if (run === null) {
    if (artifacts.length > 0) {
      throw new RegistryError("LINEAGE", "A run is required to link the artifacts: pass `run` with `artifacts`.", {
        artifacts: [...artifacts],
      });
    }
    return;
  }
  if (run.project !== target.project) {
    const allowed = target.allowedSourceProjects;
    const runOwner = run.project.split("/")[0];
    // Other owners are refused whatever the allow-list says; the list narrows the owner's projects.
    if (runOwner !== target.owner || (allowed.length > 0 && !allowed.includes(run.project))) {
      throw new RegistryError(
        "LINEAGE",
        allowed.length > 0
          ? `Runs of ${run.project} may not be promoted into ${target.project}: its allowedSourceProjects are ${allowed.join(", ")}.`
          : `Runs of ${run.project} may not be promoted into ${target.project}: only projects of the owner "${target.owner}" may.`,
        { run: run.uuid, runProject: run.project, project: target.project, allowedSourceProjects: [...allowed] },
      );
    }
  }
  const names = new Set(run.artifacts.map((artifact) => artifact.name));
  const missing = artifacts.filter((name) => !names.has(name));
  if (missing.length > 0) {
    throw new RegistryError("LINEAGE", `Some artifacts could not be found on run ${run.uuid}: ${missing.join(", ")}.`, {
      run: run.uuid,
      missing,
    });
  }
}

/** The run's `promotedBy` with `versionUuid` added or removed, and whether the promoted flag flipped. */
export function withPromotion(run: Run, versionUuid: string, linked: boolean): { promotedBy: string[]; edge: "promoted" | "unpromoted" | null } {
  const current = run.promotedBy;
  const has = current.includes(versionUuid);
  if (linked === has) return { promotedBy: [...current], edge: null };
  const promotedBy = linked ? [...current, versionUuid] : current.filter((uuid) => uuid !== versionUuid);
  const edge = current.length === 0 && promotedBy.length > 0 ? "promoted" : current.length > 0 && promotedBy.length === 0 ? "unpromoted" : null;
  return { promotedBy, edge };
}
