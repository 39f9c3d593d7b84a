// The deep reads of a sweep (or of one fan-out work message), in plan order,
// against a deadline: for each circuit as its reading arrives, load → evaluate
// → decide-and-commit (record-circuit.ts), then publish at once
// (eager-publish.ts), so a fault pages without waiting for the rest of the
// estate. A few circuits also have their route tables read as the baseline
// `diagnose --routes` compares with after a prefix drop.

import type { AlertEvent } from "../core/alert-event.js";
import { evaluateOrBlind } from "../core/evaluate.js";
import type { CircuitMetrics } from "../core/dataplane/facts.js";
import type { CircuitReading, CircuitVerdict, Reading } from "../core/model.js";
import { siteStatusOfVerdict } from "../core/pairs.js";
import { withoutRouteTables } from "../core/route-tables.js";
import type { Logger } from "../logging.js";
import { eagerPublisher } from "./eager-publish.js";
import { createPairGate, pairMembers, type PairGate, type Released } from "./pair-gate.js";
import { drainOutbox, type DrainResult } from "./outbox.js";
import type { CircuitTarget } from "./ports.js";
import type { Holds } from "../core/alert-step.js";
import { fleetCandidates } from "../core/fleet.js";
import {
  decideAndCommit,
  prepareCircuit,
  type KeyDecision,
  type PreparedCircuit,
} from "./record-circuit.js";
import { recordFleet } from "./record-fleet.js";
import { baselineTargets, keepBaseline } from "./route-baseline.js";
import { readEach, type CircuitError, type Unreached } from "./scan.js";
import { silencesForSweep } from "./silences.js";
import type { SweepDeps } from "./sweep.js";

export interface DeepReadRun {
  sweepId: string;
  now: Date;
  abortSignal: AbortSignal;
  /** Ctrl-C on the CLI: stop reading and record nothing more (see ReadEachOptions). */
  stopSignal?: AbortSignal;
  log: Logger;
  deadline?: Date;
  admit?: (target: CircuitTarget) => Promise<boolean>;
  /** After a circuit's reading is recorded (a fan-out worker marks its claim done). */
  recorded?: (circuitId: string) => Promise<void>;
  /** Metrics the plan's cheap signals already read, by lower-case circuit id. */
  metrics?: ReadonlyMap<string, Reading<CircuitMetrics>>;
  /**
   * Group outages across circuits (record-fleet.ts): a circuit with an outage
   * that may group is committed after the reads of this run. Only a run that
   * reads the whole estate's trouble (the single-process sweep) groups.
   */
  group?: boolean;
}

export interface DeepReadResult {
  verdicts: CircuitVerdict[];
  readings: CircuitReading[];
  ignored: { id: string; name: string }[];
  errors: CircuitError[];
  unreached: Unreached[];
  skipped: { id: string; name: string }[];
  events: AlertEvent[];
  decisions: KeyDecision[];
  published: AlertEvent[];
  pendingInOutbox: number;
  brokerError: string | null;
  outboxError: string | null;
  stopped: boolean;
}

/** Storage trouble here must not cost the sweep what it decided: the next drain picks it up. */
export async function publish(
  deps: Pick<SweepDeps, "store" | "sink">,
  sweepId: string,
  now: Date,
  log: Logger,
): Promise<DrainResult & { outboxError: string | null }> {
  try {
    const drained = deps.sink
      ? await drainOutbox(deps.store, deps.sink, { claimant: sweepId, now, logger: log })
      : { published: [], pending: (await deps.store.listOutbox()).length, brokerError: null };
    return { ...drained, outboxError: null };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    log.error({ err: error }, "the outbox could not be drained; the next sweep tries again");
    return { published: [], pending: 0, brokerError: null, outboxError: message };
  }
}

function logEvents(log: Logger, events: AlertEvent[]): void {
  for (const e of events)
    log.info(
      { key: e.key, action: e.action, severity: e.severity, code: e.code, sequence: e.sequence },
      `alert ${e.action}`,
    );
}

