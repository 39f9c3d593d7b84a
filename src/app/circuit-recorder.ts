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

export class CircuitRecorder {
  private readonly recordDeps: SweepDeps & { silences: Silence[] };
  private readonly out: Omit<RecorderResult, "waiting"> = {
    readings: [],
    verdicts: [],
    events: [],
    decisions: [],
    failed: [],
  };
  private readonly deferred: { prepared: PreparedCircuit; log: Logger }[] = [];
  /** Circuits whose layers were read this run: a fleet alert resolves only when all its members were. */
  private readonly readIds = new Set<string>();
  private readonly places: Map<string, number>;

  constructor(private readonly ctx: RecorderContext) {
    this.recordDeps = { ...ctx.deps, silences: ctx.silences };
    this.places = placesOf(ctx.targets);
  }

  /** One circuit judged and committed (or set aside to group); `read` carries its route tables. */
  async record({ reading, pair }: Released, read: CircuitReading | null): Promise<void> {
    const { ctx } = this;
    const at = ctx.log.child({ circuitId: reading.ref.id, circuit: reading.ref.name });
    await this.guarded(reading.ref, at, async () => {
      // Kept for the result (reports read its paths); its metrics series are
      // judged already and would hold megabytes across a large sweep.
      const { dataPlane: _judged, ...kept } = reading;
      this.out.readings.push(kept);
      const context = pair ? { pair } : {};
      const prepared = await prepareCircuit(
        this.recordDeps,
        reading,
        ctx.now,
        ctx.sweepId,
        at,
        context,
      );
      if (read && ctx.baseline.has(read.ref.id.toLowerCase()))
        await keepBaseline(ctx.deps.store, read, prepared.verdict, ctx.now, at);
      if (prepared.verdict.circuitRead) this.readIds.add(reading.ref.id.toLowerCase());
      if (this.mayGroup(prepared)) this.deferred.push({ prepared, log: at });
      else await this.commit(prepared, at, new Map());
    });
  }

  /** The fleet alerts first, then the circuits that waited, held by them. */
  async group(): Promise<void> {
    const { ctx } = this;
    if (!ctx.group) return;
    const prepared = this.deferred.map((d) => d.prepared);
    const fleet = await recordFleet(
      this.recordDeps,
      prepared,
      this.readIds,
      ctx.now,
      ctx.sweepId,
      ctx.log,
    );
    this.emit(fleet.events, fleet.decisions, ctx.log);
    for (const d of this.deferred.splice(0))
      await this.guarded(d.prepared.verdict, d.log, () =>
        this.commit(d.prepared, d.log, fleet.holds),
      );
  }

  result(): RecorderResult {
    const waiting = this.deferred.map(({ prepared: { verdict: v } }) => ({
      id: v.id,
      name: v.name,
    }));
    return { ...this.out, waiting };
  }

  /** Waits to group only when another circuit of its provider and location is read in this run. */
  private mayGroup(prepared: PreparedCircuit): boolean {
    if (!this.ctx.group || fleetCandidates(prepared.verdict, prepared.observations).length === 0)
      return false;
    const place = placeOf(prepared.verdict.serviceProviderName, prepared.verdict.peeringLocation);
    return place !== null && (this.places.get(place) ?? 0) > 1;
  }

  private async commit(prepared: PreparedCircuit, at: Logger, holds: Holds): Promise<void> {
    const { ctx } = this;
    const { verdict, observations, alerts } = prepared;
    const record = await decideAndCommit(
      this.recordDeps,
      verdict,
      observations,
      alerts,
      ctx.now,
      ctx.sweepId,
      at,
      holds,
    );
    this.out.verdicts.push(record.verdict);
    this.emit(record.events, record.decisions, at);
    await ctx.recorded?.(verdict.id);
  }

  private emit(events: AlertEvent[], decisions: KeyDecision[], at: Logger): void {
    this.out.events.push(...events);
    this.out.decisions.push(...decisions);
    for (const e of events)
      at.info(
        { key: e.key, action: e.action, severity: e.severity, code: e.code, sequence: e.sequence },
        `alert ${e.action}`,
      );
    // A fault pages now, not when the rest of the estate has been read.
    if (events.length > 0 && this.ctx.deps.sink) this.ctx.publisher.kick();
  }

  /** A failure here is storage or a bug for this circuit: said, counted, and the others go on. */
  private async guarded(
    ref: { id: string; name: string },
    at: Logger,
    work: () => Promise<void>,
  ): Promise<void> {
    try {
      await work();
    } catch (error) {
      at.error({ err: error }, "the circuit could not be recorded");
      const message = (error as Error).message ?? String(error);
      this.out.failed.push({ id: ref.id, name: ref.name, message });
    }
  }
}
