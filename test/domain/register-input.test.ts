import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastRegisterInput } from "../../src/domain/register-input.js";
import { createInputSchemas, DEFAULT_LIMITS, type Limits } from "../../src/domain/schemas.js";

// The fast path must never answer differently from zod: it either vouches for an input with exactly
// zod's output, or steps aside (undefined) so zod parses it.
const RUNS = Number(process.env.FC_RUNS_INPUT ?? 2_000);

/** Small limits put every boundary within reach of short generated values. */
const SMALL: Limits = { description: 5, readme: 4, content: 24, metadata: 24, tags: 3, artifacts: 2 };

const slug = fc.stringMatching(/^[-a-zA-Z0-9_.]{1,6}$/);
const anyString = fc.oneof(fc.string({ maxLength: 8 }), slug, fc.constantFrom("", ".", "..", "latest", "a/b", "a".repeat(64), "a".repeat(65), "a".repeat(129), "a".repeat(256), "a".repeat(257), "ü", "a b"));
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(null, true, 0, -0, 1.5, Number.NaN, Infinity, "", "x", "ü".repeat(9), undefined),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "__proto__", "toJSON"), tie("value"), { maxKeys: 3 }),
  ),
})).value;
const weird = fc.constantFrom<unknown>(new Date(0), new Map(), () => 1, Symbol("s"), 10n, Object.create(null), [undefined], [, "a"]);

const valid = {
  project: fc.tuple(slug, slug).map(([owner, name]) => `${owner}/${name}`).filter((full) => !/(^|\/)\.+(\/|$)/.test(full)),
  name: slug.filter((name) => name !== "latest" && !/^\.+$/.test(name)),
  description: fc.option(fc.string({ maxLength: 5 }), { nil: null }),
  readme: fc.option(fc.string({ maxLength: 4 }), { nil: null }),
  tags: fc.array(fc.constantFrom("x", "nightly", "gpu"), { maxLength: 3 }),
  artifacts: fc.array(fc.constantFrom("model.pkl", "data"), { maxLength: 2 }),
  run: fc.option(fc.constantFrom("r-1", "f98cb98e-60b0-4778"), { nil: null }),
  metadata: fc.dictionary(fc.constantFrom("acc", "f1"), fc.oneof(fc.integer(), fc.constantFrom("a", null)), { maxKeys: 2 }),
  content: fc.oneof(fc.constant(null), fc.integer(), fc.dictionary(fc.constantFrom("k"), fc.integer(), { maxKeys: 1 })),
  force: fc.boolean(),
};
type Key = keyof typeof valid;
const KEYS = Object.keys(valid) as Key[];

/** A value for `key`: mostly valid, often wrong in type, size or form. */
const fieldValue = (key: Key): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 3, arbitrary: valid[key] as fc.Arbitrary<unknown> }, anyString, jsonish, weird, fc.array(anyString, { maxLength: 4 }), fc.constant(undefined));

/** Lists at the item-length and count limits (64-character tags, 256-character artifacts, 100 tags, 1,000 artifacts). */
const boundaryList = fc.oneof(
  fc.array(fc.constantFrom("x", "", "a".repeat(64), "a".repeat(65), "a".repeat(256), "a".repeat(257)), { maxLength: 3 }),
  fc.integer({ min: 99, max: 102 }).map((count) => Array.from({ length: count }, (_, index) => `t${index}`)),
  fc.integer({ min: 999, max: 1_002 }).map((count) => Array.from({ length: count }, (_, index) => `a${index}`)),
);
const validInput = fc.record(valid, { requiredKeys: ["project"] });
/** A valid input with one field (or an extra key) replaced by any value: each rule gets tested alone. */
const oneWrongField = fc
  .tuple(validInput, fc.constantFrom<string>(...KEYS, "extra", "Project"), fc.oneof(anyString, jsonish, weird, fc.array(anyString, { maxLength: 4 }), boundaryList))
  .map(([input, key, value]) => ({ ...input, [key]: value }));

const anyInput: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.record(Object.fromEntries(KEYS.map((key) => [key, fieldValue(key)])) as Record<Key, fc.Arbitrary<unknown>>, { requiredKeys: [] }),
        fc.option(fc.constantFrom("extra", "Project", "tag"), { nil: undefined }),
      )
      .map(([record, extra]) => (extra === undefined ? record : { ...record, [extra]: 1 })),
  },
  { weight: 8, arbitrary: oneWrongField },
  { weight: 1, arbitrary: fc.oneof(jsonish, weird) },
);

