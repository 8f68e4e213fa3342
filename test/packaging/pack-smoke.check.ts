import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const SUBPATHS = ["artifact-versions", "artifact-versions/fs", "artifact-versions/postgres", "artifact-versions/testing"] as const;

/** What each subpath must export (a few names each), as a user would reach them. */
const EXPECTED: Record<(typeof SUBPATHS)[number], string[]> = {
  "artifact-versions": ["createRegistry", "memoryStore", "RegistryError", "SYSTEM", "parseQuery", "matches", "compareBy", "DEFAULT_STAGES"],
  "artifact-versions/fs": ["fileStore", "FORMAT_VERSION"],
  "artifact-versions/postgres": ["postgresStore", "DEFAULT_SCHEMA", "SCHEMA_VERSION"],
  "artifact-versions/testing": ["runStoreConformance", "createTestRegistry", "CONFORMANCE_GROUPS"],
};

interface PackResult {
  filename: string;
  files: { path: string }[];
}

let work: string;
let app: string;
let packed: PackResult;

/** Runs a script in the temp app and parses the JSON it prints. */
async function runInApp(file: string, source: string): Promise<Record<string, unknown>> {
  await writeFile(join(app, file), source);
  const { stdout } = await exec(process.execPath, [file], { cwd: app, timeout: 60_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

// The same checks from ESM and from CJS; `load` is `import()` or `require`.
const PROBE = (load: string) => `
const subpaths = ${JSON.stringify(SUBPATHS)};
const out = { exports: {} };
for (const subpath of subpaths) out.exports[subpath] = Object.keys(${load}(subpath)).sort();
const { createRegistry, memoryStore, RegistryError } = ${load}("artifact-versions");
const { createTestRegistry } = ${load}("artifact-versions/testing");
const { fileStore } = ${load}("artifact-versions/fs");
const { mkdtempSync, rmSync } = ${load}("node:fs");
const { join } = ${load}("node:path");
const { tmpdir } = ${load}("node:os");
const dir = mkdtempSync(join(tmpdir(), "pack-smoke-"));
const registry = createRegistry({ store: await fileStore({ dir, durability: "none" }) });
const ana = registry.as({ id: "ana", orgs: { acme: "admin" } });
await ana.projects.create({ owner: "acme", name: "churn" });
await ana.models.register({ project: "acme/churn", name: "v1" });
out.stage = (await ana.models.stage("acme/churn:v1", { to: "staging" })).stage;
await registry.close();
rmSync(dir, { recursive: true, force: true });
const test = createTestRegistry();
try { await test.registry.as({ id: "eve" }).models.get("acme/none:v1"); } catch (error) { out.sameErrorClass = error instanceof RegistryError; out.code = error.code; }
console.log(JSON.stringify(out));
`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "artifact-versions-pack-"));
  // dist/ is built by scripts/check.sh; --ignore-scripts keeps `prepare` from building it again.
  const { stdout } = await exec("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: root });
  const results = JSON.parse(stdout) as PackResult[];
  packed = results[0]!;
  app = join(work, "app");
  const installed = join(app, "node_modules", "artifact-versions");
  await mkdir(installed, { recursive: true });
  await exec("tar", ["-xzf", join(work, packed.filename), "-C", installed, "--strip-components=1"]);
  // Offline install: link the dependencies (and the optional peer `pg`) from this repo's node_modules.
  const manifest = JSON.parse(await readFile(join(installed, "package.json"), "utf8")) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    const target = join(app, "node_modules", name);
    await mkdir(dirname(target), { recursive: true });
    await symlink(join(root, "node_modules", name), target, "dir");
  }
  await writeFile(join(app, "package.json"), JSON.stringify({ name: "pack-smoke-app", private: true }));
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("ships dist (ESM, CJS and both kinds of declarations for every entry), README, CHANGELOG and LICENSE only", () => {
    const files = packed.files.map((file) => file.path);
    for (const entry of ["index", "fs", "postgres", "testing"]) {
      for (const extension of [".js", ".cjs", ".d.ts", ".d.cts"]) expect(files).toContain(`dist/${entry}${extension}`);
    }
    for (const file of ["package.json", "README.md", "CHANGELOG.md", "LICENSE"]) expect(files).toContain(file);
    expect(files.filter((file) => !file.startsWith("dist/") && !["package.json", "README.md", "CHANGELOG.md", "LICENSE"].includes(file))).toEqual([]);
  });
});

describe("the installed tarball", () => {
  let esm: Record<string, unknown>;
  let cjs: Record<string, unknown>;

  it("imports every subpath from ESM and works", async () => {
    esm = await runInApp("probe.mjs", PROBE("await import"));
    for (const subpath of SUBPATHS) expect((esm["exports"] as Record<string, string[]>)[subpath]).toEqual(expect.arrayContaining(EXPECTED[subpath]));
    expect(esm).toMatchObject({ stage: "staging", sameErrorClass: true, code: "NOT_FOUND" });
  });

  it("requires every subpath from CJS and works", async () => {
    cjs = await runInApp("probe.cjs", `(async () => {${PROBE("require")}})().catch((error) => { console.error(error); process.exit(1); });`);
    for (const subpath of SUBPATHS) expect((cjs["exports"] as Record<string, string[]>)[subpath]).toEqual(expect.arrayContaining(EXPECTED[subpath]));
    expect(cjs).toMatchObject({ stage: "staging", sameErrorClass: true, code: "NOT_FOUND" });
  });

  it("exports the same names from ESM and CJS", () => {
    expect(cjs["exports"]).toEqual(esm["exports"]);
  });

  it("resolves package.json through the exports map", async () => {
    const { stdout } = await exec(process.execPath, ["-e", 'console.log(require("artifact-versions/package.json").name)'], { cwd: app });
    expect(stdout.trim()).toBe("artifact-versions");
  });
});
