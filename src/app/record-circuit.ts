// One circuit's reading through state: load what was stored, evaluate (pure),
// write the next snapshot and history, then decide and commit each alert key
// with its events. Every write is conditional on an ETag; a lost race re-reads
// and redoes only what the winner changed.

import { randomUUID } from "node:crypto";
import {
  advanceStep,
  decideStep,
  historyRecordOf,
  holdsOf,
  type AlertContext,
  type AlertStep,
  type Holds,
} from "../core/alert-step.js";
import {
  keptVoices,
  monitorsJudged,
  type EndToEndVoice,
} from "../core/dataplane/shared-monitor.js";
import type { AlertEvent } from "../core/alert-event.js";
import {
  evaluateOrBlind,
  type EvaluationContext,
  type EvaluationPolicy,
} from "../core/evaluate.js";
import { boundJson } from "../core/budget.js";
import type { AlertRecord, HistoryEntry } from "../core/history.js";
import { restartedAlert, type AlertState, type Decision } from "../core/lifecycle.js";
import type { AlertFamily, CircuitReading, CircuitVerdict, Criticality } from "../core/model.js";
import { tickSlackMs, type AlertPolicy, type Silence } from "../core/policy.js";
import type { Observation } from "../core/observe.js";
import { holdsThatReach } from "../core/holds-reach.js";
import { readAgesOf } from "../core/read-age.js";
import type { Routing } from "../core/routing.js";
import { applyCriticality } from "../core/severity.js";
import type { Snapshot } from "../core/snapshot.js";
import { healthLine, type Logger } from "../logging.js";
import { buildAlertEvent } from "./alert-events.js";
import { logFailedReads } from "./failed-reads.js";
import { logIngestionLag } from "./ingestion-lag.js";
import { logQueryFailing } from "./query-failing.js";
import { isConflict, isUnreadableRow, type StateStore, type Stored } from "./state-store.js";

export interface RecordDeps {
  store: StateStore;
  policy: EvaluationPolicy & { alerts: AlertPolicy };
  silences: Silence[];
  /** Who hears what (ERWATCH_ACTION_GROUPS): a circuit's alert holds another only if it reaches its receivers. Absent or null: not known, every hold kept. */
  routing?: Routing | null;
  /** This is the timer's sweep: hysteresis counts it as a tick (core/alert-step.ts AlertContext.tick). */
  tick?: boolean;
  /** ... and when that tick was due (core/alert-step.ts AlertContext.tickDue). */
  tickDue?: Date;
  /**
   * The sweep's clock, when it decides as of an earlier instant (a fleet
   * alert judged as of its members' readings): kept with its events in the
   * outbox (OutboxRow.decidedAt).
   */
  decidedAt?: Date;
}

/** A circuit's holds among its own alerts, kept only where the holder pages whoever the held alert would. */
function ownHolds(
  deps: RecordDeps,
  steps: AlertStep[],
  circuit: { id: string; name: string; tags?: Record<string, string> },
): Holds {
  const holds = holdsOf(steps, circuit.id);
  return deps.routing
    ? holdsThatReach(holds, steps, { ...circuit, tags: circuit.tags ?? {} }, deps.routing)
    : holds;
}

/** What was decided for one alert key, for the sweep's result and the CLI's JSON. */
export interface KeyDecision {
  circuitId: string;
  key: string;
  family: AlertFamily;
  peering: string | null;
  action: Decision["action"];
  reason?: Extract<Decision, { action: "none" }>["reason"];
  detail?: string;
}

export interface CircuitRecord {
  verdict: CircuitVerdict;
  events: AlertEvent[];
  decisions: KeyDecision[];
}

const MAX_RACE_RETRIES = 3;

const bounded = <T extends HistoryEntry>(entry: T): T => boundJson(entry) as T;

/** Retries `attempt` after an ETag conflict, giving it what the winner wrote. */
async function onConflictRetry<T, S>(
  initial: S,
  attempt: (state: S) => Promise<T>,
  reread: () => Promise<S>,
): Promise<T> {
  let state = initial;
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt(state);
    } catch (error) {
      if (!isConflict(error) || tries >= MAX_RACE_RETRIES) throw error;
      state = await reread();
    }
  }
}

/**
 * A circuit's own snapshot or alert row that cannot be read (cut-off JSON, an
 * older schema, a hand edit) would fail the circuit every sweep: a circuit
 * erwatch had quietly stopped judging. It is set aside instead (kept under a
 * row key of its own for someone to look at, and named in the log) and the
 * circuit judged afresh, as if that row had never been written.
 */
