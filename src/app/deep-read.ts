// The deep reads of a sweep (or of one fan-out work message), in plan order,
// against a deadline: for each circuit as its reading arrives, load → evaluate
// → decide-and-commit (record-circuit.ts), then publish at once
// (eager-publish.ts), so a fault pages without waiting for the rest of the
// estate. A few circuits also have their route tables read as the baseline
// `diagnose --routes` compares with after a prefix drop.

import { tickOf } from "./tick.js";
import type { AlertEvent } from "../core/alert-event.js";
import { evaluateOrBlind } from "../core/evaluate.js";
import type { CircuitMetrics } from "../core/dataplane/facts.js";
import type { CircuitReading, CircuitVerdict, Reading } from "../core/model.js";
import { partnerOfEvaluation } from "../core/pairs.js";
import { reachPeerOfReading } from "../core/reach-peers.js";
import { withoutRouteTables } from "../core/route-tables.js";
import type { Logger } from "../logging.js";
import { eagerPublisher } from "./eager-publish.js";
import {
  createPairGate,
  pairMembers,
  reachPeerSnapshots,
  storedPeerMaxAgeMs,
  type PairGate,
} from "./pair-gate.js";
import {
  drainOutbox,
  firstTimeOnly,
  sinceLastCall,
  type DrainOptions,
  type DrainResult,
} from "./outbox.js";
import { realTimers, wallClockOf, type CircuitTarget } from "./ports.js";
import { CircuitRecorder } from "./circuit-recorder.js";
import type { KeyDecision } from "./record-circuit.js";
import { baselineTargets } from "./route-baseline.js";
import { readEach, type CircuitError, type ReadEachOptions, type Unreached } from "./scan.js";
import { silencesForSweep } from "./silences.js";
import { listingSnapshotsOnce } from "./state-store.js";
import type { SweepDeps } from "./sweep.js";
import type { CircuitPlace } from "./sweep-plan.js";

/** How long before the hard stop outages waiting to group are decided: room to commit and publish. */
export const FLUSH_BEFORE_STOP_MS = 10_000;

/**
 * When the run decides outages still waiting to group, in ms from now: at
 * the deadline (`deadline`, on the run's clock) and at the last call, a
 * little before the hard stop (`stopAt`, wall clock): FLUSH_BEFORE_STOP_MS
 * before it, or half the time between it and the deadline (or now, when the
 * stop comes first: a fan-out worker's cap) when that is shorter. Without a
 * stop known, the deadline is the last call.
 */
export function flushTimes(
  run: Pick<DeepReadRun, "deadline" | "stopAt">,
  now: Date,
  wallNow: Date,
): { inMs: number; last: boolean }[] {
  const toDeadline = run.deadline ? Math.max(0, run.deadline.getTime() - now.getTime()) : null;
  if (!run.stopAt) return toDeadline === null ? [] : [{ inMs: toDeadline, last: true }];
  const toStop = Math.max(0, run.stopAt.getTime() - wallNow.getTime());
  const tail = toDeadline !== null && toDeadline < toStop ? toDeadline : 0;
  const lastCall = toStop - Math.min(FLUSH_BEFORE_STOP_MS, (toStop - tail) / 2);
  return toDeadline !== null && toDeadline < lastCall
    ? [
        { inMs: toDeadline, last: false },
        { inMs: lastCall, last: true },
      ]
    : [{ inMs: lastCall, last: true }];
}

