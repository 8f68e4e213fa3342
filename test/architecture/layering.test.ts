import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The layering is a test, not a hope (STYLE.md): data flows CLI/app -> session -> domain -> store.
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)];
  return specifiers.map((match) => match[1] ?? match[2] ?? "");
}

function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return resolve(dirname(from), specifier.replace(/\.js$/, ".ts"));
}

const files = sourceFiles(root);
const area = (file: string) => relative(root, file).split("/")[0] ?? "";

describe("layering", () => {
  it("finds the source files", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it("keeps domain/ pure: no store, registry, adapters, cli or node: modules", () => {
    const offenders = files
      .filter((file) => area(file) === "domain")
      .flatMap((file) =>
        importsOf(file)
          .filter((specifier) => {
            if (specifier.startsWith("node:")) return true;
            const target = resolveLocal(file, specifier);
            return target !== undefined && ["store", "registry", "adapters", "cli", "testing"].includes(area(target));
          })
          .map((specifier) => `${relative(root, file)} -> ${specifier}`),
      );
    expect(offenders).toEqual([]);
  });

  it("keeps store/ and adapters/ away from the registry and the cli", () => {
    const offenders = files
      .filter((file) => area(file) === "store" || area(file) === "adapters")
      .flatMap((file) =>
        importsOf(file)
          .filter((specifier) => {
            const target = resolveLocal(file, specifier);
            return target !== undefined && ["registry", "cli"].includes(area(target));
          })
          .map((specifier) => `${relative(root, file)} -> ${specifier}`),
      );
    expect(offenders).toEqual([]);
  });

  it("never reaches node: modules from the main entry (it runs in browsers)", () => {
    const seen = new Set<string>();
    const nodeImports: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        if (specifier.startsWith("node:") || ["fs", "path", "os", "crypto", "child_process"].includes(specifier)) nodeImports.push(`${relative(root, file)} -> ${specifier}`);
        const target = resolveLocal(file, specifier);
        if (target !== undefined) visit(target);
      }
    };
    visit(join(root, "index.ts"));
    expect(seen.size).toBeGreaterThan(10);
    expect(nodeImports).toEqual([]);
  });
});
