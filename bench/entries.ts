// Cold start of each Azure Functions entry module: the time to import it and
// the resident set after, in a fresh Node process each time (median of a
// few), from the compiled dist/ the package ships, with the node arguments
// the Function App runs with.

import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { deployedNodeArguments } from "./harness.js";

export interface EntryCost {
  entry: string;
  importMs: number;
  rssMb: number;
}

const PROBE = `
const t0 = performance.now();
await import(process.argv[1]);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, rss: process.memoryUsage().rss }));
`;

export function measureEntries(
  root: string,
  runs = 5,
  nodeArguments = deployedNodeArguments(),
): EntryCost[] {
  execFileSync(
    process.execPath,
    [
      join(root, "node_modules", "typescript", "bin", "tsc"),
      "-p",
      join(root, "tsconfig.build.json"),
    ],
    {
      stdio: "inherit",
    },
  );
  const dir = join(root, "dist", "functions");
  const entries = readdirSync(dir).filter((f) => f.endsWith(".js") && f !== "deps.js");
  return entries.map((file) => {
    const samples = Array.from({ length: runs }, () => {
      const out = spawnSync(
        process.execPath,
        [
          ...nodeArguments.split(" ").filter(Boolean),
          "--input-type=module",
          "-e",
          PROBE,
          pathToFileURL(join(dir, file)).href,
        ],
        { cwd: root, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } },
      );
      if (out.status !== 0) throw new Error(`importing ${file} failed: ${out.stderr}`);
      return JSON.parse(out.stdout) as { ms: number; rss: number };
    }).sort((a, b) => a.ms - b.ms);
    const median = samples[Math.floor(samples.length / 2)]!;
    return {
      entry: file.replace(/\.js$/, ""),
      importMs: Math.round(median.ms),
      rssMb: Math.round(median.rss / 1_048_576),
    };
  });
}
