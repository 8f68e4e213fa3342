import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRegistry, memoryStore, RegistryError } from "artifact-versions";
import type { Principal, Registry, Store } from "artifact-versions";
import { fileStore } from "artifact-versions/fs";
import { createService, HTTP_STATUS } from "../../examples/http-service.js";

const ANA: Principal = { id: "ana", orgs: { acme: "admin" } };
const BOB: Principal = { id: "bob", orgs: { acme: "member" } };
const VIC: Principal = { id: "vic", orgs: { acme: "viewer" } };

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back in assertions
  body: any;
}

interface CallOptions {
  body?: unknown;
  /** Sent as is (malformed JSON, large bodies). */
  raw?: string;
  as?: Principal | null;
  headers?: Record<string, string>;
}

const servers: Server[] = [];

async function start(registry: Registry, options: { maxBodyBytes?: number } = {}) {
  const server = createService({ registry, ...options, onError: () => undefined });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const principal = options.as === undefined ? ANA : options.as;
    const headers: Record<string, string> = { ...(principal === null ? {} : { "x-principal": JSON.stringify(principal) }), ...options.headers };
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers["content-type"] ??= "application/json";
    const response = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
  };
}

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Asserts the status and the `{ code, message, details }` error body. */
function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
  expect(typeof answer.body.message).toBe("string");
  expect(typeof answer.body.details).toBe("object");
}

const V = "/api/v1/acme/churn/versions/model";

