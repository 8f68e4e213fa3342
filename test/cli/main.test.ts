import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SYSTEM } from "../../src/domain/access.js";
import { COMMANDS, programVersion } from "../../src/cli/main.js";
import { cli, json, openRegistry, recordLines, tempWorkspace, ROOT, type Outcome } from "./support.js";

let dir: string;
let store: string;
let cleanup: () => Promise<void>;
const run = (...args: string[]) => cli(args, { cwd: dir, store });

beforeEach(async () => {
  ({ dir, store, cleanup } = await tempWorkspace());
});
afterEach(async () => {
  await cleanup();
});

function ok(outcome: Outcome): Outcome {
  expect(outcome.stderr).toBe("");
  expect(outcome.code).toBe(0);
  return outcome;
}

async function withRun(project = "acme/churn"): Promise<string> {
  const created = ok(await run("runs", "create", "-p", project, "-n", "exp-7", "--artifact", "model:model:s3://b/model.pkl", "--artifact", "env:env:requirements.txt", "--artifact", "summary:metric:s.json", "--input-artifact", "data:data:s3://b/train.csv", "--json"));
  return json(created).uuid as string;
}

describe("program", () => {
  it("prints the package version for --version alone", async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(programVersion()).toBe(manifest.version);
    expect(ok(await run("--version")).stdout).toBe(`${manifest.version}\n`);
  });

  it("prints help for --help (exit 0) and a usage error without a command (exit 2)", async () => {
    expect(ok(await run("--help")).stdout).toMatch(/^Usage: artifact-versions GROUP COMMAND/);
    const missing = await run();
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error \[USAGE\]: missing a command/);
    expect(ok(await run("models", "--help")).stdout).toMatch(/Commands:[\s\S]*register/);
    expect(ok(await run("models", "register", "--help")).stdout).toMatch(/^Usage: artifact-versions models register/);
  });

  it("answers unknown groups, commands and flags with USAGE, exit 2, and the help", async () => {
    const group = await run("modles", "ls");
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/^error \[USAGE\]: unknown command modles \(did you mean models\?\)/);
    const command = await run("models", "lst");
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown models command lst \(did you mean ls\?\)/);
    const flag = await run("artifacts", "get", "-p", "acme/churn", "--vresion", "v1");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^error \[USAGE\]: unknown flag --vresion \(did you mean --version\?\)\n\nUsage: artifact-versions artifacts get/);
    expect((await run("artifacts", "get", "-p")).stderr).toMatch(/-p needs a value/);
    expect((await run("artifacts", "ls", "--limit", "x")).code).toBe(2);
    expect((await run("artifacts", "get", "extra")).stderr).toMatch(/unexpected argument "extra"/);
  });

  it("documents every command with an example in docs/cli.md", async () => {
    const docs = await readFile(join(ROOT, "docs/cli.md"), "utf8");
    const kinds = ["models", "artifacts", "components"];
    for (const command of COMMANDS) {
      const [group, name] = command.words;
      // the three version groups share one section per command, with an example of any kind
      const spellings = kinds.includes(group!) ? kinds.map((kind) => `artifact-versions ${kind} ${name}`) : [`artifact-versions ${command.words.join(" ")}`];
      expect(spellings.some((spelling) => docs.includes(spelling)), command.words.join(" ")).toBe(true);
      expect(command.examples.length).toBeGreaterThan(0);
    }
  });
});

