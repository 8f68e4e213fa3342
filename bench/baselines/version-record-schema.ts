import { z } from "zod";

const condition = z.strictObject({
  type: z.string(),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string(),
  message: z.string().nullable(),
  lastUpdateTime: z.string(),
  lastTransitionTime: z.string(),
  actor: z.string(),
});

/** A zod 4 schema of a stored version record: what a careful hand-written store would validate. */
export const versionRecordSchema = z.strictObject({
  uuid: z.string().min(1),
  name: z.string().min(1).max(128),
  kind: z.enum(["model", "artifact", "component"]),
  project: z.string(),
  description: z.string().nullable(),
  tags: z.array(z.string().min(1).max(64)),
  readme: z.string().nullable(),
  content: z.json().nullable(),
  metadata: z.record(z.string(), z.json()),
  run: z.string().nullable(),
  artifacts: z.array(z.string()),
  stage: z.string(),
  stageConditions: z.array(condition),
  state: z.string().nullable(),
  sequence: z.number().int().positive(),
  createdBy: z.string(),
  contributors: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  revision: z.number().int().optional(),
});
