// What a run of deep reads does with each reading: judge it (with its pair's
// context), keep the route-table baseline, and commit its alerts, publishing
// at once. An outage that may group with others of the same provider and
// peering location (record-fleet.ts) waits only while another circuit of that
// provider and location is read in the same run, and only for the suspects:
// the circuits the plan read first because something already pointed at them
// (trouble, a signal, a change, new). Once those are recorded the place's
// outages are grouped and paged, without waiting for the rotation's quiet
// reads, unless they are one circuit's: that waits for its place's other
// reads of the run, as a quiet read's does. An outage a quiet read finds at
// a place with no suspect left to record waits for the other reads of its
// place in the run only (they would find the same outage: one page for the
// place, not one per circuit), never for the rest of the estate's. At the run's deadline whatever still waits
// groups at once: reads still in flight at the hard stop are cut, and an
// outage held for them would go unpaged for the sweep.
// A circuit named without a listing (POST /api/sweep) is where it was last
// read (its stored snapshot); one never read is at no place the run knows,
// and its outage waits only where other circuits are known to be. One whose
// reading puts it elsewhere leaves the place it was expected at: nothing
// there waits for it any more.
// An outage a quiet read finds after its place's fleet alert went out
// waits for the end of the reads and then joins that alert, which says so
// (never held by an alert that does not name it); one found at a place not
// grouped yet groups then too. A lone outage pages as soon as its circuit is
// recorded.

import type { AlertEvent } from "../core/alert-event.js";
import type { Holds } from "../core/alert-step.js";
import { fleetMemberRead, fleetPlacePrefix } from "../core/fleet.js";
import { placeKey } from "../core/place.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { Silence } from "../core/policy.js";
import { healthLine, type Logger } from "../logging.js";
import type { EagerPublisher } from "./eager-publish.js";
import { storedPeerMaxAgeMs, type Released } from "./pair-gate.js";
import type { CircuitTarget } from "./ports.js";
import {
  decideAndCommit,
  prepareCircuit,
  type KeyDecision,
  type PreparedCircuit,
} from "./record-circuit.js";
import { candidatesOf, recordFleet, type FleetPlace } from "./record-fleet.js";
import { keepBaseline } from "./route-baseline.js";
import { SharedMonitors } from "./shared-monitors.js";
import type { CircuitError } from "./scan.js";
import type { SweepDeps } from "./sweep.js";
import { placeOfTarget, type CircuitPlace } from "./sweep-plan.js";

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
  /** Where targets without a listing were last read, by lower-case id (sweep-plan.ts storedPlaces). */
  places?: ReadonlyMap<string, CircuitPlace>;
  group: boolean;
  /**
   * The run reads part of the sweep (a fan-out worker's batch): it decides
   * only the fleet alerts where it found outages, never that one is over.
   */
  partial?: boolean;
  /**
   * The run reads named circuits, not the estate (POST /api/sweep, the CLI):
   * at the end of its reads it judges only the fleet alerts at its circuits'
   * places. Judged elsewhere, one it read no member of was observed UNKNOWN,
   * which moved its last judgement on, and with fan-out the timer then found
   * nothing read since and held its resolve a sweep.
   */
  named?: boolean;
  /**
   * The targets the plan read for a reason to suspect them (lower-case ids);
   * an outage waits to group only until these of its place are recorded.
   * Absent: every target of the run counts.
   */
  suspects?: ReadonlySet<string>;
  recorded?: (circuitId: string) => Promise<void>;
  /**
   * The circuits the sweep's listing found and watches (lower-case ids), when
   * it listed the estate: a stored snapshot of any other (tagged
   * erwatch:ignore, deleted, out of scope) speaks for nothing.
   */
  watched?: ReadonlySet<string>;
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

type Stored = ReadonlyMap<string, CircuitPlace> | undefined;

const targetPlace = (t: CircuitTarget, stored: Stored) => {
  const at = placeOfTarget(t, stored);
  return at ? placeKey(at.provider, at.location) : null;
};

/** Provider and location → how many of the run's targets are there. */
function placesOf(targets: CircuitTarget[], stored: Stored): Map<string, number> {
  const places = new Map<string, number>();
  for (const t of targets) {
    const place = targetPlace(t, stored);
    if (place) places.set(place, (places.get(place) ?? 0) + 1);
  }
  return places;
}