describe("init and the default project", () => {
  it("creates the project, records it in config.json, and lets -p be left out", async () => {
    expect(ok(await run("init", "-p", "acme/churn")).stdout).toMatch(/default project acme\/churn \(created\)/);
    expect(JSON.parse(await readFile(join(store, "config.json"), "utf8"))).toEqual({ project: "acme/churn" });
    ok(await run("init", "-p", "acme/churn"));
    ok(await run("artifacts", "register", "-ver", "v1"));
    expect(recordLines(ok(await run("artifacts", "get", "-ver", "v1")).stdout)[4]).toEqual(["project", "acme/churn"]);
    // a bare project name takes the default project's owner
    ok(await run("projects", "create", "-p", "other"));
    expect(ok(await run("projects", "get", "-p", "other", "--json")).stdout).toContain('"fullName": "acme/other"');
  });

  it("prefers ARTIFACT_VERSIONS_PROJECT over config.json and -p over both", async () => {
    ok(await run("init", "-p", "acme/churn"));
    ok(await run("projects", "create", "-p", "acme/env"));
    const env = { ARTIFACT_VERSIONS_PROJECT: "acme/env" };
    ok(await cli(["models", "register", "-ver", "e1"], { cwd: dir, store, env }));
    expect(json(await run("models", "get", "-p", "acme/env", "-ver", "e1", "--json")).project).toBe("acme/env");
    expect((await run("models", "get", "-ver", "e1")).stderr).toMatch(/^error \[NOT_FOUND\]/);
  });

  it("creates a missing project on a write as the system principal, and says so", async () => {
    const outcome = await run("artifacts", "register", "-p", "acme/fresh", "-ver", "v1");
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe("created project acme/fresh\n");
    expect((await run("projects", "get", "-p", "acme/fresh")).code).toBe(0);
    const runOutcome = await run("runs", "create", "-p", "acme/train2", "-n", "exp-1");
    expect(runOutcome.code).toBe(0);
    expect(runOutcome.stderr).toBe("created project acme/train2\n");
  });

  it("answers a missing project with NOT_FOUND, exit 1, and a hint", async () => {
    const outcome = await run("artifacts", "register", "-p", "acme/nope", "-ver", "v1", "--as", "bob", "--org-role", "member");
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe("error [NOT_FOUND]: Project acme/nope does not exist, or you may not read it.\nhint: create it with `artifact-versions projects create -p acme/nope`, or check --as/--org-role\n");
  });

  it("is a usage error to leave -p out without a default project", async () => {
    const outcome = await run("artifacts", "get", "-ver", "v1");
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/^error \[USAGE\]: missing -p\/--project OWNER\/NAME/);
  });

  it("resolves --store, then ARTIFACT_VERSIONS_STORE, then ./.artifact-versions", async () => {
    ok(await cli(["projects", "create", "-p", "acme/a"], { cwd: dir }));
    ok(await cli(["projects", "create", "-p", "acme/b", "--store", "elsewhere"], { cwd: dir, store }));
    ok(await cli(["projects", "create", "-p", "acme/c"], { cwd: dir, store }));
    const names = async (at: string) => json(await cli(["projects", "ls", "--json", "--store", at], { cwd: dir })).results.map((project: { fullName: string }) => project.fullName);
    expect(await names(".artifact-versions")).toEqual(["acme/a"]);
    expect(await names("elsewhere")).toEqual(["acme/b"]);
    expect(await names(store)).toEqual(["acme/c"]);
  });
});

describe("projects", () => {
  it("creates, gets, lists, updates and deletes", async () => {
    const created = ok(await run("projects", "create", "-p", "acme/churn", "--description", "churn models", "--public"));
    expect(recordLines(created.stdout).slice(0, 3)).toEqual([
      ["name", "acme/churn"],
      ["visibility", "public"],
      ["description", "churn models"],
    ]);
    expect((await run("projects", "create", "-p", "acme/churn")).stderr).toMatch(/^error \[ALREADY_EXISTS\]: Project acme\/churn already exists/);
    ok(await run("projects", "create", "-p", "acme/zeta"));
    expect(ok(await run("projects", "ls")).stdout).toMatch(/^NAME\s+VISIBILITY[\s\S]*acme\/churn\s+public[\s\S]*acme\/zeta\s+private[\s\S]*\n1-2 of 2\n$/);
    expect(json(await run("projects", "update", "-p", "acme/churn", "--private", "--json")).visibility).toBe("private");
    expect((await run("projects", "update", "-p", "acme/churn")).code).toBe(2);
    ok(await run("models", "register", "-p", "acme/churn"));
    expect((await run("projects", "delete", "-p", "acme/churn", "-y")).stderr).toMatch(/^error \[LOCKED\]/);
    expect(ok(await run("projects", "delete", "-p", "acme/churn", "-y", "--cascade")).stdout).toBe("deleted project acme/churn\n");
    expect((await run("projects", "get", "-p", "acme/churn")).stderr).toMatch(/^error \[NOT_FOUND\]/);
  });
});

