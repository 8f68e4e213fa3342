import { RegistryError } from "../errors.js";
import { SYSTEM, type Action, type Principal, type Role } from "../domain/access.js";
import type { Project } from "../domain/records.js";
import type { RegistryContext } from "./context.js";

/** Extra facts for a stage decision. */
export interface StageFacts {
  readonly version?: unknown;
  readonly run?: unknown;
  readonly toStage?: string;
  readonly fromStage?: string;
  readonly requiredRole?: Role;
}

/**
 * Applies the access policy for one principal (DESIGN §5.36): unreadable answers `NOT_FOUND`,
 * readable but not allowed answers `FORBIDDEN` with `{ principal, action, project, role, required }`.
 * Only the exported `SYSTEM` object bypasses the policy.
 */
export class AccessGuard {
  readonly principal: Principal;
  readonly #context: RegistryContext;

  constructor(context: RegistryContext, principal: Principal) {
    this.#context = context;
    this.principal = principal;
  }

  /** The actor id written into records, conditions and audit entries. */
  get actor(): string {
    return this.principal.id;
  }

  /** True when the principal may do `action` on `project`. */
  can(project: Project, action: Action, facts: StageFacts = {}): boolean {
    if (this.principal === SYSTEM) return true;
    return this.#decide(project, action, facts).allow;
  }

  /** Throws `NOT_FOUND` (as if the project did not exist) unless the project exists and is readable. */
  assertReadable(project: Project | undefined, fullName: string, action: Action = "project.read"): asserts project is Project {
    if (project === undefined || !this.can(project, action)) {
      throw new RegistryError("NOT_FOUND", `Project ${fullName} does not exist, or you may not read it.`, { project: fullName });
    }
  }

  /** Throws `FORBIDDEN` unless the principal may do `action` on `project`. */
  assertAllowed(project: Project, action: Action, facts: StageFacts = {}): void {
    if (this.principal === SYSTEM) return;
    const decision = this.#decide(project, action, facts);
    if (decision.allow) return;
    throw new RegistryError("FORBIDDEN", `Forbidden: ${decision.reason}.`, {
      principal: this.principal.id,
      action,
      project: project.fullName,
      role: decision.role,
      required: decision.required,
      ...(facts.toStage === undefined ? {} : { toStage: facts.toStage }),
    });
  }

  #decide(project: Project, action: Action, facts: StageFacts) {
    const request = {
      principal: this.principal,
      action,
      project: { owner: project.owner, name: project.name, visibility: project.visibility, access: project.access },
      ...(facts.version === undefined ? {} : { version: facts.version }),
      ...(facts.run === undefined ? {} : { run: facts.run }),
      ...(facts.toStage === undefined ? {} : { toStage: facts.toStage }),
      ...(facts.fromStage === undefined ? {} : { fromStage: facts.fromStage }),
      ...(facts.requiredRole === undefined ? {} : { requiredRole: facts.requiredRole }),
    };
    return this.#context.policy.decide(request);
  }
}
