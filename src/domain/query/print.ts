/**
 * The query-language printer: the inverse of `parseQuery()` on normal-form ASTs.
 * @module
 */
import { RegistryError } from "../../errors.js";
import type { QueryNode, QueryTerm, SortField } from "./ast.js";

const FIELD_RE = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const NEEDS_QUOTES = /[\s,|()"'%]/;

function unprintable(message: string, node: unknown): RegistryError {
  return new RegistryError("VALIDATION", `Cannot print query: ${message}`, { node: JSON.parse(JSON.stringify(node ?? null)) as unknown });
}

/** Prints one literal value, quoting it when it would otherwise read differently. */
function printLiteral(value: string): string {
  if (
    value === "" ||
    value === "nil" ||
    NEEDS_QUOTES.test(value) ||
    value.includes("..") ||
    value.endsWith(".") ||
    /^[~<>=]/.test(value)
  ) {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  }
  return value;
}

/** Prints a `like` pattern: every `%` bare (a wildcard), the text between quoted when needed. */
function printPattern(pattern: string): string {
  const parts = pattern.split("%");
  return parts
    .map((part, i) => {
      if (part === "") return "";
      // A leading part must not read as an operator; later parts follow a '%' so they cannot.
      const quoted = printLiteral(part);
      if (quoted !== part) return quoted;
      if (i === 0 && /^[~<>=]/.test(part)) return `"${part}"`;
      // An unquoted part ending in '.' followed by '%' is fine; only '..' matters and printLiteral covers it.
      return part;
    })
    .join("%");
}

function printTerm(term: QueryTerm): string {
  if (typeof term.field !== "string" || !FIELD_RE.test(term.field) || term.field === "AND" || term.field === "OR") {
    throw unprintable(`invalid field name ${JSON.stringify(term.field)}`, term);
  }
  const head = `${term.field}:`;
  switch (term.op) {
    case "eq":
      return head + printLiteral(term.value);
    case "like":
      return head + (term.value.includes("%") ? printPattern(term.value) : printLiteral(term.value));
    case "gt":
      return `${head}>${printLiteral(term.value)}`;
    case "gte":
      return `${head}>=${printLiteral(term.value)}`;
    case "lt":
      return `${head}<${printLiteral(term.value)}`;
    case "lte":
      return `${head}<=${printLiteral(term.value)}`;
    case "in":
      if (term.value.length === 0) throw unprintable("an empty 'in' list has no text form", term);
      return head + term.value.map(printLiteral).join("|");
    case "range":
      return `${head}${printLiteral(term.value[0])}..${printLiteral(term.value[1])}`;
    case "nil":
      return `${head}nil`;
    default:
      throw unprintable(`unknown operator ${JSON.stringify((term as { op?: unknown }).op)}`, term);
  }
}

function printNode(node: QueryNode): string {
  switch (node.type) {
    case "term":
      return printTerm(node);
    case "not": {
      const inner = node.item;
      return inner.type === "and" || inner.type === "or" ? `~(${printNode(inner)})` : `~${printNode(inner)}`;
    }
    case "and":
      if (node.items.length === 0) throw unprintable("an empty 'and' has no text form", node);
      return node.items.map((item) => (item.type === "or" || item.type === "and" ? `(${printNode(item)})` : printNode(item))).join(", ");
    case "or":
      if (node.items.length === 0) throw unprintable("an empty 'or' has no text form", node);
      return node.items.map((item) => (item.type === "or" ? `(${printNode(item)})` : printNode(item))).join(" OR ");
    default:
      throw unprintable(`unknown node type ${JSON.stringify((node as { type?: unknown }).type)}`, node);
  }
}

/**
 * Prints an AST as query-language text; `null`/`undefined` prints as `""`. For every AST in normal
 * form, `parseQuery(printQuery(ast))` deep-equals `ast`. Normal form (what `parseQuery` produces, see
 * `normalizeQuery()`): ANDs/ORs have at least two items, no AND directly inside an AND nor OR inside
 * an OR; `in` lists have at least two values; `like` values contain a `%`; date-field comparisons and
 * ranges hold valid dates; field names match `[A-Za-z_][A-Za-z0-9_.]*` and are not `AND`/`OR`.
 * Other ASTs print as equivalent text that may parse to a different shape (a one-value `in` parses as `eq`).
 *
 * @throws RegistryError `VALIDATION` for an AST with no text form (empty `and`/`or`/`in`, a bad field name).
 */
export function printQuery(ast: QueryNode | null | undefined): string {
  return ast === null || ast === undefined ? "" : printNode(ast);
}

/** Prints a sort as `parseSort()` reads it: `-created_at,name`. An empty sort prints as `""`. */
export function printSort(sort: readonly SortField[]): string {
  return sort.map((s) => (s.direction === "desc" ? "-" : "") + s.field).join(",");
}
