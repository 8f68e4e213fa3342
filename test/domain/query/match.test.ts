import { describe, expect, it } from "vitest";
import { compareBy, matches, naturalCompare, parseDateSpan, parseQuery, type QueryNode } from "../../../src/domain/query/index.js";
import { RegistryError } from "../../../src/errors.js";

const version = {
  name: "v10",
  description: "Churn model, Trained on 2026 data",
  kind: "model",
  stage: "production",
  tags: ["a", "b"],
  contributors: ["alice", "bob"],
  run: null,
  state: null,
  project: "acme/churn",
  createdAt: "2026-01-20T10:00:00.000Z",
  updatedAt: "2026-02-01T00:00:00.000Z",
  isPromoted: true,
  metadata: { f1Score: 0.9, epochs: 12 },
};
const q = (text: string) => matches(parseQuery(text), version);

describe("matches", () => {
  it("matches everything for null/undefined", () => {
    expect(matches(null, version)).toBe(true);
    expect(matches(undefined, {})).toBe(true);
  });
  it("eq is case-sensitive equality; numbers and booleans by string form", () => {
    expect(q("stage:production")).toBe(true);
    expect(q("stage:Production")).toBe(false);
    expect(q("is_promoted:true")).toBe(true);
    expect(q("is_promoted:false")).toBe(false);
    expect(q("metadata.epochs:12")).toBe(true);
  });
  it("like is anchored and case-insensitive", () => {
    expect(q("name:V1%")).toBe(true);
    expect(q("name:%1")).toBe(false);
    expect(q("name:%1%")).toBe(true);
    expect(q("description:churn%data")).toBe(true);
    expect(q("description:%TRAINED%")).toBe(true);
    expect(q("description:trained%")).toBe(false);
    expect(q("name:%")).toBe(true);
    expect(matches({ type: "term", field: "name", op: "like", value: "V10" }, version)).toBe(true);
  });
  it("in is membership", () => {
    expect(q("stage:staging|production")).toBe(true);
    expect(q("stage:staging|testing")).toBe(false);
  });
  it("nil matches null, missing and empty arrays", () => {
    expect(q("run:nil")).toBe(true);
    expect(q("missing:nil")).toBe(true);
    expect(q("stage:nil")).toBe(false);
    expect(matches(parseQuery("tags:nil"), { tags: [] })).toBe(true);
    expect(q("tags:nil")).toBe(false);
    expect(q("run:~nil")).toBe(false);
  });
  it("array fields: eq contains, in overlaps, like any element", () => {
    expect(q("tags:a")).toBe(true);
    expect(q("tags:c")).toBe(false);
    expect(q("tags:c|b")).toBe(true);
    expect(q("tags:c|d")).toBe(false);
    expect(q("contributors:AL%")).toBe(true);
    expect(q("~tags:a")).toBe(false);
  });
  it("compares numbers numerically and other strings by code unit", () => {
    expect(q("metadata.epochs:>9")).toBe(true);
    expect(q("metadata.epochs:<9")).toBe(false);
    expect(q("metadata.epochs:>=12, metadata.epochs:<=12")).toBe(true);
    expect(q("metadata.epochs:10..12")).toBe(true);
    expect(q("metadata.epochs:13..20")).toBe(false);
    expect(q("name:>v1")).toBe(true);
    expect(q("name:<v2")).toBe(true); // code unit: "v10" < "v2"
    expect(q("name:v1..v2")).toBe(true);
    expect(q("metadata.epochs:>abc")).toBe(false);
    expect(q("missing:>1")).toBe(false);
  });
  it("compares date fields as UTC dates; a date-only value is its whole day", () => {
    expect(q("created_at:2026-01-20")).toBe(true);
    expect(q("created_at:2026-01-21")).toBe(false);
    expect(q("created_at:>2026-01-20")).toBe(false);
    expect(q("created_at:>2026-01-19")).toBe(true);
    expect(q("created_at:>=2026-01-20")).toBe(true);
    expect(q("created_at:<2026-01-20")).toBe(false);
    expect(q("created_at:<2026-01-21")).toBe(true);
    expect(q("created_at:<=2026-01-20")).toBe(true);
    expect(q("created_at:<=2026-01-19")).toBe(false);
    expect(q("created_at:2026-01-20..2026-01-20")).toBe(true);
    expect(q("created_at:2026-01-01..2026-01-19")).toBe(false);
    expect(q("created_at:2026-01-20T10:00:00Z")).toBe(true);
    expect(q("created_at:2026-01-20T12:00+02:00")).toBe(true);
    expect(q("created_at:>2026-01-20T09:59")).toBe(true);
    expect(q("created_at:<=2026-01-20T10:00")).toBe(true);
    expect(q("created_at:<2026-01-20T10:00")).toBe(false);
    expect(q("created_at:2026-01-19|2026-01-20")).toBe(true);
    expect(matches(parseQuery("at:2026-01-20"), { at: "2026-01-20T23:59:59.999Z" })).toBe(true);
    expect(matches(parseQuery("at:2026-01-20"), { at: "2026-01-21T00:00:00.000Z" })).toBe(false);
    expect(matches(parseQuery("at:>2026-01-20"), { at: "2026-01-21T01:00:00+02:00" })).toBe(false);
    expect(matches(parseQuery("at:>2026-01-20"), { at: "not a date" })).toBe(false);
  });
  it("combines with and/or/not", () => {
    expect(q("stage:production, kind:model")).toBe(true);
    expect(q("stage:staging OR kind:model")).toBe(true);
    expect(q("stage:staging OR kind:model, name:x")).toBe(false);
    expect(q("~(stage:staging OR kind:artifact)")).toBe(true);
    expect(q("stage:~production")).toBe(false);
  });
  it("does not read inherited properties", () => {
    expect(matches(parseQuery("constructor:nil"), {})).toBe(true);
    expect(matches(parseQuery("to_string:nil"), {})).toBe(true);
  });
  it("refuses malformed ASTs with VALIDATION", () => {
    const bad = [
      { type: "xor", items: [] },
      { type: "term", field: "a", op: "near", value: "x" },
      { type: "term", field: "a", op: "in", value: "x" },
      { type: "term", field: "a", op: "range", value: ["x"] },
      { type: "term", field: "", op: "eq", value: "x" },
    ] as unknown as QueryNode[];
    for (const node of bad) {
      expect(() => matches(node, version)).toThrow(RegistryError);
      try {
        matches(node, version);
      } catch (error) {
        expect((error as RegistryError).code).toBe("VALIDATION");
      }
    }
  });
});

