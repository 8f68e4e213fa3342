// A child process for the multi-process registry tests: opens the store named on the command line,
// registers COUNT model versions into acme/churn (even ones auto-named, odd ones named), and prints
// one JSON line with the names it got acknowledged.
//   node --import tsx test/support/register-child.ts fs <dir> <worker> <count>
//   node --import tsx test/support/register-child.ts pg <connectionString> <worker> <count> <schema>
import { createRegistry, SYSTEM, type Store } from "../../src/index.js";
import { fileStore } from "../../src/adapters/fs/index.js";
import { postgresStore } from "../../src/adapters/postgres/index.js";

const [kind, location = "", worker = "w", countText = "10", schema] = process.argv.slice(2);
const store: Store =
  kind === "pg"
    ? await postgresStore({ connectionString: location }, schema === undefined ? {} : { schema })
    : await fileStore({ dir: location, durability: "full" });
const session = createRegistry({ store, onWarning: () => undefined }).as(SYSTEM);
const names: string[] = [];
for (let index = 0; index < Number(countText); index++) {
  const version = await session.models.register(index % 2 === 0 ? { project: "acme/churn" } : { project: "acme/churn", name: `${worker}-${index}` });
  names.push(version.name);
}
await store.close?.();
process.stdout.write(`${JSON.stringify({ worker, names })}\n`);
