import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("the core entry in a browser bundle", () => {
  it("bundles dist/index.js for platform browser without any node: import", async () => {
    // esbuild refuses (rejects) to bundle a Node builtin for the browser, with or without `node:`.
    const result = await build({
      absWorkingDir: root,
      entryPoints: ["dist/index.js"],
      bundle: true,
      platform: "browser",
      format: "esm",
      minify: true,
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => input.startsWith("node:") || input.includes("(disabled)"))).toEqual([]);
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((entry) => entry.path));
    // tsup strips the `node:` prefix by default (`removeNodeProtocol`), so bare builtins count too.
    expect(imports.filter((path) => path.startsWith("node:") || builtinModules.includes(path))).toEqual([]);
    // Only the library and its browser-safe dependencies end up in the bundle.
    const packages = new Set(inputs.filter((input) => input.includes("node_modules/")).map((input) => input.split("node_modules/").at(-1)!.split("/")[0]));
    for (const name of packages) expect(["eventemitter3", "immer", "nanoid", "zod"]).toContain(name);
  });
});
