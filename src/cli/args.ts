/**
 * A small command-line parser that knows Polyaxon's spellings: single-dash long flags (`-ver`, `-to`,
 * `-off`), short flags (`-p`, `-n`, `-q`, `-s`, `-y`), `--flag value` and `--flag=value`.
 * @module
 */

/** How a flag takes its value. `list` flags are repeatable and collect every value. */
export type FlagType = "string" | "boolean" | "number" | "list";

/** One flag of a command. `spellings` are every way to write it (`["-ver", "--version"]`). */
export interface FlagSpec {
  /** The key the parsed value is stored under. */
  readonly key: string;
  readonly spellings: readonly string[];
  readonly type: FlagType;
  /** The value's placeholder in help (`NAME`, `DIR`). */
  readonly value?: string;
  readonly help: string;
}

/** A parsed value: strings, booleans, integers, or repeated strings. */
export type FlagValue = string | boolean | number | string[];

/** The outcome of parsing a command's arguments. */
export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, FlagValue>;
  readonly positionals: readonly string[];
}

/** A mistake in the command line: printed as `error [USAGE]: ...` with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** The closest known word to `word`, when it is close enough to be a likely typo. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = levenshtein(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

function looksLikeFlag(token: string): boolean {
  return token.length > 1 && token.startsWith("-") && !/^-\d/.test(token);
}

/**
 * Parses `tokens` against `specs`. Unknown flags, missing values, repeated single flags and bad numbers
 * are {@link UsageError}s. `--` ends the flags.
 */
export function parseArgs(tokens: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const bySpelling = new Map<string, FlagSpec>();
  for (const spec of specs) for (const spelling of spec.spellings) bySpelling.set(spelling, spec);
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token === "--") {
      positionals.push(...tokens.slice(index + 1));
      break;
    }
    if (!looksLikeFlag(token)) {
      positionals.push(token);
      continue;
    }
    const equals = token.indexOf("=");
    const spelling = equals === -1 ? token : token.slice(0, equals);
    const inline = equals === -1 ? undefined : token.slice(equals + 1);
    const spec = bySpelling.get(spelling);
    if (spec === undefined) {
      const hint = suggest(spelling, [...bySpelling.keys()]);
      throw new UsageError(`unknown flag ${spelling}${hint === undefined ? "" : ` (did you mean ${hint}?)`}`);
    }
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`${spelling} takes no value`);
      flags.set(spec.key, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = tokens[index + 1];
      if (next === undefined || bySpelling.has(next.split("=")[0]!)) throw new UsageError(`${spelling} needs a value${spec.value === undefined ? "" : ` (${spec.value})`}`);
      value = next;
      index += 1;
    }
    if (spec.type === "list") {
      const previous = flags.get(spec.key);
      flags.set(spec.key, [...(Array.isArray(previous) ? previous : []), value]);
      continue;
    }
    if (flags.has(spec.key)) throw new UsageError(`${spelling} is given more than once`);
    if (spec.type === "number") {
      if (!/^\d+$/.test(value)) throw new UsageError(`${spelling} needs a whole number, not ${JSON.stringify(value)}`);
      flags.set(spec.key, Number(value));
    } else {
      flags.set(spec.key, value);
    }
  }
  return { flags, positionals };
}

/** Splits a comma list (`--tags a,b`): trimmed, empty items dropped. */
export function commaList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
