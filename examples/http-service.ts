// A small `node:http` service exposing Polyaxon's REST shape over the filesystem store.
//
//   npm run build && PORT=8000 npx tsx --tsconfig examples/tsconfig.json examples/http-service.ts
//   ... examples/http-service.ts --smoke   (port 0, a few requests, prints them, exits: for CI)
// Records live in DATA_DIR (default .artifact-versions/http-service) through `artifact-versions/fs`.
//
// Routes (bodies and records use the library's camelCase JSON):
//   POST   /api/v1/{owner}/projects/create                  create a project    { name, description?, visibility?, ... }
//   GET    /api/v1/{owner}/{project}                        get a project (ETag)
//   DELETE /api/v1/{owner}/{project}?cascade=true           delete a project (If-Match)
//   GET    /api/v1/{owner}/{project}/versions/{kind}        list: ?query=&sort=&limit=&offset=&cursor=
//   POST   /api/v1/{owner}/{project}/versions/{kind}        register             { name?, description?, tags?, run?, artifacts?, force?, ... }
//   GET    /api/v1/orgs/{owner}/versions/{kind}             list across the owner's readable projects
//   GET    /api/v1/{owner}/{project}/versions/{kind}/{name}            get (ETag)
//   PATCH  /api/v1/{owner}/{project}/versions/{kind}/{name}            update (If-Match)
//   DELETE /api/v1/{owner}/{project}/versions/{kind}/{name}            delete (If-Match)
//   GET    /api/v1/{owner}/{project}/versions/{kind}/{name}/stages     { uuid, stage, stageConditions }
//   POST   /api/v1/{owner}/{project}/versions/{kind}/{name}/stages     { condition: { type, reason?, message? } } or { to, reason?, message? } (If-Match)
//   POST   /api/v1/{owner}/{project}/versions/{kind}/{name}/transfer   { project: "owner/name" } (If-Match)
//   GET    /api/v1/{owner}/{project}/versions/{kind}/{name}/lineage    { version, run, artifacts, inputs }
//   POST   /api/v1/{owner}/{project}/runs                   create a run         { name?, status?, artifacts?, ... }
//   GET    /api/v1/{owner}/{project}/runs                   list runs: ?query=&sort=&limit=&offset=
//   GET    /api/v1/runs/{uuid}                              get a run (ETag)
//   PATCH  /api/v1/runs/{uuid}                              update a run (If-Match)
//   DELETE /api/v1/runs/{uuid}?cascade=true                 delete a run (If-Match)
//   POST   /api/v1/runs/{uuid}/artifacts                    log artifacts        { artifacts: [...] }
//   POST   /api/v1/runs/{uuid}/promote                      promote to a version { kind?, project?, name?, artifacts?, ... }
//
// The principal comes from the `x-principal` header as JSON (`{"id":"ana","orgs":{"acme":"admin"}}`);
// without it the caller is anonymous. A real service would take it from a verified token instead.
// Revisions travel as `ETag: "<revision>"`; `If-Match` pins a change (`ifRevision`) and a mismatch is 412.
// Errors are `{ code, message, details }` with the status of `HTTP_STATUS` below.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ANONYMOUS, createRegistry, isRegistryError, memoryStore, RegistryError, VERSION_KINDS } from "artifact-versions";
import type { ErrorCode, ListOptions, Page, ProjectCreateInput, PromoteInput, RegisterInput, Registry, RunArtifactInput, RunCreateInput, RunUpdateInput, Session, StageInput, Store, UpdateInput, VersionKind } from "artifact-versions";

/** The HTTP status of each error code (a `CONFLICT` from a failed `If-Match` is 412 instead). */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  VALIDATION: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  INVALID_TRANSITION: 422,
  LINEAGE: 422,
  LOCKED: 423,
  STORAGE: 503,
});

/** Options of {@link createService}. */
export interface ServiceOptions {
  readonly registry: Registry;
  /** Largest accepted request body in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Receives unexpected errors (answered with 500). Default: `console.error`. */
  readonly onError?: (error: unknown) => void;
}

/** An error the HTTP layer answers itself (unknown route, wrong method, body too large). */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Request {
  readonly session: Session;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body, `undefined` when empty. */
  readonly body: () => Promise<unknown>;
  /** The revision of `If-Match`, if given. */
  readonly ifRevision: number | undefined;
  readonly url: URL;
}

interface Reply {
  readonly status?: number;
  readonly body?: unknown;
  /** Sets `ETag` from the record's revision. */
  readonly revision?: number;
}

type Handler = (request: Request) => Promise<Reply>;

