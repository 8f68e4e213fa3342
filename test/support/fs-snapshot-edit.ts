/**
 * Test helper: edits a file store's snapshot by hand, as an operator might, and reseals its footer
 * checksum so the store opens it (a damaged checksum would be refused before any line is read).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";

/**
 * Rewrites each record line of the snapshot in `dir` with `line` (and the header line with `header`,
 * when given), keeps the archived-keys line, then writes a footer with the new CRC-32.
 */
export function editSnapshot(dir: string, line: (text: string) => string, header?: (text: string) => string): void {
  const path = join(dir, "snapshot.jsonl");
  const lines = readFileSync(path, "utf8").split("\n").slice(0, -1);
  const footer = JSON.parse(lines.pop() as string) as { records: number };
  const edited = lines.map((text, n) => {
    if (n === 0) return header === undefined ? text : header(text);
    return text.startsWith('{"archivedKeys"') ? text : line(text);
  });
  const body = edited.join("\n") + "\n";
  const crc = crc32(Buffer.from(body)).toString(16).padStart(8, "0");
  writeFileSync(path, body + JSON.stringify({ end: true, records: footer.records, crc32: crc }) + "\n");
}
