/**
 * Freezes a value and everything reachable from it, and returns it. Stops at objects already frozen
 * (the stores hand out deeply frozen values, so those subtrees need no second walk).
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    // for-in (V8's enum cache) over own keys, an array's named properties included: Object.values()
    // allocated an array per object frozen.
    const record = value as Record<string, unknown>;
    // `Object.prototype.hasOwnProperty.call` written out: V8 answers it from the enum cache (see adoptJson).
    for (const key in record) if (Object.prototype.hasOwnProperty.call(record, key)) deepFreeze(record[key]);
  }
  return value;
}