describe("compareBy", () => {
  const item = (key: string, value: unknown, seq = 0) => ({ key, value, seq });
  it("sorts name naturally, nulls first ascending, ties by key", () => {
    const items = [item("e", { name: "v10" }), item("d", { name: "v2" }), item("c", {}), item("b", { name: "v2" }), item("a", { name: "v1" })];
    expect(items.sort(compareBy([{ field: "name", direction: "asc" }])).map((i) => i.key)).toEqual(["c", "a", "b", "d", "e"]);
    expect(items.sort(compareBy([{ field: "name", direction: "desc" }])).map((i) => i.key)).toEqual(["e", "b", "d", "a", "c"]);
  });
  it("sorts other strings by code unit, numbers numerically, by seq and by several fields", () => {
    const items = [item("a", { d: "b10", n: 10 }, 3), item("b", { d: "b2", n: 9 }, 1), item("c", { d: "B", n: 9 }, 2)];
    expect(items.sort(compareBy([{ field: "d", direction: "asc" }])).map((i) => i.key)).toEqual(["c", "a", "b"]);
    expect(items.sort(compareBy([{ field: "n", direction: "asc" }])).map((i) => i.key)).toEqual(["b", "c", "a"]);
    expect(items.sort(compareBy([{ field: "seq", direction: "desc" }])).map((i) => i.key)).toEqual(["a", "c", "b"]);
    expect(items.sort(compareBy([{ field: "n", direction: "desc" }, { field: "d", direction: "desc" }])).map((i) => i.key)).toEqual(["a", "b", "c"]);
    expect(items.sort(compareBy([])).map((i) => i.key)).toEqual(["a", "b", "c"]);
  });
  it("maps snake_case fields to record paths", () => {
    const items = [item("a", { createdAt: "2026-01-02T00:00:00.000Z" }), item("b", { createdAt: "2026-01-01T00:00:00.000Z" })];
    expect(items.sort(compareBy([{ field: "created_at", direction: "asc" }])).map((i) => i.key)).toEqual(["b", "a"]);
  });
  it("refuses a malformed sort", () => {
    expect(() => compareBy([{ field: "name", direction: "up" as "asc" }])).toThrow(/Invalid sort/);
  });
});

describe("helpers", () => {
  it("naturalCompare", () => {
    const sorted = ["v10", "v2", "v1", "v01", "a", "v1a", "v", "10", "9"].sort(naturalCompare);
    expect(sorted).toEqual(["9", "10", "a", "v", "v01", "v1", "v1a", "v2", "v10"]);
  });
  it("parseDateSpan", () => {
    expect(parseDateSpan("2026-01-20")).toEqual({ lo: Date.UTC(2026, 0, 20), hi: Date.UTC(2026, 0, 21) });
    expect(parseDateSpan("2026-02-30")).toBeUndefined();
    expect(parseDateSpan("2026-01-20T25:00")).toBeUndefined();
    expect(parseDateSpan("yesterday")).toBeUndefined();
    expect(parseDateSpan("2026-01-20T10:00:00.5Z")?.lo).toBe(Date.UTC(2026, 0, 20, 10, 0, 0, 500));
  });
});
