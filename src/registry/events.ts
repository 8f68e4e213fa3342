import { EventEmitter } from "eventemitter3";
import { RegistryError } from "../errors.js";
import type { AuditEntry, Project, Run, Version } from "../domain/records.js";

/** A version event: its audit entry plus the version after the change (before it, for `version.deleted`). */
export interface VersionEvent extends AuditEntry {
  /** The version after the change (before it, for `version.deleted`). */
  readonly version: Version;
}

/** A stage move: the version event plus the stages it moved between. */
export interface VersionStagedEvent extends VersionEvent {
  /** The stage the version left. */
  readonly from: string;
  /** The stage the version entered. */
  readonly to: string;
}

/** A copy: the new version, and the uuid of the one it was copied from. */
export interface VersionCopiedEvent extends VersionEvent {
  /** uuid of the version it was copied from. */
  readonly source: string;
}

/** A transfer: the version in its new project, and the project it left. */
export interface VersionTransferredEvent extends VersionEvent {
  /** `owner/name` of the project the version left. */
  readonly fromProject: string;
}

/** A run event: its audit entry plus the run after the change (before it, for `run.deleted`). */
export interface RunEvent extends AuditEntry {
  /** The run after the change (before it, for `run.deleted`). */
  readonly run: Run;
}

/** A project event: its audit entry plus the project after the change (before it, for `project.deleted`). */
export interface ProjectEvent extends AuditEntry {
  /** The project after the change (before it, for `project.deleted`). */
  readonly project: Project;
}

/** Every event the registry emits, by name, with its payload. Emitted after the commit succeeded. */
export interface RegistryEvents {
  /** A version was registered (`register()` or `runs.promote()` of a new name). */
  "version.created": VersionEvent;
  /** A version's fields changed: `update()`, or `register()` / `copy()` / `runs.promote()` with `force` over an existing name. */
  "version.updated": VersionEvent;
  /** A version was deleted (also by a project or run delete with `cascade`). */
  "version.deleted": VersionEvent;
  /** A version moved to another stage, including a holder demoted out of an exclusive stage. */
  "version.staged": VersionStagedEvent;
  /** A version moved to another project of the same owner. */
  "version.transferred": VersionTransferredEvent;
  /** A version was created as a copy of another. */
  "version.copied": VersionCopiedEvent;
  /** A version was restored from an exported record (`versions(kind).import()`). */
  "version.imported": VersionEvent;
  /** A run was recorded. */
  "run.created": RunEvent;
  /** A run's name, description, status or artifacts changed. */
  "run.updated": RunEvent;
  /** A run got its first locking version (default run source only). */
  "run.promoted": RunEvent;
  /** A run lost its last locking version (default run source only). */
  "run.unpromoted": RunEvent;
  /** A run was deleted (also by a project delete with `cascade`). */
  "run.deleted": RunEvent;
  /** A run was restored from an exported record (`runs.import()`). */
  "run.imported": RunEvent;
  /** A project was created. */
  "project.created": ProjectEvent;
  /** A project's description, visibility, grants or allowed source projects changed. */
  "project.updated": ProjectEvent;
  /** A project was deleted. */
  "project.deleted": ProjectEvent;
}

/** An event name. */
export type RegistryEventType = keyof RegistryEvents;

/** Every event name, for validation and tooling. */
export const REGISTRY_EVENT_TYPES: readonly RegistryEventType[] = Object.freeze([
  "version.created",
  "version.updated",
  "version.deleted",
  "version.staged",
  "version.transferred",
  "version.copied",
  "version.imported",
  "run.created",
  "run.updated",
  "run.promoted",
  "run.unpromoted",
  "run.deleted",
  "run.imported",
  "project.created",
  "project.updated",
  "project.deleted",
] satisfies RegistryEventType[]);

function assertSubscription(type: unknown, listener: unknown): void {
  if (!REGISTRY_EVENT_TYPES.includes(type as RegistryEventType)) {
    throw new RegistryError("VALIDATION", `Unknown event type ${JSON.stringify(type)}; expected one of ${REGISTRY_EVENT_TYPES.join(", ")}.`, {
      issues: [{ path: ["type"], message: "unknown event type" }],
    });
  }
  if (typeof listener !== "function") {
    throw new RegistryError("VALIDATION", "The listener must be a function.", { issues: [{ path: ["listener"], message: "not a function" }] });
  }
}

/** A listener for one event type. */
export type RegistryListener<K extends RegistryEventType> = (event: RegistryEvents[K]) => void;

/**
 * The registry's typed event bus (`registry.events`). Listeners run after the commit that caused
 * the event; a listener that throws never fails the call (the error goes to `onWarning`).
 */
export class RegistryEventBus {
  readonly #emitter = new EventEmitter();
  readonly #onListenerError: (error: unknown, type: string) => void;

  /** @internal */
  constructor(onListenerError: (error: unknown, type: string) => void) {
    this.#onListenerError = onListenerError;
  }

  /**
   * Calls `listener` for every event of `type`. Returns a function that unsubscribes it.
   * @throws RegistryError `VALIDATION` for an unknown event type or a listener that is not a function.
   * @example
   * ```ts
   * const off = registry.events.on("version.staged", (event) => console.log(event.version.name, event.from, "->", event.to));
   * off();
   * ```
   */
  on<K extends RegistryEventType>(type: K, listener: RegistryListener<K>): () => void {
    assertSubscription(type, listener);
    const safe = this.#guard(type, listener);
    this.#emitter.on(type, safe);
    return () => {
      this.#emitter.off(type, safe);
    };
  }

  /**
   * Like {@link on}, for the next event of `type` only.
   * @throws RegistryError `VALIDATION` for an unknown event type or a listener that is not a function.
   */
  once<K extends RegistryEventType>(type: K, listener: RegistryListener<K>): () => void {
    assertSubscription(type, listener);
    const safe = this.#guard(type, listener);
    this.#emitter.once(type, safe);
    return () => {
      this.#emitter.off(type, safe);
    };
  }

  /** How many listeners `type` has. */
  listenerCount(type: RegistryEventType): number {
    return this.#emitter.listenerCount(type);
  }

  /** @internal Emits one event; used by the registry after a commit. */
  emit<K extends RegistryEventType>(type: K, event: RegistryEvents[K]): void {
    this.#emitter.emit(type, event);
  }

  #guard<K extends RegistryEventType>(type: K, listener: RegistryListener<K>): (event: RegistryEvents[K]) => void {
    return (event) => {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error, type);
      }
    };
  }
}
