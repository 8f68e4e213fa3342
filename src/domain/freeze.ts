/**
 * Freezes a value and everything reachable from it, and returns it. Stops at objects already frozen
 * (the stores hand out deeply frozen values, so those subtrees need no second walk).
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    // An index loop and for-in (V8's enum cache): Object.values() allocated an array per object frozen.
    if (Array.isArray(value)) for (let index = 0; index < value.length; index++) deepFreeze(value[index]);
    else {
      const record = value as Record<string, unknown>;
      for (const key in record) if (Object.hasOwn(record, key)) deepFreeze(record[key]);
    }
  }
  return value;
}