export interface DeepReadRun {
  sweepId: string;
  now: Date;
  /** The timer's sweep (or a worker's share of it): hysteresis counts it as a tick (RecordDeps.tick). */
  tick?: boolean;
  /** ... and when that tick was due (RecordDeps.tickDue). */
  tickDue?: Date;
  abortSignal: AbortSignal;
  /** Ctrl-C on the CLI: stop reading and record nothing more (see ReadEachOptions). */
  stopSignal?: AbortSignal;
  log: Logger;
  deadline?: Date;
  /**
   * When `abortSignal` fires, by the wall clock, if known (a fan-out worker's
   * cap can come before `deadline`): outages waiting to group are decided a
   * little before it.
   */
  stopAt?: Date;
  admit?: (target: CircuitTarget) => Promise<boolean>;
  /** After a circuit's reading is recorded (a fan-out worker marks its claim done). */
  recorded?: (circuitId: string) => Promise<void>;
  /** Metrics the plan's cheap signals already read, by lower-case circuit id. */
  metrics?: Map<string, Reading<CircuitMetrics>>;
  /** Service keys of the sweep's listed circuits (lower-case ids): Global Reach peers not read in this run. */
  serviceKeys?: ReadonlyMap<string, string>;
  /**
   * Group outages across circuits (record-fleet.ts): a circuit with an outage
   * that may group is committed after the reads of this run (the
   * single-process sweep, and each fan-out worker's batch with `partial`).
   */
  group?: boolean;
  /** Part of a sweep (a fan-out worker's batch): see RecorderContext.partial. */
  partial?: boolean;
  /** Named circuits, not the estate: see RecorderContext.named. */
  named?: boolean;
  /** The circuits the plan had a reason to suspect (lower-case ids): outages group once these are in. */
  suspects?: ReadonlySet<string>;
  /** Where targets without a listing were last read, by lower-case id (sweep-plan.ts storedPlaces). */
  places?: ReadonlyMap<string, CircuitPlace>;
  /** The subscriptions whose ARP witness this run reads (ReadOptions.arpWitnesses); all when absent. */
  arpWitnesses?: ReadonlySet<string>;
  /** The circuits the sweep's listing found and watches (lower-case ids; RecorderContext.watched). */
  watched?: ReadonlySet<string>;
}

export interface DeepReadResult {
  verdicts: CircuitVerdict[];
  /** Without their metrics series (judged already); reports read their paths. */
  readings: CircuitReading[];
  ignored: { id: string; name: string }[];
  errors: CircuitError[];
  /** Planned but not read: the deadline came first, or the run was stopped. The next sweep starts with them. */
  unreached: Unreached[];
  /** Claimed by another worker (fan-out). */
  skipped: { id: string; name: string }[];
  /** Events decided in this run (published now, or waiting in the outbox). */
  events: AlertEvent[];
  decisions: KeyDecision[];
  /** Events the broker accepted during this run's drains, including older ones. */
  published: AlertEvent[];
  pendingInOutbox: number;
  brokerError: string | null;
  /** The outbox itself could not be read or written (storage trouble). */
  outboxError: string | null;
  stopped: boolean;
}

/** Storage trouble here must not cost the sweep what it decided: the next drain picks it up. */
export async function publish(
  deps: Pick<SweepDeps, "store" | "sink">,
  sweepId: string,
  now: Date,
  log: Logger,
  /** What the drain is given besides its claimant and clock: see DrainOptions. */
  drain: Pick<DrainOptions, "partitions" | "firstTime" | "abortSignal"> = {},
): Promise<DrainResult & { outboxError: string | null }> {
  try {
    const drained = deps.sink
      ? await drainOutbox(deps.store, deps.sink, {
          claimant: sweepId,
          now,
          logger: log,
          ...drain,
        })
      : { published: [], pending: (await deps.store.listOutbox()).length, brokerError: null };
    return { ...drained, outboxError: null };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    log.error({ err: error }, "the outbox could not be drained; the next sweep tries again");
    return { published: [], pending: 0, brokerError: null, outboxError: message };
  }
}

/** Publishing after the reads: nothing more once stopped, nothing more once the broker failed. */
async function finalDrain(
  deps: SweepDeps,
  run: DeepReadRun,
  early: { brokerError: string | null },
  stopped: boolean,
  drain: Pick<DrainOptions, "partitions" | "firstTime" | "abortSignal">,
): Promise<DrainResult & { outboxError: string | null }> {
  const none = { published: [], pending: 0, outboxError: null };
  if (stopped) return { ...none, brokerError: early.brokerError };
  if (early.brokerError === null) return publish(deps, run.sweepId, run.now, run.log, drain);
  try {
    return {
      ...none,
      pending: (await deps.store.listOutbox()).length,
      brokerError: early.brokerError,
    };
  } catch (error) {
    run.log.error(
      { err: error },
      "the outbox could not be listed; how many events wait for Service Bus is unknown",
    );
    return { ...none, brokerError: early.brokerError, outboxError: (error as Error).message };
  }
}