describe.each([
  ["default limits", DEFAULT_LIMITS],
  ["small limits", SMALL],
])("fastRegisterInput (%s)", (_title, limits) => {
  const schema = createInputSchemas(limits).register;

  it("answers zod's output for every input it vouches for, and steps aside for the rest", () => {
    let vouched = 0;
    fc.assert(
      fc.property(anyInput, (input) => {
        const fast = fastRegisterInput(input, limits);
        if (fast === undefined) return;
        vouched += 1;
        const zod = schema.safeParse(input);
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
        expect(Object.keys(fast)).toEqual(Object.keys(zod.data ?? {}));
      }),
      { numRuns: RUNS },
    );
    expect(vouched).toBeGreaterThan(0);
  });

  it("vouches for every valid input", () => {
    fc.assert(
      fc.property(validInput, (input) => {
        const zod = schema.safeParse(input);
        if (!zod.success) return; // a generated value over a limit (a readme of 5 characters in small limits)
        expect(fastRegisterInput(input, limits)).toStrictEqual(zod.data);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("fastRegisterInput", () => {
  it("copies JSON and tags: the parsed input shares no object with the caller's", () => {
    const input = { project: "acme/churn", tags: ["a", "a", "b"], metadata: { nested: { x: 1 } }, content: [1] };
    const parsed = fastRegisterInput(input, DEFAULT_LIMITS);
    expect(parsed).toEqual({ project: "acme/churn", tags: ["a", "b"], metadata: { nested: { x: 1 } }, content: [1] });
    expect(parsed?.tags).not.toBe(input.tags);
    expect(parsed?.metadata).not.toBe(input.metadata);
    expect(Object.isFrozen(parsed?.metadata?.["nested"])).toBe(true);
    input.metadata.nested.x = 2;
    expect(parsed?.metadata).toEqual({ nested: { x: 1 } });
  });

  it("reads each field as zod does: non-enumerable fields, getters, own iterators and proxies", () => {
    const schema = createInputSchemas(DEFAULT_LIMITS).register;
    const hidden = (name: string, value: unknown) => Object.defineProperty({ project: "acme/churn" }, name, { value, enumerable: false });
    let reads = 0;
    const shifty = ["ok"];
    Object.defineProperty(shifty, 0, { enumerable: true, get: () => (reads++ === 0 ? "ok" : { evil: true }) });
    const iterating = Object.assign(["a"], { [Symbol.iterator]: function* () { yield ""; yield 7; } });
    const inputs: unknown[] = [
      hidden("name", "v9"),
      hidden("force", "yes"),
      { project: "acme/churn", tags: shifty },
      { project: "acme/churn", tags: iterating },
      { project: "acme/churn", artifacts: iterating },
      new Proxy({ project: "acme/churn", name: "v2" }, { ownKeys: () => ["project"] }),
      new Proxy({ project: "acme/churn", tags: ["a"] }, { get: (target, key) => (key === "tags" ? ["b", "b"] : Reflect.get(target, key)) }),
      { force: true, name: "v1", project: "acme/churn", tags: ["z"] },
    ];
    for (const input of inputs) {
      reads = 0;
      const fast = fastRegisterInput(input, DEFAULT_LIMITS);
      reads = 0;
      const zod = schema.safeParse(input);
      if (fast === undefined) continue;
      expect(zod.success, String(input)).toBe(true);
      expect(fast).toStrictEqual(zod.data);
      expect(Object.keys(fast)).toEqual(Object.keys(zod.data ?? {}));
    }
  });

  it("steps aside for a throwing getter, a class instance and a key it does not know", () => {
    const getter = { project: "acme/churn" } as Record<string, unknown>;
    Object.defineProperty(getter, "tags", { enumerable: true, get: () => { throw new Error("boom"); } });
    expect(fastRegisterInput(getter, DEFAULT_LIMITS)).toBeUndefined();
    expect(fastRegisterInput(new (class { project = "acme/churn"; })(), DEFAULT_LIMITS)).toBeUndefined();
    expect(fastRegisterInput({ project: "acme/churn", stage: "production" }, DEFAULT_LIMITS)).toBeUndefined();
    expect(fastRegisterInput({ project: "acme/churn", name: "latest" }, DEFAULT_LIMITS)).toBeUndefined();
  });
});
