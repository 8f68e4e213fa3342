/**
 * The query-language parser (DESIGN.md §2, §5.20-22). See docs/query-language.md for the reference.
 * @module
 */
import { RegistryError } from "../../errors.js";
import { isDateField, type QueryNode, type QueryTerm, type SortField } from "./ast.js";
import { parseDateSpan } from "./values.js";

/** Options of {@link parseQuery}. */
export interface ParseQueryOptions {
  /** The fields a query may name; another field is a `VALIDATION` error. Absent: any field. */
  readonly fields?: readonly string[];
}

/** Options of {@link parseSort}. */
export interface ParseSortOptions {
  /** The fields a sort may name; another field is a `VALIDATION` error. Absent: any field. */
  readonly fields?: readonly string[];
  /** The sort used when `text` is absent or blank. Default: `-updated_at`. */
  readonly default?: string;
}

const FIELD_START = /[A-Za-z_]/;
const FIELD_CHAR = /[A-Za-z0-9_.]/;
const WHITESPACE = /\s/;

/** One value as lexed: its text, whether an unquoted `%` made it a pattern, and whether it is the bare word `nil`. */
interface Atom {
  readonly text: string;
  readonly wildcard: boolean;
  readonly nil: boolean;
  readonly start: number;
}

function describe(text: string, at: number): string {
  if (at >= text.length) return "the end of the query";
  return JSON.stringify(text.slice(at, at + 1));
}

function syntaxError(query: string, position: number, expected: string): RegistryError {
  return new RegistryError("VALIDATION", `Invalid query at position ${position}: expected ${expected}, found ${describe(query, position)}`, {
    position,
    expected,
    found: position >= query.length ? null : query.charAt(position),
    query,
  });
}

class Parser {
  private pos = 0;
  private readonly fields: ReadonlySet<string> | undefined;

  constructor(
    private readonly text: string,
    fields: readonly string[] | undefined,
  ) {
    this.fields = fields === undefined ? undefined : new Set(fields);
  }

  private fail(expected: string, at = this.pos): never {
    throw syntaxError(this.text, at, expected);
  }

  private get eof(): boolean {
    return this.pos >= this.text.length;
  }

  private peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  private skipWs(): void {
    while (!this.eof && WHITESPACE.test(this.peek())) this.pos++;
  }

