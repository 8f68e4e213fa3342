/**
 * The real program in a child process (`node --import tsx src/cli/bin.ts ...`), a fresh temp store each:
 * the seed's command lines verbatim, bad flags, a missing project, delete without a terminal, pull/push.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { bin, json, recordLines, tempWorkspace, ROOT, type Outcome } from "./support.js";

let dir: string;
let store: string;
let cleanup: () => Promise<void>;
const artv = (line: string) => bin(split(line), { cwd: dir, store });

/** Splits a shell line with double quotes, as the shell would for these simple lines. */
function split(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}

function ok(outcome: Outcome): Outcome {
  expect(outcome.stderr).toBe("");
  expect(outcome.code).toBe(0);
  return outcome;
}

beforeEach(async () => {
  ({ dir, store, cleanup } = await tempWorkspace());
});
afterEach(async () => {
  await cleanup();
});

describe("artifact-versions (child process)", () => {
  it("runs the seed's command lines as written", { timeout: 240_000 }, async () => {
    ok(await artv("projects create -p acme/churn"));
    const run = ok(await artv("runs create -p acme/churn -n exp-7 --artifact model:model:s3://b/model.pkl --artifact env:env:requirements.txt --artifact summary:metric:s3://b/summary.json"));
    const [uuidKey, uuid] = recordLines(run.stdout)[0]!;
    expect(uuidKey).toBe("uuid");

    const registered = ok(await artv(`artifacts register -p acme/churn --version v1 --description "first" --tags tag1,tag2 --artifacts model,env,summary --run-uid ${uuid}`));
    expect(recordLines(registered.stdout).slice(0, 3)).toEqual([
      ["name", "v1"],
      ["kind", "artifact"],
      ["stage", "testing"],
    ]);

    const got = Object.fromEntries(recordLines(ok(await artv("artifacts get -p acme/churn -ver v1")).stdout));
    expect(got).toMatchObject({ name: "v1", description: "first", tags: "tag1, tag2", run: uuid, artifacts: "model, env, summary" });

    const forced = Object.fromEntries(recordLines(ok(await artv('artifacts register -p acme/churn -ver v1 --force --description "re-trained"')).stdout));
    expect(forced).toMatchObject({ name: "v1", description: "re-trained", tags: "tag1, tag2", revision: "2" });

    const updated = Object.fromEntries(recordLines(ok(await artv('artifacts update -p acme/churn -ver v1 --description "better" --tags a,b')).stdout));
    expect(updated).toMatchObject({ description: "better", tags: "a, b" });

    expect(ok(await artv("artifacts delete -p acme/churn -ver v1 -y")).stdout).toBe("deleted artifact version acme/churn:v1\n");
    const gone = await artv("artifacts get -p acme/churn -ver v1");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe("error [NOT_FOUND]: No artifact version acme/churn:v1.\n");

    for (let index = 0; index < 3; index++) ok(await artv("models register -p acme/churn"));
    const staged = Object.fromEntries(recordLines(ok(await artv('models stage -p acme/churn -ver v3 -to staging --reason Approved --message "signed off"')).stdout));
    expect(staged).toMatchObject({ name: "v3", kind: "model", stage: "staging" });
    const history = json(ok(await artv("models stages -p acme/churn -ver v3 --json")));
    expect(history.stageConditions.at(-1)).toMatchObject({ type: "staging", reason: "Approved", message: "signed off", actor: "system" });
  });

  it("prints the version, and answers bad flags and a missing project", { timeout: 120_000 }, async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
    const [version, badFlag, noProject, missing, registerMissing] = await Promise.all([
      artv("--version"),
      artv("artifacts get -p acme/churn -ver v1 --colour"),
      artv("artifacts get -ver v1"),
      artv("artifacts get -p acme/nope -ver v1"),
      artv("artifacts register -p acme/nope -ver v1 --as bob --org-role member"),
    ]);
    expect(version).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: "" });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stdout).toBe("");
    expect(badFlag.stderr).toMatch(/^error \[USAGE\]: unknown flag --colour\n\nUsage: artifact-versions artifacts get \[-p OWNER\/NAME\] \[-ver NAME\]\n/);
    expect(noProject.code).toBe(2);
    expect(noProject.stderr).toMatch(/^error \[USAGE\]: missing -p\/--project OWNER\/NAME/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error \[NOT_FOUND\]: .*acme\/nope/);
    expect(registerMissing.code).toBe(1);
    expect(registerMissing.stderr).toMatch(/^error \[NOT_FOUND\]: .*acme\/nope/);
  });

  it("refuses to delete without -y when standard input is not a terminal", { timeout: 120_000 }, async () => {
    ok(await artv("init -p acme/churn"));
    ok(await artv("artifacts register -ver v1"));
    const refused = await artv("artifacts delete -ver v1");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error \[USAGE\]: refusing to delete artifact version acme\/churn:v1 without confirmation/);
    expect(recordLines(ok(await artv("artifacts get -ver v1")).stdout)[0]).toEqual(["name", "v1"]);
  });

  it("pulls then pushes into an empty store, reproducing versions and stage history", { timeout: 240_000 }, async () => {
    ok(await artv("init -p acme/churn"));
    const run = json(ok(await artv("runs create -n exp-1 --artifact model:model:s3://b/m.pkl --json")));
    ok(await artv(`models register -ver v1 --run-uid ${run.uuid} --artifacts model --tags a`));
    ok(await artv("models register -ver v2"));
    ok(await artv('models stage -ver v1 -to staging --reason Approved --message "ok"'));
    ok(await artv("models pull -a --path export"));
    const fresh = join(dir, "fresh");
    const pushed = ok(await bin(["models", "push", "--path", "export"], { cwd: dir, store: fresh }));
    expect(pushed.stdout).toContain("pushed model version acme/churn:v1");
    const strip = (page: { results: Array<Record<string, unknown>> }) => page.results.map(({ revision: _r, sequence: _s, ...rest }) => rest);
    const [before, after, runAfter] = await Promise.all([
      artv("models ls -p acme/churn -s name --json"),
      bin(["models", "ls", "-p", "acme/churn", "-s", "name", "--json"], { cwd: dir, store: fresh }),
      bin(["runs", "get", "--run-uid", run.uuid, "--json"], { cwd: dir, store: fresh }),
    ]);
    expect(strip(json(ok(after)))).toEqual(strip(json(ok(before))));
    expect(json(after).results[0].stageConditions.map((condition: { type: string }) => condition.type)).toEqual(["testing", "staging"]);
    expect(json(ok(runAfter))).toMatchObject({ uuid: run.uuid, isPromoted: true, artifacts: run.artifacts });
  });
});
