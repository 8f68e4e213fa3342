import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";

// Every complete TypeScript block in the guides (one that imports the package) runs here, so the
// guides cannot drift from the API. Fragments (no import) continue the previous complete block of the
// same page; a block preceded by `<!-- not run: reason -->` is skipped with its reason.
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const docs = join(root, "docs");
const scratch = join(root, "test/.doc-blocks");

interface Block {
  readonly page: string;
  readonly index: number;
  readonly code: string;
  readonly skip: string | undefined;
}

function blocksOf(page: string): Block[] {
  const text = readFileSync(join(docs, page), "utf8");
  const blocks: Block[] = [];
  const pattern = /(<!--\s*not run:\s*([^>]*?)\s*-->\s*)?```ts\n([\s\S]*?)```/g;
  let base = "";
  let index = 0;
  for (const match of text.matchAll(pattern)) {
    const code = match[3] ?? "";
    const complete = /from "artifact-versions(\/[a-z]+)?"/.test(code);
    if (complete) base = code;
    blocks.push({ page, index: index++, code: complete ? code : `${base}\n${code}`, skip: match[2] ?? (base === "" ? "fragment without a preceding complete block" : undefined) });
  }
  return blocks;
}

const pages = readdirSync(docs).filter((name) => name.endsWith(".md"));
const blocks = pages.flatMap(blocksOf);

describe("code blocks in docs/", () => {
  it("finds blocks to run", () => {
    expect(blocks.filter((block) => block.skip === undefined).length).toBeGreaterThan(0);
  });

  for (const block of blocks) {
    it.skipIf(block.skip !== undefined)(`${block.page} block ${block.index + 1} runs${block.skip === undefined ? "" : ` (skipped: ${block.skip})`}`, async () => {
      mkdirSync(scratch, { recursive: true });
      const file = join(scratch, `${block.page.replace(/\W/g, "_")}-${block.index}.ts`);
      writeFileSync(file, `${block.code}\nexport {};\n`);
      const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
      try {
        await import(pathToFileURL(file).href);
      } finally {
        log.mockRestore();
        rmSync(file, { force: true });
      }
    });
  }
});
