// npm run bench [-- --sizes 50,200,500 --steady 6 --memory 1000 --naive 3 --no-entries]
//
// erwatch against a loopback ARM that costs what Azure's does: the full deep
// sweep, the steady-state tiered sweep of a healthy estate, the naive
// baseline, the lower bound from ARM's buckets and latency, a fault injected
// mid-run, peak RSS, and each Function entry's import time and RSS. Prints
// Markdown tables (the README shows a run on this machine).

import { join } from "node:path";
import { measureEntries } from "./entries.js";
import { READS_PER_PATH } from "./estate.js";
import { formatTable, lowerBoundS, runBench } from "./harness.js";

const ROOT = join(import.meta.dirname, "..");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const sizes = arg("sizes", "50,200,500")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const entries = process.argv.includes("--no-entries") ? [] : measureEntries(ROOT);
  const started = Date.now();
  const report = await runBench({
    sizes,
    steadySweeps: Number(arg("steady", "6")),
    naiveSample: Number(arg("naive", "3")),
    memoryCircuits: Number(arg("memory", "1000")),
    cost: {},
    log,
  });
  const out = (line = "") => process.stdout.write(`${line}\n`);
  out(
    `## erwatch bench (${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s)`,
  );
  out();
  out(
    `ARM cost model: reads ${report.cost.reads.capacity} @ ${report.cost.reads.perSecond}/s, POST actions ${report.cost.writes.capacity} @ ${report.cost.writes.perSecond}/s per subscription, 429 + Retry-After beyond; long-running reads ${report.cost.lroLatencyMs / 1000} ± ${report.cost.lroSpreadMs / 1000} s; metric delay ${report.cost.metricDelayMs / 1000} s (fault→page target ${report.faultTargetS} s). Naive baseline: ${report.naivePerCircuitS ?? "—"} s per circuit.`,
  );
  out();
  out(formatTable(report));
  out();
  out(
    `Lower bound per size (s; route summaries, which prove layer 2 on a healthy estate): ${Object.entries(
      report.bounds,
    )
      .map(([n, b]) => `${n}: ${Math.round(b)}`)
      .join(", ")}; with the seed's ARP reads as well: ${Object.keys(report.bounds)
      .map((n) => `${n}: ${Math.round(lowerBoundS(Number(n), report.cost, READS_PER_PATH))}`)
      .join(", ")}`,
  );
  for (const r of report.rows) if (r.note) out(`- ${r.scenario}, ${r.circuits}: ${r.note}`);
  if (entries.length > 0) {
    out();
    out("| Function entry | import ms | RSS MB |");
    out("| --- | --- | --- |");
    for (const e of entries) out(`| ${e.entry} | ${e.importMs} | ${e.rssMb} |`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
