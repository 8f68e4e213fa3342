import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frozenJsonCopy, isFrozenJsonCopy } from "../../src/store/json-copy.js";
import { memoryStore } from "../../src/store/memory.js";

const where = { collection: "c", key: "k" };
const runs = Number(process.env["FC_RUNS"] ?? 200);

describe("frozenJsonCopy()", () => {
  it("gives exactly what a JSON round trip gives, deeply frozen", () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: false, withMap: true, withSet: true, withDate: true, withNullPrototype: true }), (value) => {
        let expected: unknown;
        try {
          const text = JSON.stringify(value);
          if (text === undefined) return;
          expected = JSON.parse(text);
        } catch {
          return;
        }
        const copy = frozenJsonCopy(value, where);
        expect(JSON.stringify(copy)).toBe(JSON.stringify(expected));
        expect(copy).toEqual(expected);
        const frozen = (node: unknown): boolean => node === null || typeof node !== "object" || (Object.isFrozen(node) && Object.values(node).every(frozen));
        expect(frozen(copy)).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it("keeps __proto__ as an own key, drops undefined, nulls holes, and refuses what JSON cannot hold", () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    const copy = frozenJsonCopy(parsed, where) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__", "a"]);
    expect(frozenJsonCopy({ a: undefined, b: [undefined, Number.NaN, -0] }, where)).toEqual({ b: [null, null, 0] });
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    expect(() => frozenJsonCopy(cycle, where)).toThrow(/circular/);
    expect(() => frozenJsonCopy(10n, where)).toThrow(/BigInt/);
    expect(() => frozenJsonCopy(undefined, where)).toThrow(/nothing/);
  });

  it("hands back a frozen copy as is, also inside a larger value, and never trusts a look-alike", () => {
    const record = frozenJsonCopy({ a: [1, { b: "c" }] }, where);
    expect(isFrozenJsonCopy(record)).toBe(true);
    expect(frozenJsonCopy(record, where)).toBe(record);
    const entry = frozenJsonCopy({ changes: [{ value: record }] }, where) as { changes: { value: unknown }[] };
    expect(entry.changes[0]?.value).toBe(record);
    // Frozen by someone else, or inheriting from a copy: copied, not trusted.
    const foreign = Object.freeze({ a: 1 });
    expect(isFrozenJsonCopy(foreign)).toBe(false);
    expect(frozenJsonCopy(foreign, where)).not.toBe(foreign);
    const child = Object.create(record as object) as object;
    expect(isFrozenJsonCopy(child)).toBe(false);
    expect(isFrozenJsonCopy(null)).toBe(false);
    expect(isFrozenJsonCopy("text")).toBe(false);
  });

  it("lets the memory store keep a frozen copy without copying it again", async () => {
    const store = memoryStore();
    const record = frozenJsonCopy({ name: "v1", tags: ["x"] }, where);
    await store.commit([
      { op: "put", collection: "versions", key: "a", expect: 0, value: record },
      { op: "put", collection: "audit", key: "e", expect: 0, value: { changes: [{ value: record }] } },
    ]);
    const version = await store.get("versions", "a");
    const audit = await store.get("audit", "e");
    expect(version?.value).toBe(record);
    expect((audit?.value as { changes: { value: unknown }[] }).changes[0]?.value).toBe(record);
  });
});
