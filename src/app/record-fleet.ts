// The fleet step of a sweep, after its reads (Alertmanager's group_by and
// group_wait): circuits that share provider and peering location and broke at
// the same layer are one fleet-outage alert under a pseudo-circuit
// (/erwatch/fleet/...), committed before its members, whose own outage alerts
// it then holds. With fan-out, each worker groups its batch (a fleet alert
// another batch sent this sweep takes its outages in) and the timer judges
// when one is over (settleFleets; a batch of named circuits, those it read
// whole: settleReadFleets). The rules are in src/core/fleet.ts; this
// file only loads, commits and logs.

import type { AlertEvent } from "../core/alert-event.js";
import { alertKey } from "../core/alert-identity.js";
import type { Holds } from "../core/alert-step.js";
import {
  fleetBlindNow,
  fleetBlindTicks,
  fleetCandidates,
  fleetCircuitId,
  fleetIdsAt,
  fleetMembersReadAt,
  fleetMembersToLookUp,
  fleetReadByTick,
  fleetSettledAt,
  fleetStep,
  memberSnapshotOf,
  openFleetOf,
  type FleetCandidate,
  type FleetObservation,
  type MemberSnapshot,
  type OpenFleet,
} from "../core/fleet.js";
import { fleetMembersAllIn, fleetMembersOf } from "../core/fleet-members.js";
import { placeKey } from "../core/place.js";
import type { AlertState } from "../core/lifecycle.js";
import type { Silence } from "../core/policy.js";
import type { Snapshot } from "../core/snapshot.js";
import { alreadyEvaluated } from "../core/lifecycle.js";
import type { CircuitTarget } from "./ports.js";
import { isStorageFailure, type Stored } from "./state-store.js";
import type { Observation } from "../core/observe.js";
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

/** A prepared circuit's outages that may group, judged as its own alerts will be this sweep. */
export function candidatesOf(
  deps: Pick<RecordDeps, "policy" | "silences" | "tick">,
  prepared: PreparedCircuit,
  now: Date,
): FleetCandidate[] {
  return fleetCandidates(
    prepared.verdict,
    prepared.observations,
    new Map([...prepared.alerts].map(([key, stored]) => [key, stored.value])),
    {
      policy: deps.policy.alerts,
      silences: deps.silences,
      now,
      ...(deps.tick ? { tick: true } : {}),
    },
  );
}

/**
 * Members of open fleet alerts that this run did not read and erwatch no
 * longer has a snapshot of (retired: deleted, or tagged erwatch:ignore). Only
 * asked when such an unread member exists. When the circuits cannot be listed,
 * each such member's snapshot is read from its own partition; one storage
 * cannot say anything of stays named.
 */
async function noLongerWatched(
  deps: RecordDeps,
  open: OpenFleet[],
  read: ReadonlySet<string>,
  log: Logger,
): Promise<Set<string>> {
  // Lower-case id → the id as stored: a partition key keeps the case of the circuit's name.
  const unread = new Map(
    open.flatMap((o) =>
      o.memberIds.filter((id) => !read.has(id.toLowerCase())).map((id) => [id.toLowerCase(), id]),
    ),
  );
  if (unread.size === 0) return new Set();
  try {
    const watched = new Set((await deps.store.listCircuitIds()).map((id) => id.toLowerCase()));
    return new Set([...unread.keys()].filter((id) => !watched.has(id)));
  } catch (error) {
    log.warn(
      { err: error, members: unread.size },
      "circuits could not be listed; each fleet member not read is looked up on its own",
    );
    const gone = new Set<string>();
    for (const [key, id] of unread) {
      try {
        if ((await deps.store.getSnapshot(id)) === null) gone.add(key);
      } catch (memberError) {
        log.warn({ err: memberError, circuitId: id }, "a fleet member not read stays named");
      }
    }
    return gone;
  }
}

/**
 * Each stored fleet alert on its own: one that cannot be understood (an older
 * schema, a hand edit) is named and left out, so grouping goes on everywhere else.
 */
function openFleets(stored: Stored<AlertState>[], now: Date, log: Logger): OpenFleet[] {
  return stored.flatMap((a) => {
    try {
      return openFleetOf(a.value, now) ?? [];
    } catch (error) {
      log.error(
        { err: error, fleet: a.value.circuitId, key: a.value.key },
        "a stored fleet alert cannot be understood; it is left out and the others are judged",
      );
      return [];
    }
  });
}

