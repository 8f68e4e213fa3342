import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: {
    alias: [
      { find: /^artifact-versions$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
      { find: /^artifact-versions\/(.*)$/, replacement: fileURLToPath(new URL("./src/$1/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    coverage: { include: ["src/**"], reporter: ["text-summary"] },
  },
});
