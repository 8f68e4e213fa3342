import { describe, expect, it } from "vitest";
import { commaList, parseArgs, suggest, UsageError, type FlagSpec } from "../../src/cli/args.js";

const specs: FlagSpec[] = [
  { key: "project", spellings: ["-p", "--project"], type: "string", help: "" },
  { key: "version", spellings: ["-ver", "--version"], type: "string", help: "" },
  { key: "to", spellings: ["-to", "--to"], type: "string", help: "" },
  { key: "force", spellings: ["--force"], type: "boolean", help: "" },
  { key: "limit", spellings: ["--limit"], type: "number", help: "" },
  { key: "artifact", spellings: ["--artifact"], type: "list", help: "" },
];

describe("parseArgs()", () => {
  it("reads Polyaxon's single-dash long flags and short flags", () => {
    const parsed = parseArgs(["-p", "acme/churn", "-ver", "v3", "-to", "staging"], specs);
    expect(Object.fromEntries(parsed.flags)).toEqual({ project: "acme/churn", version: "v3", to: "staging" });
  });

  it("reads --flag=value, booleans, numbers and repeated lists", () => {
    const parsed = parseArgs(["--version=v1", "--force", "--limit", "5", "--artifact", "a:b:c", "--artifact", "d:e:f"], specs);
    expect(Object.fromEntries(parsed.flags)).toEqual({ version: "v1", force: true, limit: 5, artifact: ["a:b:c", "d:e:f"] });
  });

  it("keeps positionals and everything after --", () => {
    expect(parseArgs(["x", "--", "--force"], specs).positionals).toEqual(["x", "--force"]);
  });

  it("takes a value that starts with a dash when it is not a flag", () => {
    expect(parseArgs(["-p", "-weird-"], specs).flags.get("project")).toBe("-weird-");
  });

  it("refuses unknown flags with a suggestion", () => {
    expect(() => parseArgs(["--forse"], specs)).toThrow(/unknown flag --forse \(did you mean --force\?\)/);
    expect(() => parseArgs(["--bogus"], specs)).toThrow(UsageError);
  });

  it("refuses a missing value, a flag as value, a repeated single flag and a bad number", () => {
    expect(() => parseArgs(["-p"], specs)).toThrow(/-p needs a value/);
    expect(() => parseArgs(["-p", "--force"], specs)).toThrow(/-p needs a value/);
    expect(() => parseArgs(["-p", "a/b", "--project", "c/d"], specs)).toThrow(/more than once/);
    expect(() => parseArgs(["--limit", "ten"], specs)).toThrow(/whole number/);
    expect(() => parseArgs(["--force=yes"], specs)).toThrow(/takes no value/);
  });
});

describe("commaList()", () => {
  it("splits, trims and drops empty items", () => {
    expect(commaList("a, b,,c ")).toEqual(["a", "b", "c"]);
    expect(commaList("")).toEqual([]);
  });
});

describe("suggest()", () => {
  it("finds close words only", () => {
    expect(suggest("modles", ["models", "artifacts"])).toBe("models");
    expect(suggest("zzz", ["models", "artifacts"])).toBeUndefined();
  });
});