const METHODS = ["GET", "POST", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

const VERSION = "/api/v1/:owner/:project/versions/:kind/:name";
const ROUTES: readonly (readonly [Method, string, Handler])[] = [
  // Runs by uuid and org-wide listings come first: their literal segments would match `:owner/:project`.
  ["GET", "/api/v1/runs/:uuid", async ({ session, params }) => record(await session.runs.get(params.uuid!))],
  ["PATCH", "/api/v1/runs/:uuid", async ({ session, params, body, ifRevision }) => record(await session.runs.update(params.uuid!, as<RunUpdateInput>(object(await body())), pin(ifRevision)))],
  ["DELETE", "/api/v1/runs/:uuid", async ({ session, params, query, ifRevision }) => {
    await session.runs.delete(params.uuid!, { ...pin(ifRevision), ...flag(query, "cascade") });
    return { status: 204 };
  }],
  ["POST", "/api/v1/runs/:uuid/artifacts", async ({ session, params, body }) => {
    const input = object(await body());
    return record(await session.runs.logArtifacts(params.uuid!, as<RunArtifactInput[]>(input["artifacts"])));
  }],
  ["POST", "/api/v1/runs/:uuid/promote", async ({ session, params, body }) => record(await session.runs.promote(params.uuid!, as<PromoteInput>(object(await body()))), 201)],
  ["GET", "/api/v1/orgs/:owner/versions/:kind", async (request) => list(request, await versions(request).list(request.params.owner!, listOptions(request.query)))],

  ["POST", "/api/v1/:owner/projects/create", async ({ session, params, body }) => record(await session.projects.create(as<ProjectCreateInput>({ ...object(await body()), owner: params.owner! })), 201)],
  ["GET", "/api/v1/:owner/:project", async ({ session, params }) => record(await session.projects.get(projectOf(params)))],
  ["DELETE", "/api/v1/:owner/:project", async ({ session, params, query, ifRevision }) => {
    await session.projects.delete(projectOf(params), { ...pin(ifRevision), ...flag(query, "cascade") });
    return { status: 204 };
  }],

  ["GET", "/api/v1/:owner/:project/versions/:kind", async (request) => list(request, await versions(request).list(projectOf(request.params), listOptions(request.query)))],
  ["POST", "/api/v1/:owner/:project/versions/:kind", async (request) => {
    const version = await versions(request).register(as<RegisterInput>({ ...object(await request.body()), project: projectOf(request.params) }));
    return record(version, version.revision === 1 ? 201 : 200); // `force` on an existing name updates it
  }],
  ["GET", VERSION, async (request) => record(await versions(request).get(referenceOf(request.params)))],
  ["PATCH", VERSION, async (request) => record(await versions(request).update(referenceOf(request.params), as<UpdateInput>(object(await request.body())), pin(request.ifRevision)))],
  ["DELETE", VERSION, async (request) => {
    await versions(request).delete(referenceOf(request.params), pin(request.ifRevision));
    return { status: 204 };
  }],
  ["GET", `${VERSION}/stages`, async (request) => {
    const version = await versions(request).get(referenceOf(request.params));
    return { body: { uuid: version.uuid, stage: version.stage, stageConditions: version.stageConditions }, revision: version.revision };
  }],
  ["POST", `${VERSION}/stages`, async (request) => {
    const input = object(await request.body());
    // Polyaxon's shape `{ condition: { type, reason, message } }`, or ours `{ to, reason, message }`.
    const move = input["condition"] === undefined ? input : (() => {
      const { type, reason, message } = object(input["condition"], "condition");
      return { to: type, ...(reason === undefined ? {} : { reason }), ...(message === undefined ? {} : { message }) };
    })();
    const version = await versions(request).stage(referenceOf(request.params), as<StageInput>(move), pin(request.ifRevision));
    return { body: { uuid: version.uuid, stage: version.stage, stageConditions: version.stageConditions }, revision: version.revision };
  }],
  ["POST", `${VERSION}/transfer`, async (request) => {
    const target = object(await request.body())["project"];
    if (typeof target !== "string" || target === "") throw invalid("The destination project was not provided: send { \"project\": \"owner/name\" }.", ["project"]);
    const toProject = target.includes("/") ? target : `${request.params.owner!}/${target}`;
    return record(await versions(request).transfer(referenceOf(request.params), { toProject }, pin(request.ifRevision)));
  }],
  ["GET", `${VERSION}/lineage`, async (request) => ({ body: await versions(request).lineage(referenceOf(request.params)) })],

  ["POST", "/api/v1/:owner/:project/runs", async ({ session, params, body }) => record(await session.runs.create(as<RunCreateInput>({ ...object(await body()), project: projectOf(params) })), 201)],
  ["GET", "/api/v1/:owner/:project/runs", async (request) => list(request, await request.session.runs.list(projectOf(request.params), listOptions(request.query)))],
];

/**
 * Creates the HTTP service over a registry. The server is not started: call `listen()` (port 0 in tests).
 * Closing the server does not close the registry.
 */
export function createService(options: ServiceOptions): Server {
  const { registry } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const onError = options.onError ?? ((error: unknown) => console.error(error));

  return createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (isRegistryError(error)) return sendError(res, HTTP_STATUS[error.code], error.toJSON());
      if (error instanceof HttpError) return sendError(res, error.status, { code: error.code, message: error.message, details: {} }, error.headers);
      onError(error);
      return sendError(res, 500, { code: "INTERNAL", message: "The server failed; see its log.", details: {} });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    const { handler, params } = route(method, url.pathname);
    const session = registry.as(principalOf(req));
    const ifRevision = ifMatch(req.headers["if-match"]);
    const request: Request = { session, params, query: url.searchParams, url, ifRevision, body: () => readJson(req, maxBodyBytes) };
    let reply: Reply;
    try {
      reply = await handler(request);
    } catch (error) {
      // A CONFLICT on a pinned request is the pin failing: 412 Precondition Failed.
      if (isRegistryError(error, "CONFLICT") && ifRevision !== undefined && error.details["expected"] === ifRevision) {
        return sendError(res, 412, error.toJSON());
      }
      throw error;
    }
    const headers: Record<string, string> = reply.revision === undefined ? {} : { etag: `"${reply.revision}"` };
    if (reply.body === undefined) {
      res.writeHead(reply.status ?? 204, headers).end();
      return;
    }
    send(res, reply.status ?? 200, reply.body, headers);
  }
}