/** Where the run's targets are, each place once: the fleet alerts judged when the Alerts table cannot be listed. */
function fleetPlacesOfRun(targets: CircuitTarget[], stored: Stored): FleetPlace[] {
  const places = new Map<string, FleetPlace>();
  for (const t of targets) {
    const at = placeOfTarget(t, stored);
    if (at) places.set(placeKey(at.provider, at.location)!, at);
  }
  return [...places.values()];
}

/** Provider and location → the suspects there not yet recorded (lower-case ids). */
function suspectsOf(
  targets: CircuitTarget[],
  suspects: ReadonlySet<string> | undefined,
  stored: Stored,
): Map<string, Set<string>> {
  const pending = new Map<string, Set<string>>();
  for (const t of targets) {
    const place = targetPlace(t, stored);
    const id = t.id.toLowerCase();
    if (!place || (suspects && !suspects.has(id))) continue;
    pending.set(place, (pending.get(place) ?? new Set()).add(id));
  }
  return pending;
}

interface Deferred {
  prepared: PreparedCircuit;
  log: Logger;
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
  private readonly deferred: Deferred[] = [];
  /** Suspects per place still to be recorded: a place whose list is empty groups at once. */
  private readonly pending: Map<string, Set<string>>;
  private readonly placeById = new Map<string, string>();
  /** Grouping runs one place at a time, so a fleet alert is written before the next looks for it. */
  private grouping: Promise<void> = Promise.resolve();
  /** Places (fleet id prefixes) grouped before the end of the reads: their fleet alerts are decided. */
  private readonly decided = new Set<string>();
  /** Circuits whose layers were read this run: a fleet alert resolves only when all its members were. */
  private readonly readIds = new Set<string>();
  /** Circuits recorded (or set aside to group) this run, lower-case. */
  private readonly recordedIds = new Set<string>();
  /** The last call before the hard stop passed: an outage found since groups at once. */
  private flushed = false;
  private readonly places: Map<string, number>;
  /** Where this run reads: the fleet alerts judged when the Alerts table cannot be listed. */
  private readonly fleetPlaces: FleetPlace[];
  /** Who else the circuits' Connection Monitors test: one end-to-end page per monitor. */
  private readonly monitors: SharedMonitors;

  constructor(private readonly ctx: RecorderContext) {
    this.recordDeps = { ...ctx.deps, silences: ctx.silences };
    this.places = placesOf(ctx.targets, ctx.places);
    // A batch never says a fleet outage is over: it looks only where it found one.
    this.fleetPlaces = ctx.partial ? [] : fleetPlacesOfRun(ctx.targets, ctx.places);
    this.pending = suspectsOf(ctx.targets, ctx.suspects, ctx.places);
    this.monitors = new SharedMonitors({
      store: ctx.deps.store,
      now: ctx.now,
      maxAgeMs: storedPeerMaxAgeMs(ctx.deps),
      silences: ctx.silences,
      policy: ctx.deps.policy.alerts,
      routing: ctx.deps.routing ?? null,
      ...(ctx.deps.tick ? { tick: true } : {}),
      ...(ctx.watched ? { watched: ctx.watched } : {}),
      log: ctx.log,
    });
    for (const t of ctx.targets) {
      const place = targetPlace(t, ctx.places);
      if (place) this.placeById.set(t.id.toLowerCase(), place);
    }
  }

  /** One circuit judged and committed (or set aside to group); `read` carries its route tables. */
  async record({ reading, pair, reach }: Released, read: CircuitReading | null): Promise<void> {
    const { ctx } = this;
    const at = ctx.log.child({ circuitId: reading.ref.id, circuit: reading.ref.name });
    let readAt: string | null = null;
    await this.guarded(reading.ref, at, async () => {
      // Kept for the result (reports read its paths); its metrics series are
      // judged already and would hold megabytes across a large sweep.
      const { dataPlane: _judged, ...kept } = reading;
      this.out.readings.push(kept);
      const context = { ...(pair ? { pair } : {}), ...(reach ? { reach } : {}) };
      const prepared = await prepareCircuit(
        this.recordDeps,
        reading,
        ctx.now,
        ctx.sweepId,
        at,
        context,
      );
      readAt = this.placeOfPrepared(prepared);
      this.monitors.judged(prepared);
      if (read && ctx.baseline.has(read.ref.id.toLowerCase()))
        await keepBaseline(ctx.deps.store, read, prepared.verdict, ctx.now, at);
      // Read means its outage's layers were: a member whose path reads failed is
      // UNKNOWN, named as last seen, never "read without the outage".
      if (fleetMemberRead(prepared.verdict, prepared.observations, reading))
        this.readIds.add(reading.ref.id.toLowerCase());
      if (this.mayGroup(prepared)) this.deferred.push({ prepared, log: at });
      else await this.commit(prepared, at, new Map());
    });
    await this.settled(reading.ref.id, readAt);
  }