/** Publishing after the reads: nothing more once stopped, nothing more once the broker failed. */
async function finalDrain(
  deps: SweepDeps,
  run: DeepReadRun,
  early: { brokerError: string | null },
  stopped: boolean,
): Promise<DrainResult & { outboxError: string | null }> {
  const none = { published: [], pending: 0, outboxError: null };
  if (stopped) return { ...none, brokerError: early.brokerError };
  if (early.brokerError === null) return publish(deps, run.sweepId, run.now, run.log);
  try {
    return {
      ...none,
      pending: (await deps.store.listOutbox()).length,
      brokerError: early.brokerError,
    };
  } catch (error) {
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
  const deps: SweepDeps = { ...base, store: base.store.withSignal(abortSignal) };
  const silences = await silencesForSweep(base.silences, base.silenceStore, now, log, abortSignal);
  const baseline = await baselineTargets(
    deps.store,
    targets,
    deps.policy.alerts.routeTables,
    now,
    log,
  );
  const readings: CircuitReading[] = [];
  const verdicts: CircuitVerdict[] = [];
  const events: AlertEvent[] = [];
  const decisions: KeyDecision[] = [];
  const publisher = eagerPublisher(() => publish(deps, sweepId, now, log));
  const clock = base.clock ?? (() => new Date());
  const stopped = () => abortSignal.aborted || run.stopSignal?.aborted === true;
  const gate = await pairGateFor(deps, targets, now, log);
  const failed: CircuitError[] = [];
  const recordDeps = { ...deps, silences };
  /** Outages that may group wait for the end of the reads (group_wait). */
  const deferred: { prepared: PreparedCircuit; log: Logger }[] = [];
  /** Circuits whose layers were read this run: a fleet alert resolves only when all its members were. */
  const readIds = new Set<string>();
  const guarded = async (
    ref: { id: string; name: string },
    circuitLog: Logger,
    work: () => Promise<void>,
  ) => {
    try {
      await work();
    } catch (error) {
      circuitLog.error({ err: error }, "the circuit could not be recorded");
      failed.push({
        id: ref.id,
        name: ref.name,
        message: (error as Error).message ?? String(error),
      });
    }
  };
  const commit = async (prepared: PreparedCircuit, circuitLog: Logger, holds: Holds) => {
    const { verdict, observations, alerts } = prepared;
    const record = await decideAndCommit(
      recordDeps,
      verdict,
      observations,
      alerts,
      now,
      sweepId,
      circuitLog,
      holds,
    );
    verdicts.push(record.verdict);
    events.push(...record.events);
    decisions.push(...record.decisions);
    logEvents(circuitLog, record.events);
    await run.recorded?.(verdict.id);
    // A fault pages now, not when the rest of the estate has been read.
    if (record.events.length > 0 && deps.sink) publisher.kick();
  };
  /** One circuit judged and committed; `read` carries route tables for the baseline. */
  const record = async ({ reading, pair }: Released, read: CircuitReading | null) => {
    const circuitLog = log.child({ circuitId: reading.ref.id, circuit: reading.ref.name });
    await guarded(reading.ref, circuitLog, async () => {
      readings.push(reading);
      const context = pair ? { pair } : {};
      const prepared = await prepareCircuit(recordDeps, reading, now, sweepId, circuitLog, context);
      if (read && baseline.has(read.ref.id.toLowerCase()))
        await keepBaseline(deps.store, read, prepared.verdict, now, circuitLog);
      if (prepared.verdict.circuitRead) readIds.add(reading.ref.id.toLowerCase());
      if (run.group && fleetCandidates(prepared.verdict, prepared.observations).length > 0)
        deferred.push({ prepared, log: circuitLog });
      else await commit(prepared, circuitLog, new Map());
    });
  };
  /** The fleet alerts first, then the circuits that waited, held by them. */
  const group = async () => {
    const fleet = await recordFleet(
      recordDeps,
      deferred.map((d) => d.prepared),
      readIds,
      now,
      sweepId,
      log,
    );
    events.push(...fleet.events);
    decisions.push(...fleet.decisions);
    logEvents(log, fleet.events);
    if (fleet.events.length > 0 && deps.sink) publisher.kick();
    for (const d of deferred.splice(0))
      await guarded(d.prepared.verdict, d.log, () => commit(d.prepared, d.log, fleet.holds));
  };
  const { ignored, errors, unreached, skipped } = await readEach(
    deps.reader,
    targets,
    {
      abortSignal,
      logger: log,
      now,
      routesFor: (t) => baseline.has(t.id.toLowerCase()),
      ...(run.stopSignal ? { stopSignal: run.stopSignal } : {}),
      ...(deps.dataPlane
        ? {
            dataPlane: {
              reader: deps.dataPlane,
              now,
              ...(run.metrics ? { metrics: run.metrics } : {}),
            },
          }
        : {}),
      ...(run.deadline ? { deadline: run.deadline.getTime(), clock: () => clock().getTime() } : {}),
      ...(deps.circuitConcurrency ? { circuitConcurrency: deps.circuitConcurrency } : {}),
      ...(run.admit ? { admit: run.admit } : {}),
    },
    async (read) => {
      // A partner's reading may be held until the other arrives (pair-gate.ts).
      for (const released of gate.offer(withoutRouteTables(read))) await record(released, read);
    },
  );
  // Readings still held (a partner never arrived) are judged with what is known.
  if (!stopped()) for (const released of gate.flush()) await record(released, null);
  if (run.group && !stopped()) await group();
  const early = await publisher.settle();
  // Stopped (Ctrl-C, SIGTERM, the hard deadline): leave at once; the outbox
  // keeps what was decided for the next sweep.
  const drained = await finalDrain(deps, run, early, stopped());
  if (unreached.length > 0)
    log.warn(
      {
        unreached: unreached.length,
        circuits: unreached.slice(0, 20).map((u) => u.name),
        reason: unreached[0]!.reason,
      },
      "circuits not reached this sweep; the next sweep starts with them",
    );
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  return {
    verdicts: verdicts.sort(byId),
    readings: readings.sort((a, b) => a.ref.id.localeCompare(b.ref.id)),
    ignored,
    errors: [...errors, ...failed],
    unreached: [
      ...unreached,
      ...gate.held().map((r) => ({ id: r.ref.id, name: r.ref.name, reason: "stopped" as const })),
      ...deferred.map(({ prepared: { verdict: v } }) => ({
        id: v.id,
        name: v.name,
        reason: "stopped" as const,
      })),
    ],
    skipped,
    events: events.sort(byId),
    decisions,
    published: [...early.published, ...drained.published],
    pendingInOutbox: drained.pending,
    brokerError: drained.brokerError,
    outboxError: drained.outboxError,
    stopped: stopped(),
  };
}

/** Pairs only cost a storage read when a target is in one. */
async function pairGateFor(
  deps: SweepDeps,
  targets: CircuitTarget[],
  now: Date,
  log: Logger,
): Promise<PairGate> {
  const members = (await pairMembers(deps.store, targets, log)) ?? new Map();
  const { sweepIntervalMinutes } = deps.policy.alerts;
  return createPairGate({
    members,
    inRun: new Set(targets.map((t) => t.id.toLowerCase())),
    now,
    // A partner read in rotation is at most this old while its reads are on time.
    maxAgeMs: ((deps.maxReadAgeMinutes ?? 15) + sweepIntervalMinutes) * 60_000,
    judge: (reading) =>
      siteStatusOfVerdict(evaluateOrBlind(reading, null, [], [], deps.policy, now).verdict),
  });
}
