import { RegistryError, toStorageError } from "../errors.js";
import { deepFreeze } from "../domain/freeze.js";
import { adoptJson } from "../domain/json-copy.js";
import type { JsonValue } from "../domain/json.js";
import type { Store, StoredItem, StoreQuery, StoreQueryResult, Write } from "../store/store.js";
import type { RegistryEvents, RegistryEventType } from "./events.js";
import type { AuditEntry } from "../domain/records.js";

type Slot = { collection: string; key: string; read: number; current: StoredItem | undefined; written: boolean };

/** Up to this many slots a unit finds a record by scanning them; beyond, by maps (a cascade touches hundreds). */
const SCAN_SLOTS = 16;

function indexSlot(slots: Map<string, Map<string, Slot>>, slot: Slot): void {
  let byKey = slots.get(slot.collection);
  if (byKey === undefined) slots.set(slot.collection, (byKey = new Map()));
  byKey.set(slot.key, slot);
}

/** An audit entry before its commit: `seq` is filled in from the commit. */
export type AuditDraft = Omit<AuditEntry, "seq">;

/** An event waiting for its commit; `payload` gets the audit entry (with `seq`) merged in. */
export interface PendingEvent {
  readonly type: RegistryEventType;
  readonly entry: AuditDraft;
  readonly payload: Record<string, unknown>;
}

/**
 * One attempt of one mutating call: remembers every record it read (with its revision) and every
 * write, so the commit carries a `check` for each record that decided the outcome. Nothing touches
 * the store until {@link UnitOfWork.writes} is committed.
 */
export class UnitOfWork {
  readonly #store: Store;
  /** Every slot in the order first read: the order of the commit's writes. */
  readonly #order: Slot[] = [];
  /**
   * Slots by collection, then key, built only once a unit holds more than {@link SCAN_SLOTS} slots:
   * a register reads about six records, and scanning them is cheaper than building maps per call.
   */
  #slots: Map<string, Map<string, Slot>> | undefined;
  readonly #audit: { key: string; value: JsonValue }[] = [];
  readonly events: PendingEvent[] = [];
  #promotions: Map<string, string[]> | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  /** External run source only: the runs whose `promotedBy` this unit changed, told to the source after the commit. */
  get promotions(): Map<string, string[]> {
    return (this.#promotions ??= new Map());
  }

  /** True when the unit changed a run's `promotedBy` (an external run source must be told). */
  get hasPromotions(): boolean {
    return this.#promotions !== undefined && this.#promotions.size > 0;
  }

  /** Reads a record (through this unit's own pending writes), remembering its revision. */
  get<T>(collection: string, key: string): Promise<StoredItem<T> | undefined> {
    // Not an async function: a record read before is answered without a second frame and await.
    const slot = this.#find(collection, key);
    return slot === undefined ? this.#read<T>(collection, key) : Promise.resolve(slot.current as StoredItem<T> | undefined);
  }

  async #read<T>(collection: string, key: string): Promise<StoredItem<T> | undefined> {
    let item: StoredItem | undefined;
    try {
      item = await this.#store.get(collection, key);
    } catch (error) {
      throw toStorageError(error, `reading ${collection}/${key}`);
    }
    const slot = this.#find(collection, key) ?? this.#add({ collection, key, read: item?.revision ?? 0, current: item, written: false });
    return slot.current as StoredItem<T> | undefined;
  }

