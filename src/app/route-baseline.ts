// The stateful sweep's baseline of received route tables (see
// core/route-tables.ts for why and when): choose the few circuits whose tables
// are read along with their normal read this sweep, then keep what they
// returned. Never fails the sweep: a storage or read problem is logged and the
// circuit is tried again after `keepEveryHours`.

import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import {
  baselineDue,
  droppedPathsOf,
  keepablePaths,
  tablesToKeep,
  type RouteTablePolicy,
} from "../core/route-tables.js";
import type { Logger } from "../logging.js";
import type { CircuitTarget } from "./ports.js";
import type { StateStore } from "./state-store.js";

/** Lower-case ids of the circuits whose route tables this sweep reads. */
export async function baselineTargets(
  store: StateStore,
  targets: CircuitTarget[],
  policy: RouteTablePolicy,
  now: Date,
  log: Logger,
): Promise<Set<string>> {
  if (policy.perSweep <= 0 || targets.length === 0) return new Set();
  try {
    const marks = await store.listRouteTableMarks();
    const due = baselineDue(
      targets.map((t) => t.id),
      marks,
      policy,
      now,
    );
    return new Set(due.map((id) => id.toLowerCase()));
  } catch (error) {
    log.warn({ err: error }, "could not list kept route tables; no baseline this sweep");
    return new Set();
  }
}

/** Keeps the route tables a baseline read returned, for the paths that may be kept. */
export async function keepBaseline(
  store: StateStore,
  reading: CircuitReading,
  verdict: CircuitVerdict,
  now: Date,
  log: Logger,
): Promise<number> {
  const tables = tablesToKeep(reading, keepablePaths(verdict, droppedPathsOf(verdict)));
  let kept = 0;
  for (const table of tables) {
    try {
      await store.putRouteTable(table);
      kept += 1;
    } catch (error) {
      log.warn(
        { err: error, peering: table.peering, path: table.path, routes: table.networks.length },
        "could not keep the route table",
      );
    }
  }
  for (const [peering, byPath] of Object.entries(reading.paths))
    for (const [path, r] of Object.entries(byPath))
      if (r.routes && !r.routes.ok)
        log.warn({ peering, path, failure: r.routes.error }, "route table read failed");
  try {
    await store.markRouteTableAttempt({
      circuitId: reading.ref.id,
      attemptedAt: now.toISOString(),
    });
  } catch (error) {
    log.warn({ err: error }, "could not record the route table read");
  }
  return kept;
}
