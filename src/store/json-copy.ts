import { RegistryError } from "../errors.js";
import type { JsonValue } from "../domain/json.js";

/**
 * A deep, frozen copy of `value` exactly as `JSON.parse(JSON.stringify(value))` would give it, built
 * in one pass without the string round trip (it is on every store write's hot path).
 * `toJSON()` is honoured, `undefined`/functions/symbols are dropped from objects and become `null` in
 * arrays, non-finite numbers become `null`, `-0` becomes `0`. A value JSON cannot hold at all (a top-level
 * `undefined`, a BigInt, a cycle) throws `VALIDATION`.
 */
export function frozenJsonCopy(value: unknown, where: { collection: string; key: string }): JsonValue {
  const stack = new Set<object>();
  const fail = (why: string): never => {
    throw new RegistryError("VALIDATION", `The value for ${where.collection}/${where.key} is not plain JSON: ${why}`, { ...where });
  };
  const copy = (input: unknown, key: string): JsonValue | undefined => {
    let node = input;
    if (node !== null && (typeof node === "object" || typeof node === "bigint") && typeof (node as { toJSON?: unknown }).toJSON === "function") {
      node = (node as { toJSON: (key: string) => unknown }).toJSON(key);
    }
    switch (typeof node) {
      case "string":
      case "boolean":
        return node;
      case "number":
        return Number.isFinite(node) ? (node === 0 ? 0 : node) : null;
      case "bigint":
        return fail("a BigInt cannot be serialized");
      case "undefined":
      case "function":
      case "symbol":
        return undefined;
    }
    if (node === null) return null;
    const object = node as object;
    if (stack.has(object)) return fail("it is circular");
    stack.add(object);
    let result: JsonValue;
    if (Array.isArray(object)) {
      const items: JsonValue[] = new Array<JsonValue>(object.length);
      for (let index = 0; index < object.length; index++) items[index] = copy(object[index], String(index)) ?? null;
      result = Object.freeze(items) as JsonValue;
    } else {
      const out: Record<string, JsonValue> = {};
      for (const name of Object.keys(object)) {
        const child = copy((object as Record<string, unknown>)[name], name);
        if (child === undefined) continue;
        // `__proto__` must become an own property, as JSON.parse makes it, never the prototype.
        if (name === "__proto__") Object.defineProperty(out, name, { value: child, enumerable: true, writable: true, configurable: true });
        else out[name] = child;
      }
      result = Object.freeze(out);
    }
    stack.delete(object);
    return result;
  };
  const copied = copy(value, "");
  return copied === undefined ? fail("it serializes to nothing") : copied;
}
