// One circuit, read in the order the runbook teaches, for a person at a
// terminal: the verdict plus (with --routes) the full received route tables.
// With state configured, --routes also compares each path's table with the one
// kept for it (the prefixes that vanished since) and keeps what it read, except
// on a path with a prefix drop in force: that kept table is the one from before.

import { evaluateCircuit, type EvaluationPolicy } from "../core/evaluate.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { CircuitId } from "../core/resource-id.js";
import {
  droppedPathsIn,
  droppedPathsOf,
  keepablePaths,
  routeChanges,
  tablesToKeep,
  type RouteChange,
} from "../core/route-tables.js";
import { createReadSession, type CircuitReader, type ReadProgress } from "./ports.js";
import type { StateStore } from "./state-store.js";

export interface DiagnoseResult {
  verdict: CircuitVerdict;
  reading: CircuitReading;
  /** With --routes and state: each path's table against the one kept for it. */
  routeChanges?: RouteChange[];
}

export async function diagnose(
  reader: CircuitReader,
  circuit: CircuitId,
  options: {
    routes: boolean;
    abortSignal: AbortSignal;
    policy: EvaluationPolicy;
    now: Date;
    onRead?: (progress: ReadProgress) => void;
    /** Stored state, when configured: the snapshot and the kept route tables. */
    store?: StateStore;
  },
): Promise<DiagnoseResult> {
  const result = await reader.read(
    { ...circuit },
    {
      abortSignal: options.abortSignal,
      routes: options.routes,
      sequential: true,
      includeIgnored: true,
      onRead: options.onRead,
      session: createReadSession(),
    },
  );
  if (result.kind === "ignored")
    throw new Error("the reader skipped a circuit it was told to read");
  const { reading } = result;
  const store = options.store;
  if (!store || !options.routes) {
    const { verdict } = evaluateCircuit(reading, null, [], [], options.policy, options.now);
    return { verdict, reading };
  }
  const [snapshot, kept] = await Promise.all([
    store.getSnapshot(reading.ref.id),
    store.getRouteTables(reading.ref.id),
  ]);
  const previous = snapshot?.value ?? null;
  // Judged against the last sweep's snapshot, so a drop in force shows; nothing is written but the tables.
  const { verdict } = evaluateCircuit(reading, previous, [], [], options.policy, options.now);
  const stored = droppedPathsIn(previous);
  const seenNow = droppedPathsOf(verdict);
  const dropped = (peering: string) => [...new Set([...stored(peering), ...seenNow(peering)])];
  const changes = routeChanges(reading, kept, dropped);
  for (const table of tablesToKeep(reading, keepablePaths(verdict, dropped)))
    await store.putRouteTable(table);
  return { verdict, reading, routeChanges: changes };
}
