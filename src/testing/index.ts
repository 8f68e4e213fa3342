/**
 * `artifact-versions/testing`: tools for testing stores and apps built on the registry.
 * - `runStoreConformance({ test, expect, create })`: the suite every store adapter must pass.
 * - `createTestRegistry()`: a memory registry with a manual clock, deterministic ids and ready principals.
 * @module artifact-versions/testing
 */
export { runStoreConformance, runConformanceCase, storeConformanceCases, CONFORMANCE_GROUPS } from "./conformance.js";
export type { StoreConformanceOptions, ConformanceCase, ConformanceContext, ConformanceExpect, ConformanceMatchers, ConformanceTest, ConformanceGroup } from "./conformance.js";
export { createTestRegistry } from "./test-registry.js";
export type { ManualClock, TestPrincipals, TestRegistry } from "./test-registry.js";
