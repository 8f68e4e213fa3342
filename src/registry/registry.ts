import { nanoid } from "nanoid";
import { flatBuiltString, flatString } from "../domain/flat-string.js";
import { RegistryError, toStorageError } from "../errors.js";
import { defaultPolicy, parsePrincipal, SYSTEM, ANONYMOUS, type AccessPolicy, type Principal } from "../domain/access.js";
import { DEFAULT_STAGES, type StageMachine } from "../domain/stages.js";
import { createInputSchemas, DEFAULT_LIMITS, type Limits } from "../domain/schemas.js";
import type { Run, Version } from "../domain/records.js";
import type { Store } from "../store/store.js";
import { memoryStore } from "../store/memory.js";
import { createMutationRunner, type RegistryContext } from "./context.js";
import { RegistryEventBus } from "./events.js";
import type { RunSource } from "./run-source.js";
import { Session, type MetadataSchemas } from "./session.js";
import { eventOf, type UnitOfWork } from "./unit-of-work.js";

/** Options of {@link createRegistry}. Every one is optional. */
export interface RegistryOptions<M extends MetadataSchemas = MetadataSchemas> {
  /** Where records live. Default: a fresh `memoryStore()`. */
  store?: Store;
  /** Who may do what. Default: `defaultPolicy` (DESIGN's matrix). */
  policy?: AccessPolicy;
  /** The stage machine. Default: `DEFAULT_STAGES`; `openStages` allows any move. */
  stages?: StageMachine;
  /** Per-kind zod schemas validating (and typing) `version.metadata`. */
  metadata?: M;
  /** Serve runs from your own tracking system (see {@link RunSource}). Default: runs live in the store. */
  runs?: RunSource;
  /** The time source. Default: `() => new Date()`. */
  clock?: () => Date;
  /** Makes version, run and audit ids. Default: `crypto.randomUUID()` for versions and runs, nanoid for audit ids. */
  ids?: () => string;
  /** Input size limits, each a non-negative integer or `Infinity`; the defaults are {@link DEFAULT_LIMITS}. */
  limits?: Partial<Limits>;
  /** Receives warnings (a listener that threw, a run source that failed). Default: `process.emitWarning` or `console.warn`. */
  onWarning?: (message: string) => void;
}

/**
 * A registry: the entry point. Act through `registry.as(principal)`; listen on `registry.events`.
 * @example
 * ```ts
 * const registry = createRegistry({ store: memoryStore() });
 * const ana = registry.as({ id: "ana", orgs: { acme: "admin" } });
 * await ana.projects.create({ owner: "acme", name: "churn" });
 * await ana.models.register({ project: "acme/churn", name: "v1" });
 * ```
 */
export interface Registry<M extends MetadataSchemas = MetadataSchemas> {
  /** Typed events, emitted after each successful commit. `on()` returns an unsubscribe function. */
  readonly events: RegistryEventBus;
  /** The store in use. */
  readonly store: Store;
  /** The stage machine in use. */
  readonly stages: StageMachine;
  /**
   * A client acting as `principal`. Pass the exported `SYSTEM` to bypass access checks, `ANONYMOUS` for a visitor.
   * @throws RegistryError `VALIDATION` for a malformed principal or an unknown role.
   * @example
   * ```ts
   * const ana = registry.as({ id: "ana", orgs: { acme: "member" }, teams: { "acme/ml": "contributor" } });
   * const page = await ana.models.list("acme/churn");
   * ```
   */
  as(principal: Principal): Session<M>;
  /**
   * External run sources only: recomputes every run's `promotedBy` from the versions and tells the source.
   * Returns how many runs were told. With store-kept runs it does nothing (they are always exact).
   * A `recordPromotion` that still fails after 3 attempts is reported to `onWarning`, not thrown.
   * @throws The store's or the run source's (`get`, `list`) error, unchanged, when a read fails.
   */
  reconcileRuns(): Promise<number>;
  /**
   * Closes the store. Later calls may fail with `STORAGE`.
   * @throws RegistryError `STORAGE` when the store fails to close.
   */
  close(): Promise<void>;
}

