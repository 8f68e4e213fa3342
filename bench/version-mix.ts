import type { RegisterInput } from "../src/index.js";
import { seededRandom } from "./random.js";

/** The project every workload runs in. */
export const BENCH_OWNER = "acme";
export const BENCH_PROJECT = "acme/bench";

/** The filter of the list workload. */
export const LIST_QUERY = "stage:production, tags:x";

/** One seeded version: what to register and which stage to move it to afterwards. */
export interface SeedVersion {
  readonly input: RegisterInput;
  readonly stage: "testing" | "staging" | "production" | "disabled";
}

const OTHER_TAGS = ["nightly", "gpu", "baseline", "distilled", "int8"];

/**
 * A realistic mix: 5% production, 15% staging, 2% disabled, the rest testing; tag `x` on 20%,
 * zero to three other tags, half with a description, small metrics in `metadata`.
 * So `stage:production, tags:x` matches ~1% (10 at 1,000; 1,000 at 100,000).
 */
export function seedVersions(seed = 7): (index: number) => SeedVersion {
  const random = seededRandom(seed);
  return () => {
    const roll = random();
    const stage = roll < 0.05 ? "production" : roll < 0.2 ? "staging" : roll < 0.22 ? "disabled" : "testing";
    const tags = random() < 0.2 ? ["x"] : [];
    for (const tag of OTHER_TAGS) if (random() < 0.15) tags.push(tag);
    const input: RegisterInput = {
      project: BENCH_PROJECT,
      tags,
      metadata: { accuracy: Math.round(random() * 1e4) / 1e4, f1: Math.round(random() * 1e4) / 1e4, epochs: 1 + Math.floor(random() * 50) },
    };
    if (random() < 0.5) input.description = "Gradient-boosted churn model trained on the weekly snapshot";
    return { input, stage };
  };
}

/** The register input the write workloads use (same shape as the seed's). */
export function benchRegisterInput(index: number): RegisterInput {
  return {
    project: BENCH_PROJECT,
    tags: index % 5 === 0 ? ["x", "nightly"] : ["nightly"],
    description: "Gradient-boosted churn model trained on the weekly snapshot",
    metadata: { accuracy: 0.9123, f1: 0.8765, epochs: 12 },
  };
}