/** The fleet alert a candidate would group under (lower-case pseudo-circuit id), if any. */
function placeOf(c: FleetCandidate): string | null {
  return c.provider && c.location
    ? fleetCircuitId(c.provider, c.location, c.finding.layer).toLowerCase()
    : null;
}

/** A provider and location some circuit of this run is at: where fleet alerts may be judged. */
export interface FleetPlace {
  provider: string;
  location: string;
}

/**
 * The places the listing puts the run's circuits at, and those storage
 * remembers circuits at (`remembered`, their snapshots'), each once. The
 * listing alone missed a site none of whose circuits it placed this sweep
 * (named ones whose GETs failed, a subscription whose listing failed): with
 * the Alerts table unlistable, its open fleet alert was never read, so never
 * resolved, however well its members were read.
 */
export function fleetPlacesOf(
  targets: readonly CircuitTarget[],
  remembered: readonly FleetPlace[] = [],
): FleetPlace[] {
  const places = new Map<string, FleetPlace>();
  const add = (provider: string | null | undefined, location: string | null | undefined) => {
    const key = placeKey(provider, location);
    if (key && provider && location && !places.has(key))
      places.set(key, { provider: provider.trim(), location: location.trim() });
  };
  for (const t of targets)
    add(t.listed?.facts.serviceProviderName, t.listed?.facts.peeringLocation);
  for (const p of remembered) add(p.provider, p.location);
  return [...places.values()];
}

const idsAt = (places: readonly FleetPlace[]) =>
  places.flatMap((p) => fleetIdsAt(p.provider, p.location));

/**
 * Fleet alerts read one by one from their own partitions (the Alerts table
 * cannot be listed). A fleet alert whose read fails is `unknown`: it is not
 * judged this sweep, and the outages at its place page one by one.
 */
async function readFleets(
  deps: RecordDeps,
  ids: ReadonlySet<string>,
  log: Logger,
): Promise<{ stored: Stored<AlertState>[]; unknown: Set<string> }> {
  const stored: Stored<AlertState>[] = [];
  const unknown = new Set<string>();
  for (const id of ids) {
    try {
      const alert = await deps.store.getAlert(id, alertKey(id, null, "fleet"));
      if (alert) stored.push(alert);
    } catch (error) {
      log.error(
        { err: error, fleet: id },
        "the fleet alert could not be read; it is not judged this sweep and the circuits at its place page one by one",
      );
      unknown.add(id);
    }
  }
  return { stored, unknown };
}

/**
 * The stored fleet alerts this call decides, from one listing of the Alerts
 * table. When that listing fails (a scan of the whole table, the first call
 * to time out on a large estate) each fleet alert this sweep's outages could
 * group under, and each one at a place this run read, is read from its own
 * partition instead: an open one still holds its members rather than letting
 * them page it again one by one, and one whose outage is over still resolves.
 */
async function fleetAlerts(
  deps: RecordDeps,
  candidates: FleetCandidate[],
  places: readonly FleetPlace[],
  decides: (fleetCircuitId: string) => boolean,
  log: Logger,
): Promise<{ stored: Stored<AlertState>[]; unknown: Set<string>; all: AlertState[] | null }> {
  try {
    const all = await deps.store.listAlerts();
    return {
      stored: all.filter((a) => a.value.family === "fleet" && decides(a.value.circuitId)),
      unknown: new Set(),
      all: all.map((a) => a.value),
    };
  } catch (error) {
    const ids = new Set(
      [...candidates.map(placeOf).filter((p) => p !== null), ...idsAt(places)].filter(decides),
    );
    log.error(
      { err: error, fleets: ids.size },
      "fleet alerts could not be listed; each place's fleet alerts are read on their own",
    );
    return { ...(await readFleets(deps, ids, log)), all: null };
  }
}

/**
 * What the members' own alerts and snapshots (as listed, this sweep's
 * readings included) say of an open fleet alert this sweep's reads could not
 * judge (core/fleet.ts, as the fan-out timer takes them): `readAt`, when every
 * circuit it names had last been read (`fleetMembersReadAt`), a sighting the
 * fleet alert's row lacks when its commit failed in storage; and `settled`,
 * each read without the outage since the fleet alert was last read, not all
 * in this sweep (`fleetSettledAt`): the rotation reads a recovered site's
 * circuits one a sweep once their own alerts have cleared. Nothing when it
 * cannot be told (the alerts or the snapshots could not be listed): then its
 * own last reading alone, so its holder hears "Blind:" sooner rather than
 * late, and it stays open until a sweep reads every member. A member this
 * sweep could not read or record (`unreadable`) settles nothing.
 */
