// From a training run to production: a training script records its run with the artifacts it
// consumed and produced, promotes the model into a registry project, and the model moves through
// testing -> staging -> production while every event is logged. Run with `npm run examples`.
// It imports the built package by its name, exactly as an app would.
import { createRegistry, memoryStore, RegistryError, SYSTEM } from "artifact-versions";
import type { Session } from "artifact-versions";

const registry = createRegistry({ store: memoryStore() });

// 1. Log every event: listeners run after the commit that caused them, and never fail the call.
const log = (line: string) => console.log(`  [event] ${line}`);
registry.events.on("project.created", (event) => log(`project.created ${event.project.fullName} by ${event.actor}`));
registry.events.on("run.created", (event) => log(`run.created ${event.run.name} (${event.run.status}) by ${event.actor}`));
registry.events.on("run.updated", (event) => log(`run.updated ${event.run.name}: status ${event.run.status}, ${event.run.artifacts.length} artifacts`));
registry.events.on("run.promoted", (event) => log(`run.promoted ${event.run.name}: locked by ${event.run.promotedBy.length} version(s)`));
registry.events.on("version.created", (event) => log(`version.created ${event.version.project}:${event.version.name} (${event.version.kind}, stage ${event.version.stage})`));
registry.events.on("version.staged", (event) => log(`version.staged ${event.version.project}:${event.version.name} ${event.from} -> ${event.to} by ${event.actor}`));

const ana = registry.as({ id: "ana", orgs: { acme: "admin" } }); // approves releases
const trainer = registry.as({ id: "ci-trainer", orgs: { acme: "member" } }); // the training job's identity

console.log("1. Projects: one for experiments, one registry that only accepts runs from it");
await ana.projects.create({ owner: "acme", name: "churn-training", description: "experiments" });
await ana.projects.create({ owner: "acme", name: "churn", description: "the churn model registry", allowedSourceProjects: ["acme/churn-training"] });

console.log("2. The training script records its run");
const metrics = await train(trainer);

console.log(`3. Promote the model from the run (auc ${metrics.auc})`);
const run = (await trainer.runs.list("acme/churn-training", { query: "status:succeeded", sort: "-created_at", limit: 1 })).results[0];
if (run === undefined) throw new Error("the training run is missing");
const model = await trainer.runs.promote(run.uuid, {
  project: "acme/churn",
  kind: "model",
  name: "churn-v1",
  description: `gradient boosting, auc ${metrics.auc}`,
  tags: ["gbm", "baseline"],
  artifacts: ["model", "env"],
});
console.log(`  ${model.project}:${model.name} is in ${model.stage}, locks run ${run.name}; the run is promoted: ${(await ana.runs.get(run.uuid)).isPromoted}`);

console.log("4. Stages: testing -> staging (member) -> production (admin only)");
await trainer.models.stage("acme/churn:churn-v1", { to: "staging", reason: "PassedEval", message: `auc ${metrics.auc} >= 0.9` });
try {
  await trainer.models.stage("acme/churn:churn-v1", { to: "production" });
} catch (error) {
  if (!(error instanceof RegistryError)) throw error;
  console.log(`  ci-trainer -> production: ${error.code} (${error.message})`);
}
const approved = await ana.models.stage("acme/churn:churn-v1", { to: "production", reason: "Approved", message: "shadow traffic looked good" });
console.log(`  now in ${approved.stage}, contributors: ${approved.contributors.join(", ")}`);

console.log("5. Lineage: what the production model is made of");
const lineage = await ana.models.lineage("acme/churn:churn-v1");
console.log(`  run ${lineage.run?.name} (${lineage.run?.project}, ${lineage.run?.status})`);
for (const artifact of lineage.artifacts) console.log(`  carries ${artifact.name} [${artifact.kind}] ${artifact.path} ${JSON.stringify(artifact.summary)}`);
for (const artifact of lineage.inputs) console.log(`  trained on ${artifact.name} [${artifact.kind}] ${artifact.path}`);
console.log(`  versions locking the run: ${(await ana.runs.versions(run.uuid)).map((version) => `${version.project}:${version.name}`).join(", ")}`);

console.log("6. History: the stage conditions and the audit trail");
const stages = await ana.models.stages("acme/churn:churn-v1");
for (const condition of stages.stageConditions) console.log(`  ${condition.type.padEnd(10)} ${condition.reason.padEnd(22)} by ${condition.actor}${condition.message === null ? "" : `: ${condition.message}`}`);
const history = await ana.models.history("acme/churn:churn-v1");
console.log(`  audit: ${history.map((entry) => `${entry.type} by ${entry.actor}`).join("; ")}`);
const all = await registry.as(SYSTEM).audit.list({ limit: 100 });
console.log(`  ${all.count} audit entries in the registry`);

await registry.close();
console.log("done");

/** The "training script": creates its run, logs inputs and outputs as it goes, and marks it succeeded. */
async function train(session: Session): Promise<{ auc: number }> {
  const started = await session.runs.create({
    project: "acme/churn-training",
    name: "gbm-2024-06-01",
    status: "running",
    artifacts: [{ name: "train-data", kind: "data", path: "s3://acme-data/churn/train.parquet", summary: { rows: 120_000 }, isInput: true }],
  });
  const auc = 0.91; // ... fitting happens here ...
  await session.runs.logArtifacts(started.uuid, [
    { name: "model", kind: "model", path: "s3://acme-models/churn/gbm-2024-06-01/model.pkl", summary: { auc, framework: "lightgbm" } },
    { name: "env", kind: "env", path: "s3://acme-models/churn/gbm-2024-06-01/requirements.txt" },
    { name: "metrics", kind: "metric", summary: { auc, logloss: 0.31 } },
  ]);
  await session.runs.update(started.uuid, { status: "succeeded" });
  return { auc };
}
