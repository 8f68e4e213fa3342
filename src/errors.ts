/**
 * The stable error codes of {@link RegistryError}. Callers branch on `code`, never on messages.
 *
 * - `VALIDATION`: an input was malformed or out of bounds (`details.issues` lists what and where).
 * - `NOT_FOUND`: the thing does not exist, or the principal may not read it (existence does not leak).
 * - `ALREADY_EXISTS`: a unique name is taken.
 * - `FORBIDDEN`: the principal may read but not do this (`details` names principal, action, role, required role).
 * - `CONFLICT`: a revision did not match (a pinned `ifRevision`, or contention that retries could not resolve).
 * - `INVALID_TRANSITION`: the stage machine forbids the move (`details.allowed` lists the allowed targets).
 * - `LINEAGE`: a version's run or artifacts do not line up (`details.missing` names missing artifacts).
 * - `LOCKED`: the target is held by something else (a run locked by versions, a project that holds versions).
 * - `STORAGE`: the store failed; the adapter's own error is the `cause`.
 */
export type ErrorCode =
  | "VALIDATION"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "FORBIDDEN"
  | "CONFLICT"
  | "INVALID_TRANSITION"
  | "LINEAGE"
  | "LOCKED"
  | "STORAGE";

/** Every code a {@link RegistryError} may carry, in a stable order. */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze([
  "VALIDATION",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "FORBIDDEN",
  "CONFLICT",
  "INVALID_TRANSITION",
  "LINEAGE",
  "LOCKED",
  "STORAGE",
]);

/**
 * The one error class of the library. Every failure of a public function is a `RegistryError`
 * with a stable {@link ErrorCode} and read-only, JSON-safe `details`.
 *
 * Adapter authors signal a revision mismatch by throwing `new RegistryError("CONFLICT", ...)`;
 * the core passes `RegistryError`s through and wraps anything else as `STORAGE` with the original as `cause`.
 *
 * @example
 * ```ts
 * try { await session.models.get("acme/churn:v9"); }
 * catch (error) { if (error instanceof RegistryError && error.code === "NOT_FOUND") { ... } }
 * ```
 */
export class RegistryError extends Error {
  /** The stable code: branch on this. */
  readonly code: ErrorCode;
  /** Structured facts about the failure (never needed to parse the message). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RegistryError";
    this.code = code;
    this.details = Object.freeze({ ...details });
  }

  /** A plain object for logs and HTTP bodies: `{ code, message, details }`. */
  toJSON(): {
    /** The stable error code. */
    code: ErrorCode;
    /** The human-readable message. */
    message: string;
    /** The error's structured details (the same object as {@link RegistryError.details}). */
    details: Readonly<Record<string, unknown>>;
  } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `error` is a {@link RegistryError}, optionally with the given code. */
export function isRegistryError(error: unknown, code?: ErrorCode): error is RegistryError {
  return error instanceof RegistryError && (code === undefined || error.code === code);
}

/** Wraps anything an adapter threw: `RegistryError`s pass through, the rest becomes `STORAGE` with `cause`. */
export function toStorageError(error: unknown, doing: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new RegistryError("STORAGE", `The store failed while ${doing}: ${reason}`, { doing }, { cause: error });
}
