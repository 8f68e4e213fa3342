import { EventEmitter } from "eventemitter3";
import type { AuditEntry, Project, Run, Version } from "../domain/records.js";

/** A version event: its audit entry plus the version after the change (before it, for `version.deleted`). */
export interface VersionEvent extends AuditEntry {
  readonly version: Version;
}

/** A stage move: the version event plus the stages it moved between. */
export interface VersionStagedEvent extends VersionEvent {
  readonly from: string;
  readonly to: string;
}

/** A copy: the new version, and the uuid of the one it was copied from. */
export interface VersionCopiedEvent extends VersionEvent {
  readonly source: string;
}

/** A transfer: the version in its new project, and the project it left. */
export interface VersionTransferredEvent extends VersionEvent {
  readonly fromProject: string;
}

/** A run event: its audit entry plus the run after the change (before it, for `run.deleted`). */
export interface RunEvent extends AuditEntry {
  readonly run: Run;
}

/** A project event: its audit entry plus the project after the change (before it, for `project.deleted`). */
export interface ProjectEvent extends AuditEntry {
  readonly project: Project;
}

/** Every event the registry emits, by name, with its payload. Emitted after the commit succeeded. */
export interface RegistryEvents {
  "version.created": VersionEvent;
  "version.updated": VersionEvent;
  "version.deleted": VersionEvent;
  "version.staged": VersionStagedEvent;
  "version.transferred": VersionTransferredEvent;
  "version.copied": VersionCopiedEvent;
  "version.imported": VersionEvent;
  "run.created": RunEvent;
  "run.updated": RunEvent;
  "run.promoted": RunEvent;
  "run.unpromoted": RunEvent;
  "run.deleted": RunEvent;
  "run.imported": RunEvent;
  "project.created": ProjectEvent;
  "project.updated": ProjectEvent;
  "project.deleted": ProjectEvent;
}

/** An event name. */
export type RegistryEventType = keyof RegistryEvents;

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
   * @example
   * ```ts
   * const off = registry.events.on("version.staged", (event) => console.log(event.version.name, event.from, "->", event.to));
   * off();
   * ```
   */
  on<K extends RegistryEventType>(type: K, listener: RegistryListener<K>): () => void {
    const safe = this.#guard(type, listener);
    this.#emitter.on(type, safe);
    return () => {
      this.#emitter.off(type, safe);
    };
  }

  /** Like {@link on}, for the next event of `type` only. */
  once<K extends RegistryEventType>(type: K, listener: RegistryListener<K>): () => void {
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
