import { defineConfig } from "vitest/config";

/**
 * The packaging gates (`npm run check`): slow (they pack the built package), so they are `*.check.ts`
 * files outside the default `npm test` run. They need a fresh build in dist/ (scripts/check.sh builds first).
 */
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/packaging/**/*.check.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