export async function readOrSetAside<T>(
  store: StateStore,
  read: () => Promise<T | null>,
  at: Date,
  log: Logger,
  /** Told when the row was set aside (not merely absent). */
  setAside?: () => void,
): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (!isUnreadableRow(error)) throw error;
    const keptAs = await store.setAside(error.row, error.message, at);
    setAside?.();
    log.error(
      { err: error, table: error.row.table, partitionKey: error.row.partitionKey, keptAs },
      "a stored row of the circuit cannot be read; it is set aside and the circuit judged afresh",
    );
    return null;
  }
}

/**
 * The alert's row; when it could not be read and was set aside, a clear alert
 * numbered past anything the old one sent (core/lifecycle.ts restartedAlert),
 * written at once, so the numbering holds whatever this sweep decides; null
 * when there is none.
 */
export async function readAlert(
  store: StateStore,
  observation: Observation,
  circuitName: string,
  now: Date,
  log: Logger,
): Promise<Stored<AlertState> | null> {
  let setAside = false;
  const stored = await readOrSetAside(
    store,
    () => store.getAlert(observation.circuitId, observation.key),
    now,
    log,
    () => (setAside = true),
  );
  if (stored || !setAside) return stored;
  await store.commitAlert(restartedAlert(observation, circuitName, now), null, []);
  return store.getAlert(observation.circuitId, observation.key);
}

/**
 * History is what the status page and flap counting read back, written once
 * what it records (the snapshot's transitions, the alert decisions) is
 * committed. A history table that fails is logged and the sweep goes on: it
 * must not hold back this circuit's pages.
 */
/**
 * Never throws: history failing is logged, and the pages it records go out
 * regardless. Its entries are lost for good (a flap in them is never counted),
 * so the line is a health line, with the sweep's sweepId: the
 * erwatch-history-not-written health alert counts the sweeps that said it.
 */
export async function appendHistory(
  store: StateStore,
  circuitId: string,
  entries: HistoryEntry[],
  writer: string,
  log: Logger,
): Promise<void> {
  try {
    await store.appendHistory(circuitId, entries, writer);
  } catch (error) {
    healthLine(log).error(
      { err: error, entries: entries.length },
      "history could not be written; the circuit is judged and alerted without it",
    );
  }
}

/**
 * What flap counting reads back. A history table that cannot be read costs
 * the circuit its flap count this sweep, never its pages: null, and the
 * circuit is judged without history. Said once per circuit per sweep, on the
 * circuit's logger (circuitId, sweepId): the erwatch-history-unreadable health
 * alert counts the sweeps of each circuit, as no alert of erwatch's own opens
 * for a flap alert that stays open or unopened meanwhile.
 */
async function readHistory(
  store: StateStore,
  circuitId: string,
  since: Date,
  log: Logger,
): Promise<HistoryEntry[] | null> {
  try {
    return await store.listHistory(circuitId, since);
  } catch (error) {
    healthLine(log).error(
      { err: error },
      "history could not be read; the circuit is judged and alerted without it, its flaps not counted this sweep",
    );
    return null;
  }
}

