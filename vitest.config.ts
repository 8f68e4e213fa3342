import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: {
    alias: [
      { find: /^artifact-versions$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
      { find: /^artifact-versions\/testing$/, replacement: fileURLToPath(new URL("./src/testing/index.ts", import.meta.url)) },
      { find: /^artifact-versions\/fs$/, replacement: fileURLToPath(new URL("./src/adapters/fs/index.ts", import.meta.url)) },
      { find: /^artifact-versions\/postgres$/, replacement: fileURLToPath(new URL("./src/adapters/postgres/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    coverage: { include: ["src/**"], reporter: ["text-summary"] },
  },
});
