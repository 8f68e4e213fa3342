import type { JsonValue } from "./json.js";

/** JSON text with object keys sorted at every level: equal content gives equal text. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(",")}}`;
}

/**
 * A component version's `state`: `sha256:<hex>` of the canonical JSON of its content (DESIGN §5.5).
 * Uses Web Crypto, so it runs in browsers and Node alike.
 */
export async function contentState(content: JsonValue): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(content));
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes);
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `sha256:${hex}`;
}