describe("examples/http-service.ts", () => {
  let registry: Registry;
  let call: Awaited<ReturnType<typeof start>>;
  let runUuid: string;

  beforeEach(async () => {
    registry = createRegistry({ store: memoryStore() });
    call = await start(registry);
    expect((await call("POST", "/api/v1/acme/projects/create", { body: { name: "churn", description: "churn models" } })).status).toBe(201);
    expect((await call("POST", "/api/v1/acme/projects/create", { body: { name: "prod" } })).status).toBe(201);
    const run = await call("POST", "/api/v1/acme/churn/runs", {
      body: { name: "exp-1", status: "succeeded", artifacts: [{ name: "model", kind: "model", path: "s3://b/model.pkl" }, { name: "data", kind: "data", isInput: true }] },
    });
    expect(run.status).toBe(201);
    runUuid = run.body.uuid;
  });

  afterEach(async () => {
    await registry.close();
  });

  describe("projects", () => {
    it("POST /api/v1/{owner}/projects/create creates one: 201 with ETag; a taken name is 409 ALREADY_EXISTS", async () => {
      const created = await call("POST", "/api/v1/acme/projects/create", { body: { name: "fraud", visibility: "public" } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ fullName: "acme/fraud", owner: "acme", visibility: "public", createdBy: "ana" });
      expect(created.headers.get("etag")).toBe('"1"');
      expectError(await call("POST", "/api/v1/acme/projects/create", { body: { name: "fraud" } }), 409, "ALREADY_EXISTS");
    });

    it("refuses a project from someone without an org role (403 FORBIDDEN) and a bad name (400 VALIDATION)", async () => {
      expectError(await call("POST", "/api/v1/acme/projects/create", { body: { name: "x" }, as: { id: "eve" } }), 403, "FORBIDDEN");
      expectError(await call("POST", "/api/v1/acme/projects/create", { body: { name: "no spaces" } }), 400, "VALIDATION");
    });

    it("GET /api/v1/{owner}/{project} answers the project with its ETag; hidden from outsiders (404)", async () => {
      const project = await call("GET", "/api/v1/acme/churn");
      expect(project.status).toBe(200);
      expect(project.body).toMatchObject({ fullName: "acme/churn", description: "churn models" });
      expect(project.headers.get("etag")).toBe(`"${project.body.revision}"`);
      expectError(await call("GET", "/api/v1/acme/churn", { as: { id: "eve" } }), 404, "NOT_FOUND");
      expectError(await call("GET", "/api/v1/acme/churn", { as: null }), 404, "NOT_FOUND");
    });

    it("DELETE /api/v1/{owner}/{project}: 423 LOCKED while it holds runs, 412 on a stale If-Match, 204 with cascade", async () => {
      expectError(await call("DELETE", "/api/v1/acme/churn"), 423, "LOCKED");
      expectError(await call("DELETE", "/api/v1/acme/churn?cascade=true", { headers: { "if-match": '"7"' } }), 412, "CONFLICT");
      const deleted = await call("DELETE", "/api/v1/acme/churn?cascade=true", { headers: { "if-match": '"1"' } });
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();
      expectError(await call("GET", "/api/v1/acme/churn"), 404, "NOT_FOUND");
    });
  });

  describe("versions", () => {
    it("POST .../versions/{kind} registers: 201 with ETag, 409 ALREADY_EXISTS for a taken name, 200 with force", async () => {
      const created = await call("POST", V, { body: { name: "v1", tags: ["baseline"], run: runUuid, artifacts: ["model"] }, as: BOB });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: "v1", kind: "model", project: "acme/churn", stage: "testing", run: runUuid, artifacts: ["model"], createdBy: "bob" });
      expect(created.headers.get("etag")).toBe('"1"');
      expectError(await call("POST", V, { body: { name: "v1" } }), 409, "ALREADY_EXISTS");
      const forced = await call("POST", V, { body: { name: "v1", description: "again", force: true } });
      expect(forced.status).toBe(200);
      expect(forced.body).toMatchObject({ name: "v1", description: "again", tags: ["baseline"] });
      expect(forced.headers.get("etag")).toBe('"2"');
    });

    it("accepts plural kinds and auto-names; refuses an unknown kind (400)", async () => {
      expect((await call("POST", "/api/v1/acme/churn/versions/artifacts", { body: {} })).body).toMatchObject({ kind: "artifact", name: "v1" });
      expectError(await call("POST", "/api/v1/acme/churn/versions/widget", { body: {} }), 400, "VALIDATION");
    });

    it("maps lineage errors to 422 LINEAGE and a viewer's registration to 403 FORBIDDEN", async () => {
      expectError(await call("POST", V, { body: { name: "v1", artifacts: ["model"] } }), 422, "LINEAGE");
      expectError(await call("POST", V, { body: { name: "v1", run: runUuid, artifacts: ["nope"] } }), 422, "LINEAGE");
      expectError(await call("POST", V, { body: { name: "v1" }, as: VIC }), 403, "FORBIDDEN");
      expectError(await call("POST", V, { body: { name: "v1", unknownField: 1 } }), 400, "VALIDATION");
    });

    it("GET .../versions/{kind} lists with query, sort, limit and offset, and links the next and previous pages", async () => {
      for (const name of ["v1", "v2", "v10", "v3"]) await call("POST", V, { body: { name, tags: name === "v3" ? [] : ["x"] } });
      const first = await call("GET", `${V}?query=${encodeURIComponent("tags:x")}&sort=name&limit=2`);
      expect(first.status).toBe(200);
      expect(first.body.count).toBe(3);
      expect(first.body.results.map((version: { name: string }) => version.name)).toEqual(["v1", "v2"]);
      expect(first.body.previous).toBeNull();
      expect(first.body.next).toBe(`${V}?query=tags%3Ax&sort=name&limit=2&offset=2`);
      const second = await call("GET", first.body.next);
      expect(second.body.results.map((version: { name: string }) => version.name)).toEqual(["v10"]);
      expect(second.body.next).toBeNull();
      expect(second.body.previous).toBe(`${V}?query=tags%3Ax&sort=name&limit=2&offset=0`);
      const byCursor = await call("GET", `${V}?query=tags:x&sort=name&limit=2&cursor=${encodeURIComponent(first.body.cursor)}`);
      expect(byCursor.body.results.map((version: { name: string }) => version.name)).toEqual(["v10"]);
      expect((await call("GET", `${V}?sort=-name&offset=3`)).body.results.map((version: { name: string }) => version.name)).toEqual(["v1"]);
    });

    it("answers 400 VALIDATION for a malformed query, sort, limit or offset", async () => {
      expectError(await call("GET", `${V}?query=${encodeURIComponent("stage:(")}`), 400, "VALIDATION");
      expectError(await call("GET", `${V}?sort=colour`), 400, "VALIDATION");
      expectError(await call("GET", `${V}?limit=ten`), 400, "VALIDATION");
      expectError(await call("GET", `${V}?offset=-1`), 400, "VALIDATION");
      expectError(await call("GET", `${V}?limit=5000`), 400, "VALIDATION");
    });

    it("GET /api/v1/orgs/{owner}/versions/{kind} lists across the owner's readable projects", async () => {
      await call("POST", V, { body: { name: "v1" } });
      await call("POST", "/api/v1/acme/prod/versions/model", { body: { name: "p1" } });
      const all = await call("GET", "/api/v1/orgs/acme/versions/model?sort=name");
      expect(all.status).toBe(200);
      expect(all.body.results.map((version: { project: string; name: string }) => `${version.project}:${version.name}`)).toEqual(["acme/prod:p1", "acme/churn:v1"]);
      expect((await call("GET", "/api/v1/orgs/acme/versions/model", { as: { id: "eve" } })).body.count).toBe(0);
    });

    it("GET .../{kind}/{name} answers the version with ETag; 404 NOT_FOUND when missing or hidden", async () => {
      await call("POST", V, { body: { name: "v1.0-rc_1" } });
      const version = await call("GET", `${V}/v1.0-rc_1`);
      expect(version.status).toBe(200);
      expect(version.body).toMatchObject({ name: "v1.0-rc_1", kind: "model" });
      expect(version.headers.get("etag")).toBe('"1"');
      expectError(await call("GET", `${V}/v9`), 404, "NOT_FOUND");
      expectError(await call("GET", `${V}/v1.0-rc_1`, { as: { id: "eve" } }), 404, "NOT_FOUND");
    });

    it("PATCH .../{kind}/{name} updates: If-Match pins the revision (412 when stale), a new ETag comes back", async () => {
      await call("POST", V, { body: { name: "v1" } });
      const updated = await call("PATCH", `${V}/v1`, { body: { description: "better", tags: ["a"] }, headers: { "if-match": '"1"' } });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ description: "better", tags: ["a"] });
      expect(updated.headers.get("etag")).toBe('"2"');
      const stale = await call("PATCH", `${V}/v1`, { body: { description: "lost update" }, headers: { "if-match": '"1"' } });
      expectError(stale, 412, "CONFLICT");
      expect(stale.body.details).toMatchObject({ expected: 1, actual: 2 });
      expect((await call("PATCH", `${V}/v1`, { body: { description: "weak" }, headers: { "if-match": 'W/"2"' } })).status).toBe(200);
      expect((await call("PATCH", `${V}/v1`, { body: { description: "any" }, headers: { "if-match": "*" } })).status).toBe(200);
      expectError(await call("PATCH", `${V}/v1`, { body: { description: "x" }, headers: { "if-match": "yesterday" } }), 400, "VALIDATION");
      expectError(await call("PATCH", `${V}/v1`, { body: {} }), 400, "VALIDATION");
      const renamed = await call("PATCH", `${V}/v1`, { body: { name: "v1-final" } });
      expect(renamed.body.name).toBe("v1-final");
      expectError(await call("GET", `${V}/v1`), 404, "NOT_FOUND");
    });

    it("DELETE .../{kind}/{name}: 412 on a stale If-Match, 403 for a member, then 204 and gone", async () => {
      await call("POST", V, { body: { name: "v1" } });
      expectError(await call("DELETE", `${V}/v1`, { headers: { "if-match": '"5"' } }), 412, "CONFLICT");
      expectError(await call("DELETE", `${V}/v1`, { as: BOB }), 403, "FORBIDDEN");
      const deleted = await call("DELETE", `${V}/v1`, { headers: { "if-match": '"1"' } });
      expect(deleted.status).toBe(204);
      expectError(await call("GET", `${V}/v1`), 404, "NOT_FOUND");
      expectError(await call("DELETE", `${V}/v1`), 404, "NOT_FOUND");
    });

    it("GET/POST .../{name}/stages: Polyaxon's { condition } body and { to }, with stage conditions", async () => {
      await call("POST", V, { body: { name: "v1" } });
      const staged = await call("POST", `${V}/v1/stages`, { body: { condition: { type: "staging", status: "True", reason: "PassedEval", message: "auc 0.91" } }, as: BOB });
      expect(staged.status).toBe(200);
      expect(staged.body).toMatchObject({ stage: "staging" });
      expect(staged.headers.get("etag")).toBe('"2"');
      const promoted = await call("POST", `${V}/v1/stages`, { body: { to: "production", reason: "Approved" }, headers: { "if-match": '"2"' } });
      expect(promoted.body.stage).toBe("production");
      const history = await call("GET", `${V}/v1/stages`);
      expect(history.status).toBe(200);
      expect(history.headers.get("etag")).toBe('"3"');
      expect(Object.keys(history.body).sort()).toEqual(["stage", "stageConditions", "uuid"]);
      expect(history.body.stageConditions.map((condition: { type: string; reason: string; actor: string }) => [condition.type, condition.reason, condition.actor])).toEqual([
        ["testing", "ModelVersionCreated", "ana"],
        ["staging", "PassedEval", "bob"],
        ["production", "Approved", "ana"],
      ]);
      expect(history.body.stageConditions[1].message).toBe("auc 0.91");
    });

    it("maps stage errors: 422 INVALID_TRANSITION, 403 FORBIDDEN, 412 on a stale If-Match, 400 for a bad body", async () => {
      await call("POST", V, { body: { name: "v1" } });
      const jump = await call("POST", `${V}/v1/stages`, { body: { condition: { type: "production" } } });
      expectError(jump, 422, "INVALID_TRANSITION");
      expect(jump.body.details.allowed).toEqual(expect.arrayContaining(["staging"]));
      await call("POST", `${V}/v1/stages`, { body: { to: "staging" } });
      expectError(await call("POST", `${V}/v1/stages`, { body: { to: "production" }, as: BOB }), 403, "FORBIDDEN");
      expectError(await call("POST", `${V}/v1/stages`, { body: { to: "production" }, headers: { "if-match": '"1"' } }), 412, "CONFLICT");
      expectError(await call("POST", `${V}/v1/stages`, { body: { condition: "staging" } }), 400, "VALIDATION");
      expectError(await call("POST", `${V}/v1/stages`, { body: {} }), 400, "VALIDATION");
    });

    it("POST .../{name}/transfer moves the version within the owner, keeping uuid and stage", async () => {
      const v1 = await call("POST", V, { body: { name: "v1" } });
      await call("POST", `${V}/v1/stages`, { body: { to: "staging" } });
      const moved = await call("POST", `${V}/v1/transfer`, { body: { project: "acme/prod" }, headers: { "if-match": '"2"' } });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ uuid: v1.body.uuid, project: "acme/prod", stage: "staging" });
      expect(moved.headers.get("etag")).toBe('"3"');
      expectError(await call("GET", `${V}/v1`), 404, "NOT_FOUND");
      const back = await call("POST", "/api/v1/acme/prod/versions/model/v1/transfer", { body: { project: "churn" } });
      expect(back.body.project).toBe("acme/churn");
    });

    it("maps transfer errors: 400 without a project or to another owner, 404 to a missing project, 409 on a taken name, 412 when stale", async () => {
      await call("POST", V, { body: { name: "v1" } });
      await call("POST", "/api/v1/acme/prod/versions/model", { body: { name: "v1" } });
      expectError(await call("POST", `${V}/v1/transfer`, { body: {} }), 400, "VALIDATION");
      expectError(await call("POST", `${V}/v1/transfer`, { body: { project: "globex/prod" } }), 400, "VALIDATION");
      expectError(await call("POST", `${V}/v1/transfer`, { body: { project: "acme/nowhere" } }), 404, "NOT_FOUND");
      expectError(await call("POST", `${V}/v1/transfer`, { body: { project: "acme/prod" } }), 409, "ALREADY_EXISTS");
      expectError(await call("POST", `${V}/v1/transfer`, { body: { project: "acme/prod" }, headers: { "if-match": '"9"' } }), 412, "CONFLICT");
    });

    it("GET .../{name}/lineage answers the version, its run, its artifacts and the run's inputs", async () => {
      await call("POST", V, { body: { name: "v1", run: runUuid, artifacts: ["model"] } });
      const lineage = await call("GET", `${V}/v1/lineage`);
      expect(lineage.status).toBe(200);
      expect(lineage.body.version.name).toBe("v1");
      expect(lineage.body.run.uuid).toBe(runUuid);
      expect(lineage.body.artifacts.map((artifact: { name: string }) => artifact.name)).toEqual(["model"]);
      expect(lineage.body.inputs.map((artifact: { name: string }) => artifact.name)).toEqual(["data"]);
    });
  });

  describe("runs", () => {
    it("POST /api/v1/{owner}/{project}/runs creates (201), GET lists them, GET /api/v1/runs/{uuid} reads one with ETag", async () => {
      const created = await call("POST", "/api/v1/acme/churn/runs", { body: { name: "exp-2", status: "running" }, as: BOB });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ project: "acme/churn", name: "exp-2", status: "running", isPromoted: false, createdBy: "bob" });
      expect(created.headers.get("etag")).toBe('"1"');
      const listed = await call("GET", "/api/v1/acme/churn/runs?sort=name&limit=1");
      expect(listed.status).toBe(200);
      expect(listed.body.count).toBe(2);
      expect(listed.body.results.map((run: { name: string }) => run.name)).toEqual(["exp-1"]);
      expect(listed.body.next).toBe("/api/v1/acme/churn/runs?sort=name&limit=1&offset=1");
      const run = await call("GET", `/api/v1/runs/${created.body.uuid}`);
      expect(run.status).toBe(200);
      expect(run.body.uuid).toBe(created.body.uuid);
      expect(run.headers.get("etag")).toBe('"1"');
      expectError(await call("GET", `/api/v1/runs/${created.body.uuid}`, { as: { id: "eve" } }), 404, "NOT_FOUND");
      expectError(await call("GET", "/api/v1/runs/00000000-0000-4000-8000-000000000000"), 404, "NOT_FOUND");
      expectError(await call("POST", "/api/v1/acme/churn/runs", { body: { name: "x" }, as: VIC }), 403, "FORBIDDEN");
    });

    it("PATCH /api/v1/runs/{uuid} updates with If-Match (412 when stale)", async () => {
      const updated = await call("PATCH", `/api/v1/runs/${runUuid}`, { body: { status: "archived" }, headers: { "if-match": '"1"' } });
      expect(updated.status).toBe(200);
      expect(updated.body.status).toBe("archived");
      expect(updated.headers.get("etag")).toBe('"2"');
      expectError(await call("PATCH", `/api/v1/runs/${runUuid}`, { body: { status: "x" }, headers: { "if-match": '"1"' } }), 412, "CONFLICT");
    });

    it("POST /api/v1/runs/{uuid}/artifacts logs artifacts; changing one a version carries is 423 LOCKED", async () => {
      const logged = await call("POST", `/api/v1/runs/${runUuid}/artifacts`, { body: { artifacts: [{ name: "metrics", kind: "metric", summary: { auc: 0.9 } }] } });
      expect(logged.status).toBe(200);
      expect(logged.body.artifacts.map((artifact: { name: string }) => artifact.name)).toContain("metrics");
      await call("POST", V, { body: { name: "v1", run: runUuid, artifacts: ["model"] } });
      expectError(await call("POST", `/api/v1/runs/${runUuid}/artifacts`, { body: { artifacts: [{ name: "model", kind: "model", path: "s3://other" }] } }), 423, "LOCKED");
      expectError(await call("POST", `/api/v1/runs/${runUuid}/artifacts`, { body: { artifacts: "model" } }), 400, "VALIDATION");
    });

    it("POST /api/v1/runs/{uuid}/promote registers a version from the run (201) and marks the run promoted", async () => {
      const promoted = await call("POST", `/api/v1/runs/${runUuid}/promote`, { body: { kind: "model", name: "from-run" } });
      expect(promoted.status).toBe(201);
      expect(promoted.body).toMatchObject({ kind: "model", name: "from-run", run: runUuid, artifacts: ["model"] });
      expect(promoted.headers.get("etag")).toBe('"1"');
      expect((await call("GET", `/api/v1/runs/${runUuid}`)).body.isPromoted).toBe(true);
      expectError(await call("POST", `/api/v1/runs/${runUuid}/promote`, { body: { kind: "model", name: "from-run" } }), 409, "ALREADY_EXISTS");
    });

    it("DELETE /api/v1/runs/{uuid}: 423 LOCKED while versions lock it, 412 when stale, 204 with cascade", async () => {
      await call("POST", V, { body: { name: "v1", run: runUuid, artifacts: ["model"] } });
      const locked = await call("DELETE", `/api/v1/runs/${runUuid}`);
      expectError(locked, 423, "LOCKED");
      expectError(await call("DELETE", `/api/v1/runs/${runUuid}?cascade=true`, { headers: { "if-match": '"1"' } }), 412, "CONFLICT");
      const revision = (await call("GET", `/api/v1/runs/${runUuid}`)).headers.get("etag")!;
      expect((await call("DELETE", `/api/v1/runs/${runUuid}?cascade=true`, { headers: { "if-match": revision } })).status).toBe(204);
      expectError(await call("GET", `/api/v1/runs/${runUuid}`), 404, "NOT_FOUND");
      expectError(await call("GET", `${V}/v1`), 404, "NOT_FOUND");
    });
  });

  describe("requests", () => {
    it("answers 400 VALIDATION for malformed JSON and for a body that is not an object", async () => {
      const malformed = await call("POST", V, { raw: '{"name": "v1",' });
      expectError(malformed, 400, "VALIDATION");
      expect(malformed.body.message).toMatch(/not valid JSON/);
      expectError(await call("POST", V, { raw: "[1, 2]" }), 400, "VALIDATION");
      expectError(await call("POST", V, { raw: '"v1"' }), 400, "VALIDATION");
    });

    it("takes the principal from x-principal: malformed JSON or a reserved id is 400, absent is anonymous", async () => {
      expectError(await call("GET", `${V}`, { as: null, headers: { "x-principal": "{id: ana}" } }), 400, "VALIDATION");
      expectError(await call("GET", `${V}`, { as: { id: "system" } }), 400, "VALIDATION");
      expectError(await call("GET", `${V}`, { as: null, headers: { "x-principal": JSON.stringify({ id: "ana", orgs: { acme: "emperor" } }) } }), 400, "VALIDATION");
      await call("POST", "/api/v1/acme/projects/create", { body: { name: "open", visibility: "public" } });
      await call("POST", "/api/v1/acme/open/versions/model", { body: { name: "v1" } });
      expect((await call("GET", "/api/v1/acme/open/versions/model/v1", { as: null })).status).toBe(200);
      expectError(await call("POST", "/api/v1/acme/open/versions/model", { body: { name: "v2" }, as: null }), 403, "FORBIDDEN");
    });

    it("refuses a body over the size limit with 413", async () => {
      const small = await start(registry, { maxBodyBytes: 1024 });
      const large = await small("POST", V, { body: { name: "v1", description: "x".repeat(4096) } });
      expect(large.status).toBe(413);
      expect(large.body.code).toBe("PAYLOAD_TOO_LARGE");
      expect((await small("POST", V, { body: { name: "v1" } })).status).toBe(201);
    });

    it("answers 404 for an unknown route and 405 with Allow for a wrong method", async () => {
      expectError(await call("GET", "/api/v2/acme/churn"), 404, "NOT_FOUND");
      expectError(await call("GET", `${V}/v1/nothing`), 404, "NOT_FOUND");
      const wrong = await call("PUT", `${V}/v1`);
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get("allow")).toBe("GET, PATCH, DELETE");
      expectError(await call("GET", "/api/v1/acme/%E0%A4%A/versions/model"), 400, "VALIDATION");
    });
  });
});

