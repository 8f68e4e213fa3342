import type { Comparison, Figure } from "./figure.js";
import type { MachineInfo } from "./machine.js";
import type { TargetResult } from "./targets.js";

function number(value: number): string {
  if (!Number.isFinite(value)) return "-";
  if (value >= 100) return Math.round(value).toLocaleString("en-US");
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function baselineLabel(id: string): string {
  return id.replace(/^baseline\//, "");
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column >= 2 && column <= 6 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join("  ").trimEnd()).join("\n");
}

/** The human-readable report: machine, figures with spread and baseline ratios, targets. */
export function formatReport(machine: MachineInfo, figures: readonly Figure[], comparisons: readonly Comparison[], targets: readonly TargetResult[], notes: readonly string[]): string {
  const rows: string[][] = [["store", "workload", "size", "median", "IQR", "min-max", "CPU µs/op", "vs baseline (ours/baseline)"]];
  for (const figure of figures) {
    const { spread } = figure;
    const ratios = comparisons
      .filter((comparison) => comparison.figure === figure.id)
      .map((comparison) => `${number(comparison.ratio)}x ${baselineLabel(comparison.baseline)}`)
      .join("; ");
    rows.push([
      figure.store,
      `${figure.workload} (${figure.unit})`,
      figure.size === null ? "" : figure.size.toLocaleString("en-US"),
      number(spread.median),
      `${number(spread.q1)}-${number(spread.q3)}`,
      `${number(spread.min)}-${number(spread.max)}`,
      figure.cpuMicrosPerOp === undefined ? "" : number(figure.cpuMicrosPerOp),
      ratios,
    ]);
  }
  const lines = [
    `artifact-versions benchmark, ${machine.date}`,
    `node ${machine.node}, ${machine.platform}, ${machine.nproc} x ${machine.cpu}, ${machine.memoryGiB} GiB, load average ${machine.loadAverage.join(" ")}`,
    machine.disk,
    "",
    table(rows),
    "",
    "Ratios: ours / baseline of the same unit (ops/s: 0.5x = half the baseline's rate; ms: 2x = twice its time).",
    "CPU µs/op: this process's user+system CPU per operation (median), which other processes on the machine disturb less than wall time.",
    "",
    "Targets (issue 7):",
    ...targets.map((target) => `  [${target.status === "pass" ? "PASS" : target.status === "miss" ? "MISS" : "----"}] ${target.target}: ${target.measured}${target.proxy === undefined ? "" : ` (proxy: ${target.proxy})`}`),
  ];
  if (notes.length > 0) lines.push("", "Notes:", ...notes.map((note) => `  - ${note}`));
  return lines.join("\n");
}
