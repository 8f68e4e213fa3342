import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

/**
 * Every example runs to completion by itself. Here they run against the sources (the root
 * tsconfig maps `artifact-versions` to src/), so no build is needed; `npm run examples` runs
 * them against the built package.
 */
describe.concurrent("examples/*.ts", () => {
  const examples = readdirSync(new URL("../../examples", import.meta.url)).filter((file) => file.endsWith(".ts"));
  const expected: Record<string, RegExp> = {
    "quickstart.ts": /done/,
    "custom-store.ts": /custom store: 3 models/,
    "promote-from-run.ts": /staging -> production by ana[\s\S]*done/,
    "http-service.ts": /POST \/api\/v1\/acme\/churn\/versions\/model\/v1\/stages -> 200/,
  };

  it("has the four examples the docs name", () => {
    expect(examples).toEqual(expect.arrayContaining(Object.keys(expected)));
  });

  for (const example of examples) {
    it(`${example} runs and exits 0`, async () => {
      const args = ["--tsconfig", "tsconfig.json", `examples/${example}`, ...(example === "http-service.ts" ? ["--smoke"] : [])];
      const { stdout } = await run(tsx, args, { cwd: root, timeout: 60_000 });
      expect(stdout).toMatch(expected[example] ?? /./);
    });
  }
});
