// What a run of deep reads does with each reading: judge it (with its pair's
// context), keep the route-table baseline, and commit its alerts, publishing
// at once. An outage that may group with others of the same provider and
// peering location (record-fleet.ts) waits for the end of the reads only when
// another circuit of that provider and location is read in the same run; a
// lone outage pages as soon as its circuit is recorded.

import type { AlertEvent } from "../core/alert-event.js";
import type { Holds } from "../core/alert-step.js";
import { fleetCandidates } from "../core/fleet.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { Silence } from "../core/policy.js";
import type { Logger } from "../logging.js";
import type { EagerPublisher } from "./eager-publish.js";
import type { Released } from "./pair-gate.js";
import type { CircuitTarget } from "./ports.js";
import {
  decideAndCommit,
  prepareCircuit,
  type KeyDecision,
  type PreparedCircuit,
} from "./record-circuit.js";
import { recordFleet } from "./record-fleet.js";
import { keepBaseline } from "./route-baseline.js";
import type { CircuitError } from "./scan.js";
import type { SweepDeps } from "./sweep.js";

export interface RecorderContext {
  deps: SweepDeps;
  silences: Silence[];
  sweepId: string;
  now: Date;
  log: Logger;
  publisher: EagerPublisher;
  /** Circuits whose route tables are kept as the baseline this run (lower-case ids). */
  baseline: Set<string>;
  /** The run's targets: who else of a provider and location is read now. */
  targets: CircuitTarget[];
  group: boolean;
  recorded?: (circuitId: string) => Promise<void>;
}

export interface RecorderResult {
  readings: CircuitReading[];
  verdicts: CircuitVerdict[];
  events: AlertEvent[];
  decisions: KeyDecision[];
  failed: CircuitError[];
  /** Outages still waiting to group (the run was stopped before they were committed). */
  waiting: { id: string; name: string }[];
}

const placeOf = (provider: string | null | undefined, location: string | null | undefined) =>
  provider?.trim() && location?.trim()
    ? `${provider.trim().toLowerCase()}|${location.trim().toLowerCase()}`
    : null;

/** Provider and location → how many of the run's targets the listing puts there. */
function placesOf(targets: CircuitTarget[]): Map<string, number> {
  const places = new Map<string, number>();
  for (const t of targets) {
    const place = placeOf(t.listed?.facts.serviceProviderName, t.listed?.facts.peeringLocation);
    if (place) places.set(place, (places.get(place) ?? 0) + 1);
  }
  return places;
}

export function circuitRecorder(ctx: RecorderContext) {
  const { deps, sweepId, now, log, publisher } = ctx;
  const recordDeps = { ...deps, silences: ctx.silences };
  const out: RecorderResult = {
    readings: [],
    verdicts: [],
    events: [],
    decisions: [],
    failed: [],
    waiting: [],
  };
  const deferred: { prepared: PreparedCircuit; log: Logger }[] = [];
  /** Circuits whose layers were read this run: a fleet alert resolves only when all its members were. */
  const readIds = new Set<string>();
  const places = placesOf(ctx.targets);

  const emit = (events: AlertEvent[], decisions: KeyDecision[], eventLog: Logger) => {
    out.events.push(...events);
    out.decisions.push(...decisions);
    for (const e of events)
      eventLog.info(
        { key: e.key, action: e.action, severity: e.severity, code: e.code, sequence: e.sequence },
        `alert ${e.action}`,
      );
    // A fault pages now, not when the rest of the estate has been read.
    if (events.length > 0 && deps.sink) publisher.kick();
  };

  const guarded = async (
    ref: { id: string; name: string },
    at: Logger,
    work: () => Promise<void>,
  ) => {
    try {
      await work();
    } catch (error) {
      at.error({ err: error }, "the circuit could not be recorded");
      out.failed.push({
        id: ref.id,
        name: ref.name,
        message: (error as Error).message ?? String(error),
      });
    }
  };

  const commit = async (prepared: PreparedCircuit, at: Logger, holds: Holds) => {
    const { verdict, observations, alerts } = prepared;
    const record = await decideAndCommit(
      recordDeps,
      verdict,
      observations,
      alerts,
      now,
      sweepId,
      at,
      holds,
    );
    out.verdicts.push(record.verdict);
    emit(record.events, record.decisions, at);
    await ctx.recorded?.(verdict.id);
  };

  /** Waits to group only when another circuit of its provider and location is read in this run. */
  const mayGroup = (prepared: PreparedCircuit) => {
    if (!ctx.group || fleetCandidates(prepared.verdict, prepared.observations).length === 0)
      return false;
    const place = placeOf(prepared.verdict.serviceProviderName, prepared.verdict.peeringLocation);
    return place !== null && (places.get(place) ?? 0) > 1;
  };

  return {
    /** One circuit judged and committed (or set aside to group); `read` carries its route tables. */
    async record({ reading, pair }: Released, read: CircuitReading | null) {
      const at = log.child({ circuitId: reading.ref.id, circuit: reading.ref.name });
      await guarded(reading.ref, at, async () => {
        out.readings.push(reading);
        const prepared = await prepareCircuit(
          recordDeps,
          reading,
          now,
          sweepId,
          at,
          pair ? { pair } : {},
        );
        if (read && ctx.baseline.has(read.ref.id.toLowerCase()))
          await keepBaseline(deps.store, read, prepared.verdict, now, at);
        if (prepared.verdict.circuitRead) readIds.add(reading.ref.id.toLowerCase());
        if (mayGroup(prepared)) deferred.push({ prepared, log: at });
        else await commit(prepared, at, new Map());
      });
    },
    /** The fleet alerts first, then the circuits that waited, held by them. */
    async group() {
      if (!ctx.group) return;
      const fleet = await recordFleet(
        recordDeps,
        deferred.map((d) => d.prepared),
        readIds,
        now,
        sweepId,
        log,
      );
      emit(fleet.events, fleet.decisions, log);
      for (const d of deferred.splice(0))
        await guarded(d.prepared.verdict, d.log, () => commit(d.prepared, d.log, fleet.holds));
    },
    result(): RecorderResult {
      return {
        ...out,
        waiting: deferred.map(({ prepared: { verdict: v } }) => ({ id: v.id, name: v.name })),
      };
    },
  };
}
