import type { z } from "zod";
import { plainJsonCopy } from "./json-copy.js";
import { isPlainObject, type JsonObject, type JsonValue } from "./json.js";
import { projectFullNameProblem, versionNameProblem } from "./names.js";
import { normalizeTags, REFERENCE_MAX_LENGTH, TAG_MAX_LENGTH, type InputSchemas, type Limits } from "./schemas.js";

/** A register input once parsed: what `schemas.register` answers. */
export type ParsedRegisterInput = z.output<InputSchemas["register"]>;

/** The register schema's fields besides `project`, in its order; zod refuses any other key, even one holding `undefined`. */
const OPTIONAL_FIELDS: ReadonlySet<string> = new Set(["name", "description", "tags", "readme", "content", "metadata", "run", "artifacts", "force"]);

/** Answers this instead of a value when the fast path cannot vouch for a field. */
const UNSURE: unique symbol = Symbol("unsure");
type Field<T> = T | typeof UNSURE;

/**
 * The register input's fast path: answers exactly what `schemas.register.safeParse(input).data`
 * would for an input it can vouch for, and `undefined` for anything else (invalid, unusual, or a
 * throwing getter), which the caller then parses with zod, for zod's answer and error messages.
 *
 * Registering is the hot path: zod's object, pipe and refinement machinery cost ~15-20 µs of a
 * ~75 µs memory-store register on the development VM, for an input of a few plain fields. The
 * checks here are the schema's own rules (the same `nameProblem`, limits and JSON copy), and a
 * property test holds the two to the same answers.
 */
export function fastRegisterInput(input: unknown, limits: Limits): ParsedRegisterInput | undefined {
  try {
    if (!isPlainObject(input)) return undefined;
    const source = input;
    // zod refuses any other own enumerable key, and reads its own fields with `in` (non-enumerable
    // and inherited ones too), in the schema's order, which its output keeps.
    // for-in with `Object.prototype.hasOwnProperty.call` written out (answered from V8's enum cache): the own
    // enumerable names, as Object.keys() gives them, without an array per call.
    for (const name in source) if (Object.prototype.hasOwnProperty.call(source, name) && name !== "project" && !OPTIONAL_FIELDS.has(name)) return undefined;
    const project = source["project"];
    if (typeof project !== "string" || projectFullNameProblem(project) !== undefined) return undefined;
    const parsed: Record<string, unknown> = { project };
    for (const name of OPTIONAL_FIELDS) {
      if (!(name in source)) continue;
      const value = fieldOf(name, source[name], limits);
      if (value === UNSURE) return undefined;
      parsed[name] = value;
    }
    return parsed as ParsedRegisterInput;
  } catch {
    return undefined;
  }
}

/**
 * One optional field's parsed value (`undefined` stays `undefined`, as zod keeps a present `undefined`),
 * or {@link UNSURE}.
 */
function fieldOf(name: string, value: unknown, limits: Limits): Field<unknown> {
  if (value === undefined) return undefined;
  switch (name) {
    case "name":
      return typeof value === "string" && versionNameProblem(value) === undefined ? value : UNSURE;
    case "description":
      return nullableString(value, 0, limits.description);
    case "readme":
      return nullableString(value, 0, limits.readme);
    case "run":
      return nullableString(value, 1, REFERENCE_MAX_LENGTH);
    case "tags":
      return stringList(value, TAG_MAX_LENGTH, limits.tags);
    case "artifacts":
      return stringList(value, REFERENCE_MAX_LENGTH, limits.artifacts);
    case "content":
      return jsonCopy(value, limits.content);
    case "metadata":
      return value !== null && typeof value === "object" && !Array.isArray(value) ? (jsonCopy(value, limits.metadata) as Field<JsonObject>) : UNSURE;
    case "force":
      return typeof value === "boolean" ? value : UNSURE;
    default:
      return UNSURE;
  }
}

function nullableString(value: unknown, min: number, max: number): Field<string | null> {
  if (value === null) return null;
  return typeof value === "string" && value.length >= min && value.length <= max ? value : UNSURE;
}

/** A list of non-empty strings of at most `maxLength`, at most `maxItems` of them, without duplicates. */
function stringList(value: unknown, maxLength: number, maxItems: number): Field<string[]> {
  if (!Array.isArray(value)) return UNSURE;
  const length = value.length;
  if (!(length <= maxItems)) return UNSURE;
  // Each item is read once, as zod reads it, into our own array: a getter or an own iterator cannot
  // answer one value to the check and another to the copy.
  const items = new Array<string>(length);
  for (let index = 0; index < length; index++) {
    const item: unknown = value[index];
    if (typeof item !== "string" || item.length === 0 || item.length > maxLength) return UNSURE;
    items[index] = item;
  }
  return normalizeTags(items);
}

function jsonCopy(value: unknown, maxBytes: number): Field<JsonValue> {
  const result = plainJsonCopy(value, maxBytes);
  return result.ok ? result.value : UNSURE;
}
