import { describe, expect, it } from "vitest";
import { deepFreeze } from "../../src/domain/freeze.js";

describe("deepFreeze()", () => {
  it("freezes every own object and array below the value, and answers the value", () => {
    const value = { list: [{ a: 1 }, [2, { b: [] as unknown[] }]], nested: { deeper: { x: "y" } }, nothing: null };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.list)).toBe(true);
    expect(Object.isFrozen(value.list[0])).toBe(true);
    expect(Object.isFrozen((value.list[1] as unknown[])[1])).toBe(true);
    expect(Object.isFrozen(((value.list[1] as unknown[])[1] as { b: unknown[] }).b)).toBe(true);
    expect(Object.isFrozen(value.nested.deeper)).toBe(true);
  });

  it("freezes an array's named properties too", () => {
    const list = Object.assign([1, { a: 1 }], { extra: { x: 1 } });
    deepFreeze({ list });
    expect(Object.isFrozen(list.extra)).toBe(true);
    expect(Object.isFrozen(list[1])).toBe(true);
  });

  it("leaves inherited properties and primitives alone", () => {
    const inherited = { shared: { kept: "mutable" } };
    const value = Object.assign(Object.create(inherited) as { own: { a: number }; shared: { kept: string } }, { own: { a: 1 } });
    deepFreeze(value);
    expect(Object.isFrozen(value.own)).toBe(true);
    expect(Object.isFrozen(inherited.shared)).toBe(false);
    expect(deepFreeze("text")).toBe("text");
    expect(deepFreeze(undefined)).toBeUndefined();
  });
});
