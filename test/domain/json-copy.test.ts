import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { adoptJson, frozenJsonCopy, isFrozenJsonCopy, MAX_JSON_DEPTH, plainJsonCopy } from "../../src/domain/json-copy.js";
import { flatBuiltString, flatString } from "../../src/domain/flat-string.js";
import { memoryStore } from "../../src/store/memory.js";

const where = { collection: "c", key: "k" };
const runs = Number(process.env["FC_RUNS"] ?? 200);

describe("frozenJsonCopy()", () => {
  it("gives exactly what a JSON round trip gives, deeply frozen", () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withDate: true, withNullPrototype: true }), (value) => {
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

  it("serializes boxed primitives as their values, like JSON.stringify", () => {
    const boxed = { s: new String("ab"), n: new Number(3), b: new Boolean(false), list: [new Number(Number.NaN)] };
    expect(frozenJsonCopy(boxed, where)).toEqual(JSON.parse(JSON.stringify(boxed)));
    expect(frozenJsonCopy(boxed, where)).toEqual({ s: "ab", n: 3, b: false, list: [null] });
  });

  it("finds cycles of any length and copies deep or shared values that are not cycles", () => {
    for (const length of [1, 2, 31, 32, 33, 100]) {
      const head: Record<string, unknown> = {};
      let tail = head;
      for (let step = 1; step < length; step++) tail = (tail["next"] = {}) as Record<string, unknown>;
      tail["next"] = head;
      expect(() => frozenJsonCopy({ wrap: [head] }, where), `cycle of ${length}`).toThrow(/circular/);
    }
    let deep: unknown = "bottom";
    for (let level = 0; level < 200; level++) deep = { level, deep };
    expect(JSON.stringify(frozenJsonCopy(deep, where))).toBe(JSON.stringify(deep));
    const shared = { x: [1] };
    let chain: unknown = { a: shared, b: shared };
    for (let level = 0; level < 40; level++) chain = [chain, shared];
    expect(JSON.stringify(frozenJsonCopy(chain, where))).toBe(JSON.stringify(chain));
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

  it("forgets old marks (two generations of 1,024) and then simply copies again", () => {
    const old = frozenJsonCopy({ a: [1] }, where);
    const recent: unknown[] = [];
    for (let step = 0; step < 2 * 1024; step++) recent.push(frozenJsonCopy({ step }, where));
    expect(isFrozenJsonCopy(old)).toBe(false);
    expect(isFrozenJsonCopy(recent.at(-1))).toBe(true);
    const again = frozenJsonCopy(old, where);
    expect(again).not.toBe(old);
    expect(again).toEqual({ a: [1] });
    expect(isFrozenJsonCopy(frozenJsonCopy([], where))).toBe(true); // the shared empty array stays marked
  });

  it("lets every mark go within two periods once writes stop, so no built value is kept alive", async () => {
    const value = frozenJsonCopy({ readme: "x".repeat(100) }, where);
    expect(isFrozenJsonCopy(value)).toBe(true);
    // Two periods of 500 ms (timers may fire late on a loaded machine, hence the wait for it).
    await vi.waitFor(() => expect(isFrozenJsonCopy(value)).toBe(false), { timeout: 10_000, interval: 100 });
    expect(isFrozenJsonCopy(frozenJsonCopy([], where))).toBe(true); // constants stay marked
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

describe("plainJsonCopy()", () => {
  it("copies plain JSON into a trusted frozen copy equal to a JSON round trip", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = plainJsonCopy(value, Number.MAX_SAFE_INTEGER);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.value).toEqual(JSON.parse(JSON.stringify(value)));
        if (value !== null && typeof value === "object") {
          expect(result.value).not.toBe(value);
          expect(isFrozenJsonCopy(result.value)).toBe(true);
        }
      }),
      { numRuns: runs },
    );
  });

  it("counts UTF-8 bytes of the JSON text against the limit", () => {
    expect(plainJsonCopy({ a: "é" }, 10)).toMatchObject({ ok: true }); // {"a":"é"} is 10 bytes
    expect(plainJsonCopy({ a: "éé" }, 10)).toEqual({ ok: false, problem: "is 12 bytes of JSON, more than the limit of 10" });
    expect(plainJsonCopy(["😀"], 8)).toMatchObject({ ok: true }); // ["😀"] is 8 bytes
    expect(plainJsonCopy(["😀"], 7)).toEqual({ ok: false, problem: "is 8 bytes of JSON, more than the limit of 7" });
    expect(plainJsonCopy(["\ud800"], 100)).toMatchObject({ ok: true });
  });

  it("refuses exactly the values whose JSON text passes the byte limit", () => {
    const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 400 }), (value, limit) => {
        const bytes = utf8Bytes(JSON.stringify(value));
        const result = plainJsonCopy(value, limit);
        expect(result.ok).toBe(bytes <= limit);
        if (!result.ok) expect(result.problem).toBe(`is ${bytes} bytes of JSON, more than the limit of ${limit}`);
      }),
      { numRuns: runs * 10 },
    );
    // The longest numbers, escapes (6 bytes per code unit), 2-, 3- and 4-byte characters, on their own.
    const longest = [-0.0000012345678901234567, -1.2345678901234567e-308, -123456789012345678901, Number.MIN_VALUE, -Number.MAX_VALUE];
    for (const value of [...longest, "\u0001\u001f", "\ud800\udfff\ud800", "é", "€", "😀😀", false]) {
      const bytes = utf8Bytes(JSON.stringify(value));
      expect(plainJsonCopy(value, bytes).ok).toBe(true);
      expect(plainJsonCopy(value, bytes - 1).ok).toBe(false);
    }
  });

  it("names what is not plain JSON", () => {
    const problem = (value: unknown) => {
      const result = plainJsonCopy(value, 1_000_000);
      return result.ok ? undefined : result.problem;
    };
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    let deep: unknown = 1;
    for (let level = 0; level <= MAX_JSON_DEPTH; level++) deep = [deep];
    expect(problem(cycle)).toBe("is circular");
    expect(problem(deep)).toBe(`is nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(problem({ a: new Date(0) })).toBe("holds an object that is not a plain object");
    expect(problem({ a: undefined })).toBe("holds a undefined, which is not JSON");
    expect(problem([1, , 3])).toBe("holds a undefined, which is not JSON");
    expect(problem({ n: Number.NaN })).toBe("holds a number that is not finite");
    expect(problem({ b: 1n })).toBe("holds a bigint, which is not JSON");
    const shared = { x: 1 };
    expect(problem({ a: shared, b: shared })).toBeUndefined();
    const nullPrototype = Object.assign(Object.create(null) as object, { a: 1 });
    expect(problem(nullPrototype)).toBeUndefined();
  });
});

describe("adoptJson()", () => {
  it("freezes a registry-built value in place, marks it, and shares one empty array", () => {
    const record = { name: "v1", tags: [] as string[], artifacts: [] as string[], nested: { list: [1, [] as number[]] } };
    const adopted = adoptJson(record, where);
    expect(adopted).toBe(record);
    expect(isFrozenJsonCopy(record)).toBe(true);
    expect(Object.isFrozen(record.nested.list)).toBe(true);
    expect(record.tags).toBe(record.artifacts);
    expect(record.nested.list[1]).toBe(record.tags);
    expect(frozenJsonCopy({ again: record }, where)).toEqual({ again: { name: "v1", tags: [], artifacts: [], nested: { list: [1, []] } } });
    expect((frozenJsonCopy({ again: record }, where) as { again: unknown }).again).toBe(record);
  });

  it("gives what a JSON round trip gives, in place where it can", () => {
    const record: Record<string, unknown> = { keep: 1, gone: undefined, f: () => 1, n: Number.NaN, z: -0, at: new Date(0), own: { toJSON: () => "x" } };
    const list: unknown[] = [1, undefined, () => 1];
    list[5] = 2;
    record["list"] = list;
    const adopted = adoptJson(record, where);
    expect(adopted).toBe(record);
    expect(JSON.stringify(adopted)).toBe('{"keep":1,"n":null,"z":0,"at":"1970-01-01T00:00:00.000Z","own":"x","list":[1,null,null,null,null,2]}');
    expect(Object.keys(record)).toEqual(["keep", "n", "z", "at", "own", "list"]);
    expect(Object.is(record["z"], 0)).toBe(true);
    // A frozen part that JSON would change is replaced by a copy, never kept with its undefined.
    const frozen = Object.freeze({ a: 1, b: undefined });
    const holder = adoptJson({ frozen }, where);
    expect(holder.frozen).not.toBe(frozen);
    expect(Object.keys(holder.frozen)).toEqual(["a"]);
    expect(adoptJson(Object.freeze({ b: undefined, c: 2 }), where)).toEqual({ c: 2 });
  });

  it("shares one-string arrays of repeating fields only", () => {
    const a = adoptJson({ contributors: ["ana"], tags: ["prod"], promotedBy: ["run-1"] }, where);
    const b = adoptJson({ contributors: ["ana"], tags: ["prod"], promotedBy: ["run-1"] }, where);
    expect(a.contributors).toBe(b.contributors);
    expect(a.tags).toBe(b.tags);
    expect(a.promotedBy).not.toBe(b.promotedBy);
    expect(Object.isFrozen(a.contributors)).toBe(true);
  });

  it("refuses what JSON cannot hold with VALIDATION", () => {
    const cycle: Record<string, unknown> = {};
    let tail = cycle;
    for (let step = 0; step < 40; step++) tail = (tail["next"] = {}) as Record<string, unknown>;
    tail["next"] = cycle;
    expect(() => adoptJson({ b: 1n }, where)).toThrow(/BigInt/);
    expect(() => adoptJson(cycle, where)).toThrow(/circular/);
    expect(() => adoptJson(undefined, where)).toThrow(/nothing/);
  });

  it("leaves already frozen parts as they are", () => {
    const condition = Object.freeze({ reasons: [] as string[] });
    const record = adoptJson({ condition }, where);
    expect(record.condition).toBe(condition);
    expect(record.condition.reasons).not.toBe(adoptJson({ empty: [] as string[] }, where).empty);
  });
});

describe("flatString()", () => {
  it("answers an equal string", () => {
    let built = "";
    for (const char of "0123456789abcdefghijklmnop") built += char;
    expect(flatString(built)).toBe("0123456789abcdefghijklmnop");
    expect(flatString("short")).toBe("short");
    expect(flatString('quote " and \\ and \u2028')).toBe('quote " and \\ and \u2028');
    for (const flat of [flatString, flatBuiltString]) {
      expect(flat(built)).toBe("0123456789abcdefghijklmnop");
      expect(flat(" padded on both ends\t")).toBe(" padded on both ends\t");
      expect(flat("\u00a0no-break spaces and a BOM\ufeff")).toBe("\u00a0no-break spaces and a BOM\ufeff");
    }
  });
});
