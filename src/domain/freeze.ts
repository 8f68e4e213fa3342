/**
 * Freezes a value and everything reachable from it, and returns it. Stops at objects already frozen
 * (the stores hand out deeply frozen values, so those subtrees need no second walk).
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