describe("runs", () => {
  beforeEach(async () => {
    ok(await run("projects", "create", "-p", "acme/churn"));
  });

  it("creates a run (uuid first), gets it by --run-uid or argument, lists it", async () => {
    const created = ok(await run("runs", "create", "-p", "acme/churn", "-n", "exp-7", "--status", "succeeded", "--artifact", "model:model:s3://b/model.pkl", "--input-artifact", "data:data:s3://b/train.csv"));
    const lines = recordLines(created.stdout);
    expect(lines[0]![0]).toBe("uuid");
    const uuid = lines[0]![1];
    expect(created.stdout).toContain("model (model) s3://b/model.pkl");
    expect(created.stdout).toContain("data (data, input) s3://b/train.csv");
    expect(json(await run("runs", "get", "--run-uid", uuid, "--json")).artifacts).toEqual([
      { name: "model", kind: "model", path: "s3://b/model.pkl", summary: {}, isInput: false },
      { name: "data", kind: "data", path: "s3://b/train.csv", summary: {}, isInput: true },
    ]);
    expect(ok(await run("runs", "get", uuid)).stdout).toContain(uuid);
    expect(ok(await run("runs", "ls", "-p", "acme/churn")).stdout).toMatch(new RegExp(`${uuid}\\s+exp-7\\s+succeeded\\s+no[\\s\\S]*1-1 of 1\\n$`));
    expect((await run("runs", "create", "-p", "acme/churn", "--artifact", "nokind")).code).toBe(2);
  });

  it("logs artifacts, promotes, and refuses to delete a promoted run without --cascade", async () => {
    const uuid = await withRun();
    const logged = json(await run("runs", "log-artifact", "--run-uid", uuid, "--artifact", "report:file:r.html", "--json"));
    expect(logged.artifacts.map((artifact: { name: string }) => artifact.name)).toContain("report");
    expect((await run("runs", "log-artifact", "--run-uid", uuid)).code).toBe(2);
    const promoted = ok(await run("runs", "promote", "--run-uid", uuid, "-p", "acme/churn", "--kind", "model", "-ver", "m1", "--artifacts", "model"));
    expect(recordLines(promoted.stdout).slice(0, 3)).toEqual([
      ["name", "m1"],
      ["kind", "model"],
      ["stage", "testing"],
    ]);
    expect(json(await run("runs", "get", "--run-uid", uuid, "--json")).isPromoted).toBe(true);
    expect((await run("runs", "promote", "--run-uid", uuid, "--kind", "widget")).code).toBe(2);
    expect((await run("runs", "delete", "--run-uid", uuid, "-y")).stderr).toMatch(/^error \[LOCKED\]/);
    ok(await run("runs", "delete", "--run-uid", uuid, "-y", "--cascade"));
    expect((await run("models", "get", "-p", "acme/churn", "-ver", "m1")).stderr).toMatch(/^error \[NOT_FOUND\]/);
  });
});