  /**
   * A circuit is recorded (`readAt`: where its reading says it is, when it
   * says): when it was the last its place waited for, the place's outages
   * group now. An outage at a place waiting for nobody (no suspect there, or
   * all recorded) waits for the place's other reads of the run, if any.
   */
  private async settled(circuitId: string, readAt: string | null): Promise<void> {
    const id = circuitId.toLowerCase();
    this.recordedIds.add(id);
    const expected = this.placeById.get(id);
    // Past the last call nothing waits: the hard stop may come before the end of
    // the reads. An outage is taken where its reading puts it, even at a place
    // the run did not expect it: held there, it would be cut unpaged.
    if (this.flushed) {
      const place = readAt ?? expected;
      if (place) await this.groupPlace(place);
      return;
    }
    if (!expected) return;
    let place = expected;
    if (readAt && readAt !== expected) {
      // Not where it was last read (a named circuit's stored place is out of
      // date): the place it was expected at waits for it no longer.
      this.placeById.set(id, readAt);
      place = readAt;
      const before = this.pending.get(expected);
      if (before?.delete(id) && before.size === 0) await this.waitedFor(expected);
    }
    const left = this.pending.get(place);
    if (left?.delete(id)) {
      if (left.size === 0) await this.waitedFor(place);
      return;
    }
    if (left && left.size > 0) return;
    const waiting = this.deferred.filter((d) => this.placeOfPrepared(d.prepared) === place);
    const prefix = waiting.length > 0 ? this.prefixOf(waiting[0]!) : null;
    // One its place's fleet alert already went out for this run joins it at the end.
    if (!prefix || this.decided.has(prefix)) return;
    const others = this.unrecordedAt(place);
    this.pending.set(place, others);
    if (others.size === 0) await this.groupPlace(place);
  }

  /** The place's circuits this run reads that are not recorded yet (lower-case ids). */
  private unrecordedAt(place: string): Set<string> {
    return new Set(
      [...this.placeById]
        .filter(([other, at]) => at === place && !this.recordedIds.has(other))
        .map(([other]) => other),
    );
  }

  /**
   * Everyone the place waited for is recorded: its outages group now, unless
   * they are one circuit's. Alone it can only page alone, so it waits for
   * the place's other reads of the run, as a quiet read's outage does: a
   * lone suspect read with its whole site down paged on its own, and the
   * rotation's reads of the rest, landing after, paged them as a fleet.
   */
  private async waitedFor(place: string): Promise<void> {
    const waiting = new Set(
      this.deferred
        .filter((d) => this.placeOfPrepared(d.prepared) === place)
        .map((d) => d.prepared.verdict.id.toLowerCase()),
    );
    const others = waiting.size === 1 ? this.unrecordedAt(place) : new Set<string>();
    if (others.size > 0) {
      this.pending.set(place, others);
      return;
    }
    await this.groupPlace(place);
  }

  /** The place's waiting outages, grouped and committed now. */
  private async groupPlace(place: string): Promise<void> {
    await this.groupTaken(this.take((d) => this.placeOfPrepared(d.prepared) === place));
  }

  /**
   * Outages just taken from the waiting list, grouped at their places. Who was
   * read is as of now: a member whose read lands while the fleet alert is
   * being decided is not among these outages, and counted read without it
   * the alert would start to resolve while it is still down.
   */
  private async groupTaken(ready: Deferred[]): Promise<void> {
    if (ready.length === 0) return;
    const readIds = new Set(this.readIds);
    const prefixes = [...new Set(ready.flatMap((d) => this.prefixOf(d) ?? []))];
    for (const prefix of prefixes) this.decided.add(prefix);
    await this.serially(async () => {
      await this.groupNow(ready, readIds, (id) => prefixes.some((prefix) => id.startsWith(prefix)));
    });
  }

