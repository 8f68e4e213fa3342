import { describe, expect, test } from "vitest";
import { runStoreConformance } from "artifact-versions/testing";
import { createRegistry } from "artifact-versions";
import { mapStore } from "../../examples/custom-store.js";

describe("examples/custom-store.ts: mapStore()", () => {
  runStoreConformance({ test, expect, create: () => mapStore(), name: "mapStore conformance" });

  test("backs a registry: register, stage, list by name", async () => {
    const registry = createRegistry({ store: mapStore() });
    const ana = registry.as({ id: "ana", orgs: { acme: "admin" } });
    await ana.projects.create({ owner: "acme", name: "churn" });
    for (const name of ["v1", "v2", "v10"]) await ana.models.register({ project: "acme/churn", name });
    await ana.models.stage("acme/churn:v2", { to: "staging" });
    const page = await ana.models.list("acme/churn", { sort: "name" });
    expect(page.results.map((version) => version.name)).toEqual(["v1", "v2", "v10"]);
    expect((await ana.models.list("acme/churn", { query: "stage:staging" })).results.map((version) => version.name)).toEqual(["v2"]);
  });
});