describe("versions", () => {
  beforeEach(async () => {
    ok(await run("init", "-p", "acme/churn"));
  });

  it("registers with the seed's flags and prints name, kind, stage, uuid first", async () => {
    const uuid = await withRun();
    const outcome = ok(await run("artifacts", "register", "-p", "acme/churn", "--version", "v1", "--description", "first", "--tags", "tag1,tag2", "--artifacts", "model,env,summary", "--run-uid", uuid));
    const lines = recordLines(outcome.stdout);
    expect(lines.slice(0, 4).map(([key]) => key)).toEqual(["name", "kind", "stage", "uuid"]);
    expect(Object.fromEntries(lines)).toMatchObject({ name: "v1", kind: "artifact", stage: "testing", tags: "tag1, tag2", run: uuid, artifacts: "model, env, summary", description: "first" });
    const again = await run("artifacts", "register", "-p", "acme/churn", "-ver", "v1");
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("error [ALREADY_EXISTS]: A artifact version v1 already exists in acme/churn. Pass `force: true` to update it.\n");
    const forced = json(await run("artifacts", "register", "-p", "acme/churn", "-ver", "v1", "--force", "--description", "re-trained", "--json"));
    expect(forced).toMatchObject({ description: "re-trained", tags: ["tag1", "tag2"], revision: 2 });
    expect((await run("artifacts", "register", "--artifacts", "nope", "--run-uid", uuid)).stderr).toMatch(/^error \[LINEAGE\]/);
  });

  it("prints with --json exactly what the API returns", async () => {
    ok(await run("models", "register", "-ver", "v1", "--tags", "a", "--metadata", '{"auc":0.91}'));
    const printed = json(await run("models", "get", "-ver", "v1", "--json"));
    const registry = await openRegistry(store);
    try {
      const session = registry.as(SYSTEM);
      expect(printed).toEqual(JSON.parse(JSON.stringify(await session.models.get("acme/churn:v1"))));
      expect(json(await run("models", "stages", "-ver", "v1", "--json"))).toEqual(JSON.parse(JSON.stringify(await session.models.stages("acme/churn:v1"))));
      expect(json(await run("models", "ls", "--json"))).toEqual(JSON.parse(JSON.stringify(await session.models.list("acme/churn"))));
    } finally {
      await registry.close();
    }
  });

  it("names versions automatically and gets latest when -ver is left out", async () => {
    ok(await run("models", "register"));
    ok(await run("models", "register", "-ver", "best"));
    ok(await run("models", "register"));
    expect(json(await run("models", "get", "--json")).name).toBe("v2");
    expect(json(await run("models", "get", "-ver", "latest", "--json")).name).toBe("v2");
  });

  it("updates only the fields given, renames with -n, and refuses an empty update", async () => {
    ok(await run("artifacts", "register", "-ver", "v1", "--description", "first", "--tags", "x"));
    const updated = json(await run("artifacts", "update", "-p", "acme/churn", "-ver", "v1", "--description", "better", "--tags", "a,b", "--json"));
    expect(updated).toMatchObject({ description: "better", tags: ["a", "b"] });
    expect(json(await run("artifacts", "update", "-ver", "v1", "-n", "v1b", "--json")).name).toBe("v1b");
    const empty = await run("artifacts", "update", "-ver", "v1b");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^error \[USAGE\]: nothing to update/);
    expect((await run("artifacts", "update", "-ver", "v1b", "--metadata", "[1]")).stderr).toMatch(/--metadata must be a JSON object/);
  });

  it("stages with -to, --reason and --message, and shows the history", async () => {
    for (let index = 0; index < 3; index++) ok(await run("models", "register"));
    const staged = ok(await run("models", "stage", "-p", "acme/churn", "-ver", "v3", "-to", "staging", "--reason", "Approved", "--message", "signed off"));
    expect(recordLines(staged.stdout)[2]).toEqual(["stage", "staging"]);
    const history = ok(await run("models", "stages", "-ver", "v3")).stdout;
    expect(history).toMatch(/^name\s+v3\nkind\s+model\nstage\s+staging\nuuid\s+\S+\n\nSTAGE\s+REASON\s+MESSAGE\s+BY\s+AT\n/);
    expect(history).toMatch(/testing\s+ModelVersionCreated\s+A new model version is created\s+system/);
    expect(history).toMatch(/staging\s+Approved\s+signed off\s+system/);
    const invalid = await run("models", "stage", "-ver", "v1", "-to", "production");
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error \[INVALID_TRANSITION\]/);
    expect((await run("models", "stage", "-ver", "v1")).stderr).toMatch(/^error \[USAGE\]: missing -to\/--to/);
  });

  it("copies (-to is --to-project) and transfers within the owner", async () => {
    ok(await run("projects", "create", "-p", "acme/prod"));
    ok(await run("models", "register", "-ver", "v1"));
    ok(await run("models", "stage", "-ver", "v1", "-to", "staging"));
    const copy = json(await run("models", "copy", "-ver", "v1", "--json"));
    expect(copy).toMatchObject({ name: "v1-copy", project: "acme/churn", stage: "testing" });
    const kept = json(await run("models", "copy", "-ver", "v1", "-to", "acme/prod", "-n", "v1", "--keep-stage", "--json"));
    expect(kept).toMatchObject({ name: "v1", project: "acme/prod", stage: "staging" });
    expect((await run("models", "copy", "-ver", "v1", "-to", "acme/missing")).stderr).toMatch(/^error \[NOT_FOUND\]/);
    expect((await run("models", "transfer", "-ver", "v1-copy")).stderr).toMatch(/^error \[USAGE\]: the destination project was not provided/);
    const moved = json(await run("models", "transfer", "-ver", "v1-copy", "-to", "prod", "--json"));
    expect(moved).toMatchObject({ name: "v1-copy", project: "acme/prod", uuid: copy.uuid });
    ok(await run("projects", "create", "-p", "globex/x"));
    expect((await run("models", "transfer", "-ver", "v1", "-to", "globex/x")).stderr).toMatch(/^error \[VALIDATION\]/);
  });

  it("deletes with -y, asks on a terminal, and refuses without one", async () => {
    ok(await run("artifacts", "register", "-ver", "v1"));
    const refused = await run("artifacts", "delete", "-ver", "v1");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error \[USAGE\]: refusing to delete artifact version acme\/churn:v1 without confirmation: pass -y\/--yes/);
    const declined = await cli(["artifacts", "delete", "-ver", "v1"], { cwd: dir, store, isTTY: true, answer: "n" });
    expect(declined).toMatchObject({ code: 1, stderr: "aborted\n" });
    ok(await run("artifacts", "get", "-ver", "v1"));
    ok(await cli(["artifacts", "delete", "-ver", "v1"], { cwd: dir, store, isTTY: true, answer: "y" }));
    expect((await run("artifacts", "get", "-ver", "v1")).stderr).toMatch(/^error \[NOT_FOUND\]/);
    expect((await run("artifacts", "delete", "-y")).stderr).toMatch(/^error \[USAGE\]: missing -ver\/--version/);
    expect((await run("artifacts", "delete", "-ver", "v9", "-y")).stderr).toMatch(/^error \[NOT_FOUND\]/);
  });

  it("lists as aligned columns with a `1-20 of 57` footer, honoring -q, -s, --limit and --offset", async () => {
    const registry = await openRegistry(store);
    try {
      const session = registry.as(SYSTEM);
      for (let index = 1; index <= 57; index++) await session.models.register({ project: "acme/churn", tags: index % 2 === 0 ? ["even"] : [] });
    } finally {
      await registry.close();
    }
    const first = ok(await run("models", "ls")).stdout.trimEnd().split("\n");
    expect(first[0]).toMatch(/^NAME\s+STAGE\s+TAGS\s+RUN\s+UPDATED\s+DESCRIPTION$/);
    expect(first).toHaveLength(22);
    expect(first.at(-1)).toBe("1-20 of 57");
    expect(ok(await run("models", "ls", "--offset", "20")).stdout.trimEnd().split("\n").at(-1)).toBe("21-40 of 57");
    const filtered = ok(await run("models", "ls", "-q", "tags:even", "-s", "name", "--limit", "3")).stdout.trimEnd().split("\n");
    expect(filtered.slice(1, 4).map((line) => line.split(/\s+/)[0])).toEqual(["v2", "v4", "v6"]);
    expect(filtered.at(-1)).toBe("1-3 of 28");
    expect(ok(await run("models", "ls", "--offset", "100")).stdout).toBe("no model versions\n0 of 57\n");
    expect((await run("models", "ls", "-q", "stage:")).stderr).toMatch(/^error \[VALIDATION\]/);
  });

  it("registers components from --content or -f, and refuses bad JSON", async () => {
    expect((await run("components", "register", "-ver", "c1")).stderr).toMatch(/^error \[VALIDATION\]/);
    const component = json(await run("components", "register", "-ver", "c1", "--content", '{"image":"python:3.12"}', "--json"));
    expect(component.state).toMatch(/^sha256:/);
    await writeFile(join(dir, "spec.json"), '{"image":"python:3.13"}');
    expect(json(await run("components", "register", "-ver", "c2", "-f", "spec.json", "--json")).content).toEqual({ image: "python:3.13" });
    expect((await run("components", "register", "-ver", "c3", "--content", "{nope")).stderr).toMatch(/^error \[USAGE\]: --content must be JSON/);
    expect(ok(await run("components", "get", "-ver", "c1")).stdout).toMatch(/state\s+sha256:/);
  });
});