function defaultWarn(message: string): void {
  const processLike = (globalThis as { process?: { emitWarning?: (message: string, name?: string) => void } }).process;
  if (typeof processLike?.emitWarning === "function") processLike.emitWarning(message, "ArtifactVersionsWarning");
  else console.warn(message);
}

/**
 * Creates a registry. With no options it keeps everything in memory (browser-safe).
 * @param options - Store, policy, stage machine, metadata schemas, run source, clock, ids, limits and
 *   warning handler; every one optional.
 * @throws RegistryError `VALIDATION` when an option is malformed (a store without `get`/`query`/`commit`,
 *   a policy without `decide`, an unknown limit or one that is not a non-negative integer or `Infinity`).
 * @example
 * ```ts
 * import { createRegistry, memoryStore, SYSTEM } from "artifact-versions";
 * const registry = createRegistry({ store: memoryStore(), limits: { tags: 20 } });
 * const admin = registry.as(SYSTEM);
 * await admin.projects.create({ owner: "acme", name: "churn" });
 * const v1 = await admin.models.register({ project: "acme/churn", name: "v1" });
 * ```
 */
export function createRegistry<M extends MetadataSchemas = MetadataSchemas>(options: RegistryOptions<M> = {}): Registry<M> {
  const store = options.store ?? memoryStore();
  for (const method of ["get", "query", "commit"] as const) {
    if (typeof (store as unknown as Record<string, unknown>)[method] !== "function") {
      throw new RegistryError("VALIDATION", `The store must implement ${method}().`, { issues: [{ path: ["store", method], message: "missing" }] });
    }
  }
  for (const name of ["clock", "ids", "onWarning"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new RegistryError("VALIDATION", `The \`${name}\` option must be a function.`, { issues: [{ path: [name], message: "not a function" }] });
    }
  }
  if (options.runs !== undefined) {
    for (const method of ["get", "list", "recordPromotion"] as const) {
      if (typeof (options.runs as unknown as Record<string, unknown>)[method] !== "function") {
        throw new RegistryError("VALIDATION", `The run source must implement ${method}().`, { issues: [{ path: ["runs", method], message: "missing" }] });
      }
    }
  }
  if (options.stages !== undefined && typeof options.stages.transition !== "function") {
    throw new RegistryError("VALIDATION", "The `stages` option must be a machine made by defineStages().", { issues: [{ path: ["stages"], message: "not a stage machine" }] });
  }
  if (options.policy !== undefined && typeof options.policy.decide !== "function") {
    throw new RegistryError("VALIDATION", "The access policy must implement decide().", { issues: [{ path: ["policy"], message: "missing decide" }] });
  }
  const warn = options.onWarning ?? defaultWarn;
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, name)) {
      throw new RegistryError("VALIDATION", `Unknown limit \`limits.${name}\`: the limits are ${Object.keys(DEFAULT_LIMITS).join(", ")}.`, { issues: [{ path: ["limits", name], message: "unknown limit" }] });
    }
    if (typeof value !== "number" || !(value >= 0) || !(Number.isSafeInteger(value) || value === Number.POSITIVE_INFINITY)) {
      throw new RegistryError("VALIDATION", `The \`limits.${name}\` option must be a non-negative integer or Infinity (got ${String(value)}).`, {
        issues: [{ path: ["limits", name], message: "not a non-negative integer" }],
      });
    }
  }
  const events = new RegistryEventBus((error, type) => warn(`A listener for ${type} threw: ${error instanceof Error ? error.message : String(error)}`));
  // Ids live as long as their records: kept flat (see flatString), not as the concatenation trees the generators build.
  // The default generators concatenate (flatBuiltString); an app's `ids` may answer slices (flatString copies them).
  const appIds = options.ids;
  const ids = appIds === undefined ? () => flatBuiltString(globalThis.crypto.randomUUID()) : () => flatString(appIds());
  const auditIds = appIds === undefined ? () => flatBuiltString(nanoid()) : () => flatString(appIds());
  const runSource = options.runs;

  const emit = (unit: UnitOfWork, seq: number) => {
    for (const pending of unit.events) if (events.listenerCount(pending.type) > 0) events.emit(pending.type, eventOf(pending, seq) as never);
  };

  const tellSource = async (uuid: string, promotedBy: string[]) => {
    if (runSource === undefined) return;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await runSource.recordPromotion(uuid, promotedBy);
        return;
      } catch (error) {
        if (attempt === 3) warn(`The run source failed to record the promotion of run ${uuid}: ${error instanceof Error ? error.message : String(error)}. Call registry.reconcileRuns().`);
      }
    }
  };

  const afterCommit = async (unit: UnitOfWork) => {
    for (const [uuid, promotedBy] of unit.promotions) await tellSource(uuid, promotedBy);
  };

  const context: RegistryContext = {
    store,
    policy: options.policy ?? defaultPolicy,
    stages: options.stages ?? DEFAULT_STAGES,
    clock: options.clock ?? (() => new Date()),
    ids,
    uniqueIds: appIds === undefined,
    auditIds,
    limits,
    schemas: createInputSchemas(limits),
    metadata: options.metadata ?? {},
    events,
    runSource,
    warn,
    mutate: createMutationRunner(store, emit, afterCommit),
    afterCommit,
    refresh: async () => {
      if (store.refresh === undefined) return;
      try {
        await store.refresh();
      } catch (error) {
        throw toStorageError(error, "refreshing from other processes");
      }
    },
  };

  /** Recomputes every run's `promotedBy` from the versions and tells the external source where it differs. */
  async function reconcile(): Promise<number> {
    if (runSource === undefined) return 0;
    const result = await store.query("versions", { where: { type: "not", item: { type: "term", field: "run", op: "nil", value: null } } });
    const byRun = new Map<string, string[]>();
    for (const item of result.items) {
      const version = item.value as unknown as Version;
      if (version.run !== null) byRun.set(version.run, [...(byRun.get(version.run) ?? []), version.uuid]);
    }
    let told = 0;
    const same = (a: readonly string[], b: readonly string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
    for (const [uuid, promotedBy] of byRun) {
      const run: Run | undefined = await runSource.get(uuid);
      if (run !== undefined && !same(run.promotedBy, promotedBy)) {
        await tellSource(uuid, promotedBy);
        told += 1;
      }
    }
    // Runs the source still marks promoted although no version locks them any more (an unlink it missed).
    const projects = await store.query("projects", {});
    for (const item of projects.items) {
      const limit = 1000;
      for (let offset = 0; ; offset += limit) {
        const page = await runSource.list(item.key, { where: null, sort: [{ field: "created_at", direction: "asc" }], limit, offset });
        for (const run of page.items) {
          if (run.promotedBy.length > 0 && !byRun.has(run.uuid)) {
            await tellSource(run.uuid, []);
            told += 1;
          }
        }
        if (page.items.length < limit || offset + limit >= page.total) break;
      }
    }
    return told;
  }

  return {
    events,
    store,
    stages: context.stages,
    as(principal: Principal): Session<M> {
      const checked = principal === SYSTEM || principal === ANONYMOUS ? principal : parsePrincipal(principal);
      return new Session<M>(context, checked);
    },
    async reconcileRuns(): Promise<number> {
      try {
        return await reconcile();
      } catch (error) {
        throw toStorageError(error, "reconciling runs with the run source");
      }
    },
    async close(): Promise<void> {
      try {
        await store.close?.();
      } catch (error) {
        throw toStorageError(error, "closing");
      }
    },
  };
}
