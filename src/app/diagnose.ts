// One circuit, read in the order the runbook teaches, for a person at a
// terminal: the verdict plus (with --routes) the full received route tables.
// When end-to-end tests fail with every layer healthy, it also reads what the
// ExpressRoute gateway learned and says whether the on-premises prefixes the
// circuit receives reached it (reading the route tables for that if needed).

import {
  learnedRoutesVerdict,
  receivedPrefixes,
  withLearnedRoutes,
} from "../core/dataplane/routes.js";
import { evaluateCircuit, type EvaluationPolicy } from "../core/evaluate.js";
import type { CircuitReading, CircuitVerdict, RouteRow } from "../core/model.js";
import { PATHS } from "../core/model.js";
import type { CircuitId } from "../core/resource-id.js";
import type { LearnedRoutesVerdict } from "../core/dataplane/routes.js";
import { startDataPlane } from "./data-plane.js";
import {
  createReadSession,
  type CircuitReader,
  type DataPlaneReader,
  type ReadProgress,
  type ReadSession,
} from "./ports.js";

export interface DiagnoseResult {
  verdict: CircuitVerdict;
  reading: CircuitReading;
  /** Per VNet gateway wired to the circuit, when end-to-end failed with the layers healthy. */
  learnedRoutes?: LearnedRoutesVerdict[];
}

interface DiagnoseOptions {
  routes: boolean;
  abortSignal: AbortSignal;
  policy: EvaluationPolicy;
  now: Date;
  onRead?: (progress: ReadProgress) => void;
  dataPlane?: DataPlaneReader;
}

async function readOnce(
  reader: CircuitReader,
  circuit: CircuitId,
  options: DiagnoseOptions,
  routes: boolean,
  session: ReadSession,
): Promise<CircuitReading> {
  const result = await reader.read(
    { ...circuit },
    {
      abortSignal: options.abortSignal,
      routes,
      sequential: true,
      includeIgnored: true,
      onRead: options.onRead,
      session,
    },
  );
  if (result.kind === "ignored")
    throw new Error("the reader skipped a circuit it was told to read");
  return result.reading;
}

/** The circuit's received routes on the peering the end-to-end tests ride. */
function routeTables(reading: CircuitReading, peering: string | null): RouteRow[][] | null {
  const paths = peering ? reading.paths[peering] : undefined;
  if (!paths) return null;
  const tables = PATHS.map((p) => paths[p].routes);
  if (tables.some((t) => t === undefined)) return null;
  return tables.flatMap((t) => (t && t.ok ? [t.value] : []));
}

export async function diagnose(
  reader: CircuitReader,
  circuit: CircuitId,
  options: DiagnoseOptions,
): Promise<DiagnoseResult> {
  const session = createReadSession();
  const dpOptions = { abortSignal: options.abortSignal, now: options.now, session };
  const dataPlane = startDataPlane(options.dataPlane, [], dpOptions);
  const reading = await dataPlane.attach(
    await readOnce(reader, circuit, options, options.routes, session),
  );
  const { verdict } = evaluateCircuit(reading, null, [], [], options.policy, options.now);
  const e2e = verdict.findings.find((f) => f.code === "e2e-fail" || f.code === "e2e-warning");
  if (!options.dataPlane || !e2e) return { verdict, reading };

  // Every layer reads healthy: did the on-premises prefixes reach the gateway?
  let tables = routeTables(reading, e2e.peering);
  if (tables === null) {
    const again = await readOnce(reader, circuit, options, true, session);
    tables = routeTables(again, e2e.peering) ?? [];
  }
  const received = receivedPrefixes(tables);
  const gateways = await options.dataPlane.readLearnedRoutes(reading, dpOptions);
  const verdicts = gateways.flatMap((g) =>
    g.routes.ok ? [learnedRoutesVerdict(g.gatewayId, received, g.routes.value)] : [],
  );
  const failures = gateways.flatMap((g) =>
    g.routes.ok
      ? []
      : [
          `${g.gatewayId.split("/").pop()}: ${g.routes.error.kind}${g.routes.error.missingPermission ? ` (missing ${g.routes.error.missingPermission})` : ""}`,
        ],
  );
  return {
    verdict: withLearnedRoutes(verdict, { verdicts, failures }),
    reading,
    learnedRoutes: verdicts,
  };
}
