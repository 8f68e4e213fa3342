/**
 * Runs a TypeScript worker script in a child process (`node --import tsx`) from the repository root and
 * answers the last line it printed, parsed as JSON. Rejects with the worker's stderr when it exits with
 * a non-zero code, and with its output when that last line is not JSON.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export function runTsxWorker<T>(script: string, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`worker ${script} ${args.join(" ")} exited with ${code}: ${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "") as T);
      } catch (error) {
        reject(new Error(`worker ${script} ${args.join(" ")} printed ${stdout} ${stderr}: ${String(error)}`));
      }
    });
  });
}