  /**
   * Marks a record as created by this unit without reading it: its put will expect no record there,
   * so the commit conflicts if one exists. For keys that cannot be taken yet (a fresh random id).
   */
  create(collection: string, key: string): void {
    if (this.#find(collection, key) !== undefined) throw new RegistryError("STORAGE", `Internal error: ${collection}/${key} was read before being created.`);
    this.#add({ collection, key, read: 0, current: undefined, written: false });
  }

  /** Queries the store (results are not tracked: adopt the items that decide the outcome). */
  async query(collection: string, query: StoreQuery): Promise<StoreQueryResult> {
    return readQuery(this.#store, collection, query);
  }

  /** Remembers a record that a query returned, as if read with {@link get}. */
  adopt(collection: string, item: StoredItem): void {
    if (this.#find(collection, item.key) === undefined) this.#add({ collection, key: item.key, read: item.revision, current: item, written: false });
  }

  /** Creates or replaces a record that was read first (freezing `value`); returns the revision it will have. */
  put(collection: string, key: string, value: JsonValue): number {
    const slot = this.#slot(collection, key);
    // Frozen in place (with JSON's semantics) and marked as a JSON copy: the store keeps this very object.
    const stored = adoptJson(value, { collection, key });
    const revision = slot.read + 1;
    slot.current = { key, revision, seq: 0, value: stored };
    slot.written = true;
    return revision;
  }

  /** Deletes a record that was read first. */
  delete(collection: string, key: string): void {
    const slot = this.#slot(collection, key);
    slot.current = undefined;
    slot.written = true;
  }

  /** Adds an audit entry and the event to emit for it after the commit. */
  record(type: RegistryEventType, entry: AuditDraft, payload: Record<string, unknown>, project: string): void {
    // `project` and `targetUuid` are stored beside the entry so every store can filter on them.
    // One object literal (not a spread): V8 gives all entries one shape, which freezing keeps shared.
    const { id, type: entryType, at, actor, target, changes } = entry;
    const value = { id, type: entryType, at, actor, target, changes, project, targetUuid: target.uuid } as unknown as JsonValue;
    this.#audit.push({ key: entry.id, value: adoptJson(value, { collection: "audit", key: entry.id }) });
    this.events.push({ type, entry, payload });
  }

  /** True when the attempt changes anything. */
  get changed(): boolean {
    return this.#audit.length > 0 || this.#order.some((slot) => slot.written);
  }

  /** The writes of the commit: puts and deletes, a `check` for every record only read, then the audit entries. */
  writes(): Write[] {
    const writes: Write[] = [];
    for (const slot of this.#order) {
      const { collection, key, read } = slot;
      if (!slot.written) writes.push({ op: "check", collection, key, expect: read });
      else if (slot.current !== undefined) writes.push({ op: "put", collection, key, expect: read, value: slot.current.value });
      else if (read > 0) writes.push({ op: "delete", collection, key, expect: read });
      else writes.push({ op: "check", collection, key, expect: 0 });
    }
    for (const entry of this.#audit) writes.push({ op: "put", collection: "audit", key: entry.key, expect: 0, value: entry.value });
    return writes;
  }

  #find(collection: string, key: string): Slot | undefined {
    if (this.#slots !== undefined) return this.#slots.get(collection)?.get(key);
    for (const slot of this.#order) if (slot.key === key && slot.collection === collection) return slot;
    return undefined;
  }

  #add(slot: Slot): Slot {
    this.#order.push(slot);
    if (this.#slots !== undefined) indexSlot(this.#slots, slot);
    else if (this.#order.length > SCAN_SLOTS) {
      this.#slots = new Map();
      for (const each of this.#order) indexSlot(this.#slots, each);
    }
    return slot;
  }

  #slot(collection: string, key: string): Slot {
    const slot = this.#find(collection, key);
    if (slot === undefined) throw new RegistryError("STORAGE", `Internal error: ${collection}/${key} was written without being read first.`);
    return slot;
  }
}

/** The event of a pending one, once the commit's `seq` is known (built only for types someone listens to). */
export function eventOf(pending: PendingEvent, seq: number): RegistryEvents[RegistryEventType] {
  return deepFreeze({ ...pending.entry, seq, ...pending.payload }) as unknown as RegistryEvents[RegistryEventType];
}

/** What the session reads through: a unit of work inside mutations, the store directly for plain reads. */
export interface Reader {
  get<T>(collection: string, key: string): Promise<StoredItem<T> | undefined>;
  query(collection: string, query: StoreQuery): Promise<StoreQueryResult>;
}

/** Reads straight from the store, wrapping adapter failures as `STORAGE`. */
export function directReader(store: Store): Reader {
  return {
    async get<T>(collection: string, key: string) {
      try {
        return (await store.get(collection, key)) as StoredItem<T> | undefined;
      } catch (error) {
        throw toStorageError(error, `reading ${collection}/${key}`);
      }
    },
    query: (collection, query) => readQuery(store, collection, query),
  };
}

async function readQuery(store: Store, collection: string, query: StoreQuery): Promise<StoreQueryResult> {
  try {
    return await store.query(collection, query);
  } catch (error) {
    throw toStorageError(error, `querying ${collection}`);
  }
}
