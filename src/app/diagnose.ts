// One circuit, read in the order the runbook teaches, for a person at a
// terminal: the verdict plus (with --routes) the full received route tables.
// With state configured, --routes also compares each path's table with the one
// kept for it (the prefixes that vanished since) and keeps what it read, except
// on a path with a prefix drop in force: that kept table is the one from before.
// When end-to-end tests fail with every layer healthy, it also reads what the
// ExpressRoute gateway learned and says whether the on-premises prefixes the
// circuit receives reached it (reading the route tables for that if needed).

import {
  learnedRoutesVerdict,
  receivedPrefixes,
  withLearnedRoutes,
  type LearnedRoutesVerdict,
} from "../core/dataplane/routes.js";
import { evaluateCircuit, type EvaluationPolicy } from "../core/evaluate.js";
import type { CircuitReading, CircuitVerdict, RouteRow } from "../core/model.js";
import { PATHS } from "../core/model.js";
import type { CircuitId } from "../core/resource-id.js";
import {
  droppedPathsIn,
  droppedPathsOf,
  keepablePaths,
  routeChanges,
  tablesToKeep,
  type RouteChange,
} from "../core/route-tables.js";
import { startDataPlane } from "./data-plane.js";
import {
  createReadSession,
  type CircuitReader,
  type DataPlaneReader,
  type ReadProgress,
  type ReadSession,
} from "./ports.js";
import type { StateStore } from "./state-store.js";

export interface DiagnoseResult {
  verdict: CircuitVerdict;
  reading: CircuitReading;
  /** With --routes and state: each path's table against the one kept for it. */
  routeChanges?: RouteChange[];
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
  /** Stored state, when configured: the snapshot and the kept route tables. */
  store?: StateStore;
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

/** Judged against the last sweep's snapshot, so a drop in force shows; nothing is written but the tables. */
async function withKeptTables(
  reading: CircuitReading,
  store: StateStore,
  options: DiagnoseOptions,
): Promise<{ verdict: CircuitVerdict; routeChanges: RouteChange[] }> {
  const [snapshot, kept] = await Promise.all([
    store.getSnapshot(reading.ref.id),
    store.getRouteTables(reading.ref.id),
  ]);
  const previous = snapshot?.value ?? null;
  const { verdict } = evaluateCircuit(reading, previous, [], [], options.policy, options.now);
  const stored = droppedPathsIn(previous);
  const seenNow = droppedPathsOf(verdict);
  const dropped = (peering: string) => [...new Set([...stored(peering), ...seenNow(peering)])];
  const changes = routeChanges(reading, kept, dropped);
  for (const table of tablesToKeep(reading, keepablePaths(verdict, dropped)))
    await store.putRouteTable(table);
  return { verdict, routeChanges: changes };
}

/** The circuit's received routes on the peering the end-to-end tests ride. */
function routeTables(reading: CircuitReading, peering: string | null): RouteRow[][] | null {
  const paths = peering ? reading.paths[peering] : undefined;
  if (!paths) return null;
  const tables = PATHS.map((p) => paths[p].routes);
  if (tables.some((t) => t === undefined)) return null;
  return tables.flatMap((t) => (t && t.ok ? [t.value] : []));
}

/** Every layer reads healthy but end to end fails: did the on-premises prefixes reach the gateway? */
async function learnedRoutes(
  reader: CircuitReader,
  circuit: CircuitId,
  reading: CircuitReading,
  verdict: CircuitVerdict,
  dataPlane: DataPlaneReader,
  options: DiagnoseOptions,
  session: ReadSession,
): Promise<Pick<DiagnoseResult, "verdict" | "learnedRoutes">> {
  const e2e = verdict.findings.find((f) => f.code === "e2e-fail" || f.code === "e2e-warning");
  if (!e2e) return { verdict };
  let tables = routeTables(reading, e2e.peering);
  if (tables === null) {
    const again = await readOnce(reader, circuit, options, true, session);
    tables = routeTables(again, e2e.peering) ?? [];
  }
  const received = receivedPrefixes(tables);
  const dpOptions = { abortSignal: options.abortSignal, now: options.now, session };
  const gateways = await dataPlane.readLearnedRoutes(reading, dpOptions);
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
  return { verdict: withLearnedRoutes(verdict, { verdicts, failures }), learnedRoutes: verdicts };
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
  const judged =
    options.store && options.routes
      ? await withKeptTables(reading, options.store, options)
      : { verdict: evaluateCircuit(reading, null, [], [], options.policy, options.now).verdict };
  if (!options.dataPlane) return { ...judged, reading };
  const learned = await learnedRoutes(
    reader,
    circuit,
    reading,
    judged.verdict,
    options.dataPlane,
    options,
    session,
  );
  return { ...judged, ...learned, reading };
}