  /** True (and consumed) when the upper-case keyword stands here as a whole word. */
  private keyword(word: "AND" | "OR"): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    const after = this.text.charAt(this.pos + word.length);
    if (after !== "" && (FIELD_CHAR.test(after) || after === ":")) return false;
    this.pos += word.length;
    return true;
  }

  parse(): QueryNode | null {
    this.skipWs();
    if (this.eof) return null;
    const node = this.parseOr();
    this.skipWs();
    if (!this.eof) this.fail(this.peek() === ")" ? "',', 'AND', 'OR' or the end of the query (unbalanced ')')" : "',', 'AND', 'OR' or the end of the query");
    return node;
  }

  private parseOr(): QueryNode {
    const items: QueryNode[] = [];
    push(items, "or", this.parseAnd());
    for (;;) {
      this.skipWs();
      if (!this.keyword("OR")) break;
      push(items, "or", this.parseAnd());
    }
    return items.length === 1 ? (items[0] as QueryNode) : { type: "or", items };
  }

  private parseAnd(): QueryNode {
    const items: QueryNode[] = [];
    push(items, "and", this.parseUnary());
    for (;;) {
      this.skipWs();
      if (this.peek() === ",") this.pos++;
      else if (!this.keyword("AND")) break;
      push(items, "and", this.parseUnary());
    }
    return items.length === 1 ? (items[0] as QueryNode) : { type: "and", items };
  }

  private parseUnary(): QueryNode {
    this.skipWs();
    const c = this.peek();
    if (c === "~") {
      this.pos++;
      return { type: "not", item: this.parseUnary() };
    }
    if (c === "(") {
      this.pos++;
      const inner = this.parseOr();
      this.skipWs();
      if (this.peek() !== ")") this.fail("',', 'AND', 'OR' or ')'");
      this.pos++;
      return inner;
    }
    return this.parseTerm();
  }

  private parseTerm(): QueryNode {
    const start = this.pos;
    if (this.eof || !FIELD_START.test(this.peek())) this.fail("a term (field:value), '~' or '('");
    while (!this.eof && FIELD_CHAR.test(this.peek())) this.pos++;
    const field = this.text.slice(start, this.pos);
    if (field === "AND" || field === "OR") this.fail("a term (field:value), '~' or '('", start);
    if (this.fields !== undefined && !this.fields.has(field)) {
      const expected = `one of the fields ${[...this.fields].join(", ")}`;
      throw new RegistryError("VALIDATION", `Invalid query at position ${start}: unknown field ${JSON.stringify(field)}, expected ${expected}`, {
        position: start,
        expected,
        found: field,
        field,
        query: this.text,
      });
    }
    this.skipWs();
    if (this.peek() !== ":") this.fail(`':' after the field name ${JSON.stringify(field)}`);
    this.pos++;
    this.skipWs();
    let negated = false;
    if (this.peek() === "~") {
      negated = true;
      this.pos++;
    }
    const term = this.parseValue(field);
    return negated ? { type: "not", item: term } : term;
  }

  private parseValue(field: string): QueryNode {
    let op: "gt" | "gte" | "lt" | "lte" | undefined;
    const c = this.peek();
    if (c === ">" || c === "<") {
      const eq = this.peek(1) === "=";
      op = c === ">" ? (eq ? "gte" : "gt") : eq ? "lte" : "lt";
      this.pos += eq ? 2 : 1;
    }
    const first = this.readAtom();
    if (op !== undefined) {
      if (first.nil) this.fail(`a value after the comparison (quote "nil" to mean the text)`, first.start);
      if (first.wildcard) this.fail("a value without '%' after a comparison", first.start);
      this.checkDate(field, first);
      return { type: "term", field, op, value: first.text };
    }
    if (this.peek() === "." && this.peek(1) === ".") {
      this.pos += 2;
      const second = this.readAtom();
      for (const atom of [first, second]) {
        if (atom.nil) this.fail(`a value in the range (quote "nil" to mean the text)`, atom.start);
        if (atom.wildcard) this.fail("a value without '%' in a range", atom.start);
        this.checkDate(field, atom);
      }
      return { type: "term", field, op: "range", value: [first.text, second.text] };
    }
    if (this.peek() === "|") {
      const atoms = [first];
      while (this.peek() === "|") {
        this.pos++;
        atoms.push(this.readAtom());
      }
      return listNode(field, atoms);
    }
    return atomTerm(field, first);
  }

  private checkDate(field: string, atom: Atom): void {
    if (isDateField(field) && parseDateSpan(atom.text) === undefined) {
      this.fail(`a date such as 2026-01-20 or 2026-01-20T10:00:00Z for ${JSON.stringify(field)}`, atom.start);
    }
  }

  /** Reads one value: unquoted runs and quoted strings, concatenated, up to a delimiter. */
  private readAtom(): Atom {
    const start = this.pos;
    let text = "";
    let wildcard = false;
    let quoted = false;
    for (;;) {
      if (this.eof) break;
      const c = this.peek();
      if (c === '"' || c === "'") {
        quoted = true;
        const open = this.pos;
        this.pos++;
        for (;;) {
          if (this.eof) this.fail(`a closing ${c} for the quote at position ${open}`);
          const d = this.peek();
          if (d === c) {
            this.pos++;
            break;
          }
          if (d === "\\" && (this.peek(1) === "\\" || this.peek(1) === '"' || this.peek(1) === "'")) {
            text += this.peek(1);
            this.pos += 2;
            continue;
          }
          text += d;
          this.pos++;
        }
        continue;
      }
      if (WHITESPACE.test(c) || c === "," || c === "|" || c === "(" || c === ")" || (c === "." && this.peek(1) === ".")) break;
      if (c === "%") wildcard = true;
      text += c;
      this.pos++;
    }
    if (this.pos === start) this.fail("a value");
    return { text, wildcard, nil: !quoted && text === "nil", start };
  }
}

function push(items: QueryNode[], type: "and" | "or", node: QueryNode): void {
  if (node.type === type) items.push(...node.items);
  else items.push(node);
}

function atomTerm(field: string, atom: Atom): QueryTerm {
  if (atom.nil) return { type: "term", field, op: "nil", value: null };
  if (atom.wildcard) return { type: "term", field, op: "like", value: atom.text };
  return { type: "term", field, op: "eq", value: atom.text };
}

