import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    testing: "src/testing/index.ts",
    fs: "src/adapters/fs/index.ts",
    postgres: "src/adapters/postgres/index.ts",
    cli: "src/cli/bin.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  splitting: true,
  treeshake: true,
  external: ["pg"],
  // Keep `node:` specifiers: they make Node-only entry points explicit (and fail fast in bundlers).
  removeNodeProtocol: false,
});