  /**
   * Every outage still waiting groups now, with what is known: at the run's
   * deadline (reads in flight may yet land: one found then waits for its
   * place's other reads, as before), and at the last call before the hard
   * stop (`last`: from then on each one found groups as soon as its circuit
   * is recorded). An outage held past the hard stop would not be decided
   * this sweep.
   */
  async flush(last: boolean): Promise<void> {
    if (!this.ctx.group) return;
    if (last) this.flushed = true;
    await this.groupTaken(this.take(() => true));
  }

  /**
   * At the end of the reads: every outage still waiting, and the fleet alerts
   * not decided yet (their resolutions; not in a partial run, which cannot
   * tell a fleet alert's members are all well). An outage found at a place
   * whose fleet alert went out earlier in this sweep joins it, and the fleet
   * alert says so (core/fleet.ts); it is never held by an alert that does not
   * name it.
   */
  async group(
    /** Circuits whose reads failed this run (they were never recorded). */
    failed: readonly { id: string }[] = [],
  ): Promise<void> {
    if (!this.ctx.group) return;
    const unreadable = new Set([...failed, ...this.out.failed].map((f) => f.id.toLowerCase()));
    await this.serially(async () => {
      const rest = this.take(() => true);
      const joining = new Set(rest.flatMap((d) => this.prefixOf(d) ?? []));
      const settled = [...this.decided].filter((prefix) => !joining.has(prefix));
      const at = (id: string) => (prefix: string) => id.startsWith(prefix);
      const here = this.ctx.named
        ? this.fleetPlaces.map((p) => fleetPlacePrefix(p.provider, p.location))
        : null;
      await this.groupNow(
        rest,
        new Set(this.readIds),
        this.ctx.partial
          ? (id) => [...joining].some(at(id))
          : (id) =>
              !settled.some(at(id)) &&
              (here === null || here.some(at(id)) || [...joining].some(at(id))),
        unreadable,
      );
    });
  }

  /** The fleet alerts first, then the circuits that waited, held by them. */
  private async groupNow(
    items: Deferred[],
    readIds: ReadonlySet<string>,
    decides: (fleetCircuitId: string) => boolean,
    unreadable: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    const { ctx } = this;
    const fleet = await recordFleet({
      deps: this.recordDeps,
      deferred: items.map((d) => d.prepared),
      read: readIds,
      now: ctx.now,
      writer: ctx.sweepId,
      log: ctx.log,
      decides,
      partial: ctx.partial === true,
      places: this.fleetPlaces,
      unreadable,
    });
    this.emit(fleet.events, fleet.decisions, ctx.log);
    for (const d of items)
      await this.guarded(d.prepared.verdict, d.log, () =>
        this.commit(d.prepared, d.log, fleet.holds),
      );
  }

  private prefixOf(d: Deferred): string | null {
    const { serviceProviderName: provider, peeringLocation: location } = d.prepared.verdict;
    return provider?.trim() && location?.trim() ? fleetPlacePrefix(provider, location) : null;
  }

  private take(wanted: (d: Deferred) => boolean): Deferred[] {
    const taken = this.deferred.filter(wanted);
    for (const d of taken) this.deferred.splice(this.deferred.indexOf(d), 1);
    return taken;
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.grouping.then(work);
    // A failure is the caller's to see; the chain goes on for the next place.
    this.grouping = next.catch(() => undefined);
    return next;
  }

  private placeOfPrepared(prepared: PreparedCircuit): string | null {
    return placeKey(prepared.verdict.serviceProviderName, prepared.verdict.peeringLocation);
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
    if (!this.ctx.group || candidatesOf(this.recordDeps, prepared, this.ctx.now).length === 0)
      return false;
    const place = this.placeOfPrepared(prepared);
    // A batch's lone outage may still join a fleet alert another batch sent.
    return place !== null && (this.ctx.partial === true || (this.places.get(place) ?? 0) > 1);
  }

  private async commit(prepared: PreparedCircuit, at: Logger, holds: Holds): Promise<void> {
    const { ctx } = this;
    const { verdict, observations, alerts } = prepared;
    const record = await this.monitors.decide(prepared, (shared) =>
      decideAndCommit(
        this.recordDeps,
        verdict,
        observations,
        alerts,
        ctx.now,
        ctx.sweepId,
        at,
        shared.size > 0 ? new Map([...shared, ...holds]) : holds,
      ),
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
      healthLine(at).error({ err: error }, "the circuit could not be recorded");
      const message = (error as Error).message ?? String(error);
      this.out.failed.push({ id: ref.id, name: ref.name, message });
    }
  }
}
