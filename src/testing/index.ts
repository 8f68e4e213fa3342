export {};
export { runStoreConformance, runConformanceCase, storeConformanceCases, CONFORMANCE_GROUPS } from "./conformance.js";
export type { StoreConformanceOptions, ConformanceCase, ConformanceContext, ConformanceExpect, ConformanceMatchers, ConformanceTest, ConformanceGroup } from "./conformance.js";
export { createTestRegistry } from "./test-registry.js";
export type { ManualClock, TestPrincipals, TestRegistry } from "./test-registry.js";
