import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frozenJsonCopy } from "../../src/store/json-copy.js";

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
});