describe("principals", () => {
  beforeEach(async () => {
    ok(await run("projects", "create", "-p", "acme/churn"));
    ok(await run("models", "register", "-p", "acme/churn", "-ver", "v1"));
  });

  it("acts as --as USER with --org-role ROLE in the owners the command names", async () => {
    ok(await run("models", "get", "-p", "acme/churn", "-ver", "v1", "--as", "ana", "--org-role", "viewer"));
    const forbidden = await run("models", "register", "-p", "acme/churn", "--as", "ana", "--org-role", "viewer");
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/^error \[FORBIDDEN\]/);
    expect(json(await run("models", "register", "-p", "acme/churn", "--as", "ana", "--org-role", "acme:member", "--json")).createdBy).toBe("ana");
    expect((await run("models", "stage", "-p", "acme/churn", "-ver", "v1", "-to", "staging", "--as", "ana", "--org-role", "member")).code).toBe(0);
    expect((await run("models", "stage", "-p", "acme/churn", "-ver", "v1", "-to", "production", "--as", "ana", "--org-role", "member")).stderr).toMatch(/^error \[FORBIDDEN\]/);
    ok(await run("models", "stage", "-p", "acme/churn", "-ver", "v1", "-to", "production", "--as", "boss", "--org-role", "admin"));
  });

  it("hides projects from outsiders (NOT_FOUND) and checks the run's owner for run commands", async () => {
    expect((await run("models", "get", "-p", "acme/churn", "-ver", "v1", "--as", "eve")).stderr).toMatch(/^error \[NOT_FOUND\]/);
    expect((await run("models", "get", "-p", "acme/churn", "-ver", "v1", "--as", "eve", "--org-role", "globex:owner")).stderr).toMatch(/^error \[NOT_FOUND\]/);
    const uuid = await withRun();
    ok(await run("runs", "get", "--run-uid", uuid, "--as", "ana", "--org-role", "viewer"));
    expect((await run("runs", "get", "--run-uid", uuid, "--as", "eve")).stderr).toMatch(/^error \[NOT_FOUND\]/);
    expect((await run("runs", "delete", "--run-uid", uuid, "-y", "--as", "ana", "--org-role", "member")).stderr).toMatch(/^error \[FORBIDDEN\]/);
  });

  it("refuses --org-role without --as, and unknown roles", async () => {
    expect((await run("models", "get", "-p", "acme/churn", "--org-role", "admin")).stderr).toMatch(/^error \[USAGE\]: --org-role needs --as USER/);
    expect((await run("models", "get", "-p", "acme/churn", "--as", "ana", "--org-role", "wizard")).stderr).toMatch(/^error \[VALIDATION\]/);
  });
});