export async function deepRead(
  base: SweepDeps,
  targets: CircuitTarget[],
  run: DeepReadRun,
): Promise<DeepReadResult> {
  const { sweepId, now, abortSignal, log } = run;
  // Storage that stops answering must not hold the sweep past its own deadline.
  const deps: SweepDeps = {
    ...base,
    store: listingSnapshotsOnce(base.store.withSignal(abortSignal, log)),
    ...tickOf(run),
  };
  const silences = await silencesForSweep(
    base.silences,
    base.silenceStore,
    now,
    log,
    abortSignal,
    base.time,
  );
  const baseline = await baselineTargets(
    deps.store,
    targets,
    deps.policy.alerts.routeTables,
    now,
    log,
  );
  // The outbox listed across the table failing, this run's own events still
  // go out: each drain reads the partitions of the events decided since the
  // one before it, and the last one those of every circuit the run evented or
  // read (a row an earlier drain could not send, an earlier sweep's event).
  const evented = () => recorder.result().events.map((e) => e.circuit.id);
  const fresh = sinceLastCall(evented);
  const firstTime = firstTimeOnly();
  const publisher = eagerPublisher(() =>
    publish(deps, sweepId, now, log, { partitions: fresh, firstTime, abortSignal }),
  );
  const stopped = () => abortSignal.aborted || run.stopSignal?.aborted === true;
  const gate = await pairGateFor(deps, targets, now, log);
  const recorder = new CircuitRecorder({
    deps,
    silences,
    sweepId,
    now,
    log,
    publisher,
    baseline,
    targets,
    group: run.group === true,
    ...(run.partial ? { partial: true } : {}),
    ...(run.named ? { named: true } : {}),
    ...(run.suspects ? { suspects: run.suspects } : {}),
    ...(run.places ? { places: run.places } : {}),
    ...(run.recorded ? { recorded: run.recorded } : {}),
    ...(run.watched ? { watched: run.watched } : {}),
  });
  // Outages waiting to group go out with what is known at the deadline, and
  // again at the last call before the hard stop (flushTimes): reads still in
  // flight then may be cut, and would take them along.
  const time = deps.time ?? realTimers;
  const flushing: Promise<void>[] = [];
  const flushTimers = flushTimes(run, wallClockOf(deps)(), new Date(time.now())).map(
    ({ inMs, last }) =>
      time.after(inMs, () => {
        flushing.push(
          recorder.flush(last).catch((error: unknown) => {
            log.error(
              { err: error },
              "outages waiting to group could not be decided before the stop",
            );
          }),
        );
      }),
  );
  const { ignored, errors, unreached, skipped } = await readEach(
    deps.reader,
    targets,
    readOptions(deps, run, baseline),
    async (read) => {
      // A partner's reading may be held until the other arrives (pair-gate.ts).
      for (const released of gate.offer(withoutRouteTables(read)))
        await recorder.record(released, read);
    },
  ).finally(() => {
    for (const cancel of flushTimers) cancel();
  });
  await Promise.all(flushing);
  if (!stopped()) {
    // Readings still held (a partner never arrived) are judged with what is known.
    for (const released of gate.flush()) await recorder.record(released, null);
    await recorder.group(errors);
  }
  const early = await publisher.settle();
  // Stopped (Ctrl-C, SIGTERM, the hard deadline): leave at once; the outbox
  // keeps what was decided for the next sweep.
  const drained = await finalDrain(deps, run, early, stopped(), {
    partitions: () => [...evented(), ...targets.map((t) => t.id)],
    firstTime,
    abortSignal,
  });
  const recorded = recorder.result();
  const notReached = [
    ...unreached,
    ...[...gate.held().map((r) => r.ref), ...recorded.waiting].map((r) => ({
      id: r.id,
      name: r.name,
      reason: "stopped" as const,
    })),
  ];
  logUnreached(log, notReached);
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  return {
    verdicts: recorded.verdicts.sort(byId),
    readings: recorded.readings.sort((a, b) => a.ref.id.localeCompare(b.ref.id)),
    ignored,
    errors: [...errors, ...recorded.failed],
    unreached: notReached,
    skipped,
    events: recorded.events.sort(byId),
    decisions: recorded.decisions,
    published: [...early.published, ...drained.published],
    pendingInOutbox: drained.pending,
    brokerError: drained.brokerError,
    outboxError: drained.outboxError,
    stopped: stopped(),
  };
}

