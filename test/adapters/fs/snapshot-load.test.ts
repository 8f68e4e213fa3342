/**
 * Opening a snapshot without parsing its values: record lines are read by hand, values parsed on
 * first use. These cases pin what that must not change.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { fileStore } from "../../../src/adapters/fs/index.js";
import { editSnapshot } from "../../support/fs-snapshot-edit.js";
import type { Write } from "../../../src/store/store.js";

const root = mkdtempSync(join(tmpdir(), "av-fs-load-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => join(root, `s-${++counter}`);
const quiet = { onWarning: () => {}, durability: "none" as const };
const put = (collection: string, key: string, expect: number, value: unknown): Write => ({ op: "put", collection, key, expect, value: value as never });

const awkwardKeys = ['a"quote', "back\\slash", "new\nline", "tab\t", "ünïcødé ✓ 🎉", "..", "../x", "{\"c\":\"x\"}", "k".repeat(512), "\u2028sep"];

describe("fileStore() snapshot loading", () => {
  test("awkward keys and unicode values survive compaction and reopen, revisions and seqs included", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    for (const [i, key] of awkwardKeys.entries()) await store.commit([put("items", key, 0, { i, text: `välue ${key}`, nested: { list: [1, "two", null, { k: key }] } })]);
    await store.commit([put("items", awkwardKeys[0] as string, 1, { i: 0, text: "second" })]);
    const before = await Promise.all(awkwardKeys.map((key) => store.get("items", key)));
    await store.compact();
    await store.close();

    const reopened = await fileStore({ dir, ...quiet });
    const after = await Promise.all(awkwardKeys.map((key) => reopened.get("items", key)));
    expect(after).toEqual(before);
    expect(after[0]).toMatchObject({ revision: 2, value: { text: "second" } });
    const listed = await reopened.query("items", {});
    expect(listed.items.map((item) => item.key).sort()).toEqual([...awkwardKeys].sort());
    for (const item of listed.items) {
      expect(Object.isFrozen(item.value)).toBe(true);
      const nested = (item.value as { nested?: object }).nested;
      if (nested !== undefined) expect(Object.isFrozen(nested)).toBe(true);
    }
    await reopened.close();
  });

  test("a compaction of a store opened but never read writes the same records back", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    for (const [i, key] of awkwardKeys.entries()) await store.commit([put("items", key, 0, { i, s: "é" })]);
    await store.compact();
    await store.close();
    const records = () => readFileSync(join(dir, "snapshot.jsonl"), "utf8").split("\n").slice(1, -3);
    const first = records();
    const reopened = await fileStore({ dir, ...quiet });
    await reopened.compact();
    expect(records()).toEqual(first);
    expect((await reopened.get("items", "ünïcødé ✓ 🎉"))?.value).toEqual({ i: 4, s: "é" });
    await reopened.close();
  });

  test("revision checks see records that were loaded but never read", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    await store.commit([put("items", "a", 0, { n: 1 })]);
    await store.compact();
    await store.close();
    const reopened = await fileStore({ dir, ...quiet });
    await expect(reopened.commit([put("items", "a", 0, { n: 2 })])).rejects.toMatchObject({ code: "CONFLICT" });
    await reopened.commit([put("items", "a", 1, { n: 2 })]);
    expect(await reopened.get("items", "a")).toMatchObject({ revision: 2, value: { n: 2 } });
    await reopened.close();
  });

  test("reads a record line edited by hand (other key order, spaces) when its checksum is resealed", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    await store.commit([put("items", "a", 0, { n: 1 }), put("items", 'b"', 0, { n: 2 })]);
    await store.compact();
    await store.close();
    editSnapshot(dir, (line) => {
      const { c, k, r, s, v } = JSON.parse(line) as { c: string; k: string; r: number; s: number; v: unknown };
      return JSON.stringify({ v, s, r, k, c }, null, 0).replace(/,/g, ", ");
    });
    const reopened = await fileStore({ dir, ...quiet });
    expect(await reopened.get("items", "a")).toMatchObject({ revision: 1, value: { n: 1 } });
    expect(await reopened.get("items", 'b"')).toMatchObject({ revision: 1, value: { n: 2 } });
    await reopened.close();
  });

  test("a record line that is not a record is reported as a damaged snapshot, even with a valid checksum", async () => {
    const dir = freshDir();
    const store = await fileStore({ dir, ...quiet });
    await store.commit([put("items", "a", 0, { n: 1 })]);
    await store.compact();
    await store.close();
    editSnapshot(dir, () => '{"c":"items","k":"a","r":1,"s":1,"v":');
    await expect(fileStore({ dir, ...quiet })).rejects.toMatchObject({ code: "STORAGE", message: expect.stringMatching(/snapshot .* is damaged \(record line 2 is unreadable\)/) });
    expect(readdirSync(dir).some((name) => name.startsWith("snapshot.jsonl.damaged-"))).toBe(true);
  });
});
