import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  andQuery,
  normalizeQuery,
  notQuery,
  orQuery,
  parseQuery,
  parseSort,
  printQuery,
  printSort,
  termQuery,
  type QueryNode,
} from "../../../src/domain/query/index.js";
import { RegistryError } from "../../../src/errors.js";

const RUNS = Number(process.env.FC_RUNS ?? 200);
const t = (field: string, op: string, value: unknown) => ({ type: "term", field, op, value });

function errorOf(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }
  throw new Error("expected an error");
}

describe("parseQuery: constructs", () => {
  it("empty and blank give null", () => {
    expect(parseQuery("")).toBeNull();
    expect(parseQuery("   \t")).toBeNull();
  });
  it("terms and operators", () => {
    expect(parseQuery("stage:production")).toEqual(t("stage", "eq", "production"));
    expect(parseQuery("name:%v1%")).toEqual(t("name", "like", "%v1%"));
    expect(parseQuery("tags:a|b|c")).toEqual(t("tags", "in", ["a", "b", "c"]));
    expect(parseQuery("run:nil")).toEqual(t("run", "nil", null));
    expect(parseQuery("n:>1")).toEqual(t("n", "gt", "1"));
    expect(parseQuery("n:>=1")).toEqual(t("n", "gte", "1"));
    expect(parseQuery("n:<1")).toEqual(t("n", "lt", "1"));
    expect(parseQuery("n:<=1")).toEqual(t("n", "lte", "1"));
    expect(parseQuery("created_at:2026-01-01..2026-01-31")).toEqual(t("created_at", "range", ["2026-01-01", "2026-01-31"]));
    expect(parseQuery("name:v1.2..v1.10")).toEqual(t("name", "range", ["v1.2", "v1.10"]));
    expect(parseQuery("created_at:>2026-01-20T10:00:00Z")).toEqual(t("created_at", "gt", "2026-01-20T10:00:00Z"));
    expect(parseQuery("project:acme/churn")).toEqual(t("project", "eq", "acme/churn"));
    expect(parseQuery("metadata.f1:>0.5")).toEqual(t("metadata.f1", "gt", "0.5"));
  });
  it("negation both ways", () => {
    const not = { type: "not", item: t("stage", "eq", "production") };
    expect(parseQuery("~stage:production")).toEqual(not);
    expect(parseQuery("stage:~production")).toEqual(not);
    expect(parseQuery("stage:~a|b")).toEqual({ type: "not", item: t("stage", "in", ["a", "b"]) });
    expect(parseQuery("n:~>=3")).toEqual({ type: "not", item: t("n", "gte", "3") });
    expect(parseQuery("run:~nil")).toEqual({ type: "not", item: t("run", "nil", null) });
    expect(parseQuery("~~a:b")).toEqual({ type: "not", item: { type: "not", item: t("a", "eq", "b") } });
    expect(parseQuery("~(a:b OR c:d)")).toEqual({ type: "not", item: { type: "or", items: [t("a", "eq", "b"), t("c", "eq", "d")] } });
  });
  it("AND binds tighter than OR; ',' and AND are the same; parentheses group", () => {
    expect(parseQuery("a:1 OR b:2, c:3")).toEqual({ type: "or", items: [t("a", "eq", "1"), { type: "and", items: [t("b", "eq", "2"), t("c", "eq", "3")] }] });
    expect(parseQuery("a:1 OR b:2 AND c:3")).toEqual(parseQuery("a:1 OR b:2, c:3"));
    expect(parseQuery("(a:1 OR b:2), c:3")).toEqual({ type: "and", items: [{ type: "or", items: [t("a", "eq", "1"), t("b", "eq", "2")] }, t("c", "eq", "3")] });
    expect(parseQuery("a:1,b:2 , c:3")).toEqual({ type: "and", items: [t("a", "eq", "1"), t("b", "eq", "2"), t("c", "eq", "3")] });
  });
  it("normalizes: single items collapse, nested and/or flatten", () => {
    expect(parseQuery("((a:1))")).toEqual(t("a", "eq", "1"));
    expect(parseQuery("(a:1, b:2), (c:3, d:4)")).toEqual({ type: "and", items: ["a", "b", "c", "d"].map((f, i) => t(f, "eq", String(i + 1))) });
    expect(parseQuery("(a:1 OR b:2) OR c:3")).toEqual({ type: "or", items: [t("a", "eq", "1"), t("b", "eq", "2"), t("c", "eq", "3")] });
  });
  it("quotes make nil, |, .., comma, spaces, parentheses and % literal", () => {
    expect(parseQuery('run:"nil"')).toEqual(t("run", "eq", "nil"));
    expect(parseQuery("name:'a|b'")).toEqual(t("name", "eq", "a|b"));
    expect(parseQuery('name:"a..b"')).toEqual(t("name", "eq", "a..b"));
    expect(parseQuery('description:"hello, world (1)"')).toEqual(t("description", "eq", "hello, world (1)"));
    expect(parseQuery('name:"50%"')).toEqual(t("name", "eq", "50%"));
    expect(parseQuery('name:"~x"')).toEqual(t("name", "eq", "~x"));
    expect(parseQuery('name:""')).toEqual(t("name", "eq", ""));
    expect(parseQuery('name:"say \\"hi\\"" ')).toEqual(t("name", "eq", 'say "hi"'));
    expect(parseQuery("name:'it\\'s'")).toEqual(t("name", "eq", "it's"));
    expect(parseQuery('name:"a\\\\b"')).toEqual(t("name", "eq", "a\\b"));
    expect(parseQuery('name:"C:\\dir"')).toEqual(t("name", "eq", "C:\\dir"));
    expect(parseQuery('name:%"a b"%')).toEqual(t("name", "like", "%a b%"));
    expect(parseQuery('tags:"a b"|c')).toEqual(t("tags", "in", ["a b", "c"]));
    expect(parseQuery('name:"a b".."c d"')).toEqual(t("name", "range", ["a b", "c d"]));
  });
  it("lists with patterns or nil become an OR", () => {
    expect(parseQuery("name:%a%|b")).toEqual({ type: "or", items: [t("name", "eq", "b"), t("name", "like", "%a%")] });
    expect(parseQuery("run:nil|x|y")).toEqual({ type: "or", items: [t("run", "in", ["x", "y"]), t("run", "nil", null)] });
  });
  it("allows spaces around ':' and keywords next to parentheses", () => {
    expect(parseQuery("stage : production")).toEqual(t("stage", "eq", "production"));
    expect(parseQuery("(a:1)OR(b:2)")).toEqual({ type: "or", items: [t("a", "eq", "1"), t("b", "eq", "2")] });
  });
  it("checks fields when given", () => {
    expect(parseQuery("name:x", { fields: ["name"] })).toEqual(t("name", "eq", "x"));
    const error = errorOf(() => parseQuery("name:x, foo:1", { fields: ["name", "stage"] }));
    expect(error.code).toBe("VALIDATION");
    expect(error.details).toMatchObject({ position: 8, field: "foo" });
    expect(error.message).toContain("position 8");
    expect(error.message).toContain("name, stage");
  });
});

