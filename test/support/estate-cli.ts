// The on-call CLI run in-process against a simulated estate: the real SDK on
// the wire, the real classifier, the public JSON report out.

import type { CliDeps } from "../../src/cli/program.js";
import { runCli } from "../../src/cli/program.js";
import type { Report, ReportCircuit } from "../../src/app/report.js";
import type { SimulatedEstate } from "./estate/index.js";
import { estateAccess } from "./estate-access.js";

export const SUB = "00000000-0000-0000-0000-000000000001";
export const RG = "rg-hybrid-core";
export const circuitId = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/expressRouteCircuits/${name}`;

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** `extra.env` adds settings on top of the estate's (storage for stateful commands). */
export async function cliOn(
  estate: SimulatedEstate,
  argv: string[],
  extra: Partial<CliDeps> = {},
): Promise<Ran> {
  const { env, ...rest } = extra;
  const access = estateAccess(estate, env ?? {});
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    credential: access.credential,
    armClientOptions: access.armClientOptions,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    now: () => new Date("2026-11-22T02:07:00Z"),
    ...rest,
    env: access.env,
  });
  return { code, stdout, stderr };
}

/** `erwatch sweep --output json` over the default subscription; fails loudly when nothing is printed. */
export async function sweepReport(
  estate: SimulatedEstate,
  ...more: string[]
): Promise<{ report: Report; code: number; stderr: string }> {
  const ran = await cliOn(estate, ["sweep", "--subscription", SUB, "--output", "json", ...more]);
  if (ran.stdout.trim() === "")
    throw new Error(`sweep printed nothing (exit ${ran.code}): ${ran.stderr}`);
  return { report: JSON.parse(ran.stdout) as Report, code: ran.code, stderr: ran.stderr };
}

export async function diagnoseReport(
  estate: SimulatedEstate,
  name: string,
): Promise<ReportCircuit> {
  const ran = await cliOn(estate, ["diagnose", circuitId(name), "--output", "json"]);
  if (ran.stdout.trim() === "")
    throw new Error(`diagnose printed nothing (exit ${ran.code}): ${ran.stderr}`);
  return (JSON.parse(ran.stdout) as Report).circuits[0]!;
}

export const byName = (report: Report, name: string): ReportCircuit => {
  const found = report.circuits.find((c) => c.name === name);
  if (!found) throw new Error(`circuit ${name} not in the report`);
  return found;
};

/** One line per finding: what a person scans first. */
export const summary = (c: ReportCircuit) =>
  c.findings.map((f) => `${f.code} ${f.severity} ${f.owner} ${f.peering} ${f.paths.join("+")}`);
