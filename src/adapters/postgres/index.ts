/**
 * `artifact-versions/postgres`: the `Store` on PostgreSQL, for several app instances sharing one
 * registry. Needs the optional peer dependency `pg` (`npm install pg`). See docs/postgres-store.md.
 * @module artifact-versions/postgres
 */
export { postgresStore, DEFAULT_SCHEMA } from "./store.js";
export type { PostgresConnection, PostgresStoreOptions } from "./store.js";
export { SCHEMA_VERSION } from "./migrations.js";
