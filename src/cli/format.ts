/**
 * Text output: aligned `key  value` blocks for one record, aligned columns for lists, a `1-20 of 57` footer.
 * @module
 */
import type { Page, Project, Run, RunArtifact, Version } from "../domain/records.js";
import type { StageCondition } from "../domain/stages.js";

/** One line of a record block: a key and its value (multi-line values are indented under the first line). */
export type Field = readonly [key: string, value: string];

/** `null`, `undefined` and empty strings print as `-`. */
export function show(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.map((item) => show(item)).join(", ");
  return JSON.stringify(value);
}

/** A record as aligned `key  value` lines. */
export function formatRecord(fields: readonly Field[]): string {
  const width = Math.max(...fields.map(([key]) => key.length));
  const lines: string[] = [];
  for (const [key, value] of fields) {
    const [first = "", ...rest] = value.split("\n");
    lines.push(`${key.padEnd(width)}  ${first}`.trimEnd());
    for (const line of rest) lines.push(`${" ".repeat(width + 2)}${line}`.trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Rows as aligned columns under upper-case headers. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join("\n")}\n`;
}

/** `1-20 of 57`; `0 of 57` when the page is empty. */
export function pageFooter(page: Page<unknown>, offset: number): string {
  const shown = page.results.length;
  return shown === 0 ? `0 of ${page.count}` : `${offset + 1}-${offset + shown} of ${page.count}`;
}

/** A page as a table plus its footer. */
export function formatPage<T>(page: Page<T>, offset: number, headers: readonly string[], row: (item: T) => readonly string[], empty: string): string {
  const body = page.results.length === 0 ? `${empty}\n` : formatTable(headers, page.results.map(row));
  return `${body}${pageFooter(page, offset)}\n`;
}

function withActor(at: string, actor: string): string {
  return `${at} by ${actor}`;
}

/** A version's block: `name`, `kind`, `stage`, `uuid` first, then the rest. */
export function versionFields(version: Version): Field[] {
  const fields: Field[] = [
    ["name", version.name],
    ["kind", version.kind],
    ["stage", version.stage],
    ["uuid", version.uuid],
    ["project", version.project],
    ["description", show(version.description)],
    ["tags", show(version.tags)],
    ["run", show(version.run)],
    ["artifacts", show(version.artifacts)],
  ];
  if (version.state !== null) fields.push(["state", version.state]);
  if (version.content !== null) fields.push(["content", clip(JSON.stringify(version.content), 200)]);
  if (Object.keys(version.metadata as object).length > 0) fields.push(["metadata", clip(JSON.stringify(version.metadata), 200)]);
  if (version.readme !== null) fields.push(["readme", clip(version.readme, 200)]);
  fields.push(
    ["contributors", show(version.contributors)],
    ["created", withActor(version.createdAt, version.createdBy)],
    ["updated", version.updatedAt],
    ["revision", String(version.revision)],
  );
  return fields;
}

/** A version's stage history as a table, oldest first. */
export function formatStageHistory(conditions: readonly StageCondition[]): string {
  return formatTable(
    ["STAGE", "REASON", "MESSAGE", "BY", "AT"],
    conditions.map((condition) => [condition.type, condition.reason, clip(show(condition.message), 60), condition.actor, condition.lastTransitionTime]),
  );
}

/** Columns of a version list. */
export const VERSION_COLUMNS = ["NAME", "STAGE", "TAGS", "RUN", "UPDATED", "DESCRIPTION"] as const;

/** One row of a version list. */
export function versionRow(version: Version): string[] {
  return [version.name, version.stage, clip(show(version.tags), 30), version.run === null ? "-" : version.run.slice(0, 8), version.updatedAt, clip(show(version.description), 40)];
}

function artifactLine(artifact: RunArtifact): string {
  return `${artifact.name} (${artifact.kind}${artifact.isInput ? ", input" : ""}) ${show(artifact.path)}`;
}

/** A run's block: `uuid` first. */
export function runFields(run: Run): Field[] {
  return [
    ["uuid", run.uuid],
    ["name", show(run.name)],
    ["project", run.project],
    ["status", show(run.status)],
    ["description", show(run.description)],
    ["promoted", run.isPromoted ? `yes (by ${run.promotedBy.length} version${run.promotedBy.length === 1 ? "" : "s"})` : "no"],
    ["artifacts", run.artifacts.length === 0 ? "-" : run.artifacts.map(artifactLine).join("\n")],
    ["created", withActor(run.createdAt, run.createdBy)],
    ["updated", run.updatedAt],
    ["revision", String(run.revision)],
  ];
}

/** Columns of a run list. */
export const RUN_COLUMNS = ["UUID", "NAME", "STATUS", "PROMOTED", "ARTIFACTS", "CREATED"] as const;

/** One row of a run list. */
export function runRow(run: Run): string[] {
  return [run.uuid, show(run.name), show(run.status), run.isPromoted ? "yes" : "no", clip(show(run.artifacts.map((artifact) => artifact.name)), 30), run.createdAt];
}

/** A project's block: `name` (`owner/name`) first. */
export function projectFields(project: Project): Field[] {
  const users = Object.entries(project.access.users).map(([user, role]) => `${user}:${role}`);
  return [
    ["name", project.fullName],
    ["visibility", project.visibility],
    ["description", show(project.description)],
    ["users", show(users)],
    ["teams", show(project.access.teams)],
    ["allowed sources", show(project.allowedSourceProjects)],
    ["created", withActor(project.createdAt, project.createdBy)],
    ["updated", project.updatedAt],
    ["revision", String(project.revision)],
  ];
}

/** Columns of a project list. */
export const PROJECT_COLUMNS = ["NAME", "VISIBILITY", "UPDATED", "DESCRIPTION"] as const;

/** One row of a project list. */
export function projectRow(project: Project): string[] {
  return [project.fullName, project.visibility, project.updatedAt, clip(show(project.description), 50)];
}