/** `a|b|c`: an `in` term, or an OR of terms when some items are patterns or `nil`. */
function listNode(field: string, atoms: readonly Atom[]): QueryNode {
  const plain = atoms.filter((a) => !a.nil && !a.wildcard).map((a) => a.text);
  const special = atoms.filter((a) => a.nil || a.wildcard);
  const items: QueryNode[] = [];
  if (plain.length === 1) items.push({ type: "term", field, op: "eq", value: plain[0] as string });
  else if (plain.length > 1) items.push({ type: "term", field, op: "in", value: plain });
  for (const atom of special) items.push(atomTerm(field, atom));
  return items.length === 1 ? (items[0] as QueryNode) : { type: "or", items };
}

/**
 * Parses query-language text into an AST in normal form (see `normalizeQuery()`); empty or blank text
 * gives `null` (match everything).
 *
 * Syntax: `field:value` terms joined by `,` or `AND` (binds tighter) and `OR`, with parentheses;
 * `~` negates (`~stage:production` or `stage:~production`); `a|b` is IN; `nil` tests for no value;
 * `%` makes a case-insensitive anchored pattern; `>`, `>=`, `<`, `<=` compare; `a..b` is an inclusive
 * range; quotes (`"` or `'`, with `\"`, `\'` and `\\` escapes inside) make `nil`, `|`, `..`, `,`,
 * parentheses, `%` and spaces literal.
 *
 * @example
 * ```ts
 * parseQuery("stage:production, tags:a|b, created_at:>2026-01-01, name:%v1%")
 * ```
 * @throws RegistryError `VALIDATION` with `details: { position, expected, found, query }` (0-based
 *   position) for a syntax error, an invalid date on a date field, or a field not in `options.fields`.
 */
export function parseQuery(text: string, options: ParseQueryOptions = {}): QueryNode | null {
  if (typeof text !== "string") throw new RegistryError("VALIDATION", "Invalid query: expected a string", { query: String(text) });
  return new Parser(text, options.fields).parse();
}

/**
 * Parses a sort: a comma list of fields, each optionally prefixed with `-` (descending) or `+`
 * (ascending, the default). Absent or blank text gives `options.default` (itself `-updated_at` by default).
 *
 * @example
 * ```ts
 * parseSort("-created_at,name") // [{ field: "created_at", direction: "desc" }, { field: "name", direction: "asc" }]
 * ```
 * @throws RegistryError `VALIDATION` with `details: { position, expected, sort }` for an empty item, a
 *   malformed or repeated field, or a field not in `options.fields`.
 */
export function parseSort(text: string | undefined, options: ParseSortOptions = {}): SortField[] {
  const source = text === undefined || text.trim() === "" ? (options.default ?? "-updated_at") : text;
  if (typeof source !== "string") throw new RegistryError("VALIDATION", "Invalid sort: expected a string", { sort: String(source) });
  if (source.trim() === "") return [];
  const fields = options.fields === undefined ? undefined : new Set(options.fields);
  const out: SortField[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const raw of source.split(",")) {
    const lead = raw.length - raw.trimStart().length;
    let at = offset + lead;
    let item = raw.trim();
    const fail = (expected: string, message?: string): never => {
      throw new RegistryError("VALIDATION", message ?? `Invalid sort at position ${at}: expected ${expected}, found ${describe(source, at)}`, {
        position: at,
        expected,
        sort: source,
      });
    };
    let direction: "asc" | "desc" = "asc";
    if (item.startsWith("-") || item.startsWith("+")) {
      direction = item.startsWith("-") ? "desc" : "asc";
      item = item.slice(1);
      at++;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(item)) fail("a field name (optionally prefixed with '-' for descending)");
    if (fields !== undefined && !fields.has(item)) {
      const expected = `one of the fields ${[...fields].join(", ")}`;
      fail(expected, `Invalid sort at position ${at}: unknown field ${JSON.stringify(item)}, expected ${expected}`);
    }
    if (seen.has(item)) fail("each field at most once", `Invalid sort at position ${at}: the field ${JSON.stringify(item)} appears twice`);
    seen.add(item);
    out.push({ field: item, direction });
    offset += raw.length + 1;
  }
  return out;
}
