import { execFileSync } from "node:child_process";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";

/** What the figures were measured on: printed with the results and written to the JSON. */
export interface MachineInfo {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly nproc: number;
  readonly memoryGiB: number;
  readonly free: string;
  readonly disk: string;
  readonly loadAverage: readonly number[];
}

function command(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "(unavailable)";
  }
}

/** Collects `nproc`, `free -h`, `df -h <dir>`, the node version and the load average. */
export function describeMachine(dir: string): MachineInfo {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model ?? "unknown",
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    free: command("free", ["-h"]),
    disk: command("df", ["-hT", dir]),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
