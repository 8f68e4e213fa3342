/**
 * A text sort key for natural order, so PostgreSQL can sort `name` exactly like `naturalCompare()`
 * (src/domain/query/values.ts) under `COLLATE "C"` (byte order):
 *
 * - a non-digit UTF-16 code unit `c` becomes one character `c + 2` when `c < 0x7d`, else `\x7f` and four
 *   upper-case hex digits (order-preserving, prefix-free, never NUL);
 * - a run of digits becomes `"2"` (the slot of the code unit `'0'`, which never occurs as a non-digit,
 *   so digits sort after `/` and before `:` exactly as `naturalCompare` compares a digit with a non-digit),
 *   then the length of the run without leading zeros (its own length first, then the length), then those digits;
 * - then `\x01` (below every token, so a shorter token sequence sorts first) and the whole string with
 *   the same per-code-unit map, which breaks ties (`v01` vs `v1`) by code unit as `naturalCompare` does.
 *
 * Computed in JavaScript at commit time and stored in the `name_key` column.
 * @module
 */

function unit(code: number): string {
  return code < 0x7d ? String.fromCharCode(code + 2) : "\x7f" + code.toString(16).toUpperCase().padStart(4, "0");
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The natural-order sort key of `text` (see the module comment). */
export function naturalKey(text: string): string {
  let out = "";
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      let end = i;
      while (end < n && isDigit(text.charCodeAt(end))) end++;
      let start = i;
      while (start < end - 1 && text.charCodeAt(start) === 48) start++;
      const length = String(end - start);
      out += "2" + String(length.length) + length + text.slice(start, end);
      i = end;
    } else {
      out += unit(c);
      i++;
    }
  }
  out += "\x01";
  for (let k = 0; k < n; k++) out += unit(text.charCodeAt(k));
  return out;
}
