import { expect } from "vitest";
import { createRegistry, RegistryError, type Principal, type RegistryOptions } from "artifact-versions";

/** A memory registry whose warnings are collected instead of printed. */
export function setup(options: RegistryOptions = {}) {
  const warnings: string[] = [];
  const registry = createRegistry({ onWarning: (message) => warnings.push(message), ...options });
  const admin = registry.as({ id: "ana", orgs: { acme: "admin" } });
  return { registry, admin, warnings };
}

export const ana: Principal = { id: "ana", orgs: { acme: "admin" } };

/** Awaits `promise` and asserts it rejects with a RegistryError of `code` (and matching details). */
export async function rejects(promise: Promise<unknown>, code: string, details?: Record<string, unknown>): Promise<RegistryError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(RegistryError);
  const error = caught as RegistryError;
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  if (details !== undefined) expect(error.details).toMatchObject(details);
  return error;
}