function route(method: string, pathname: string): { handler: Handler; params: Record<string, string> } {
  const segments = pathname.split("/").filter((segment) => segment !== "");
  const allowed: string[] = [];
  for (const [routeMethod, pattern, handler] of ROUTES) {
    const parts = pattern.split("/").filter((part) => part !== "");
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matched = parts.every((part, index) => {
      const segment = segments[index]!;
      if (!part.startsWith(":")) return part === segment;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        throw invalid(`The path segment ${segment} is not valid percent-encoding.`, [part.slice(1)]);
      }
      return true;
    });
    if (!matched) continue;
    if (routeMethod === method) return { handler, params };
    allowed.push(routeMethod);
  }
  if (allowed.length > 0) throw new HttpError(405, "METHOD_NOT_ALLOWED", `${method} is not allowed on ${pathname}; use ${allowed.join(", ")}.`, { allow: allowed.join(", ") });
  throw new HttpError(404, "NOT_FOUND", `No route for ${method} ${pathname}.`);
}

function principalOf(req: IncomingMessage): Parameters<Registry["as"]>[0] {
  const header = req.headers["x-principal"];
  if (header === undefined || header === "") return ANONYMOUS;
  try {
    return JSON.parse(Array.isArray(header) ? (header[0] ?? "") : header) as Parameters<Registry["as"]>[0];
  } catch {
    throw invalid('The x-principal header is not JSON: send {"id":"ana","orgs":{"acme":"admin"}}.', ["x-principal"]);
  }
}

/** `If-Match: "3"` (or `W/"3"`, `3`) -> 3; `*` or absent -> no pin. */
function ifMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (match === null) throw invalid(`If-Match must be one ETag such as "3", not ${header}.`, ["if-match"]);
  return Number(match[1]);
}

async function readJson(req: IncomingMessage, maxBodyBytes: number): Promise<unknown> {
  const tooLarge = () => new HttpError(413, "PAYLOAD_TOO_LARGE", `The body is larger than ${maxBodyBytes} bytes.`, { connection: "close" });
  if (Number(req.headers["content-length"] ?? 0) > maxBodyBytes) {
    req.resume(); // discard the rest; the connection closes after the answer
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, []);
  }
}

function versions(request: Request): Session["models"] {
  const given = request.params.kind!;
  // Accept Polyaxon's singular kinds and their plurals: `model` and `models`.
  const singular = given.endsWith("s") && (VERSION_KINDS as readonly string[]).includes(given.slice(0, -1)) ? given.slice(0, -1) : given;
  return request.session.versions(singular as VersionKind) as Session["models"];
}

function listOptions(query: URLSearchParams): ListOptions {
  const options: ListOptions = {};
  for (const field of ["query", "sort", "cursor"] as const) {
    const value = query.get(field);
    if (value !== null) options[field] = value;
  }
  for (const field of ["limit", "offset"] as const) {
    const value = query.get(field);
    if (value === null) continue;
    if (!/^\d{1,9}$/.test(value)) throw invalid(`${field} must be a whole number, not ${JSON.stringify(value)}.`, [field]);
    options[field] = Number(value);
  }
  return options;
}

