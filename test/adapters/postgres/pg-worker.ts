/**
 * A child process for the multi-process test: registers names (create-only) and bumps a shared
 * counter with read-modify-write, retrying on CONFLICT. Prints a JSON summary on stdout.
 * Usage: node --import tsx pg-worker.ts <connectionString> <schema> <worker> <names> <startAt>
 */
import { postgresStore } from "../../../src/adapters/postgres/index.js";
import { isRegistryError } from "../../../src/errors.js";

const [connectionString, schema, worker, nameCount, startAt] = process.argv.slice(2);
if (!connectionString || !schema || !worker || !nameCount || !startAt) throw new Error("usage: pg-worker <url> <schema> <worker> <names> <startAt>");

const store = await postgresStore({ connectionString }, { schema });
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));

const won: string[] = [];
let lost = 0;
let conflicts = 0;
for (let i = 0; i < Number(nameCount); i++) {
  const name = `v${i}`;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 1000) throw new Error(`too many conflicts on ${name}`);
    const reservation = await store.get("names", `acme/p/model/${name}`);
    if (reservation !== undefined) {
      lost++;
      break;
    }
    const counter = await store.get("counters", "acme/p/model");
    const n = (counter?.value as { created?: number } | undefined)?.created ?? 0;
    try {
      await store.commit([
        { op: "put", collection: "names", key: `acme/p/model/${name}`, expect: 0, value: { uuid: `${worker}-${i}` } },
        { op: "put", collection: "versions", key: `${worker}-${i}`, expect: 0, value: { name, project: "acme/p", sequence: n + 1, worker } },
        { op: "put", collection: "counters", key: "acme/p/model", expect: counter?.revision ?? 0, value: { created: n + 1 } },
      ]);
      won.push(name);
      break;
    } catch (error) {
      if (!isRegistryError(error, "CONFLICT")) throw error;
      conflicts++;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    }
  }
}
await store.close?.();
process.stdout.write(JSON.stringify({ worker, won, lost, conflicts }) + "\n");
