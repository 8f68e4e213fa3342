/**
 * `npx tsx bench/markdown-table.ts FILE.json`: prints the figures, ratios and targets of a
 * `run.ts --json` file as Markdown tables, for docs/performance.md.
 */
import { readFileSync } from "node:fs";
import type { Comparison, Figure } from "./figure.js";
import type { MachineInfo } from "./machine.js";
import type { TargetResult } from "./targets.js";

const file = process.argv[2];
if (file === undefined) throw new Error("usage: tsx bench/markdown-table.ts FILE.json");
const run = JSON.parse(readFileSync(file, "utf8")) as { machine: MachineInfo; figures: Figure[]; comparisons: Comparison[]; targets: TargetResult[]; notes: string[] };

const format = (value: number) => (!Number.isFinite(value) ? "-" : value >= 100 ? Math.round(value).toLocaleString("en-US") : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const lines = [
  `Run of ${run.machine.date}: node ${run.machine.node}, ${run.machine.nproc} x ${run.machine.cpu}, ${run.machine.memoryGiB} GiB; load average at start ${run.machine.loadAverage.join(" ")}.`,
  "",
  "| store | workload | size | median | IQR | min-max | CPU µs/op | vs baseline (ours/baseline) |",
  "|---|---|---:|---:|---:|---:|---:|---|",
];
for (const figure of run.figures) {
  const { spread } = figure;
  const ratios = run.comparisons
    .filter((comparison) => comparison.figure === figure.id)
    .map((comparison) => `${format(comparison.ratio)}x ${comparison.baseline.replace(/^baseline\//, "")}`)
    .join("; ");
  lines.push(
    `| ${figure.store} | ${figure.workload} (${figure.unit}) | ${figure.size === null ? "" : figure.size.toLocaleString("en-US")} | ${format(spread.median)} | ${format(spread.q1)}-${format(spread.q3)} | ${format(spread.min)}-${format(spread.max)} | ${figure.cpuMicrosPerOp === undefined ? "" : format(figure.cpuMicrosPerOp)} | ${ratios} |`,
  );
}
lines.push("", "| target (issue 7) | measured | status |", "|---|---|---|");
for (const target of run.targets) lines.push(`| ${target.target} | ${target.measured}${target.proxy === undefined ? "" : ` (${target.proxy})`} | ${target.status.toUpperCase()} |`);
lines.push("", ...run.notes.map((note) => `- ${note}`));
console.log(lines.join("\n"));
