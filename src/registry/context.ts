import type { z } from "zod";
import { RegistryError, toStorageError } from "../errors.js";
import type { AccessPolicy } from "../domain/access.js";
import type { StageMachine } from "../domain/stages.js";
import type { InputSchemas, Limits } from "../domain/schemas.js";
import type { VersionKind } from "../domain/records.js";
import type { Store } from "../store/store.js";
import type { RegistryEventBus } from "./events.js";
import type { RunSource } from "./run-source.js";
import { UnitOfWork } from "./unit-of-work.js";

/** Everything a session needs, shared by every session of one registry. */
export interface RegistryContext {
  readonly store: Store;
  readonly policy: AccessPolicy;
  readonly stages: StageMachine;
  readonly clock: () => Date;
  readonly ids: () => string;
  /**
   * True when `ids` never repeats an id (the default: random UUIDs). A record under a fresh id is then
   * written without reading it first: its commit still expects no record there (a repeat would be a
   * conflict, and the call retried with a new id). An app's own generator is trusted less: the id is
   * read first, and one already in use is refused with `ALREADY_EXISTS`.
   */
  readonly uniqueIds: boolean;
  readonly auditIds: () => string;
  readonly limits: Limits;
  readonly schemas: InputSchemas;
  readonly metadata: Partial<Record<VersionKind, z.ZodType>>;
  readonly events: RegistryEventBus;
  /** An external run source, or `undefined` when runs live in the store. */
  readonly runSource: RunSource | undefined;
  readonly warn: (message: string) => void;
  readonly mutate: <R>(fn: (unit: UnitOfWork) => Promise<R>) => Promise<R>;
  /** Called after every successful commit with the uuids of runs whose promotion changed (external sources). */
  readonly afterCommit: (unit: UnitOfWork) => Promise<void>;
  /** Brings the store up to date with other processes (once per call attempt). */
  readonly refresh: () => Promise<void>;
}

// Unpinned conflicts retry with full-jitter exponential backoff (cap 200 ms): about 4 s of patience in
// all, enough for several processes or app instances contending for one project's counter record.
const MAX_ATTEMPTS = 30;
const BACKOFF_CAP_MS = 200;

/**
 * Runs mutations one after another per store (DESIGN §5.10, §5.28): each attempt refreshes, reads,
 * decides and computes under an in-process queue, hands its writes to the store, and lets the next
 * mutation start before this commit is durable. Unpinned conflicts retry with jittered backoff.
 */
export function createMutationRunner(
  store: Store,
  emit: (unit: UnitOfWork, seq: number) => void,
  afterCommit: (unit: UnitOfWork) => Promise<void>,
): <R>(fn: (unit: UnitOfWork) => Promise<R>) => Promise<R> {
  // The queue: `running` while a mutation computes; the next waiter is handed the turn directly (FIFO).
  // An idle queue is taken without a promise: most calls find it idle, and a promise per call was
  // two microtask turns and an allocation on every register.
  let running = false;
  let waiting: (() => void)[] = [];
  let head = 0;
  const acquire = (): Promise<void> | undefined => {
    if (!running) {
      running = true;
      return undefined;
    }
    return new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting[head];
    if (next === undefined) {
      running = false;
      if (head > 0) {
        waiting.length = 0;
        head = 0;
      }
      return;
    }
    waiting[head++] = undefined as unknown as () => void;
    // A queue that never drains (steady load) is compacted now and then instead of growing forever.
    if (head >= 1024 && head * 2 >= waiting.length) {
      waiting = waiting.slice(head);
      head = 0;
    }
    next();
  };

  return async <R>(fn: (unit: UnitOfWork) => Promise<R>): Promise<R> => {
    for (let attempt = 1; ; attempt++) {
      const turn = acquire();
      if (turn !== undefined) await turn;
      let unit: UnitOfWork;
      let result: R;
      let committing: Promise<{ seq: number }> | undefined;
      try {
        if (store.refresh !== undefined) {
          try {
            await store.refresh();
          } catch (error) {
            throw toStorageError(error, "refreshing from other processes");
          }
        }
        unit = new UnitOfWork(store);
        result = await fn(unit);
        if (unit.changed) {
          try {
            committing = store.commit(unit.writes());
          } catch (error) {
            // A store that throws synchronously is handled like one that rejects (CONFLICT retried, else STORAGE).
            committing = Promise.reject(error);
          }
          committing.catch(ignore);
          // A store that applies commits on call lets the next mutation compute on top of this one while it
          // becomes durable (group commit); any other store is waited for, so writers here never conflict.
          if (store.appliesCommitsOnCall !== true) await committing.catch(ignore);
        }
      } finally {
        release();
      }
      if (committing === undefined) return result;
      try {
        const { seq } = await committing;
        emit(unit, seq);
        if (unit.hasPromotions) await afterCommit(unit);
        return result;
      } catch (error) {
        if (error instanceof RegistryError && error.code === "CONFLICT" && attempt < MAX_ATTEMPTS) {
          await sleep(Math.random() * Math.min(2 ** attempt, BACKOFF_CAP_MS));
          continue;
        }
        if (error instanceof RegistryError && error.code === "CONFLICT") {
          throw new RegistryError("CONFLICT", `The change kept conflicting with concurrent writers; gave up after ${MAX_ATTEMPTS} attempts.`, {
            attempts: MAX_ATTEMPTS,
            ...error.details,
          });
        }
        throw toStorageError(error, "committing");
      }
    }
  };
}

/** Marks a rejection as handled where it is handled later (one shared function, not a closure per commit). */
function ignore(): undefined {
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

