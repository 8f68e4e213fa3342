import { createRegistry, memoryStore, openStages, SYSTEM, type Store } from "../src/index.js";
import { BENCH_OWNER, BENCH_PROJECT, seedVersions } from "./version-mix.js";

/** How many seed registers run at once (they queue per store; overlap only hides awaits). */
const SEED_IN_FLIGHT = 32;

/**
 * The seed: one memory registry grown through the public API (register, then one stage move with
 * `openStages`, so production needs no detour via staging). Each size's store under test is a copy
 * of this store's records made through the Store port, so it holds exactly what the registry writes.
 */
export class SeedSource {
  readonly store: Store = memoryStore();
  readonly #session = createRegistry({ store: this.store, stages: openStages }).as(SYSTEM);
  readonly #next = seedVersions();
  #count = 0;
  #created = false;

  /** Versions registered so far. */
  get count(): number {
    return this.#count;
  }

  /** Registers versions until the project holds `size`. */
  async growTo(size: number): Promise<void> {
    if (!this.#created) {
      await this.#session.projects.create({ owner: BENCH_OWNER, name: BENCH_PROJECT.split("/")[1] as string });
      this.#created = true;
    }
    while (this.#count < size) {
      const batch = Math.min(SEED_IN_FLIGHT, size - this.#count);
      const planned = Array.from({ length: batch }, (_, index) => this.#next(this.#count + index));
      this.#count += batch;
      await Promise.all(
        planned.map(async ({ input, stage }) => {
          const version = await this.#session.models.register(input);
          if (stage !== "testing") await this.#session.models.stage(`${BENCH_PROJECT}:${version.name}`, { to: stage });
        }),
      );
    }
  }
}