async function evaluateAndStore(
  deps: RecordDeps,
  reading: CircuitReading,
  now: Date,
  writer: string,
  log: Logger,
  context: EvaluationContext,
) {
  const { store, policy } = deps;
  const id = reading.ref.id;
  const lookBackMs = Math.max(
    // The flap window reaches a tick's slack further (core/flapping.ts).
    policy.alerts.flap.windowMinutes * 60_000 + tickSlackMs(policy.alerts.sweepIntervalMinutes),
    policy.alerts.trendWindowHours * 3_600_000,
  );
  const snapshotOf = () => readOrSetAside(store, () => store.getSnapshot(id), now, log);
  const [snapshot, history, alerts] = await Promise.all([
    snapshotOf(),
    readHistory(store, id, new Date(now.getTime() - lookBackMs), log),
    store.listAlerts(id),
  ]);
  const known = alerts.map((a) => ({
    key: a.value.key,
    family: a.value.family,
    peering: a.value.peering,
  }));
  const evaluate = (previous: Stored<Snapshot> | null) => {
    const result = evaluateOrBlind(
      reading,
      previous?.value ?? null,
      history ?? [],
      known,
      policy,
      now,
      context,
    );
    if (result.error !== undefined)
      log.error({ err: result.error }, "judging the circuit failed; it is UNKNOWN this sweep");
    // A monitor not read this sweep: the voices its receivers hold still speak for it.
    const { endToEnd: _judged, circuitTags: _tags, ...rest } = result.snapshot;
    const endToEnd = keptVoices(
      monitorsJudged(reading, result.verdict) ? (result.snapshot.endToEnd ?? []) : null,
      previous?.value.endToEnd,
      id,
      (key) => Boolean(alerts.find((a) => a.value.key === key)?.value.notified),
    );
    const snapshot: Snapshot = {
      ...rest,
      ...(endToEnd.length > 0 ? { endToEnd, circuitTags: reading.ref.tags } : {}),
    };
    if (history !== null) return { ...result, snapshot };
    // A flap is counted from history: without it, a flap alert is unknown (neither opened nor resolved),
    // for want of its history, not of a reading: its holder is told so, not that the circuit went unseen.
    const observations = result.observations.map((o) =>
      o.family === "session-flapping" && o.state === "clean"
        ? { ...o, state: "unknown" as const, blindCause: "history" as const }
        : o,
    );
    return { ...result, snapshot, observations };
  };
  // Another sweep may write the snapshot first: diff against what it wrote, so
  // its transitions are not recorded twice.
  let written: { writeId: string; result: ReturnType<typeof evaluate> } | null = null;
  const evaluation = await onConflictRetry(
    snapshot,
    async (previous) => {
      // A write whose answer was lost landed all the same (its retry met the new
      // ETag): judged against itself, the sweep's transitions vanished and an
      // outage paged a sweep late. Known by its write id, not its content: another
      // sweep's equal snapshot at the same instant is another writer's.
      if (written && previous?.value.writeId === written.writeId) return written.result;
      const result = evaluate(previous);
      // Kept with the snapshot: how old each reading is, for the planner and the status page.
      const reads = readAgesOf(reading, previous?.value.reads, result.snapshot.takenAt);
      const writeId = randomUUID();
      // Azure's strings are not bounded the way a table entity is.
      const bounded = boundJson({ ...result.snapshot, reads, writeId }) as Snapshot;
      written = { writeId, result };
      await store.putSnapshot(bounded, previous?.etag ?? null);
      return result;
    },
    snapshotOf,
  );
  if (evaluation.changes.length > 0)
    await appendHistory(store, id, evaluation.changes.map(bounded), `${writer}-c`, log);
  return { evaluation, alerts: new Map(alerts.map((a) => [a.value.key, a])) };
}

async function commitStep(
  store: StateStore,
  step: AlertStep,
  stored: Stored<AlertState> | null,
  holds: Holds,
  ctx: AlertContext,
  verdict: CircuitVerdict,
  log: Logger,
  decidedAt: Date | undefined,
): Promise<{ decision: Decision; events: AlertEvent[] } | null> {
  // The last attempt's write. One that landed with its answer lost (its retry met
  // its own ETag) is this sweep's decision: decided again from itself it was
  // "none", and the open it made was missing from the sweep's events and history.
  let written: { writeId: string; made: { decision: Decision; events: AlertEvent[] } } | null =
    null;
  return onConflictRetry(
    { step, etag: stored?.etag ?? null, landed: false },
    async ({ step: current, etag, landed }) => {
      if (landed && written) return written.made;
      const decision = decideStep(current, holds, ctx);
      if (!decision) return null;
      const events =
        decision.action === "none"
          ? []
          : [buildAlertEvent(decision.next, decision.event, verdict, ctx.now)];
      const writeId = randomUUID();
      written = { writeId, made: { decision, events } };
      await store.commitAlert({ ...decision.next, writeId }, etag, events, decidedAt);
      return { decision, events };
    },
    async () => {
      // Lost the race: advance the sweep's observation again from what the winner wrote.
      const fresh = await readAlert(store, step.observation, verdict.name, ctx.now, log);
      return {
        step: advanceStep(step.given ?? step.observation, fresh?.value ?? null, ctx),
        etag: fresh?.etag ?? null,
        landed: written !== null && fresh?.value.writeId === written.writeId,
      };
    },
  );
}

/** A circuit judged and its snapshot written, its alerts not yet decided. */
export interface PreparedCircuit {
  verdict: CircuitVerdict;
  observations: Observation[];
  alerts: Map<string, Stored<AlertState>>;
  /** Its end-to-end alerts with their monitors, as its snapshot keeps them (absent: none). */
  endToEnd?: EndToEndVoice[];
}

