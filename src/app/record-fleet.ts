// The fleet step of a sweep, after its reads (Alertmanager's group_by and
// group_wait): circuits that share provider and peering location and broke at
// the same layer are one fleet-outage alert under a pseudo-circuit
// (/erwatch/fleet/...), committed before its members, whose own outage alerts
// it then holds. The rules are in src/core/fleet.ts; this file only loads,
// commits and logs.

import type { AlertEvent } from "../core/alert-event.js";
import type { Holds } from "../core/alert-step.js";
import { fleetCandidates, fleetStep, openFleetOf } from "../core/fleet.js";
import { subjectVerdict } from "../core/sight.js";
import type { Logger } from "../logging.js";
import {
  decideAndCommit,
  type KeyDecision,
  type PreparedCircuit,
  type RecordDeps,
} from "./record-circuit.js";

export interface FleetRecord {
  events: AlertEvent[];
  decisions: KeyDecision[];
  /** Member alert key → the fleet alert holding it (only fleet alerts committed). */
  holds: Holds;
}

/** Never fails the sweep: a fleet alert that cannot be committed holds nothing, so its members page. */
export async function recordFleet(
  deps: RecordDeps,
  deferred: PreparedCircuit[],
  /** Circuits read this run (their layers known), lower-case ids. */
  read: ReadonlySet<string>,
  now: Date,
  writer: string,
  log: Logger,
  /** Which open fleet alerts (by pseudo-circuit id) this call decides; all when absent. */
  decides: (fleetCircuitId: string) => boolean = () => true,
): Promise<FleetRecord> {
  const out: FleetRecord = { events: [], decisions: [], holds: new Map() };
  let stored;
  try {
    stored = (await deps.store.listAlerts()).filter(
      (a) => a.value.family === "fleet" && decides(a.value.circuitId),
    );
  } catch (error) {
    log.error({ err: error }, "fleet alerts could not be listed; circuits page one by one");
    return out;
  }
  const open = stored.flatMap((a) => openFleetOf(a.value) ?? []);
  const candidates = deferred.flatMap((p) =>
    fleetCandidates(
      p.verdict,
      p.observations,
      new Map([...p.alerts].map(([key, stored]) => [key, stored.value])),
    ),
  );
  const step = fleetStep(candidates, open, read);
  const committed = new Set<string>();
  for (const { subject, observation } of step.observations) {
    const verdict = subjectVerdict({ ...subject, resourceGroup: "" }, now);
    const alerts = new Map(
      stored.filter((a) => a.value.key === observation.key).map((a) => [a.value.key, a]),
    );
    try {
      const record = await decideAndCommit(deps, verdict, [observation], alerts, now, writer, log);
      out.events.push(...record.events);
      out.decisions.push(...record.decisions);
      // A fleet alert another run already judged at this instant was not
      // rewritten here and may not name this run's members: it holds none of them.
      if (record.decisions.some((d) => d.key === observation.key)) committed.add(observation.key);
    } catch (error) {
      log.error({ err: error, fleet: subject.id }, "the fleet alert could not be recorded");
    }
  }
  for (const [key, hold] of step.holds) if (committed.has(hold.by)) out.holds.set(key, hold);
  if (step.observations.length > 0)
    log.info(
      { fleets: step.observations.length, held: out.holds.size, events: out.events.length },
      "fleet outages grouped",
    );
  return out;
}
