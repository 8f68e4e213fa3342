/**
 * `artifact-versions/postgres`: the {@link Store} on PostgreSQL, for several app instances sharing one
 * registry. Needs the optional peer dependency `pg` (`npm install pg`). See docs/postgres-store.md.
 * @module
 */
export { postgresStore, DEFAULT_SCHEMA } from "./store.js";
export type { PostgresConnection, PostgresStoreOptions } from "./store.js";
export { SCHEMA_VERSION } from "./migrations.js";
