import { createRegistry, type Registry, type RegistryOptions } from "../registry/registry.js";
import type { MetadataSchemas } from "../registry/session.js";
import type { Principal } from "../domain/access.js";
import { RegistryError } from "../errors.js";

/** A clock you move by hand. */
export interface ManualClock {
  /** The current time. */
  now(): Date;
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void;
  /** Sets the clock to `date`. */
  set(date: Date | string): void;
}

/** Ready-made principals for tests. */
export interface TestPrincipals {
  /** A new user with org role `owner` in `owner`. */
  owner(owner: string): Principal;
  /** A new user with org role `admin` in `owner`. */
  admin(owner: string): Principal;
  /** A new user with org role `member` in `owner`. */
  member(owner: string): Principal;
  /** A new user with org role `viewer` in `owner`. */
  viewer(owner: string): Principal;
  /** A new user with no role anywhere. */
  outsider(): Principal;
}

/** What {@link createTestRegistry} returns. */
export interface TestRegistry<M extends MetadataSchemas = MetadataSchemas> {
  /** The registry: over a fresh memory store unless `options.store` gives one, with `clock` and deterministic ids. */
  registry: Registry<M>;
  /** The registry's manual clock: move it with `advance(ms)` or `set(date)`. */
  clock: ManualClock;
  /** Ready-made principals (`owner("acme")`, `member("acme")`, `viewer("acme")`, `outsider()`). */
  principals: TestPrincipals;
}

/**
 * A memory registry for tests: a manual clock starting at 2026-01-01T00:00:00Z (each read moves it
 * forward 1 ms so records get distinct times), deterministic ids (`00000000-0000-4000-8000-<n>`,
 * offset by `seed`), and ready principals.
 * @throws RegistryError `VALIDATION` when `seed` is not a non-negative integer, or an option is malformed
 *   (as {@link createRegistry}).
 * @example
 * ```ts
 * const { registry, clock, principals } = createTestRegistry();
 * const ana = registry.as(principals.owner("acme"));
 * clock.advance(60_000);
 * ```
 */
export function createTestRegistry<M extends MetadataSchemas = MetadataSchemas>(
  options: { seed?: number } & Omit<RegistryOptions<M>, "clock" | "ids"> = {},
): TestRegistry<M> {
  const { seed = 0, ...rest } = options;
  if (!Number.isInteger(seed) || seed < 0) throw new RegistryError("VALIDATION", "`seed` must be a non-negative integer.", { issues: [{ path: ["seed"], message: "not a non-negative integer" }] });
  let time = Date.parse("2026-01-01T00:00:00.000Z");
  let counter = seed * 1_000_000;
  const clock: ManualClock = {
    now: () => new Date(time++),
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new RegistryError("VALIDATION", "`advance` takes a non-negative number of milliseconds.", {});
      time += ms;
    },
    set: (date) => {
      const next = new Date(date).getTime();
      if (Number.isNaN(next)) throw new RegistryError("VALIDATION", `Not a date: ${String(date)}.`, {});
      time = next;
    },
  };
  const ids = () => `00000000-0000-4000-8000-${(counter++).toString(16).padStart(12, "0")}`;
  const registry = createRegistry<M>({ ...rest, clock: clock.now, ids });
  let users = 0;
  const make = (role: "owner" | "admin" | "member" | "viewer", owner: string): Principal => ({ id: `${role}-${owner}-${++users}`, orgs: { [owner]: role } });
  return {
    registry,
    clock,
    principals: {
      owner: (owner) => make("owner", owner),
      admin: (owner) => make("admin", owner),
      member: (owner) => make("member", owner),
      viewer: (owner) => make("viewer", owner),
      outsider: () => ({ id: `outsider-${++users}` }),
    },
  };
}
