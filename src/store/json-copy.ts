import { RegistryError } from "../errors.js";
import type { JsonValue } from "../domain/json.js";

/**
 * The roots this module built. A frozen copy is immutable all the way down and plain JSON, so copying
 * it again can hand back the same object: the registry copies a record once, and the store's copy of
 * it (and of an audit entry holding it) then shares it instead of duplicating it in memory.
 */
const frozenCopies = new WeakSet<object>();

/** True when `value` is a root returned by {@link frozenJsonCopy}: deeply frozen, plain JSON, safe to keep as is. */
export function isFrozenJsonCopy(value: unknown): value is JsonValue {
  return value !== null && typeof value === "object" && frozenCopies.has(value);
}

/**
 * A deep, frozen copy of `value` exactly as `JSON.parse(JSON.stringify(value))` would give it, built
 * in one pass without the string round trip (it is on every store write's hot path).
 * `toJSON()` is honoured, `undefined`/functions/symbols are dropped from objects and become `null` in
 * arrays, non-finite numbers become `null`, `-0` becomes `0`. A value JSON cannot hold at all (a top-level
 * `undefined`, a BigInt, a cycle) throws `VALIDATION`. A value (or sub-value) that is itself a result of
 * this function is returned as is, not copied again.
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
    if (frozenCopies.has(object)) return object as JsonValue;
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
  if (value !== null && typeof value === "object" && frozenCopies.has(value)) return value as JsonValue;
  const copied = copy(value, "");
  if (copied === undefined) return fail("it serializes to nothing");
  if (copied !== null && typeof copied === "object") frozenCopies.add(copied);
  return copied;
}
