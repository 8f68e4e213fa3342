#!/usr/bin/env node
/**
 * The `artifact-versions` / `artv` executable: wires `main()` to the real process.
 * @module
 */
import { createInterface } from "node:readline/promises";
import { main } from "./main.js";

async function prompt(question: string): Promise<string> {
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await readline.question(question);
  } finally {
    readline.close();
  }
}

// No top-level await: the bin is also built as CommonJS.
void main(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdin.isTTY === true,
  prompt,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error [INTERNAL]: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