describe("examples/http-service.ts: store failures", () => {
  /** A memory store whose commits always lose to another writer, or whose reads always fail. */
  function faultyStore(fault: "conflict" | "storage"): Store {
    const store = memoryStore();
    let armed = false;
    return {
      get: (collection, key) => (armed && fault === "storage" ? Promise.reject(new Error("disk on fire")) : store.get(collection, key)),
      query: (collection, query) => (armed && fault === "storage" ? Promise.reject(new Error("disk on fire")) : store.query(collection, query)),
      commit: (writes) => {
        if (armed && fault === "conflict") return Promise.reject(new RegistryError("CONFLICT", "another writer won", {}));
        armed = true; // the first commit (the project) goes through
        return store.commit(writes);
      },
    };
  }

  it("answers 409 CONFLICT when contention outlasts the retries (no If-Match), 503 STORAGE when the store fails", async () => {
    const contended = createRegistry({ store: faultyStore("conflict") });
    const call = await start(contended);
    expect((await call("POST", "/api/v1/acme/projects/create", { body: { name: "churn" } })).status).toBe(201);
    expectError(await call("POST", V, { body: { name: "v1" } }), 409, "CONFLICT");

    const failing = createRegistry({ store: faultyStore("storage") });
    const other = await start(failing);
    expect((await other("POST", "/api/v1/acme/projects/create", { body: { name: "churn" } })).status).toBe(201);
    const storage = await other("GET", `${V}/v1`);
    expectError(storage, 503, "STORAGE");
    expect(storage.body.message).toMatch(/disk on fire/);
  });

  it("maps every error code to its documented status", () => {
    expect(HTTP_STATUS).toEqual({ VALIDATION: 400, FORBIDDEN: 403, NOT_FOUND: 404, ALREADY_EXISTS: 409, CONFLICT: 409, INVALID_TRANSITION: 422, LINEAGE: 422, LOCKED: 423, STORAGE: 503 });
  });
});

describe("examples/http-service.ts over the filesystem store", () => {
  it("keeps what was registered across a restart of the service", async () => {
    const dir = await mkdtemp(join(tmpdir(), "http-service-test-"));
    try {
      const first = createRegistry({ store: await fileStore({ dir, durability: "none" }) });
      const call = await start(first);
      await call("POST", "/api/v1/acme/projects/create", { body: { name: "churn" } });
      await call("POST", V, { body: { name: "v1", tags: ["kept"] } });
      await call("POST", `${V}/v1/stages`, { body: { condition: { type: "staging" } } });
      await first.close();

      const second = createRegistry({ store: await fileStore({ dir, durability: "none" }) });
      const again = await start(second);
      const version = await again("GET", `${V}/v1`);
      expect(version.body).toMatchObject({ name: "v1", tags: ["kept"], stage: "staging" });
      expect(version.headers.get("etag")).toBe('"2"');
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
