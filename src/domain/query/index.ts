/**
 * The query language: AST types, parser, printer, in-memory matcher, sorting and cursors.
 * @module
 */
export type { QueryNode, QueryAnd, QueryOr, QueryNot, QueryTerm, QueryOp, SortField } from "./ast.js";
export { fieldPath, isDateField } from "./ast.js";
export { matches, compileQuery, likeMatcher } from "./match.js";
export type { QueryPredicate } from "./match.js";
export { compareBy, compareValues, compareToPosition, sortValue } from "./sort.js";
export type { SortableItem } from "./sort.js";
export { encodeCursor, decodeCursor } from "./cursor.js";
export type { CursorPosition } from "./cursor.js";
export { fieldGetter, getField, parseDateSpan, naturalCompare } from "./values.js";
export type { DateSpan } from "./values.js";
export { parseQuery, parseSort } from "./parse.js";
export type { ParseQueryOptions, ParseSortOptions } from "./parse.js";
export { printQuery, printSort } from "./print.js";
export { andQuery, orQuery, notQuery, termQuery, normalizeQuery, DEFAULT_SORT } from "./build.js";