describe("parseQuery: errors", () => {
  const cases: [string, number, RegExp][] = [
    ["a:", 2, /a value/],
    ["a:b,", 4, /a term/],
    ["a:b,,c:d", 4, /a term/],
    [",a:b", 0, /a term/],
    ["(a:b", 4, /'\)'/],
    ["a:b)", 3, /unbalanced/],
    ["()", 1, /a term/],
    ['a:"x', 4, /closing "/],
    ["a:'x", 4, /closing '/],
    ["a b", 2, /':'/],
    ["a:b c:d", 4, /',', 'AND', 'OR'/],
    [":b", 0, /a term/],
    ["1a:b", 0, /a term/],
    ["a:b AND", 7, /a term/],
    ["a:b OR OR c:d", 7, /a term/],
    ["AND:x", 0, /a term/],
    ["a:b and c:d", 4, /',', 'AND', 'OR'/],
    ["a:>", 3, /a value/],
    ["a:>nil", 3, /comparison/],
    ["a:>%x", 3, /%/],
    ["a:x..", 5, /a value/],
    ["a:..x", 2, /a value/],
    ["a:nil..x", 2, /range/],
    ["a:%x..y", 2, /range/],
    ["a:x|", 4, /a value/],
    ["a:x||y", 4, /a value/],
    ["a:>1..2", 4, /',', 'AND', 'OR'/],
    ["a:>1|2", 4, /',', 'AND', 'OR'/],
    ["created_at:>yesterday", 12, /a date/],
    ["created_at:2026-01-01..soon", 23, /a date/],
    ["updated_at:<=2026-13-01", 13, /a date/],
    ["a:~", 3, /a value/],
    ["~", 1, /a term/],
  ];
  it.each(cases)("%s fails at %i", (text, position, expected) => {
    const error = errorOf(() => parseQuery(text));
    expect(error.code).toBe("VALIDATION");
    expect(error.details.position).toBe(position);
    expect(error.details.query).toBe(text);
    expect(String(error.details.expected)).toMatch(expected);
    expect(error.message).toContain(`position ${position}`);
  });
});

describe("printQuery", () => {
  it("prints the canonical text", () => {
    expect(printQuery(null)).toBe("");
    expect(printQuery(parseQuery("stage:production, tags:a|b, created_at:>2026-01-01, name:%v1%"))).toBe(
      "stage:production, tags:a|b, created_at:>2026-01-01, name:%v1%",
    );
    expect(printQuery(parseQuery("(a:1 OR b:2), ~(c:3, d:nil), e:~x"))).toBe("(a:1 OR b:2), ~(c:3, d:nil), ~e:x");
    expect(printQuery(t("name", "eq", 'a "b", c') as QueryNode)).toBe('name:"a \\"b\\", c"');
    expect(printQuery(t("name", "like", "%a b%c") as QueryNode)).toBe('name:%"a b"%c');
    expect(printQuery(t("name", "eq", "nil") as QueryNode)).toBe('name:"nil"');
    expect(printQuery(t("name", "gt", "=x") as QueryNode)).toBe('name:>"=x"');
    expect(printQuery(t("name", "range", ["a.", "b"]) as QueryNode)).toBe('name:"a."..b');
  });
  it("refuses ASTs with no text form", () => {
    expect(errorOf(() => printQuery({ type: "and", items: [] })).code).toBe("VALIDATION");
    expect(errorOf(() => printQuery(t("tags", "in", []) as QueryNode)).code).toBe("VALIDATION");
    expect(errorOf(() => printQuery(t("a b", "eq", "x") as QueryNode)).code).toBe("VALIDATION");
    expect(errorOf(() => printQuery(t("OR", "eq", "x") as QueryNode)).code).toBe("VALIDATION");
  });
});

describe("builders", () => {
  it("andQuery/orQuery skip nulls, flatten and collapse", () => {
    const a = termQuery("a", "eq", "1");
    const b = termQuery("b", "in", ["1", "2"]);
    expect(andQuery()).toBeNull();
    expect(andQuery(null, a, undefined)).toBe(a);
    expect(andQuery(a, andQuery(a, b))).toEqual({ type: "and", items: [a, a, b] });
    expect(orQuery(orQuery(a, b), a)).toEqual({ type: "or", items: [a, b, a] });
    expect(notQuery(a)).toEqual({ type: "not", item: a });
    expect(termQuery("run", "nil")).toEqual(t("run", "nil", null));
    expect(termQuery("n", "range", ["1", "2"])).toEqual(t("n", "range", ["1", "2"]));
  });
  it("normalizeQuery", () => {
    const a = termQuery("a", "eq", "1");
    expect(normalizeQuery({ type: "and", items: [{ type: "and", items: [a, a] }, { type: "or", items: [a] }] })).toEqual({ type: "and", items: [a, a, a] });
    expect(normalizeQuery(null)).toBeNull();
  });
});

describe("parseSort / printSort", () => {
  it("parses comma lists with - for descending; default -updated_at", () => {
    expect(parseSort(undefined)).toEqual([{ field: "updated_at", direction: "desc" }]);
    expect(parseSort("  ")).toEqual([{ field: "updated_at", direction: "desc" }]);
    expect(parseSort(undefined, { default: "name" })).toEqual([{ field: "name", direction: "asc" }]);
    expect(parseSort("-created_at, name,+kind")).toEqual([
      { field: "created_at", direction: "desc" },
      { field: "name", direction: "asc" },
      { field: "kind", direction: "asc" },
    ]);
    expect(printSort(parseSort("-created_at, name"))).toBe("-created_at,name");
  });
  it("refuses bad sorts with VALIDATION and a position", () => {
    for (const [text, position] of [["name,,kind", 5], ["-", 1], ["na me", 0], ["name,name", 5], ["name, -", 7]] as const) {
      const error = errorOf(() => parseSort(text));
      expect(error.code).toBe("VALIDATION");
      expect(error.details.position).toBe(position);
    }
    const error = errorOf(() => parseSort("-foo", { fields: ["name"] }));
    expect(error.details).toMatchObject({ position: 1 });
    expect(error.message).toContain("unknown field");
    expect(errorOf(() => parseSort(undefined, { fields: ["name"] })).code).toBe("VALIDATION");
  });
});

// ---- round trip property -------------------------------------------------------------------

const FIELDS = ["name", "description", "tags", "stage", "created_at", "updated_at", "metadata.f1", "is_promoted"];
const chars = fc.constantFrom(..."abcXYZ019 _-.,|()~<>=%:\"'\\/\t".split(""), "é", "..", "nil", "AND", "OR");
const text = fc.array(chars, { maxLength: 6 }).map((parts) => parts.join(""));
const literal = text.filter((s) => !s.includes("%"));
const pattern = fc.tuple(text, text).map(([a, b]) => `${a}%${b}`);
const date = fc.oneof(
  fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);
const term: fc.Arbitrary<QueryNode> = fc.constantFrom(...FIELDS).chain((field) => {
  const dateField = field.endsWith("_at");
  const cmp = dateField ? date : literal;
  return fc.oneof(
    literal.map((value) => termQuery(field, "eq", value)),
    pattern.map((value) => termQuery(field, "like", value)),
    fc.array(literal, { minLength: 2, maxLength: 4 }).map((value) => termQuery(field, "in", value)),
    fc.constant(termQuery(field, "nil")),
    fc.tuple(fc.constantFrom("gt", "gte", "lt", "lte") as fc.Arbitrary<"gt" | "gte" | "lt" | "lte">, cmp).map(([op, value]) => termQuery(field, op, value)),
    fc.tuple(cmp, cmp).map(([a, b]) => termQuery(field, "range", [a, b])),
  );
});
const { node } = fc.letrec<{ node: QueryNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    term,
    tie("node").map((item) => notQuery(item)),
    fc.array(tie("node"), { minLength: 2, maxLength: 4 }).map((items) => ({ type: "and", items }) as QueryNode),
    fc.array(tie("node"), { minLength: 2, maxLength: 4 }).map((items) => ({ type: "or", items }) as QueryNode),
  ),
}));

describe("round trip", () => {
  it("parseQuery(printQuery(ast)) equals ast for every AST in normal form", () => {
    fc.assert(
      fc.property(node.map((n) => normalizeQuery(n) as QueryNode), (ast) => {
        expect(parseQuery(printQuery(ast))).toEqual(ast);
      }),
      { numRuns: RUNS },
    );
  });
  it("printSort/parseSort round-trip", () => {
    const sort = fc.uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 4 }).chain((fields) =>
      fc.tuple(...fields.map((field) => fc.constantFrom("asc", "desc").map((direction) => ({ field, direction: direction as "asc" | "desc" })))),
    );
    fc.assert(fc.property(sort, (s) => {
      expect(parseSort(printSort(s))).toEqual(s);
    }), { numRuns: RUNS });
  });
});
