import { tmpdir } from "node:os";
import { join } from "node:path";

/** Command-line options of `bench/run.ts`. */
export interface BenchOptions {
  /** `--quick`: one small size and few rounds, the whole run under a minute (CI). */
  readonly quick: boolean;
  /** `--json FILE`: also write every figure there. */
  readonly json: string | undefined;
  /** `--dir DIR`: where the file stores and the disk baselines live (default: the OS temp folder). */
  readonly dir: string;
  /** `--stores a,b`: only these store factories (default: every available one). */
  readonly stores: readonly string[] | undefined;
  /** `--sizes 1000,10000`: project sizes (default 1,000 / 10,000 / 100,000; quick: 1,000). */
  readonly sizes: readonly number[];
  /** `--rounds N`: timed rounds per workload (default 7; quick: 3). */
  readonly rounds: number;
  /** `--only open`: only the open time of the persistent stores and its `read-parse-lines` floor (no other workloads). */
  readonly only: "open" | undefined;
}

const ONLY = ["open"] as const;

const USAGE = "usage: tsx bench/run.ts [--quick] [--json FILE] [--dir DIR] [--stores memory,fs] [--sizes 1000,10000] [--rounds N] [--only open]";

function numberList(text: string, flag: string): number[] {
  const values = text.split(",").map((part) => Number(part.replace(/_/g, "")));
  if (values.some((value) => !Number.isInteger(value) || value <= 0)) throw new Error(`${flag} expects positive integers, got ${text}\n${USAGE}`);
  return values;
}

/** Parses `process.argv.slice(2)`. Throws with the usage line on an unknown flag. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let json: string | undefined;
  let dir = join(tmpdir(), `artifact-versions-bench-${process.pid}`);
  let stores: string[] | undefined;
  let sizes: number[] | undefined;
  let rounds: number | undefined;
  let only: "open" | undefined;
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    if (flag === "--quick") quick = true;
    else if (flag === "--json") json = value();
    else if (flag === "--dir") dir = join(value(), `artifact-versions-bench-${process.pid}`);
    else if (flag === "--stores") stores = value().split(",");
    else if (flag === "--sizes") sizes = numberList(value(), "--sizes");
    else if (flag === "--rounds") [rounds] = numberList(value(), "--rounds");
    else if (flag === "--only") {
      const workload = value();
      if (!(ONLY as readonly string[]).includes(workload)) throw new Error(`--only expects one of ${ONLY.join(", ")}, got ${workload}\n${USAGE}`);
      only = workload as "open";
    } else if (flag === "--help" || flag === "-h") throw new Error(USAGE);
    else throw new Error(`unknown flag ${flag}\n${USAGE}`);
  }
  return {
    quick,
    json,
    dir,
    stores,
    sizes: sizes ?? (quick ? [1_000] : [1_000, 10_000, 100_000]),
    rounds: rounds ?? (quick ? 3 : 7),
    only,
  };
}