export async function prepareCircuit(
  deps: RecordDeps,
  reading: CircuitReading,
  now: Date,
  writer: string,
  log: Logger,
  /** What other circuits say about this one (its pair). */
  context: EvaluationContext = {},
): Promise<PreparedCircuit> {
  const { evaluation, alerts } = await evaluateAndStore(deps, reading, now, writer, log, context);
  logFailedReads(evaluation.verdict, log);
  logIngestionLag(reading, log);
  logQueryFailing(reading, log);
  return {
    verdict: evaluation.verdict,
    observations: evaluation.observations,
    alerts,
    endToEnd: evaluation.snapshot.endToEnd ?? [],
  };
}

export async function recordCircuit(
  deps: RecordDeps,
  reading: CircuitReading,
  now: Date,
  writer: string,
  log: Logger,
  /** What other circuits say about this one (its pair). */
  context: EvaluationContext = {},
): Promise<CircuitRecord> {
  const p = await prepareCircuit(deps, reading, now, writer, log, context);
  return decideAndCommit(deps, p.verdict, p.observations, p.alerts, now, writer, log);
}

function alertContext(
  deps: RecordDeps,
  circuit: { id: string; name: string; settings?: { criticality: Criticality } },
  now: Date,
  log: Logger,
): AlertContext {
  return {
    policy: deps.policy.alerts,
    silences: deps.silences,
    circuit: { id: circuit.id, name: circuit.name },
    now,
    ...(deps.tick ? { tick: true } : {}),
    ...(deps.tick && deps.tickDue ? { tickDue: deps.tickDue } : {}),
    // Its monitoring-blind's grade, as evaluate.ts moves every finding by criticality.
    blindSeverity: applyCriticality(
      deps.policy.classify.severity.blind,
      circuit.settings?.criticality ?? "normal",
    ),
    onBrokenSilence: (silence, error) =>
      log.warn(
        { silence: silence.id, err: error },
        "silence could not be evaluated; it silences nothing until it is fixed",
      ),
  };
}

/**
 * Which of a circuit's alerts hold which this sweep, for alerts committed one
 * by one (decideAndCommit's `extraHolds`): each alone would see no other.
 */
export function holdsAmong(
  deps: RecordDeps,
  circuit: { id: string; name: string },
  observations: Observation[],
  alerts: Map<string, Stored<AlertState>>,
  now: Date,
  log: Logger,
): Holds {
  const ctx = alertContext(deps, circuit, now, log);
  return ownHolds(
    deps,
    observations.map((o) => advanceStep(o, alerts.get(o.key)?.value ?? null, ctx)),
    circuit,
  );
}

/**
 * Each key's observation through the lifecycle (advance, inhibition, decide)
 * and into storage with its events and history. Also used for alerts that are
 * about something other than one circuit's reading (a subscription erwatch
 * cannot list): `verdict` is then what the events say about their subject.
 */
export async function decideAndCommit(
  deps: RecordDeps,
  verdict: CircuitVerdict,
  observations: Observation[],
  alerts: Map<string, Stored<AlertState>>,
  now: Date,
  writer: string,
  log: Logger,
  /** Holds from beyond these observations (a fleet alert holding its members' outages; the circuit's other alerts, committed alone). */
  extraHolds: Holds = new Map(),
): Promise<CircuitRecord> {
  const ctx = alertContext(deps, verdict, now, log);
  const steps = observations.map((o) => advanceStep(o, alerts.get(o.key)?.value ?? null, ctx));
  // Inhibition needs every key's condition after this sweep, before any notification.
  const holds = ownHolds(deps, steps, verdict);
  // The circuit's own hold of everything stays; a fleet hold covers the rest.
  for (const [key, hold] of extraHolds) {
    const own = holds.get(key);
    if ((!own || own.only === "resolve") && steps.some((s) => s.observation.key === key))
      holds.set(key, hold);
  }
  const events: AlertEvent[] = [];
  const decisions: KeyDecision[] = [];
  const records: AlertRecord[] = [];
  for (const step of steps) {
    const o = step.observation;
    const result = await commitStep(
      deps.store,
      step,
      alerts.get(o.key) ?? null,
      holds,
      ctx,
      verdict,
      log,
      deps.decidedAt,
    );
    if (!result) continue;
    const { decision } = result;
    events.push(...result.events);
    const record = historyRecordOf(decision, o, now);
    if (record) records.push(record);
    const d: KeyDecision = {
      circuitId: verdict.id,
      key: o.key,
      family: o.family,
      peering: o.peering,
      action: decision.action,
      ...(decision.action === "none" ? { reason: decision.reason, detail: decision.detail } : {}),
    };
    decisions.push(d);
    log.debug(d, "alert decision");
  }
  if (records.length > 0)
    await appendHistory(deps.store, verdict.id, records.map(bounded), `${writer}-a`, log);
  return { verdict, events, decisions };
}