async function membersSeen(
  listSnapshots: () => Promise<Snapshot[]>,
  fleet: AlertState,
  alerts: readonly AlertState[] | null,
  unreadable: ReadonlySet<string>,
  now: Date,
  log: Logger,
): Promise<{ readAt: string | null; settled: boolean }> {
  const nothing = { readAt: null, settled: false };
  if (!alerts) return nothing;
  const members = new Set(fleetMembersOf(fleet.condition).map((m) => m.id.toLowerCase()));
  let snapshots;
  try {
    snapshots = await listSnapshots();
  } catch (error) {
    log.warn(
      { err: error, fleet: fleet.circuitId },
      "snapshots could not be listed; a fleet alert not every circuit of which was read counts from its own last reading",
    );
    return nothing;
  }
  const listed = new Map(
    snapshots
      .filter((s) => members.has(s.circuitId.toLowerCase()))
      .map((s) => [s.circuitId.toLowerCase(), memberSnapshotOf(s)]),
  );
  // One with no snapshot is watched no more, and waits for nobody (as with fan-out).
  const known = new Map([...members].map((id) => [id, listed.get(id) ?? null]));
  // Judged at this sweep's instant: the members this sweep read and recorded count.
  const judgedAt = new Date(now.getTime() + 1);
  const readAt = fleetMembersReadAt(fleet, alerts, judgedAt, known);
  // Its row's last reading may be clean, but this sweep found it unreadable:
  // settled by that, the fleet alert's sighting moved past it, and its holder
  // heard "Blind:" sweeps late.
  const unreadNow = [...members].some((id) => unreadable.has(id));
  return {
    readAt: readAt ? readAt.toISOString() : null,
    settled: !unreadNow && fleetSettledAt(fleet, alerts, judgedAt, known, "read") !== null,
  };
}

/** One fleet step's inputs: the run's deps, what it read, and which fleet alerts are its to decide. */
export interface RecordFleetRun {
  deps: RecordDeps;
  /** The run's circuits whose outages wait to group. */
  deferred: PreparedCircuit[];
  /** Circuits read this run (their layers known), lower-case ids. */
  read: ReadonlySet<string>;
  now: Date;
  writer: string;
  log: Logger;
  /** Which open fleet alerts (by pseudo-circuit id) this call decides; all when absent. */
  decides?: (fleetCircuitId: string) => boolean;
  /** A fan-out worker's batch: see fleetStep. */
  partial?: boolean;
  /** Where this run read circuits: the fleet alerts looked at when the listing fails. */
  places?: readonly FleetPlace[];
  /**
   * Circuits this run could not read or record (lower-case ids): UNKNOWN now,
   * whatever their rows last said, so they settle no fleet alert.
   */
  unreadable?: ReadonlySet<string>;
}

/**
 * Never fails the sweep. A fleet alert whose commit fails in storage (its partition
 * failing) still holds the members it would have held this sweep: the write
 * may have landed with its answer lost, and then its page goes out (a sweep
 * late when its event cannot leave the outbox now), so members paging on
 * their own too would page the outage twice; and an open fleet alert the
 * receivers hold would be paged again member by member. One that was not
 * written holds nothing at the next sweep, so its members page on their own
 * then (a circuit that broke before any fleet alert named it joins no group):
 * late by a sweep, never lost.
 */