describe("pull and push", () => {
  it("round-trips every version of a kind, runs and stage history included, into an empty store", async () => {
    ok(await run("init", "-p", "acme/churn"));
    const uuid = await withRun();
    ok(await run("models", "register", "-ver", "v1", "--run-uid", uuid, "--artifacts", "model,env", "--tags", "a,b"));
    ok(await run("models", "register", "-ver", "v2", "--description", "second"));
    ok(await run("models", "register", "-ver", "v3", "--run-uid", uuid, "--artifacts", "model"));
    ok(await run("models", "stage", "-ver", "v1", "-to", "staging", "--reason", "Approved", "--message", "signed off"));
    ok(await run("models", "stage", "-ver", "v1", "-to", "production"));
    const pulled = ok(await run("models", "pull", "-a", "--path", "export"));
    expect(pulled.stdout.split("\n").filter(Boolean)).toHaveLength(3);
    const written = JSON.parse(await readFile(join(dir, "export/models/v1/version.json"), "utf8"));
    expect(written.stageConditions).toHaveLength(3);
    expect(JSON.parse(await readFile(join(dir, "export/models/v1/run.json"), "utf8")).uuid).toBe(uuid);

    const fresh = join(dir, "fresh");
    const pushed = ok(await cli(["models", "push", "--path", "export"], { cwd: dir, store: fresh }));
    expect(pushed.stdout).toMatch(/^created project acme\/churn\npushed model version acme\/churn:v1/);
    const strip = (page: { results: Array<Record<string, unknown>> }) => page.results.map(({ revision: _r, sequence: _s, ...rest }) => rest);
    const before = json(await run("models", "ls", "-s", "name", "--json"));
    const after = json(await cli(["models", "ls", "-p", "acme/churn", "-s", "name", "--json"], { cwd: dir, store: fresh }));
    expect(strip(after)).toEqual(strip(before));
    expect(json(await cli(["models", "get", "-p", "acme/churn", "--json"], { cwd: dir, store: fresh })).name).toBe("v3");
    const run_ = json(await cli(["runs", "get", uuid, "--json"], { cwd: dir, store: fresh }));
    expect(run_).toMatchObject({ uuid, isPromoted: true, name: "exp-7" });

    const again = await cli(["models", "push", "--path", "export"], { cwd: dir, store: fresh });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error \[ALREADY_EXISTS\]/);
    ok(await cli(["models", "push", "--path", "export", "--force"], { cwd: dir, store: fresh }));
  });

  it("pulls one version (latest by default) or those matching -q, and pushes into another project with -p", async () => {
    ok(await run("init", "-p", "acme/churn"));
    ok(await run("artifacts", "register", "-ver", "d1", "--tags", "keep"));
    ok(await run("artifacts", "register", "-ver", "d2"));
    expect(json(await run("artifacts", "pull", "--path", "one", "--json")).map((version: { name: string }) => version.name)).toEqual(["d2"]);
    expect(json(await run("artifacts", "pull", "-q", "tags:keep", "--path", "some", "--json")).map((version: { name: string }) => version.name)).toEqual(["d1"]);
    expect((await run("artifacts", "pull", "-ver", "d1", "-a")).code).toBe(2);
    // uuids are kept, so pushing into another project happens in another store
    const pushed = json(await cli(["artifacts", "push", "--path", "some", "-p", "acme/restored", "--json"], { cwd: dir, store: join(dir, "other") }));
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({ name: "d1", project: "acme/restored", tags: ["keep"] });
    expect((await run("artifacts", "push", "--path", "nowhere")).stderr).toMatch(/^error \[USAGE\]: nothing to push/);
  });
});