function readOptions(deps: SweepDeps, run: DeepReadRun, baseline: Set<string>): ReadEachOptions {
  const clock = wallClockOf(deps);
  return {
    abortSignal: run.abortSignal,
    logger: run.log,
    now: run.now,
    routesFor: (t) => baseline.has(t.id.toLowerCase()),
    ...(run.stopSignal ? { stopSignal: run.stopSignal } : {}),
    ...(deps.dataPlane
      ? {
          dataPlane: {
            reader: deps.dataPlane,
            now: run.now,
            sweepId: run.sweepId,
            ...(run.metrics ? { metrics: run.metrics } : {}),
            ...(run.serviceKeys ? { serviceKeys: run.serviceKeys } : {}),
          },
        }
      : {}),
    ...(run.deadline ? { deadline: run.deadline.getTime(), clock: () => clock().getTime() } : {}),
    ...(deps.circuitConcurrency ? { circuitConcurrency: deps.circuitConcurrency } : {}),
    ...(run.admit ? { admit: run.admit } : {}),
    ...(run.arpWitnesses ? { read: { arpWitnesses: run.arpWitnesses } } : {}),
  };
}

function logUnreached(log: Logger, unreached: Unreached[]): void {
  if (unreached.length === 0) return;
  log.warn(
    {
      unreached: unreached.length,
      circuits: unreached.slice(0, 20).map((u) => u.name),
      reason: unreached[0]!.reason,
    },
    "circuits not reached this sweep; the next sweep starts with them",
  );
}

/**
 * Pairs only cost a storage read when a target is in one; Global Reach peers
 * only when the listing shows a connection not Connected.
 */
async function pairGateFor(
  deps: SweepDeps,
  targets: CircuitTarget[],
  now: Date,
  log: Logger,
): Promise<PairGate> {
  const [members, reachSnapshots] = await Promise.all([
    pairMembers(deps.store, targets, log).then((m) => m ?? new Map()),
    reachPeerSnapshots(deps.store, targets, log),
  ]);
  // A reading that arrived is judged on its own once, whoever asks (a partner, a Global Reach peer).
  type Judged = Pick<ReturnType<typeof evaluateOrBlind>, "verdict" | "snapshot">;
  const evaluations = new WeakMap<CircuitReading, Judged>();
  const evaluationOf = (reading: CircuitReading): Judged => {
    const known = evaluations.get(reading);
    if (known) return known;
    const { verdict, snapshot } = evaluateOrBlind(reading, null, [], [], deps.policy, now);
    evaluations.set(reading, { verdict, snapshot });
    return { verdict, snapshot };
  };
  return createPairGate({
    members,
    inRun: new Set(targets.map((t) => t.id.toLowerCase())),
    now,
    maxAgeMs: storedPeerMaxAgeMs(deps),
    judge: (reading) => {
      const { verdict, snapshot } = evaluationOf(reading);
      return partnerOfEvaluation(verdict, snapshot);
    },
    reachJudge: (reading, peerCircuitPeeringId) =>
      reachPeerOfReading(reading, evaluationOf(reading).verdict, peerCircuitPeeringId),
    reachSnapshots,
  });
}