export async function recordFleet({
  deps,
  deferred,
  read,
  now,
  writer,
  log,
  decides = () => true,
  partial = false,
  places = [],
  unreadable = new Set(),
}: RecordFleetRun): Promise<FleetRecord> {
  const out: FleetRecord = { events: [], decisions: [], holds: new Map() };
  let candidates;
  try {
    candidates = deferred.flatMap((p) => candidatesOf(deps, p, now));
  } catch (error) {
    log.error({ err: error }, "outages could not be grouped (a bug); circuits page one by one");
    return out;
  }
  const loaded = await fleetAlerts(deps, candidates, places, decides, log);
  const stored = loaded.stored;
  candidates = candidates.filter((c) => !loaded.unknown.has(placeOf(c) ?? ""));
  const open = openFleets(stored, now, log);
  const gone = await noLongerWatched(deps, open, read, log);
  let step;
  try {
    step = fleetStep(candidates, open, read, partial, gone);
  } catch (error) {
    log.error({ err: error }, "outages could not be grouped (a bug); circuits page one by one");
    return out;
  }
  // A scan of the whole table: once for every fleet alert this call cannot judge whole.
  let listed: Promise<Snapshot[]> | null = null;
  const listSnapshots = () => (listed ??= deps.store.listSnapshots());
  const commit = async (
    subject: FleetObservation["subject"],
    observation: Observation,
    alert: Stored<AlertState> | null,
  ): Promise<boolean> => {
    const verdict = subjectVerdict({ ...subject, resourceGroup: "" }, now);
    const alerts = new Map(alert ? [[observation.key, alert]] : []);
    const record = await decideAndCommit(deps, verdict, [observation], alerts, now, writer, log);
    out.events.push(...record.events);
    out.decisions.push(...record.decisions);
    // Undecided: another run judged it at this instant and this run's finding
    // does not name all it wrote. It holds none of this run's members then.
    return record.decisions.some((d) => d.key === observation.key);
  };
  for (const { subject, observation: given } of step.observations) {
    const holding = (holds: Holds) => [...holds].filter(([, hold]) => hold.by === given.key);
    try {
      const alert = stored.find((a) => a.value.key === given.key) ?? null;
      const seen =
        alert && given.state === "unknown"
          ? await membersSeen(listSnapshots, alert.value, loaded.all, unreadable, now, log)
          : null;
      // An outage read at its place this sweep is no recovery, whatever its members' rows say.
      const outageHere = candidates.some((c) => placeOf(c) === subject.id.toLowerCase());
      const observation: Observation =
        seen?.settled && !outageHere
          ? { ...given, state: "clean" }
          : seen?.readAt
            ? { ...given, membersReadAt: seen.readAt }
            : given;
      // Unknown only for an open fleet alert naming the members it holds: they
      // stay held even when another run (the timer's Blind: notice) judged it at this instant.
      if ((await commit(subject, observation, alert)) || observation.state === "unknown") {
        for (const [key, hold] of holding(step.holds)) out.holds.set(key, hold);
        continue;
      }
      if (observation.state !== "firing") continue;
      // Lost the race to a run that wrote this fleet alert meanwhile (another
      // worker creating it too): group again with what it wrote, once.
      const fresh = await deps.store.getAlert(subject.id, observation.key);
      const again = fresh ? openFleetOf(fresh.value, now) : null;
      if (!fresh || !again) continue;
      const here = candidates.filter((c) => placeOf(c) === subject.id.toLowerCase());
      const retry = fleetStep(here, [again], read, partial, gone);
      const next = retry.observations.find((o) => o.observation.key === observation.key);
      if (next && (await commit(next.subject, next.observation, fresh)))
        for (const [key, hold] of holding(retry.holds)) out.holds.set(key, hold);
    } catch (error) {
      // Storage may have taken the write with its answer lost: the members stay
      // held. Anything else (an alert too large for one entity, a bug) would
      // fail the same way every sweep: held then, they would never page, so
      // they page on their own.
      const storage = isStorageFailure(error);
      log.error(
        { err: error, fleet: subject.id },
        storage
          ? "the fleet alert could not be recorded; its members stay held this sweep"
          : "the fleet alert could not be recorded, and would not be next sweep either (too large to store, or a bug); its members page on their own",
      );
      if (storage) for (const [key, hold] of holding(step.holds)) out.holds.set(key, hold);
    }
  }
  if (step.observations.length > 0)
    log.info(
      { fleets: step.observations.length, held: out.holds.size, events: out.events.length },
      "fleet outages grouped",
    );
  return out;
}

/**
 * Fan-out, on the timer: each open fleet alert none of whose members still
 * has the outage (by the alerts the workers stored), every one of them read
 * since and none UNKNOWN at its latest reading (a member without alerts of
 * its own by its snapshot), is observed clean as of
 * those readings (core/fleet.ts `fleetSettledAt`), so it resolves with the
 * usual hysteresis; one that no worker could judge, and whose members were
 * not all read, for as long as monitoring-blind waits is observed blind now,
 * so its holder hears it once (`fleetBlindNow`, `fleetMembersReadAt`; on a
 * tick's count, as its members' alerts kept it: `fleetBlindTicks`). Never
 * fails the sweep.
 */
