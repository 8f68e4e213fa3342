/**
 * artifact-versions: an embeddable registry of versioned artifacts.
 * @packageDocumentation
 */
export { RegistryError, isRegistryError, ERROR_CODES } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export type { JsonValue, JsonObject } from "./domain/json.js";
export type { QueryNode, QueryAnd, QueryOr, QueryNot, QueryTerm, QueryOp, SortField } from "./domain/query/ast.js";
export { fieldPath } from "./domain/query/ast.js";
export type { Store, StoredItem, StoreQuery, StoreQueryResult, Write, PutWrite, DeleteWrite, CheckWrite, CommitResult } from "./store/store.js";