/** A page as Polyaxon answers it: `{ count, results, previous, next }` with links, plus our keyset `cursor`. */
function list(request: Request, page: Page<unknown>): Reply {
  const link = (at: { limit: number; offset: number } | null): string | null => {
    if (at === null) return null;
    const query = new URLSearchParams(request.query);
    query.delete("cursor");
    query.set("limit", String(at.limit));
    query.set("offset", String(at.offset));
    return `${request.url.pathname}?${query.toString()}`;
  };
  return { body: { count: page.count, results: page.results, previous: link(page.previous), next: link(page.next), cursor: page.cursor } };
}

function record(value: { revision: number }, status = 200): Reply {
  return { status, body: value, revision: value.revision };
}

const pin = (ifRevision: number | undefined) => (ifRevision === undefined ? {} : { ifRevision });
const flag = (query: URLSearchParams, name: string) => (query.get(name) === "true" ? { [name]: true } : {});
const projectOf = (params: Readonly<Record<string, string>>) => `${params.owner!}/${params.project!}`;
const referenceOf = (params: Readonly<Record<string, string>>) => `${projectOf(params)}:${params.name!}`;

function object(value: unknown, name = "body"): Record<string, unknown> {
  if (value === undefined && name === "body") return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalid(`The ${name} must be a JSON object.`, name === "body" ? [] : [name]);
  return value as Record<string, unknown>;
}

/** The registry parses every input with its own schemas (400 `VALIDATION` on a mismatch), so the body passes as is. */
const as = <T>(value: unknown): T => value as T;

function invalid(message: string, path: (string | number)[]): RegistryError {
  return new RegistryError("VALIDATION", message, { issues: [{ path, message }] });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)), ...headers }).end(text);
}

function sendError(res: ServerResponse, status: number, body: { code: string; message: string; details: unknown }, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, status, body, headers);
}

/** The filesystem store when `artifact-versions/fs` is available, else (with a warning) the memory store. */
async function openStore(dir: string): Promise<Store> {
  try {
    const { fileStore } = await import("artifact-versions/fs");
    return await fileStore({ dir });
  } catch (error) {
    console.warn(`artifact-versions/fs is not available (${error instanceof Error ? error.message : String(error)}); keeping records in memory.`);
    return memoryStore();
  }
}

async function smoke(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "artifact-versions-http-"));
  const registry = createRegistry({ store: await openStore(dir) });
  const server = createService({ registry });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
  const ana = JSON.stringify({ id: "ana", orgs: { acme: "admin" } });
  let failed = false;
  const call = async (method: string, path: string, expected: number, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(base + path, { method, headers: { "x-principal": ana, "content-type": "application/json", ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    const etag = response.headers.get("etag");
    console.log(`${method} ${path} -> ${response.status}${etag === null ? "" : ` ETag ${etag}`}  ${text.length > 140 ? `${text.slice(0, 140)}...` : text}`);
    if (response.status !== expected) {
      console.error(`  expected ${expected}`);
      failed = true;
    }
    return text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>);
  };
  try {
    await call("POST", "/api/v1/acme/projects/create", 201, { name: "churn" });
    const run = await call("POST", "/api/v1/acme/churn/runs", 201, { name: "exp-1", status: "succeeded", artifacts: [{ name: "model", kind: "model", path: "s3://b/model.pkl" }] });
    await call("POST", "/api/v1/acme/churn/versions/model", 201, { name: "v1", tags: ["baseline"], run: run?.["uuid"], artifacts: ["model"] });
    await call("POST", "/api/v1/acme/churn/versions/model/v1/stages", 200, { condition: { type: "staging", reason: "PassedEval", message: "auc 0.91" } }, { "if-match": '"1"' });
    await call("PATCH", "/api/v1/acme/churn/versions/model/v1", 412, { description: "stale" }, { "if-match": '"1"' });
    await call("POST", "/api/v1/acme/churn/versions/model/v1/stages", 422, { to: "disabled-typo" });
    await call("GET", "/api/v1/acme/churn/versions/model?query=stage:staging&sort=-created_at&limit=10", 200);
    await call("GET", "/api/v1/acme/churn/versions/model/v9", 404, undefined, { "x-principal": "" });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

async function serve(): Promise<void> {
  const registry = createRegistry({ store: await openStore(process.env["DATA_DIR"] ?? ".artifact-versions/http-service") });
  const server = createService({ registry });
  const port = Number(process.env["PORT"] ?? 8000);
  server.listen(port, () => console.log(`artifact-versions http service on http://localhost:${port}/api/v1`));
  const stop = () => {
    server.close(() => void registry.close().then(() => process.exit(0)));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await (process.argv.includes("--smoke") ? smoke() : serve());
}