export async function settleFleets(
  deps: RecordDeps,
  now: Date,
  writer: string,
  log: Logger,
  /**
   * Where the sweep's circuits are, and where storage remembers circuits
   * (fleetPlacesOf): the fleet alerts read one by one when the listing fails.
   */
  places: readonly FleetPlace[] = [],
  /**
   * The silences in force at an instant. A fleet alert is judged as of its
   * members' readings, before `now`: a window that ended since still held
   * then, and a decision it held is not sent.
   */
  silencesAt: (at: Date) => Silence[] = () => deps.silences,
  /**
   * A fan-out batch of named circuits (settleReadFleets): only the fleet
   * alerts `decides` names, and only settled (their Blind: notices stay the
   * timer's, counted on its ticks).
   */
  only: { decides: (fleet: AlertState) => boolean; settledOnly: true } | null = null,
): Promise<Pick<FleetRecord, "events" | "decisions">> {
  const out: Pick<FleetRecord, "events" | "decisions"> = { events: [], decisions: [] };
  let alerts;
  try {
    alerts = await deps.store.listAlerts();
  } catch (error) {
    alerts = await fleetsWithMembers(deps, places, error, log);
  }
  const states = alerts.map((a) => a.value);
  // Readings before it settle a fleet alert (fleetSettledAt): the timer's own
  // workers read after it; a batch's readings, at the sweep's clock, count.
  const readBy = only ? new Date(now.getTime() + 1) : now;
  for (const fleet of alerts) {
    const state = fleet.value;
    if (state.family !== "fleet" || (only && !only.decides(state))) continue;
    // One fleet alert erwatch cannot judge (an older schema, a bug) must not keep the others open.
    try {
      const snapshots = await memberSnapshots(deps, state, states, now, log);
      const judgement = judgeFleet(deps, state, states, snapshots, readBy, silencesAt, !only);
      if (!judgement) continue;
      const verdict = subjectVerdict(
        { id: state.circuitId, name: state.circuitName, subscriptionId: "", resourceGroup: "" },
        judgement.at,
      );
      // A tick when the readings it is judged as of were one, not because this
      // sweep is; that tick's occurrence is not known here (its repeat counts time).
      const { tickDue: _, ...untimed } = deps;
      const record = await decideAndCommit(
        { ...untimed, silences: silencesAt(judgement.at), tick: judgement.tick, decidedAt: now },
        verdict,
        [judgement.observation],
        new Map([[state.key, fleet]]),
        judgement.at,
        writer,
        log,
      );
      out.events.push(...record.events);
      out.decisions.push(...record.decisions);
    } catch (error) {
      log.error({ err: error, fleet: state.circuitId }, "the fleet alert could not be recorded");
    }
  }
  if (out.decisions.length > 0)
    log.info({ fleets: out.decisions.length, events: out.events.length }, "fleet outages judged");
  return out;
}

/**
 * A fan-out batch of a sweep of named circuits (POST /api/sweep), once read:
 * each fleet alert every member of which it read, settled as of its readings
 * (settleFleets' rules). No planning half follows such a sweep, as the
 * timer's next one follows its workers, so a site whose circuits a person
 * named and the workers read well resolved only at the next tick, where one
 * process resolves it in the sweep. One with a member the batch did not read
 * is the timer's to judge: that member's latest reading may be older, or
 * another batch of this sweep may still be reading it. The timer judging the
 * same readings finds them judged (the same instant), so nothing is sent
 * twice. Never fails the batch.
 */
export async function settleReadFleets(
  deps: RecordDeps,
  read: readonly {
    id: string;
    serviceProviderName: string | null;
    peeringLocation: string | null;
  }[],
  now: Date,
  writer: string,
  log: Logger,
  silencesAt: (at: Date) => Silence[],
): Promise<Pick<FleetRecord, "events" | "decisions">> {
  const ids = new Set(read.map((v) => v.id.toLowerCase()));
  if (ids.size === 0) return { events: [], decisions: [] };
  const places = fleetPlacesOf(
    [],
    read.flatMap((v) =>
      v.serviceProviderName && v.peeringLocation
        ? [{ provider: v.serviceProviderName, location: v.peeringLocation }]
        : [],
    ),
  );
  return settleFleets(deps, now, writer, log, places, silencesAt, {
    decides: (fleet) => fleetMembersAllIn(fleet.condition, ids),
    settledOnly: true,
  });
}

/**
 * The Alerts table cannot be listed: each place's fleet alerts, read one by
 * one, and for each open one its members' alerts, each from its own
 * partition. A fleet alert one of whose members cannot be read is left as it
 * is for a later sweep: judged without that member, it could resolve while
 * the member is still down.
 */
