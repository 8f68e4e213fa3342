// The quick start: a model registry in a few calls. Run with `npm run demo`.
// It imports the built package by its name, exactly as an app would.
import { createRegistry, memoryStore, SYSTEM, RegistryError } from "artifact-versions";

const registry = createRegistry({ store: memoryStore() });
registry.events.on("version.staged", (event) => console.log(`  event: ${event.version.project}:${event.version.name} ${event.from} -> ${event.to} by ${event.actor}`));

const ana = registry.as({ id: "ana", orgs: { acme: "admin" } });
const bob = registry.as({ id: "bob", orgs: { acme: "member" } });

await ana.projects.create({ owner: "acme", name: "churn", description: "churn models" });
await ana.projects.create({ owner: "acme", name: "prod", description: "what serves traffic" });

console.log("1. Record a training run and promote its model");
const run = await ana.runs.create({
  project: "acme/churn",
  name: "exp-7",
  status: "succeeded",
  artifacts: [
    { name: "model", kind: "model", path: "s3://bucket/exp-7/model.pkl", summary: { auc: 0.91 } },
    { name: "env", kind: "env", path: "requirements.txt" },
    { name: "train-data", kind: "data", path: "s3://bucket/train.csv", isInput: true },
  ],
});
const v1 = await bob.models.register({ project: "acme/churn", name: "v1", description: "first", tags: ["baseline"], run: run.uuid, artifacts: ["model", "env"] });
console.log(`  registered ${v1.project}:${v1.name} (${v1.kind}, stage ${v1.stage}); run promoted: ${(await ana.runs.get(run.uuid)).isPromoted}`);

console.log("2. Auto-named versions, latest, listing");
const v2 = await bob.models.register({ project: "acme/churn", tags: ["candidate"] });
console.log(`  auto name: ${v2.name}; latest is ${(await ana.models.get("acme/churn")).name}`);
const page = await ana.models.list("acme/churn", { query: "tags:baseline|candidate", sort: "name", limit: 20 });
console.log(`  ${page.count} versions: ${page.results.map((version) => version.name).join(", ")}`);

console.log("3. Stages: members stage to staging, only admins to production");
await bob.models.stage("acme/churn:v1", { to: "staging", reason: "PassedEval", message: "auc 0.91" });
try {
  await bob.models.stage("acme/churn:v1", { to: "production" });
} catch (error) {
  if (error instanceof RegistryError) console.log(`  bob: ${error.code}: ${error.message}`);
}
await ana.models.stage("acme/churn:v1", { to: "production", reason: "Approved" });
try {
  await ana.models.stage("acme/churn:v2", { to: "production" });
} catch (error) {
  if (error instanceof RegistryError) console.log(`  ${error.code}: allowed from testing: ${String(error.details["allowed"])}`);
}

console.log("4. Lineage, copy, history, audit");
const lineage = await ana.models.lineage("acme/churn:v1");
console.log(`  v1 locks run ${lineage.run?.name}: ${lineage.artifacts.map((a) => `${a.name}=${a.path}`).join(", ")}; inputs: ${lineage.inputs.map((a) => a.name).join(", ")}`);
const copy = await ana.models.copy("acme/churn:v1", { toProject: "acme/prod" });
console.log(`  copied to ${copy.project}:${copy.name} (stage ${copy.stage})`);
const history = await ana.models.history("acme/churn:v1");
console.log(`  history of v1: ${history.map((entry) => `${entry.type} by ${entry.actor}`).join("; ")}`);
const audit = await registry.as(SYSTEM).audit.list({ limit: 100 });
console.log(`  ${audit.count} audit entries in all`);

console.log("5. Access: an outsider cannot even see the private project");
try {
  await registry.as({ id: "eve" }).models.get("acme/churn:v1");
} catch (error) {
  if (error instanceof RegistryError) console.log(`  eve: ${error.code}`);
}
await registry.close();
console.log("done");