async function fleetsWithMembers(
  deps: RecordDeps,
  places: readonly FleetPlace[],
  error: unknown,
  log: Logger,
): Promise<Stored<AlertState>[]> {
  const ids = new Set(idsAt(places));
  log.error(
    { err: error, fleets: ids.size },
    "alerts could not be listed; each place's fleet alerts and their members' alerts are read on their own",
  );
  const out: Stored<AlertState>[] = [];
  for (const fleet of (await readFleets(deps, ids, log)).stored) {
    // Cleared with its resolve held back (a silence): still open at its receivers.
    if (fleet.value.phase === "clear" && !fleet.value.notified) continue;
    try {
      const members: Stored<AlertState>[] = [];
      for (const member of fleetMembersOf(fleet.value.condition))
        members.push(...(await deps.store.listAlerts(member.id)));
      out.push(fleet, ...members);
    } catch (memberError) {
      log.error(
        { err: memberError, fleet: fleet.value.circuitId },
        "a member's alerts could not be read; the fleet alert is judged at a later sweep",
      );
    }
  }
  return out;
}

/**
 * The snapshots of the members of a fleet alert whose own alerts say it is
 * over (core/fleet.ts `fleetMembersToLookUp`), lower-case id → what it says
 * (null: none, no longer watched). One storage cannot read is left out: that
 * member keeps the fleet alert open this sweep.
 */
async function memberSnapshots(
  deps: RecordDeps,
  fleet: AlertState,
  states: readonly AlertState[],
  now: Date,
  log: Logger,
): Promise<Map<string, MemberSnapshot | null>> {
  const out = new Map<string, MemberSnapshot | null>();
  for (const id of fleetMembersToLookUp(fleet, states)) {
    try {
      const snapshot = (await deps.store.getSnapshot(id))?.value ?? null;
      out.set(id.toLowerCase(), snapshot && memberSnapshotOf(snapshot));
    } catch (error) {
      log.warn(
        { err: error, fleet: fleet.circuitId, circuitId: id },
        "a fleet member's snapshot could not be read; the fleet alert is not judged over this sweep",
      );
    }
  }
  return out;
}

/** An open fleet alert on the timer: observed clean, observed blind, or left as it is (null). */
function judgeFleet(
  deps: RecordDeps,
  state: AlertState,
  states: AlertState[],
  snapshots: ReadonlyMap<string, MemberSnapshot | null>,
  now: Date,
  silencesAt: (at: Date) => Silence[],
  /** Observed blind too when not settled: the timer's sweep. */
  judgesBlind = true,
): { at: Date; observation: Observation; tick: boolean } | null {
  // Judged as of the members' readings (the previous sweep's), so this sweep's workers may still keep it firing.
  const settled = fleetSettledAt(state, states, now, snapshots);
  if (settled)
    return alreadyEvaluated(state, settled)
      ? null
      : {
          at: settled,
          tick: fleetReadByTick(state, states, settled),
          observation: {
            key: state.key,
            family: "fleet",
            circuitId: state.circuitId,
            peering: null,
            state: "clean",
            finding: null,
            previousReadAt: null,
          },
        };
  if (!judgesBlind) return null;
  // Blind as of the previous sweep too: by then its workers had had their turn
  // to read a member; this sweep's have not yet, and may read them at this very
  // instant (the timer's). Judged as of now, a holder would hear "Blind:"
  // about readings on their way, and the clean judgement of them would find the
  // instant taken.
  const intervalMs = deps.policy.alerts.sweepIntervalMinutes * 60_000;
  const asOf = new Date(now.getTime() - intervalMs);
  // Members read since its last judgement are a sighting though they settle nothing.
  const readAt = fleetMembersReadAt(state, states, now, snapshots);
  // On the ticks its members' alerts counted by then, as one process counts
  // the ticks that judged it blind: by time alone, a site last read by a
  // past-due tick heard "Blind:" two sweeps after one process.
  const counted = fleetBlindTicks(state, states, now, readAt, intervalMs);
  const blind = fleetBlindNow(
    state,
    {
      policy: deps.policy.alerts,
      silences: silencesAt(asOf),
      circuit: { id: state.circuitId, name: state.circuitName },
      now: asOf,
      ...(counted ? { tick: true } : {}),
      // As the commit that sends it judges it (record-circuit's context): a
      // site has no criticality of its own. At Sev3's wait, a notice it found
      // due the commit found not due, or the other way round.
      blindSeverity: deps.policy.classify.severity.blind,
    },
    readAt,
    counted,
  );
  return blind ? { at: asOf, observation: blind, tick: counted !== null } : null;
}
